"""Exercise widgets: one module per exercise type, thin views over content and store.

``show(exercise_id)`` finds the exercise's ``type`` and builds the view class
the registry (:mod:`course_lib.types`) names for it.
"""

from __future__ import annotations

from pathlib import Path

from ..models import load_exercise
from ..store import DEFAULT_ANSWERS_DIR, AnswerStore
from ..types import exercise_type
from .base import ExerciseView

__all__ = ["ExerciseView", "show"]


def show(exercise_id: str, answers_dir: Path | str = DEFAULT_ANSWERS_DIR) -> ExerciseView:
    """The widget of ``exercise_id``; its answers are saved in ``answers_dir``."""
    exercise = load_exercise(exercise_id)
    view = exercise_type(exercise.type).load_view()
    return view(exercise, AnswerStore(answers_dir))
