"""Self-assessment on the board: how many trainees fall in each band. Anonymous by construction: no names."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from ...models.true_false import TrueFalseExercise
from ...scoring.true_false import band_for
from ..entries import ClassEntries
from . import took_part

__all__ = ["BandSummary", "derive", "summarise"]


@dataclass(frozen=True)
class BandSummary:
    """Self-assessment: how many trainees fall in each band. Anonymous by construction: no names."""

    exercise: TrueFalseExercise
    participants: int
    bands: tuple[tuple[str, int], ...]  # complete self-assessments per band, in the content's band order
    in_progress: int  # took part but have not answered every statement yet
    notes: tuple[str, ...]


def derive(exercise: TrueFalseExercise, answer: dict[str, bool]) -> str | None:
    """The answer's band label; None while statements are unanswered (counting blanks as False would skew it)."""
    if any(s.id not in answer for s in exercise.statements):
        return None
    return band_for(exercise, answer).label


def summarise(exercise: TrueFalseExercise, read: ClassEntries, folder: Any = None) -> BandSummary:
    """Complete self-assessments per band (content order), and how many are still being answered."""
    taking_part = [e for e in read.entries if took_part(e)]
    counts = Counter(e.derived for e in taking_part if e.derived is not None)
    order = [band.label for band in exercise.bands]
    order += sorted(label for label in counts if label not in order)
    bands = tuple((label, counts[label]) for label in order)
    in_progress = sum(e.derived is None for e in taking_part)
    return BandSummary(exercise, len(taking_part), bands, in_progress, read.notes)
