"""Content model of the brainstorm exercise."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from .base import ExerciseBase, ExerciseId, Strict, Text, require_unique

__all__ = ["MAX_CHARS_CAP", "MAX_ITEMS_CAP", "BrainstormExercise", "BrainstormLimits", "Theme"]

MODEL = "BrainstormExercise"
# The largest limits any brainstorm may set: the widget, the parser and the grader all rely on them.
MAX_ITEMS_CAP = 100
MAX_CHARS_CAP = 1000


class Theme(Strict):
    """A theme of good service, recognised by its keywords."""

    id: ExerciseId
    label: Text
    keywords: Annotated[list[Text], Field(min_length=1)]
    suggestion: Text


class BrainstormLimits(Strict):
    """How many entries the widget accepts, and how long each may be (the parser enforces the same)."""

    max_items: Annotated[int, Field(ge=1, le=MAX_ITEMS_CAP)] = 12
    max_chars: Annotated[int, Field(ge=10, le=MAX_CHARS_CAP)] = 200


class BrainstormRubric(Strict):
    min_words: Annotated[int, Field(ge=1, le=20)] = 3
    near_duplicate_similarity: Annotated[float, Field(gt=0, le=1)] = 0.6
    points_per_behaviour: Annotated[float, Field(gt=0)] = 1
    max_behaviour_points: Annotated[float, Field(gt=0)] = 5
    points_per_theme: Annotated[float, Field(gt=0)] = 1
    max_theme_points: Annotated[float, Field(gt=0)] = 5


class BrainstormFeedback(Strict):
    no_answers: Text
    too_short: Text
    near_duplicate: Text
    all_themes: Text


class BrainstormExercise(ExerciseBase):
    """'Customer Service means...': list behaviours, scored on substance and themes."""

    type: Literal["brainstorm"]
    placeholder: str = ""
    examples: list[Text] = []
    limits: BrainstormLimits = BrainstormLimits()
    rubric: BrainstormRubric = BrainstormRubric()
    themes: Annotated[list[Theme], Field(min_length=1)]
    feedback: BrainstormFeedback

    @model_validator(mode="after")
    def _unique_theme_ids(self) -> BrainstormExercise:
        require_unique([theme.id for theme in self.themes], "theme ids")
        return self

    @property
    def max_points(self) -> float:
        """Raw rubric maximum, before scaling to the cell's points."""
        return self.rubric.max_behaviour_points + self.rubric.max_theme_points
