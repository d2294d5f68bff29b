"""Content model of the knowledge check: single- and multiple-choice questions."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from .base import ExerciseBase, ExerciseId, Strict, Text, require_unique, unique_ids

__all__ = ["ChoiceExercise", "ChoiceOption", "ChoiceQuestion"]


class ChoiceOption(Strict):
    """One option of a question, with the reason it is right or wrong."""

    id: ExerciseId
    text: Text
    correct: bool
    feedback: Text = Field(description="Why this option is right or wrong, shown when the trainee picks it.")


class ChoiceQuestion(Strict):
    """A question with one right option (``multiple: false``) or several."""

    id: ExerciseId
    text: Text
    multiple: bool = False
    options: Annotated[list[ChoiceOption], Field(min_length=2)]

    @model_validator(mode="after")
    def _options_fit_the_kind(self) -> ChoiceQuestion:
        require_unique([option.id for option in self.options], f"question '{self.id}': option ids")
        right = sum(option.correct for option in self.options)
        if not self.multiple and right != 1:
            raise ValueError(
                f"question '{self.id}': a single-choice question needs exactly one option with "
                f"'correct: true', found {right} (set 'multiple: true' for several)"
            )
        if self.multiple and right < 1:
            raise ValueError(f"question '{self.id}': a multiple-choice question needs at least one correct option")
        return self

    @property
    def correct_ids(self) -> frozenset[str]:
        return frozenset(option.id for option in self.options if option.correct)

    def option(self, option_id: str) -> ChoiceOption | None:
        return next((option for option in self.options if option.id == option_id), None)


class ChoiceExercise(ExerciseBase):
    """A knowledge check: one raw point per question (partial credit on multiple choice)."""

    type: Literal["choice"]
    questions: Annotated[list[ChoiceQuestion], Field(min_length=1), unique_ids("question ids")]

    @property
    def max_points(self) -> float:
        """Raw rubric maximum: one point per question."""
        return float(len(self.questions))
