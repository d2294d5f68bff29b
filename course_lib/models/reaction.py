"""Content model of the end-of-module reaction survey: anonymous 1-5 ratings and one free-text question."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from .base import ExerciseBase, ExerciseId, Strict, Text, unique_ids

__all__ = ["RATING_SCALE", "RatingQuestion", "ReactionExercise"]

RATING_SCALE = (1, 2, 3, 4, 5)


class RatingQuestion(Strict):
    """A statement rated from 1 (``low``) to 5 (``high``)."""

    id: ExerciseId
    text: Text
    low: Text = Field(description="What a 1 means, shown beside the scale.")
    high: Text = Field(description="What a 5 means, shown beside the scale.")


class ReactionExercise(ExerciseBase):
    """How a module landed (Kirkpatrick level 1). Never graded, never shown with a name or an id."""

    type: Literal["reaction"]
    module: ExerciseId = Field(description="The assignment this survey is about, e.g. module1.")
    ratings: Annotated[list[RatingQuestion], Field(min_length=1, max_length=5), unique_ids("rating ids")]
    free_text: Text = Field(description="The one open question.")
    max_chars: Annotated[int, Field(ge=20, le=2000)] = 500
    # Not graded: the cell points only satisfy the common fields; the raw maximum is 0, so it scores 0.
    points: Annotated[float, Field(gt=0)] = 1.0

    @property
    def max_points(self) -> float:
        return 0.0
