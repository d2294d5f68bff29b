"""The trainee's one obvious call to check their work: ``check("m1-brainstorm")``.

``check`` returns a :class:`Score`: a float (Python and nbgrader see the bare
number: its ``repr`` is the float's, and that is the ``text/plain`` of the
cell's result) that JupyterLab shows as formatted feedback, because a
notebook front end prefers its ``text/html``. So a graded check cell still
ends with the bare float nbgrader reads for partial credit, and neither a
lesson nor a graded notebook shows a stray number under the feedback.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import Any

from .check_html import Figure, feedback_html
from .grading import Graded, grade_saved
from .live.publish import is_lesson_folder
from .store import DEFAULT_ANSWERS_DIR
from .types import exercise_type

__all__ = ["Score", "check", "figures_for"]


class Score(float):
    """A self-check score: a plain float to arithmetic and ``repr``, formatted feedback in a notebook."""

    __slots__ = ("html", "text")

    html: str
    text: str

    def __new__(cls, value: float, *, html: str, text: str) -> Score:
        score = super().__new__(cls, value)
        score.html, score.text = html, text
        return score

    def _repr_html_(self) -> str:
        return self.html

    def __reduce__(self) -> tuple[Any, ...]:
        return (float, (float(self),))  # a copy or pickle is just the number


def figures_for(graded: Graded) -> list[Figure]:
    """Charts that belong with the feedback: the type's ``figures`` piece (see :mod:`course_lib.types`), if any."""
    if graded.saved is None:
        return []
    if os.environ.get("NBGRADER_EXECUTION"):
        # nbgrader is running the notebook (autograde, validate): nobody sees this output, and the
        # grader replaces it; drawing would only cost the grading kernel seconds of matplotlib.
        return []
    # Resolved only here: a type's charts import matplotlib, which the grader never needs.
    figures = exercise_type(graded.exercise.type).load_figures()
    return list(figures(graded)) if figures else []


def check(exercise_id: str, answers_dir: Path | str = DEFAULT_ANSWERS_DIR) -> Score:
    """The feedback on the saved answers, as a :class:`Score` worth the points earned.

    In JupyterLab the cell shows the feedback as HTML; outside IPython (a script,
    a test) the plain-text report is printed. Nothing is written to stderr
    (nbgrader scores a cell with stderr output as 0).
    """
    graded = grade_saved(exercise_id, answers_dir)
    if is_lesson_folder(Path(answers_dir).resolve().parent):
        graded = replace(graded, practice=True)  # lessons are not graded: feedback without a score
    text = graded.report()
    score = Score(graded.score, html=feedback_html(graded, figures=figures_for(graded)), text=text)
    if not _in_ipython():
        print(text)
    return score


def _in_ipython() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with the kernel
        return False
    return get_ipython() is not None
