"""The 30-day follow-up: find the trainee's own saved action plan, and export the updated plan.

The plan is read (never moved or changed) from the first of these that holds one, relative to the
follow-up notebook's folder: ``../<plan assignment>/answers`` (the course's release layout and nbgrader's
fetched layout put assignments side by side), ``answers``, then the lessons' ``notebooks/answers`` one or
two folders up. The export is Markdown and a printable page, escaped like the action-plan export.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from ..action_plan_export import _CSS, markdown_escape
from ..atomic import write_text_atomic
from ..grading import parser_for
from ..models import load_exercise
from ..models.follow_up import FollowUpExercise
from ..store import DEFAULT_ANSWERS_DIR, AnswerStore, CorruptAnswersError, SavedAnswer

__all__ = ["EXPORT_NAMES", "find_saved_plan", "plan_folders", "to_html", "to_markdown", "write_exports"]

EXPORT_NAMES = ("follow-up-plan.md", "follow-up-plan.html")


def plan_folders(exercise: FollowUpExercise, folder: Path | str) -> list[Path]:
    """The answers folders searched for the saved plan, in order (absolute: a widget's store is often relative)."""
    folder, answers = Path(folder).resolve(), DEFAULT_ANSWERS_DIR
    return [folder.parent / exercise.plan_assignment / answers, folder / answers,
            folder.parent / "notebooks" / answers, folder.parent.parent / "notebooks" / answers]


def find_saved_plan(exercise: FollowUpExercise, folder: Path | str) -> tuple[Path, SavedAnswer] | None:
    """``(answers folder, saved plan)`` of the first folder holding a readable plan with behaviours, or None."""
    plan = load_exercise(exercise.plan_exercise)
    for answers in plan_folders(exercise, folder):
        try:
            saved = AnswerStore(answers).load(plan.id, parse=parser_for(plan), quarantine=False)
        except (CorruptAnswersError, OSError):
            continue
        if saved is not None and saved.answer["behaviours"]:
            return answers, saved
    return None


def _label(exercise: FollowUpExercise, outcome_id: str) -> str:
    outcome = exercise.outcome(outcome_id)
    return outcome.label if outcome else "(no answer yet)"


def to_markdown(exercise: FollowUpExercise, answer: dict[str, Any]) -> str:
    """The reviewed plan as Markdown; everything the trainee typed is escaped."""
    q, esc = exercise.questions, markdown_escape
    lines = [f"# {esc(exercise.document_title)}", ""]
    if answer["plan_date"]:
        lines += [f"Plan started: {esc(answer['plan_date'])}", ""]
    for number, c in enumerate(answer["commitments"], start=1):
        lines += [f"## {number}. {esc(c['behaviour'])}", "", f"**{esc(q.done)}** {esc(_label(exercise, c['outcome']))}",
                  "", f"**{esc(q.happened)}** {esc(c['happened']) or '(not answered)'}", "",
                  f"**{esc(q.obstacle)}** {esc(c['obstacle']) or '(not answered)'}", ""]
    lines += [f"## {esc(q.next_step)}", "", esc(answer["next_step"]) or "(none yet)", "", "---", "",
              "Reviewed with: ______________________   Date: ____________", ""]
    return "\n".join(lines)


def to_html(exercise: FollowUpExercise, answer: dict[str, Any]) -> str:
    """The reviewed plan as a self-contained printable page; every string escaped."""
    q, esc = exercise.questions, html.escape
    parts = [f"<p>Plan started: {esc(answer['plan_date'])}</p>" if answer["plan_date"] else ""]
    for number, c in enumerate(answer["commitments"], start=1):
        parts.append(
            f"<h2>{number}. {esc(c['behaviour'])}</h2>"
            f"<p><b>{esc(q.done)}</b> {esc(_label(exercise, c['outcome']))}</p>"
            f"<p><b>{esc(q.happened)}</b></p><p class='answer'>{esc(c['happened']) or '(not answered)'}</p>"
            f"<p><b>{esc(q.obstacle)}</b></p><p class='answer'>{esc(c['obstacle']) or '(not answered)'}</p>")
    parts.append(f"<h2>{esc(q.next_step)}</h2><p class='answer'>{esc(answer['next_step']) or '(none yet)'}</p>")
    title = esc(exercise.document_title)
    return ("<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
            f"<title>{title}</title><style>{_CSS}</style></head><body><main>"
            f"<h1>{title}</h1><p class='hint'>Print this page (Ctrl+P) or save it as PDF.</p>" + "".join(parts)
            + "<p class='sign'>Reviewed with: ______________________ &nbsp; Date: ____________</p>"
            "</main></body></html>\n")


def write_exports(exercise: FollowUpExercise, answer: dict[str, Any], folder: Path | str) -> tuple[Path, Path]:
    """Write both files into ``folder`` (each replaced whole or not at all); returns their paths."""
    folder = Path(folder)
    md_path, html_path = (folder / name for name in EXPORT_NAMES)
    write_text_atomic(md_path, to_markdown(exercise, answer))
    write_text_atomic(html_path, to_html(exercise, answer))
    return md_path, html_path
