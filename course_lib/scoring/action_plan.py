"""Scoring of the personal action plan: on completeness, never on which behaviours were chosen.

The date only has to be a real date: whether it was today or later is checked
by the widget when the trainee enters it, so a plan graded next month still
scores the same.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ..models.action_plan import MAX_BEHAVIOURS_CAP, MAX_CHARS_CAP, ActionPlanExercise
from .free_text import not_own_words
from .limits import at_most, text_at_most
from .result import Result

__all__ = ["FIELDS", "empty_answer", "parse_answer", "parse_date", "score"]

FIELDS = ("behaviours", "first_step", "date", "helper", "notes")


def empty_answer() -> dict[str, Any]:
    return {"behaviours": [], "first_step": "", "date": "", "helper": "", "notes": ""}


def parse_answer(raw: Any, exercise: ActionPlanExercise | None = None) -> dict[str, Any]:
    """The saved plan in its canonical shape (None: nothing saved); missing parts are empty.

    The widget's limits apply: ``max_behaviours`` behaviours, ``max_chars`` per part.
    """
    if raw is None:
        return empty_answer()
    if not isinstance(raw, dict):
        raise ValueError("an action plan must be a mapping of its parts")
    unknown = sorted(set(raw) - set(FIELDS))
    if unknown:
        raise ValueError(f"unknown action plan part(s): {', '.join(map(str, unknown))}")
    answer = empty_answer()
    behaviours = raw.get("behaviours", [])
    if not isinstance(behaviours, list) or not all(isinstance(b, str) for b in behaviours):
        raise ValueError("'behaviours' must be a list of text entries")
    max_chars = exercise.max_chars if exercise else MAX_CHARS_CAP
    at_most(behaviours, exercise.max_behaviours if exercise else MAX_BEHAVIOURS_CAP, "behaviours")
    for number, behaviour in enumerate(behaviours, start=1):
        text_at_most(behaviour, max_chars, f"behaviour {number}")
    answer["behaviours"] = [" ".join(b.split()) for b in behaviours if b.strip()]
    for field in FIELDS[1:]:
        value = raw.get(field, "")
        if not isinstance(value, str):
            raise ValueError(f"'{field}' must be text")
        text_at_most(value, max_chars, f"'{field}'")
        answer[field] = value.strip()
    return answer


def parse_date(text: str) -> date | None:
    """The plan's date, or None when it is empty or not a real YYYY-MM-DD date."""
    try:
        return date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        return None


def score(exercise: ActionPlanExercise, answer: dict[str, Any]) -> Result:
    """Points for each part of the plan that is filled in."""
    rubric, questions = exercise.rubric, exercise.questions
    behaviours = answer["behaviours"][: exercise.max_behaviours]
    when = parse_date(answer["date"])
    answer_lines = [
        "Your action plan:",
        "  Behaviours to change:" if behaviours else "  Behaviours to change: none yet",
        *(f"    {n}. {b}" for n, b in enumerate(behaviours, 1)),
        f"  First step: {answer['first_step'] or '(none yet)'}",
        f"  Start date: {answer['date'] or '(none yet)'}",
        f"  Who will help: {answer['helper'] or '(none yet)'}",
    ]
    if answer["notes"]:
        answer_lines.append(f"  Notes: {answer['notes']}")
    if not any([behaviours, answer["first_step"], answer["date"], answer["helper"], answer["notes"]]):
        return Result(0.0, exercise.max_points, ("Your action plan is empty: fill it in above, then run this "
                                                 "cell again.",), ("Your action plan: nothing saved yet",))
    points, lines = 0.0, []

    def part(ok: bool, earned: float, good: str, missing: str) -> None:
        nonlocal points
        points += earned
        lines.append(f"✓ {good}" if ok else f"✗ {missing}")

    part(bool(behaviours), rubric.behaviours if behaviours else 0,
         f"{len(behaviours)} behaviour(s) to change.", f"{questions.behaviours} Pick at least one.")
    if len(answer["behaviours"]) > exercise.max_behaviours:
        lines.append(f"  Only the first {exercise.max_behaviours} behaviours count: focus beats a long list.")
    words = len(answer["first_step"].split())
    enough = words >= rubric.min_first_step_words
    copied = not_own_words(answer["first_step"], [questions.first_step, *exercise.suggested_behaviours])
    if copied:
        part(False, 0, "", f"Your first step does not count yet: {copied}. {questions.first_step} Say it in "
                           "your own words: what you will do, where and with whom.")
    else:
        part(enough, rubric.first_step if enough else rubric.first_step / 2 if words else 0,
             "A concrete first step.",
             f"{questions.first_step} Describe it in at least {rubric.min_first_step_words} words, "
             "so you know exactly what to do.")
    part(when is not None, rubric.date if when else 0, f"A start date: {when:%A %d %B %Y}." if when else "",
         f"{questions.date} Pick a date." + (" The saved one is not a real date." if answer["date"] else ""))
    part(bool(answer["helper"]), rubric.helper if answer["helper"] else 0, "Someone to help you keep going.",
         f"{questions.helper} A colleague or manager who knows your plan makes it far more likely to happen.")
    if rubric.notes or answer["notes"]:
        part(bool(answer["notes"]), rubric.notes if answer["notes"] else 0, "Notes added.", "No notes (optional).")
    lines.insert(0, f"Action plan complete: {points:g} of {exercise.max_points:g} points.")
    return Result(points, exercise.max_points, tuple(lines), tuple(answer_lines))
