"""Scoring of the 'Customer Service means...' brainstorm.

Rubric (numbers come from the exercise file): points for each distinct,
substantive behaviour (at least ``min_words`` words, not a near-duplicate of an
earlier one) up to a cap, plus points for each theme of good service covered,
up to a cap. Feedback names what counted, the themes found and those to try.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache
from typing import Any

from ..models.brainstorm import MAX_CHARS_CAP, MAX_ITEMS_CAP, BrainstormExercise, BrainstormLimits, Theme
from .limits import at_most, text_at_most
from .result import Result

__all__ = [
    "ItemVerdict",
    "entry_problem",
    "judge_items",
    "normalise",
    "parse_answer",
    "score",
    "theme_pattern",
]

_WORD = re.compile(r"[a-z0-9']+")
# The character comparison (difflib) costs up to length x length per pair of
# entries, so it looks at the start of each entry only (the default limit
# of an entry is 200 characters anyway): enough to spot a
# reworded behaviour, and the cost of a pair stays bounded however long the
# entries are. Word overlap still looks at the whole entry.
COMPARED_CHARS = 200
_STOPWORDS = frozenset(
    "a an the and or but to of for in on at by with from as is are be been being it its "
    "this that these those i we you they he she them us our your their my me so do does "
    "did if then than into up out about when what who how all any each every can will".split()
)


def normalise(text: str) -> str:
    """Lower-case words only: the form used to spot duplicates."""
    return " ".join(_WORD.findall(text.casefold()))


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "ly", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def _content_stems(text: str) -> frozenset[str]:
    return frozenset(_stem(w) for w in normalise(text).split() if w not in _STOPWORDS)


class _Prepared:
    """An entry ready for comparison, prepared once per entry rather than once per pair.

    It keeps its normalised text (cut to COMPARED_CHARS), its content stems,
    its character counts and a difflib matcher holding it as the second
    sequence (difflib indexes that one, so each entry is indexed once).
    """

    def __init__(self, entry: str) -> None:
        self.key = normalise(entry)[:COMPARED_CHARS]
        self.stems = _content_stems(entry)
        self.chars = Counter(self.key)
        self._matcher: SequenceMatcher | None = None

    def ratio_with(self, first: _Prepared) -> float:
        """difflib's ratio of ``first`` against this entry (as ``SequenceMatcher(None, first, self)``)."""
        if self._matcher is None:
            self._matcher = SequenceMatcher(None, "", self.key)
        self._matcher.set_seq1(first.key)
        return self._matcher.ratio()


def _jaccard(a: _Prepared, b: _Prepared) -> float:
    union = a.stems | b.stems
    return len(a.stems & b.stems) / len(union) if union else 1.0


def similarity(a: str, b: str) -> float:
    """0..1: the larger of word-overlap (Jaccard on stems) and character similarity."""
    pa, pb = _Prepared(a), _Prepared(b)
    return max(_jaccard(pa, pb), pb.ratio_with(pa))


def _near_duplicate(entry: _Prepared, earlier: _Prepared, threshold: float) -> bool:
    """``similarity(entry, earlier) >= threshold``, running the costly character match only when it decides."""
    if _jaccard(entry, earlier) >= threshold:
        return True
    length = len(entry.key) + len(earlier.key)
    # Shared characters, in any order, bound difflib's ratio from above (its quick_ratio).
    if not length or 2 * sum((entry.chars & earlier.chars).values()) / length < threshold:
        return False
    return earlier.ratio_with(entry) >= threshold


@lru_cache(maxsize=256)
def _keyword_pattern(keywords: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = [r"\s+".join(map(re.escape, k.casefold().split())) for k in keywords]
    return re.compile(r"\b(?:" + "|".join(alternatives) + r")\w*")


def theme_pattern(theme: Theme) -> re.Pattern[str]:
    """Matches any keyword of ``theme`` at a word start, with any ending (listen -> listening); compiled once."""
    return _keyword_pattern(tuple(theme.keywords))


def parse_answer(raw: Any, exercise: BrainstormExercise | None = None) -> list[str]:
    """The saved answer as a list of strings (None: nothing saved); anything else is corrupt.

    The widget's own limits apply (``exercise.limits``: number of entries,
    characters per entry); without the exercise, the largest any brainstorm may set.
    """
    if raw is None:
        return []
    if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
        raise ValueError("a brainstorm answer must be a list of text entries")
    limits = exercise.limits if exercise else BrainstormLimits(max_items=MAX_ITEMS_CAP, max_chars=MAX_CHARS_CAP)
    at_most(raw, limits.max_items, "entries")
    items = []
    for number, item in enumerate(raw, start=1):
        text = " ".join(item.split())
        text_at_most(text, limits.max_chars, f"entry {number}")
        if text:
            items.append(text)
    return items


def entry_problem(
    exercise: BrainstormExercise, items: list[str], text: str, editing: int | None = None
) -> str | None:
    """Why ``text`` cannot be added (or replace item ``editing``), or None if it can."""
    text = " ".join(text.split())
    if not text:
        return "Type a behaviour first." if editing is None else (
            "An answer cannot be empty: use Remove to delete it."
        )
    if len(text) > exercise.limits.max_chars:
        return (
            f"That answer has {len(text)} characters; please keep it under "
            f"{exercise.limits.max_chars}."
        )
    key = normalise(text)
    for index, other in enumerate(items):
        if index != editing and normalise(other) == key:
            return f"You already have that answer (number {index + 1})."
    if editing is None and len(items) >= exercise.limits.max_items:
        return (
            f"You have reached the limit of {exercise.limits.max_items} answers: "
            "edit or remove one first."
        )
    return None


@dataclass(frozen=True)
class ItemVerdict:
    """How one brainstorm entry was judged."""

    text: str
    counted: bool
    reason: str
    themes: tuple[str, ...] = ()


def judge_items(exercise: BrainstormExercise, items: list[str]) -> list[ItemVerdict]:
    """Judge each entry in order: too short, near-duplicate, or counted with its themes."""
    rubric, texts = exercise.rubric, exercise.feedback
    patterns = [(theme.label, theme_pattern(theme)) for theme in exercise.themes]
    counted: list[tuple[int, _Prepared]] = []
    verdicts = []
    for number, text in enumerate(items, start=1):
        if len(normalise(text).split()) < rubric.min_words:
            verdicts.append(ItemVerdict(text, False, texts.too_short.format(min_words=rubric.min_words)))
            continue
        prepared = _Prepared(text)
        twin = next(
            (n for n, earlier in counted if _near_duplicate(prepared, earlier, rubric.near_duplicate_similarity)),
            None,
        )
        if twin is not None:
            verdicts.append(ItemVerdict(text, False, texts.near_duplicate.format(other=twin)))
            continue
        lowered = text.casefold()
        themes = tuple(label for label, pattern in patterns if pattern.search(lowered))
        counted.append((number, prepared))
        verdicts.append(ItemVerdict(text, True, "", themes))
    return verdicts


def score(exercise: BrainstormExercise, items: list[str]) -> Result:
    """Points, maximum and feedback for a brainstorm answer."""
    rubric = exercise.rubric
    answer_lines = (f"Your answers ({len(items)}):", *(f"  {n}. {t}" for n, t in enumerate(items, 1)))
    if not items:
        return Result(0.0, exercise.max_points, (exercise.feedback.no_answers,), ("Your answers: none",))
    verdicts = judge_items(exercise, items)
    behaviours = sum(v.counted for v in verdicts)
    found = {label for v in verdicts for label in v.themes}
    behaviour_points = min(behaviours * rubric.points_per_behaviour, rubric.max_behaviour_points)
    theme_points = min(len(found) * rubric.points_per_theme, rubric.max_theme_points)

    lines = [f"Distinct behaviours counted: {behaviours} "
             f"({behaviour_points:g} of {rubric.max_behaviour_points:g} behaviour points)"]
    for number, verdict in enumerate(verdicts, start=1):
        if verdict.counted:
            about = ", ".join(verdict.themes) if verdict.themes else "no theme recognised"
            lines.append(f"  ✓ {number}. {verdict.text}  [{about}]")
        else:
            lines.append(f"  ✗ {number}. {verdict.text}  ({verdict.reason})")
    ordered = [t.label for t in exercise.themes if t.label in found]
    lines.append(
        f"Themes of good service covered: {len(found)} of {len(exercise.themes)} "
        f"({theme_points:g} of {rubric.max_theme_points:g} theme points): "
        + (", ".join(ordered) if ordered else "none yet")
    )
    missing = [t for t in exercise.themes if t.label not in found]
    if missing:
        lines.append("Themes to consider next:")
        lines.extend(f"  - {t.label}: {t.suggestion}" for t in missing[:3])
    else:
        lines.append(exercise.feedback.all_themes)
    return Result(behaviour_points + theme_points, exercise.max_points, tuple(lines), answer_lines)
