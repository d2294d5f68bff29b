"""Shared pieces of every content model."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

__all__ = [
    "ID_MAX_CHARS",
    "ExerciseBase",
    "ExerciseId",
    "RegexPattern",
    "Strict",
    "Text",
    "require_unique",
    "unique_ids",
]

# Longest id of anything in an exercise (questions, options, steps, nodes...).
ID_MAX_CHARS = 60
ExerciseId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=ID_MAX_CHARS)]
Text = Annotated[str, Field(min_length=1)]


def _valid_regex(pattern: str) -> str:
    try:
        re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        raise ValueError(f"not a valid regular expression ({exc})") from None
    return pattern


# A regular expression written by a content author: checked when the file is loaded.
RegexPattern = Annotated[Text, AfterValidator(_valid_regex)]


def require_unique(values: list[str], what: str) -> None:
    """Raise ValueError("<what> must be unique, repeated: a, b") when a value repeats."""
    if repeated := sorted({v for v in values if values.count(v) > 1}):
        raise ValueError(f"{what} must be unique, repeated: {', '.join(repeated)}")


def unique_ids(what: str) -> AfterValidator:
    """A field validator: the ``id`` of every element in the list is unique (``what`` names them)."""

    def check(elements: list[Any]) -> list[Any]:
        require_unique([element.id for element in elements], what)
        return elements

    return AfterValidator(check)


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
