"""Classify on the board: how often each item was put in each group, the most-confused items first."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from ...models.classify import ClassifyExercise
from ..entries import ClassEntries
from . import took_part

__all__ = ["ClassifySummary", "ItemSort", "summarise"]


@dataclass(frozen=True)
class ItemSort:
    """How the room sorted one classify item: placements per group, in the content's group order."""

    item_id: str
    text: str
    correct_group: str
    counts: tuple[tuple[str, int], ...]  # (group id, trainees who put the item there)
    placed: int

    @property
    def wrong(self) -> int:
        return self.placed - dict(self.counts).get(self.correct_group, 0)

    @property
    def confusion(self) -> float:
        """Share of placements outside the right group (0 when nobody placed the item)."""
        return self.wrong / self.placed if self.placed else 0.0


@dataclass(frozen=True)
class ClassifySummary:
    """Classify: per item, how many trainees put it in each group; most-confused items first."""

    exercise: ClassifyExercise
    participants: int
    groups: tuple[tuple[str, str], ...]  # (group id, label) in content order
    items: tuple[ItemSort, ...]
    notes: tuple[str, ...]


def summarise(exercise: ClassifyExercise, read: ClassEntries, folder: Any = None) -> ClassifySummary:
    """Placements per item and group; the items most often put in a wrong group first."""
    taking_part = [e for e in read.entries if took_part(e)]
    groups = tuple((group.id, group.label) for group in exercise.groups)
    known = {group_id for group_id, _label in groups}
    sorts = []
    for item in exercise.items:
        # A group id the content no longer has (an old entry) is not counted as a placement.
        placed = Counter(e.answer[item.id] for e in taking_part if e.answer.get(item.id) in known)
        counts = tuple((group_id, placed[group_id]) for group_id, _label in groups)
        sorts.append(ItemSort(item.id, item.text, item.group, counts, sum(placed.values())))
    order = {item.item_id: n for n, item in enumerate(sorts)}
    # Most confused first; among equals the one more trainees got wrong; then the content's order.
    sorts.sort(key=lambda i: (-i.confusion, -i.wrong, order[i.item_id]))
    return ClassifySummary(exercise, len(taking_part), groups, tuple(sorts), read.notes)
