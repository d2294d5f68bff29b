"""What the live board shows for each exercise type: one module per type, named in :mod:`course_lib.types`.

A type's module provides ``summarise(exercise, read, folder)``, turning the
activity's :class:`~course_lib.live.entries.ClassEntries` into a frozen
summary, and optionally ``derive(exercise, answer)``, computed once per
answer file version and kept in ``Entry.derived``. A type without a module
gets an :class:`OtherSummary` (a head count). Pure: no widgets, no matplotlib.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from ...models import ExerciseBase
from ..entries import Entry

__all__ = ["OtherSummary", "Summary", "took_part"]


class Summary(Protocol):
    """What every summary has: the exercise, how many took part, and notes on skipped files."""

    @property
    def exercise(self) -> ExerciseBase: ...

    @property
    def participants(self) -> int: ...

    @property
    def notes(self) -> tuple[str, ...]: ...


@dataclass(frozen=True)
class OtherSummary:
    """An activity type the board has no special view for: participants only."""

    exercise: ExerciseBase
    participants: int
    notes: tuple[str, ...] = field(default=())


def took_part(entry: Entry) -> bool:
    """Whether the entry holds an answer (an empty one is a trainee who has not started)."""
    return bool(entry.answer)
