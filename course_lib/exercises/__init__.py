"""Exercise widgets: one module per exercise type, thin views over content and store.

``show(exercise_id)`` finds the exercise's ``type`` and builds the view class
named by ``course_lib.exercises.<type>.VIEW``.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from ..models import load_exercise
from ..store import DEFAULT_ANSWERS_DIR, AnswerStore
from .base import ExerciseView

__all__ = ["ExerciseView", "show"]


def show(exercise_id: str, answers_dir: Path | str = DEFAULT_ANSWERS_DIR) -> ExerciseView:
    """The widget of ``exercise_id``; its answers are saved in ``answers_dir``."""
    exercise = load_exercise(exercise_id)
    module = importlib.import_module(f"{__name__}.{exercise.type}")
    return getattr(module, module.VIEW)(exercise, AnswerStore(answers_dir))
