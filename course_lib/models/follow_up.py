"""Content model of the 30-day follow-up: each action-plan commitment reviewed, and the plan updated."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator

from .base import ExerciseBase, ExerciseId, Strict, Text, require_unique

__all__ = ["MAX_COMMITMENTS", "FollowUpExercise", "FollowUpQuestions", "Outcome"]

# No action plan holds more behaviours than this (models.action_plan.MAX_BEHAVIOURS_CAP).
MAX_COMMITMENTS = 5


class Outcome(Strict):
    """One answer to "did you do it?"; ``kept`` outcomes count as commitments kept in the report."""

    id: ExerciseId
    label: Text
    kept: bool = False


class FollowUpQuestions(Strict):
    """The questions asked for each commitment, and the closing one."""

    done: Text
    happened: Text
    obstacle: Text
    next_step: Text


class FollowUpExercise(ExerciseBase):
    """Scored on completion: a raw point per commitment with an outcome and a word on what happened."""

    type: Literal["follow_up"]
    plan_exercise: ExerciseId = Field(description="The action-plan exercise whose saved answer is reviewed.")
    plan_assignment: ExerciseId = Field(description="The assignment folder that holds that answer.")
    questions: FollowUpQuestions
    outcomes: Annotated[list[Outcome], Field(min_length=2)]
    max_chars: Annotated[int, Field(ge=20, le=2000)] = 500
    document_title: Text = "My action plan, 30 days on"

    @field_validator("outcomes")
    @classmethod
    def _outcomes_make_sense(cls, outcomes: list[Outcome]) -> list[Outcome]:
        require_unique([o.id for o in outcomes], "outcome ids")
        if not any(o.kept for o in outcomes):
            raise ValueError("at least one outcome must have 'kept: true'")
        return outcomes

    def outcome(self, outcome_id: str) -> Outcome | None:
        return next((o for o in self.outcomes if o.id == outcome_id), None)

    @property
    def max_points(self) -> float:
        """Completion: one raw point per commitment, so the maximum depends on the plan (see scoring)."""
        return float(MAX_COMMITMENTS)
