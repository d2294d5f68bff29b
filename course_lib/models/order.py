"""Content model of the order exercise: put steps into their right order."""

from __future__ import annotations

import random
from typing import Annotated, Literal

from pydantic import Field, ValidationInfo, field_validator

from .base import ExerciseBase, ExerciseId, Strict, Text, unique_ids

__all__ = ["OrderExercise", "Step", "kendall_tau"]


def kendall_tau(order: list[str], correct: list[str]) -> float:
    """-1..1: (pairs in the right relative order - pairs reversed) / all pairs.

    ``order`` must be a permutation of ``correct``; 1 means identical, -1 reversed.
    """
    rank = {step: index for index, step in enumerate(correct)}
    positions = [rank[step] for step in order]
    pairs = len(positions) * (len(positions) - 1) // 2
    if pairs == 0:
        return 1.0
    agree = sum(
        1 if positions[i] < positions[j] else -1
        for i in range(len(positions))
        for j in range(i + 1, len(positions))
    )
    return agree / pairs


class Step(Strict):
    """One step, listed in the content file in its right place."""

    id: ExerciseId
    text: Text
    why: str = Field("", description="Why the step comes at this point; shown when it is out of place.")


class OrderExercise(ExerciseBase):
    """Steps listed in the right order; the trainee sees them shuffled."""

    type: Literal["order"]
    steps: Annotated[list[Step], Field(min_length=3), unique_ids("step ids")]
    shuffled: list[ExerciseId] | None = Field(
        None, description="The order shown at first (step ids); default: a fixed shuffle of the steps."
    )

    @field_validator("shuffled")
    @classmethod
    def _shuffled_is_a_real_shuffle(cls, shuffled: list[str] | None, info: ValidationInfo) -> list[str] | None:
        steps = info.data.get("steps")
        if shuffled is None or steps is None:
            return shuffled
        ids = [step.id for step in steps]
        if sorted(shuffled) != sorted(ids):
            raise ValueError(f"must list every step id exactly once ({', '.join(ids)})")
        if shuffled == ids:
            raise ValueError("is the right order; the trainee must not start from the answer")
        return shuffled

    @property
    def correct_order(self) -> list[str]:
        return [step.id for step in self.steps]

    @property
    def initial_order(self) -> list[str]:
        """The order shown before the trainee moves anything: ``shuffled``, or a fixed shuffle.

        The default is seeded by the exercise id (the same for everyone, every run)
        and chosen to be no better than chance, so accepting it as-is earns nothing.
        """
        if self.shuffled is not None:
            return list(self.shuffled)
        rng = random.Random(self.id)
        order = self.correct_order
        for _attempt in range(1000):
            rng.shuffle(order)
            if kendall_tau(order, self.correct_order) <= 0:
                return order
        return self.correct_order[::-1]  # pragma: no cover - a shuffle above always qualifies for 3+ steps

    @property
    def max_points(self) -> float:
        """Raw rubric maximum: 1 (the share earned, see ``course_lib.scoring.order``)."""
        return 1.0

    def step(self, step_id: str) -> Step | None:
        return next((step for step in self.steps if step.id == step_id), None)
