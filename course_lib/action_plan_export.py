"""Export the action plan as a document to take back to work: Markdown and a printable HTML page.

Pure functions of (exercise, answer) plus one helper that writes both files.
Every string the trainee typed is escaped: HTML-escaped in the page, and
backslash-escaped in Markdown so it shows as typed instead of being rendered.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

from .atomic import write_text_atomic
from .models.action_plan import ActionPlanExercise
from .scoring.action_plan import parse_date

__all__ = ["EXPORT_NAMES", "markdown_escape", "to_html", "to_markdown", "write_exports"]

EXPORT_NAMES = ("action-plan.md", "action-plan.html")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~&])")
_BULLET = re.compile(r"^(\s*)([-+=])")  # would start a list or underline a heading
_NUMBERED = re.compile(r"^(\s*\d+)([.)])")  # would start a numbered list


def markdown_escape(text: str) -> str:
    """``text`` with Markdown's punctuation backslash-escaped (CommonMark shows it literally)."""
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    return _NUMBERED.sub(r"\1\\\2", _BULLET.sub(r"\1\\\2", text))


def _date_text(answer: dict[str, Any]) -> str:
    when = parse_date(answer["date"])
    return f"{when:%A %d %B %Y}" if when else "(not set)"


def to_markdown(exercise: ActionPlanExercise, answer: dict[str, Any]) -> str:
    """The plan as a Markdown document."""
    q = exercise.questions
    lines = [f"# {markdown_escape(exercise.document_title)}", "", f"## {markdown_escape(q.behaviours)}", ""]
    lines += [f"{n}. {markdown_escape(b)}" for n, b in enumerate(answer["behaviours"], 1)] or ["(none yet)"]

    def section(question: str, value: str) -> None:
        lines.extend(["", f"## {markdown_escape(question)}", ""])
        body = [markdown_escape(line) for line in value.splitlines()] if value.strip() else ["(none yet)"]
        lines.append("  \n".join(body))  # keep the trainee's line breaks

    section(q.first_step, answer["first_step"])
    section(q.date, _date_text(answer))
    section(q.helper, answer["helper"])
    if answer["notes"].strip():
        section(q.notes, answer["notes"])
    lines += ["", "---", "", "Reviewed with: ______________________   Date: ____________", ""]
    return "\n".join(lines)


_CSS = """
body { font-family: Georgia, 'Times New Roman', serif; max-width: 42em; margin: 2em auto; padding: 0 1em;
       line-height: 1.5; color: #111; }
h1 { font-size: 1.7em; border-bottom: 2px solid #333; padding-bottom: 0.2em; }
h2 { font-size: 1.15em; margin-top: 1.6em; }
.answer { white-space: pre-wrap; border-left: 3px solid #bbb; padding-left: 0.8em; }
.sign { margin-top: 3em; border-top: 1px solid #333; padding-top: 0.5em; }
.hint { color: #555; font-size: 0.9em; }
@media print {
  body { margin: 0; max-width: none; font-size: 12pt; }
  .hint { display: none; }
  h2 { page-break-after: avoid; break-after: avoid; }
  @page { margin: 2cm; }
}
"""


def to_html(exercise: ActionPlanExercise, answer: dict[str, Any]) -> str:
    """The plan as a self-contained, printable HTML page (every string escaped)."""
    esc, q = html.escape, exercise.questions
    items = "".join(f"<li>{esc(b)}</li>" for b in answer["behaviours"])
    parts = [f"<h2>{esc(q.behaviours)}</h2>", f"<ol>{items}</ol>" if items else "<p class='answer'>(none yet)</p>"]

    def section(question: str, value: str) -> None:
        parts.append(f"<h2>{esc(question)}</h2><p class='answer'>{esc(value) if value.strip() else '(none yet)'}</p>")

    section(q.first_step, answer["first_step"])
    section(q.date, _date_text(answer))
    section(q.helper, answer["helper"])
    if answer["notes"].strip():
        section(q.notes, answer["notes"])
    title = esc(exercise.document_title)
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<title>{title}</title><style>{_CSS}</style></head><body><main>"  # a landmark for screen readers
        f"<h1>{title}</h1><p class='hint'>Print this page (Ctrl+P) or save it as PDF to take it back to work.</p>"
        + "".join(parts)
        + "<p class='sign'>Reviewed with: ______________________ &nbsp; Date: ____________</p>"
        "</main></body></html>\n"
    )


def write_exports(exercise: ActionPlanExercise, answer: dict[str, Any], folder: Path | str) -> tuple[Path, Path]:
    """Write ``action-plan.md`` and ``action-plan.html`` into ``folder``; returns their paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    md_path, html_path = (folder / name for name in EXPORT_NAMES)
    # Atomic: a full disk leaves an earlier export whole (and raises), never a cut-off file.
    write_text_atomic(md_path, to_markdown(exercise, answer))
    write_text_atomic(html_path, to_html(exercise, answer))
    return md_path, html_path
