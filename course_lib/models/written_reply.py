"""Content model of the written reply: free text scored by a keyword rubric, penalties and length limits."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator

from .base import ExerciseBase, ExerciseId, Strict, Text, require_unique

__all__ = ["MAX_CHARS_CAP", "Criterion", "LengthLimits", "Penalty", "WrittenReplyExercise"]

MODEL = "WrittenReplyExercise"
# The longest reply any exercise may allow; the widget and the parser use the exercise's own max_chars.
MAX_CHARS_CAP = 20_000


def _regex(pattern: str) -> str:
    try:
        re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        raise ValueError(f"not a valid regular expression ({exc})") from None
    return pattern


Pattern = Annotated[Text, AfterValidator(_regex)]
Patterns = Annotated[list[Pattern], Field(min_length=1)]


class Criterion(Strict):
    """Something a good reply does, recognised by any of its phrasings (regular expressions, any case)."""

    id: ExerciseId
    label: Text
    points: Annotated[float, Field(gt=0)] = 1
    patterns: Patterns
    hint: Text = Field(description="Shown when the reply misses this criterion.")


class Penalty(Strict):
    """A phrase that hurts a reply; each penalty counts once however often it appears."""

    id: ExerciseId
    label: Text
    points: Annotated[float, Field(gt=0)] = 1
    patterns: Patterns
    why: Text


class LengthLimits(Strict):
    min_words: Annotated[int, Field(ge=1)] = 60
    max_words: Annotated[int, Field(ge=1)] = 250
    outside_factor: Annotated[float, Field(ge=0, le=1)] = Field(
        default=0.5, description="Share of the points kept when the reply is too short or too long (0: none)."
    )
    max_chars: Annotated[int, Field(ge=100, le=MAX_CHARS_CAP)] = Field(
        default=5000, description="Longest reply the widget saves (characters); longer files are refused."
    )

    @model_validator(mode="after")
    def _ordered(self) -> LengthLimits:
        if self.min_words > self.max_words:
            raise ValueError(f"min_words ({self.min_words}) must not be above max_words ({self.max_words})")
        return self


class WrittenReplyExercise(ExerciseBase):
    """Reply in writing to an upset customer (Module 5, service recovery)."""

    type: Literal["written_reply"]
    scenario: Text = Field(description="The customer's message the trainee replies to.")
    customer: Text = "The customer"
    placeholder: str = ""
    length: LengthLimits = LengthLimits()
    criteria: Annotated[list[Criterion], Field(min_length=1)]
    penalties: list[Penalty] = []
    hand_rubric: list[Text] = Field(
        default=[], description="Criteria for the human grader's part, rendered by the graded notebook."
    )

    @model_validator(mode="after")
    def _unique_ids(self) -> WrittenReplyExercise:
        require_unique([c.id for c in self.criteria] + [p.id for p in self.penalties], "criterion and penalty ids")
        return self

    @property
    def max_points(self) -> float:
        """The sum of the criteria's points."""
        return float(sum(c.points for c in self.criteria))
