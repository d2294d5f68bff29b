"""Scoring of the 'Customer Service means...' brainstorm.

Rubric (numbers come from the exercise file): points for each distinct,
substantive behaviour (at least ``min_words`` words, reading as one behaviour
rather than a string of theme words, not a near-duplicate of an earlier one) up
to a cap, plus points for each theme of good service covered, up to a cap.
Feedback names what counted, the themes found and those to try.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache
from typing import Any

from ..models.brainstorm import (
    MAX_CHARS_CAP,
    MAX_ITEMS_CAP,
    BehaviourRule,
    BrainstormExercise,
    BrainstormLimits,
    Theme,
)
from .free_text import copied_share
from .limits import at_most, text_at_most
from .result import Result

__all__ = [
    "ItemVerdict",
    "entry_problem",
    "is_behaviour",
    "judge_items",
    "normalise",
    "parse_answer",
    "room_verdicts",
    "score",
    "theme_pattern",
    "themes_in",
]

_WORD = re.compile(r"[a-z0-9']+")
# An entry whose every four-word run is in the exercise's own examples or question is a copy of them (a
# behaviour merely like an example, in the trainee's own words, still counts).
COPIED_SHARE = 1.0
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
def _theme_regex(keywords: tuple[str, ...], patterns: tuple[str, ...]) -> re.Pattern[str]:
    # Longest keywords first, so a longer phrasing wins over a shorter one that starts it.
    ordered = sorted((k.casefold() for k in keywords), key=len, reverse=True)
    alternatives = [r"\b(?:" + r"\s+".join(map(re.escape, k.split())) + r")\w*" for k in ordered]
    alternatives.extend(f"(?:{p})" for p in patterns)
    return re.compile("|".join(alternatives))


def theme_pattern(theme: Theme) -> re.Pattern[str]:
    """Matches any cue of ``theme`` in lower-cased text: a keyword at a word start with any ending
    (listen -> listening), or one of its patterns; compiled once."""
    return _theme_regex(tuple(theme.keywords), tuple(theme.patterns))


_RuleWords = tuple[frozenset[str], frozenset[str], re.Pattern[str], re.Pattern[str]]


def _rule_words(rule: BehaviourRule) -> _RuleWords:
    """(separators and fillers, linking words, action-word pattern, not-action pattern) of a rule, built once."""
    return _rule_words_of(tuple(rule.separators) + tuple(rule.filler_words), tuple(rule.linking_words),
                          tuple(rule.action_words), tuple(rule.action_suffixes), tuple(rule.not_actions))


@lru_cache(maxsize=16)
def _rule_words_of(joins: tuple[str, ...], linking: tuple[str, ...], actions: tuple[str, ...],
                   suffixes: tuple[str, ...], not_actions: tuple[str, ...]) -> _RuleWords:
    starts = "|".join(re.escape(w.casefold()) for w in sorted(actions, key=len, reverse=True))
    ends = "|".join(re.escape(w.casefold()) for w in suffixes) or "(?!)"
    action = re.compile(rf"(?:{starts})[a-z'-]*|[a-z'-]+(?:{ends})")
    not_action = re.compile("|".join(re.escape(w.casefold()) for w in not_actions) or "(?!)")
    return frozenset(w.casefold() for w in joins), frozenset(w.casefold() for w in linking), action, not_action


def _cue_spans(exercise: BrainstormExercise, lowered: str) -> list[tuple[int, int]]:
    """Where theme cues are in ``lowered``, overlapping stretches merged, in order."""
    spans = sorted(m.span() for theme in exercise.themes for m in theme_pattern(theme).finditer(lowered))
    merged: list[list[int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        elif end > start:
            merged.append([start, end])
    return [(a, b) for a, b in merged]


def _longest_run(spans: list[tuple[int, int]], lowered: str, joins: frozenset[str], linking: frozenset[str]) -> int:
    """The most theme cues in a row with only separators, filler words or punctuation between them.

    A cue with a linking word in it ("before they ask") is a phrase with its own structure: it ends a run.
    """
    longest = run = 0
    previous_end: int | None = None
    for start, end in spans:
        if any(w.strip("-") in linking for w in _TOKEN.findall(lowered[start:end])):
            run, previous_end = 0, None
            continue
        joined = previous_end is not None and all(w in joins for w in _GAP_WORD.findall(lowered[previous_end:start]))
        run = run + 1 if joined else 1
        longest, previous_end = max(longest, run), end
    return longest


_GAP_WORD = re.compile(r"[a-z0-9']+")
# Words of a cue, hyphenated ones whole: "out-of-office" has no linking word of its own.
_TOKEN = re.compile(r"[a-z0-9'-]+")


def is_behaviour(exercise: BrainstormExercise, text: str) -> bool:
    """Whether ``text`` reads as one behaviour rather than a string of theme words (see ``BehaviourRule``)."""
    rule = exercise.behaviour
    joins, linking, action, not_action = _rule_words(rule)
    lowered = text.casefold()
    spans = _cue_spans(exercise, lowered)

    def actions(stretch: str) -> bool:
        return any(action.fullmatch(w) and not not_action.fullmatch(w) for w in _GAP_WORD.findall(stretch))

    run = _longest_run(spans, lowered, joins, linking)
    if run > rule.max_keyword_run:
        bounds = [0, *(i for span in spans for i in span), len(lowered)]
        outside = " ".join(lowered[bounds[i]:bounds[i + 1]] for i in range(0, len(bounds), 2))
        if run > rule.max_keyword_run_after_action or not actions(outside):
            return False
    return any(w in linking for w in _GAP_WORD.findall(lowered)) or actions(lowered)


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


def _theme_patterns(exercise: BrainstormExercise) -> list[tuple[str, re.Pattern[str]]]:
    """(label, pattern) of each theme, in content order; compiled once per content version."""
    cached = _PATTERNS.get(exercise.id)
    if cached is None or cached[0] is not exercise:
        cached = _PATTERNS[exercise.id] = (exercise, [(t.label, theme_pattern(t)) for t in exercise.themes])
    return cached[1]


_PATTERNS: dict[str, tuple[BrainstormExercise, list[tuple[str, re.Pattern[str]]]]] = {}


def themes_in(exercise: BrainstormExercise, text: str) -> tuple[str, ...]:
    """The labels of the themes whose cues ``text`` holds, in content order."""
    lowered = text.casefold()
    return tuple(label for label, pattern in _theme_patterns(exercise) if pattern.search(lowered))


def _too_short(exercise: BrainstormExercise, text: str) -> bool:
    return len(normalise(text).split()) < exercise.rubric.min_words


def judge_items(exercise: BrainstormExercise, items: list[str]) -> list[ItemVerdict]:
    """Judge each entry in order: too short, near-duplicate, or counted with its themes."""
    rubric, texts = exercise.rubric, exercise.feedback
    counted: list[tuple[int, _Prepared]] = []
    verdicts = []
    for number, text in enumerate(items, start=1):
        if _too_short(exercise, text):
            verdicts.append(ItemVerdict(text, False, texts.too_short.format(min_words=rubric.min_words)))
            continue
        if not is_behaviour(exercise, text):
            verdicts.append(ItemVerdict(text, False, texts.not_a_behaviour))
            continue
        if copied_share(text, [exercise.prompt, exercise.placeholder, *exercise.examples]) >= COPIED_SHARE:
            verdicts.append(ItemVerdict(text, False, texts.copied))
            continue
        prepared = _Prepared(text)
        twin = next(
            (n for n, earlier in counted if _near_duplicate(prepared, earlier, rubric.near_duplicate_similarity)),
            None,
        )
        if twin is not None:
            verdicts.append(ItemVerdict(text, False, texts.near_duplicate.format(other=twin)))
            continue
        counted.append((number, prepared))
        verdicts.append(ItemVerdict(text, True, "", themes_in(exercise, text)))
    return verdicts


def room_verdicts(exercise: BrainstormExercise, items: list[str]) -> tuple[ItemVerdict, ...]:
    """Each entry with its themes as the live board counts them, by the same rules as :func:`judge_items`.

    Entries under ``min_words`` words get no theme, and themes are found by the
    same patterns. Unlike ``judge_items``, an entry close to the trainee's own
    earlier one, or one that reads as a string of theme words, keeps its themes
    (the room's chart counts what was written), and the costly near-duplicate
    comparison is skipped (most of a cold refresh of a large room).
    """
    return tuple(
        ItemVerdict(text, False, "too short") if _too_short(exercise, text)
        else ItemVerdict(text, True, "", themes_in(exercise, text))
        for text in items
    )


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
