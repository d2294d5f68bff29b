"""Which cells of an nbgrader notebook are widget check cells.

A check cell is a graded code cell (``nbgrader.grade`` true) whose ``grade_id``
is the id of a course exercise: its score comes from the trainee's saved
answers file for that exercise, not from what the cell printed. The grader's
plug-in, ``course grade``, the start page's progress and the release tests
all ask this one question here.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from .models import exercise_ids

__all__ = ["REVIEW_KEY", "graded_exercise_id", "names_exercise", "needs_review"]

# Cell metadata (under "course") that the grader's plug-in sets when a trainer must mark the answer by hand:
# the reason, said in the grading summary.
REVIEW_KEY = "needs_review"


def needs_review(cell: Mapping[str, Any]) -> str | None:
    """Why a trainer must mark this graded cell (None: its automatic score stands)."""
    course = cell.get("metadata", {}).get("course", {})
    return course.get(REVIEW_KEY) if isinstance(course, Mapping) else None


def names_exercise(grade_id: object, known: Collection[str] | None = None) -> bool:
    """Whether ``grade_id`` (a cell's ``grade_id``, or a gradebook cell's name) is the id of a course exercise.

    ``known`` is the set of exercise ids to accept; by default every exercise
    on the content path (pass it when asking about many cells at once).
    """
    return isinstance(grade_id, str) and grade_id in (exercise_ids() if known is None else known)


def graded_exercise_id(cell: Mapping[str, Any], known: Collection[str] | None = None) -> str | None:
    """The exercise a check cell scores, or None for any other cell.

    ``cell`` is a notebook cell (an ``nbformat`` node or the plain JSON dict);
    ``known`` as for :func:`names_exercise`.
    """
    meta = cell.get("metadata", {}).get("nbgrader", {})
    grade_id = meta.get("grade_id")
    if cell.get("cell_type") != "code" or not meta.get("grade") or not names_exercise(grade_id, known):
        return None
    return grade_id
