"""Shared pieces of every content model."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["ID_MAX_CHARS", "ExerciseBase", "ExerciseId", "Strict", "Text", "require_unique"]

# Longest id of anything in an exercise (questions, options, steps, nodes...).
ID_MAX_CHARS = 60
ExerciseId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=ID_MAX_CHARS)]
Text = Annotated[str, Field(min_length=1)]


def require_unique(values: list[str], what: str) -> None:
    """Raise ValueError("<what> must be unique, repeated: a, b") when a value repeats."""
    if repeated := sorted({v for v in values if values.count(v) > 1}):
        raise ValueError(f"{what} must be unique, repeated: {', '.join(repeated)}")


class Strict(BaseModel):
    """Frozen, and unknown fields are errors (a typo in a content file is caught)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class ExerciseBase(Strict):
    """Fields every exercise has. Subclasses fix ``type`` to a Literal."""

    id: ExerciseId
    type: str
    title: Text
    prompt: Text
    points: Annotated[float, Field(gt=0)] = Field(
        description="Points of the nbgrader cell that grades this exercise."
    )

    @property
    def max_points(self) -> float:
        """Raw rubric maximum, before scaling to the cell's points."""
        raise NotImplementedError
