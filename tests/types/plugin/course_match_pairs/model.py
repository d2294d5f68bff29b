"""Content model of the match-pairs exercise."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from course_lib.models.base import ExerciseBase, ExerciseId, Strict, Text, require_unique

__all__ = ["MatchPairsExercise", "Pair"]


class Pair(Strict):
    """A left item and the right item it belongs with."""

    id: ExerciseId
    left: Text
    right: Text


class MatchPairsExercise(ExerciseBase):
    """Match each left item to its right partner: one raw point per right match."""

    type: Literal["match_pairs"]
    pairs: Annotated[list[Pair], Field(min_length=2)]

    def model_post_init(self, _context: object) -> None:
        require_unique([pair.id for pair in self.pairs], "pair ids")

    @property
    def max_points(self) -> float:
        return float(len(self.pairs))
