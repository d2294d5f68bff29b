"""Reaction surveys on the board: ratings per score, means and the room's texts. Anonymous by construction.

The summary is built from the answers only (``evaluation.reaction_summary``): no entry, trainee id or
name goes in, so *Show names* has nothing to show, and texts are listed alphabetically.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...evaluation.reaction_summary import ReactionSummary, summarise_reactions
from ...models.reaction import ReactionExercise
from ..entries import ClassEntries
from . import took_part

__all__ = ["ReactionBoardSummary", "summarise"]


@dataclass(frozen=True)
class ReactionBoardSummary:
    exercise: ReactionExercise
    participants: int
    room: ReactionSummary
    notes: tuple[str, ...]


def summarise(exercise: ReactionExercise, read: ClassEntries, folder: Any = None) -> ReactionBoardSummary:
    """The room's ratings and texts (answers only; who gave them is left behind here)."""
    answers = [e.answer for e in read.entries if took_part(e)]
    return ReactionBoardSummary(exercise, len(answers), summarise_reactions(exercise, answers), read.notes)
