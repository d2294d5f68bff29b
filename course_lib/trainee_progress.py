"""A trainee's progress through the course, read from the answers they saved.

For every graded notebook ``solutions/<assignment>/<assignment>.ipynb`` the
exercises are the grade cells whose ``grade_id`` names an exercise; each one
counts as done once ``exercises/<assignment>/answers/<id>.json`` holds a
readable answer, and scores what ``grade_saved`` gives it. Nothing here moves
or rewrites an answers file (a damaged one simply counts as not done).

Pure Python at import time: matplotlib and IPython load only when a chart or
a display is asked for.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .figures import figure_data_uri
from .grading import grade_saved
from .models import ContentError, exercise_ids
from .nbgrader_cells import graded_exercise_id
from .store import DEFAULT_ANSWERS_DIR

if TYPE_CHECKING:  # pragma: no cover - for type checkers only
    from matplotlib.figure import Figure

__all__ = [
    "ExerciseProgress",
    "ModuleProgress",
    "course_progress",
    "find_course_root",
    "progress_chart",
    "progress_html",
    "show_progress",
]

CONFIG_FILE = "nbgrader_config.py"


@dataclass(frozen=True)
class ExerciseProgress:
    """One graded exercise: is an answer saved, and what does it score."""

    exercise_id: str
    done: bool
    points: float
    max_points: float


@dataclass(frozen=True)
class ModuleProgress:
    """One assignment (a module or the action plan) and its graded exercises."""

    assignment: str
    title: str
    exercises: tuple[ExerciseProgress, ...]

    @property
    def done(self) -> int:
        return sum(e.done for e in self.exercises)

    @property
    def total(self) -> int:
        return len(self.exercises)

    @property
    def points(self) -> float:
        return round(sum(e.points for e in self.exercises), 2)

    @property
    def max_points(self) -> float:
        return round(sum(e.max_points for e in self.exercises), 2)


def _assignment_order(name: str) -> tuple[int, int, str]:
    # module1 < module2 < ... < module10, then anything else (the action plan) by name.
    match = re.fullmatch(r"module(\d+)", name)
    return (0, int(match.group(1)), name) if match else (1, 0, name)


def _graded_notebook(root: Path, assignment: str) -> Path | None:
    # The instructor's source is the reference; a trainee's copy without
    # solutions/ still has the same grade cells in the release.
    for folder in ("solutions", "exercises"):
        candidate = root / folder / assignment / f"{assignment}.ipynb"
        if candidate.is_file():
            return candidate
    return None


def _read_graded_cells(notebook: Path, known: set[str]) -> tuple[str, list[tuple[str, float]]]:
    """The notebook's title and its (exercise id, cell points) pairs, in notebook order."""
    try:
        cells = json.loads(notebook.read_text(encoding="utf-8")).get("cells", [])
    except (OSError, ValueError):
        return notebook.stem, []
    title, graded = notebook.stem, []
    for cell in cells:
        source = "".join(cell.get("source", ""))
        if title == notebook.stem and cell.get("cell_type") == "markdown":
            heading = re.search(r"(?m)^#\s+(.+)$", source)
            if heading:
                # "Module 2 graded exercise: The service chain" reads better as "Module 2: The service chain".
                title = heading.group(1).replace(" graded exercise", "").strip()
        grade_id = graded_exercise_id(cell, known)
        if grade_id is not None:
            graded.append((grade_id, float(cell["metadata"]["nbgrader"].get("points", 0))))
    return title, graded


def _exercise_progress(exercise_id: str, cell_points: float, answers_dir: Path) -> ExerciseProgress:
    try:
        graded = grade_saved(exercise_id, answers_dir, quarantine=False)
    except ContentError:
        # Content that no longer loads cannot be scored; show it as not done.
        return ExerciseProgress(exercise_id, False, 0.0, cell_points)
    done = graded.saved is not None
    points = graded.result.scaled(cell_points) if done else 0.0
    return ExerciseProgress(exercise_id, done, points, cell_points)


def course_progress(root: Path) -> list[ModuleProgress]:
    """Progress per assignment of the course at ``root``, in course order."""
    root = Path(root)
    known = set(exercise_ids())
    names = {
        d.name for folder in ("solutions", "exercises") if (root / folder).is_dir()
        for d in (root / folder).iterdir() if d.is_dir()
    }
    progress = []
    for assignment in sorted(names, key=_assignment_order):
        notebook = _graded_notebook(root, assignment)
        if notebook is None:
            continue
        title, graded = _read_graded_cells(notebook, known)
        if not graded:
            continue
        answers_dir = root / "exercises" / assignment / DEFAULT_ANSWERS_DIR
        exercises = tuple(_exercise_progress(eid, pts, answers_dir) for eid, pts in graded)
        progress.append(ModuleProgress(assignment, title, exercises))
    return progress


def _label(module: ModuleProgress) -> str:
    # "Module 2: The service chain" -> "Module 2"; other assignments by name ("action-plan" -> "Action plan").
    match = re.match(r"(Module \d+)", module.title)
    return match.group(1) if match else module.assignment.replace("-", " ").capitalize()


def progress_chart(progress: list[ModuleProgress]) -> Figure:
    """Horizontal bars per module: share of exercises done and share of points scored."""
    from matplotlib.figure import Figure

    labels = [_label(m) for m in progress]
    done = [100 * m.done / m.total if m.total else 0 for m in progress]
    scored = [100 * m.points / m.max_points if m.max_points else 0 for m in progress]
    fig = Figure(figsize=(6.4, 0.45 * max(len(progress), 1) + 1.5), layout="constrained")
    ax = fig.add_subplot()
    rows = range(len(progress))
    ax.barh([r - 0.2 for r in rows], done, height=0.38, color="#4c78a8", label="exercises done")
    ax.barh([r + 0.2 for r in rows], scored, height=0.38, color="#f58518", label="points scored")
    ax.set_yticks(list(rows), labels)
    ax.invert_yaxis()  # first module on top, like the table
    ax.set_xlim(0, 100)
    ax.set_xlabel("% of the module")
    ax.set_title("Your progress")
    fig.legend(loc="outside lower center", ncols=2, fontsize="small")
    return fig


def progress_html(progress: list[ModuleProgress]) -> str:
    """A small HTML table of the progress; every text is escaped."""
    if not progress:
        return "<p>No graded exercises found yet.</p>"
    rows = []
    for m in progress:
        rows.append(
            f"<tr><td>{html.escape(m.title)}</td><td>{m.done} of {m.total}</td>"
            f"<td>{m.points:g} of {m.max_points:g}</td></tr>"
        )
    done = sum(m.done for m in progress)
    total = sum(m.total for m in progress)
    points = round(sum(m.points for m in progress), 2)
    maximum = round(sum(m.max_points for m in progress), 2)
    rows.append(f"<tr><th>Whole course</th><th>{done} of {total}</th><th>{points:g} of {maximum:g}</th></tr>")
    return (
        "<table><thead><tr><th>Module</th><th>Exercises done</th><th>Points (self-check)</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def find_course_root(start: Path | None = None) -> Path | None:
    """The nearest folder at or above ``start`` (default: cwd) holding nbgrader_config.py."""
    here = Path.cwd() if start is None else Path(start)
    for folder in (here.resolve(), *here.resolve().parents):
        if (folder / CONFIG_FILE).is_file():
            return folder
    return None


def show_progress(root: Path | str | None = None) -> None:
    """Display the progress table and chart in a notebook."""
    from IPython.display import HTML, display

    course_root = Path(root) if root is not None else find_course_root()
    if course_root is None:
        display(HTML(f"<p>Cannot find the course folder (one holding {CONFIG_FILE}) above this notebook.</p>"))
        return
    progress = course_progress(course_root)
    parts = [progress_html(progress)]
    if progress:
        image = figure_data_uri(progress_chart(progress), dpi=90)
        alt = "; ".join(f"{_label(m)}: {m.done} of {m.total} done, {m.points:g} of {m.max_points:g} points"
                        for m in progress)
        parts.append(f'<img src="{image}" alt="{html.escape(alt)}">')
    parts.append(
        "<p><small>Points are the self-check scores of your saved answers; written reflections are "
        "marked later by your instructor and are not included.</small></p>"
    )
    from .evaluation.trainee_view import evaluation_html  # pre/post per module and certificate status

    parts.append(evaluation_html(course_root, progress))
    display(HTML("".join(parts)))
