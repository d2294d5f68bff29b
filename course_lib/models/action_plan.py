"""Content model of the personal action plan that closes the course."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from .base import ExerciseBase, Strict, Text

__all__ = ["MAX_BEHAVIOURS_CAP", "MAX_CHARS_CAP", "ActionPlanExercise", "ActionPlanQuestions", "ActionPlanRubric"]

# The largest limits any action plan may set (the widget and the parser use the exercise's own).
MAX_BEHAVIOURS_CAP = 5
MAX_CHARS_CAP = 2000


class ActionPlanQuestions(Strict):
    """The question shown for each part of the plan (also the headings of the exported document)."""

    behaviours: Text
    first_step: Text
    date: Text
    helper: Text
    notes: Text


class ActionPlanRubric(Strict):
    """Points for each completed part: the plan is scored on completeness, not on its choices."""

    behaviours: Annotated[float, Field(ge=0)] = 2
    first_step: Annotated[float, Field(ge=0)] = 2
    date: Annotated[float, Field(ge=0)] = 1
    helper: Annotated[float, Field(ge=0)] = 1
    notes: Annotated[float, Field(ge=0)] = 0
    min_first_step_words: Annotated[int, Field(ge=1, le=30)] = 4


class ActionPlanExercise(ExerciseBase):
    """Behaviours to change, a first step, a date and a helper; exported as a document."""

    type: Literal["action_plan"]
    questions: ActionPlanQuestions
    suggested_behaviours: Annotated[list[Text], Field(min_length=1)]
    max_behaviours: Annotated[int, Field(ge=1, le=MAX_BEHAVIOURS_CAP)] = 3
    max_chars: Annotated[int, Field(ge=20, le=MAX_CHARS_CAP)] = 300
    rubric: ActionPlanRubric = ActionPlanRubric()
    document_title: Text = "My customer service action plan"

    @property
    def max_points(self) -> float:
        """The sum of the rubric's parts."""
        r = self.rubric
        return float(r.behaviours + r.first_step + r.date + r.helper + r.notes)
