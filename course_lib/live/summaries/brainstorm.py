"""Brainstorm on the board: distinct entries grouped by theme, and how many entries mention each theme.

Themes are judged by the scorer's own rule (:func:`course_lib.scoring.brainstorm.room_verdicts`).
Names travel with the cards so the board can show them on request; it hides them by default.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from typing import Any

from ...models.brainstorm import BrainstormExercise
from ...scoring.brainstorm import normalise, room_verdicts
from ..entries import ClassEntries
from . import took_part

__all__ = ["NO_THEME", "BrainstormSummary", "Card", "ThemeGroup", "card_key", "derive", "summarise"]

NO_THEME = "No theme recognised"


def card_key(text: str) -> str:
    """The id of a distinct brainstorm entry, used to hide it: the same words give the same key."""
    return hashlib.sha256(normalise(text).encode("utf-8")).hexdigest()[:12]


@dataclass(frozen=True)
class Card:
    """One distinct brainstorm entry on the flip chart (same words from several trainees = one card)."""

    key: str
    text: str
    count: int
    names: tuple[str, ...]
    themes: tuple[str, ...]


@dataclass(frozen=True)
class ThemeGroup:
    label: str
    cards: tuple[Card, ...]


@dataclass(frozen=True)
class BrainstormSummary:
    exercise: BrainstormExercise
    participants: int
    groups: tuple[ThemeGroup, ...]  # each card under its first theme; no-theme cards last
    theme_counts: tuple[tuple[str, int], ...]  # entries mentioning each theme, in content order
    hidden: dict[str, str]
    notes: tuple[str, ...]


def derive(exercise: BrainstormExercise, answer: list[str]) -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    """(card key, text, themes) of each distinct entry of one answer, computed once per file version.

    Entries with no words get no card, and a trainee's repeated entry counts once (the first is kept).
    """
    cards: dict[str, tuple[str, str, tuple[str, ...]]] = {}
    for verdict in room_verdicts(exercise, answer):
        if normalise(verdict.text):
            key = card_key(verdict.text)
            cards.setdefault(key, (key, verdict.text, verdict.themes))
    return tuple(cards.values())


def summarise(exercise: BrainstormExercise, read: ClassEntries, folder: Any) -> BrainstormSummary:
    """Cards grouped by their first theme (most written first) and entries per theme; hidden cards left out."""
    hidden = folder.hidden(exercise.id)
    labels = [theme.label for theme in exercise.themes]
    cards: dict[str, list[Any]] = {}  # key -> [text, themes, names]
    themes_written: dict[tuple[str, ...], int] = {}  # an entry's themes -> entries with them
    participants = 0
    for entry in read.entries:
        if not took_part(entry):
            continue
        participants += 1
        for key, text, themes in entry.derived:
            if key in hidden:
                continue
            card = cards.get(key)
            if card is None:
                card = cards[key] = [text, themes, []]
            card[2].append(entry.name)
            themes_written[themes] = themes_written.get(themes, 0) + 1
    grouped: dict[str, list[Card]] = {label: [] for label in [*labels, NO_THEME]}
    for key, (text, themes, names) in cards.items():
        grouped[themes[0] if themes else NO_THEME].append(Card(key, text, len(names), tuple(names), themes))
    groups = tuple(
        ThemeGroup(label, tuple(sorted(found, key=lambda c: (-c.count, c.text.casefold()))))
        for label, found in grouped.items() if found
    )
    theme_counts: Counter[str] = Counter()
    for themes, count in themes_written.items():
        for label in themes:
            theme_counts[label] += count
    counts = tuple((label, theme_counts[label]) for label in labels)
    return BrainstormSummary(exercise, participants, groups, counts, hidden, read.notes)
