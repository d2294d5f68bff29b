"""Scoring of a written reply: a keyword rubric with alternative phrasings, penalties and length limits.

Points for each criterion found, minus each penalty phrase found (once per
penalty), never below zero; a reply outside the word limits keeps only the
exercise's ``outside_factor`` share. Feedback names each criterion found or
missing (with a hint) and quotes each harmful phrase.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..models.written_reply import MAX_CHARS_CAP, WrittenReplyExercise
from .limits import text_at_most
from .result import Result

__all__ = ["empty_answer", "find", "parse_answer", "score", "word_count"]

_WORD = re.compile(r"[\w'’-]+")
_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})


def empty_answer() -> dict[str, str]:
    return {"text": ""}


def parse_answer(raw: Any, exercise: WrittenReplyExercise | None = None) -> dict[str, str]:
    """The saved answer as {"text": str} (None: nothing saved); no longer than the widget saves."""
    if raw is None:
        return empty_answer()
    if not isinstance(raw, dict) or set(raw) != {"text"} or not isinstance(raw["text"], str):
        raise ValueError('a written reply must be {"text": "..."}')
    text_at_most(raw["text"], exercise.length.max_chars if exercise else MAX_CHARS_CAP, "the reply")
    return {"text": raw["text"]}


def word_count(text: str) -> int:
    return len(_WORD.findall(text))


def _normalise(text: str) -> str:
    # curly quotes as straight ones, runs of white space as one space: phrasings match across line breaks
    return " ".join(text.translate(_QUOTES).split())


@lru_cache(maxsize=512)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


def find(patterns: list[str], text: str) -> str | None:
    """The first stretch of ``text`` that any pattern matches (any case), or None."""
    return _find_in(patterns, _normalise(text))


def _find_in(patterns: list[str], flat: str) -> str | None:
    for pattern in patterns:
        match = _compiled(pattern).search(flat)
        if match:
            found = match.group(0)
            return found if len(found) <= 60 else found[:57] + "..."
    return None


@dataclass(frozen=True)
class _Length:
    words: int
    factor: float
    note: str


def _length(exercise: WrittenReplyExercise, text: str) -> _Length:
    limits, words = exercise.length, word_count(text)
    keep = f"{limits.outside_factor:.0%} of the points" if limits.outside_factor else "no points"
    if words < limits.min_words:
        return _Length(words, limits.outside_factor,
                       f"Length: {words} words, under the minimum of {limits.min_words}, so the reply keeps {keep}. "
                       "Say a little more: what you will do, and when.")
    if words > limits.max_words:
        return _Length(words, limits.outside_factor,
                       f"Length: {words} words, over the maximum of {limits.max_words}, so the reply keeps {keep}. "
                       "An upset customer reads a short, clear reply; cut what does not help them.")
    return _Length(words, 1.0, f"Length: {words} words, within {limits.min_words}-{limits.max_words}.")


def score(exercise: WrittenReplyExercise, answer: dict[str, str]) -> Result:
    """Points, maximum and feedback for a written reply."""
    text = answer["text"]
    if not text.strip():
        return Result(0.0, exercise.max_points,
                      ("No reply saved yet: write your reply above, click Save reply, then run this cell again.",),
                      ("Your reply: none",))
    length = _length(exercise, text)
    answer_lines = (f"Your reply ({length.words} words):", *(f"  {line}" for line in text.strip().splitlines()))
    lines = [length.note]
    flat = _normalise(text)  # once, not once per criterion and penalty
    earned = 0.0
    for criterion in exercise.criteria:
        found = _find_in(criterion.patterns, flat)
        if found is not None:
            earned += criterion.points
            lines.append(f"✓ {criterion.label}: found \"{found}\" (+{criterion.points:g})")
        else:
            lines.append(f"✗ {criterion.label}: missing. {criterion.hint}")
    lost = 0.0
    for penalty in exercise.penalties:
        found = _find_in(penalty.patterns, flat)
        if found is not None:
            lost += penalty.points
            lines.append(f"− {penalty.label}: \"{found}\" (−{penalty.points:g}). {penalty.why}")
    points = max(earned - lost, 0.0) * length.factor
    lines.insert(1, f"Rubric: {earned:g} for what your reply does, −{lost:g} for harmful phrases, "
                    f"{'' if length.factor == 1 else f'× {length.factor:g} for length, '}"
                    f"= {points:g} of {exercise.max_points:g}.")
    return Result(points, exercise.max_points, tuple(lines), answer_lines)
