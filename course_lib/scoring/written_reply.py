"""Scoring of a written reply: what each sentence does, not which words it contains.

The reply is split into sentences. A sentence that passes the problem on
(the exercise's ``deflection`` cues) earns nothing and limits the whole reply
to the deflection cap. In the other sentences a criterion's cue counts unless a
negation comes just before it in the same clause ("nobody called you back"),
or one of the criterion's ``unless`` phrases is in the sentence ("sorry for any
inconvenience"). A criterion with ``together`` also needs its second cue (a
time for the fix) in that sentence or the next. Harmful phrases cap the score.
A reply outside the word limits keeps only ``outside_factor`` of its points.

Feedback says in plain words what the reply did and did not do; it never
quotes the words that matched, so it teaches the behaviour rather than the
keywords. Every pattern is compiled once; each sentence is searched once per
pattern, so the time grows with the length of the reply.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

from ..models.written_reply import MAX_CHARS_CAP, Criterion, SentenceCue, WrittenReplyExercise
from .limits import text_at_most
from .result import Result

__all__ = ["Judgement", "empty_answer", "judge", "parse_answer", "score", "sentences", "word_count"]

_WORD = re.compile(r"[\w'’-]+")
_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "…": "..."})
# A sentence ends at . ! ? (or a run of them, as in "...") before white space, and at a blank line; a single
# line break is only a wrapped line (mail clients and tidy writers wrap long lines).
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\s*\n\s*\n\s*")

# How far back (characters) a negation is looked for; the window of words is far shorter.
_LOOK_BACK_CHARS = 200

Status = Literal["met", "partial", "deflected", "harmful", "listed", "negated", "missed"]


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


def sentences(text: str) -> list[str]:
    """The reply's sentences, curly quotes straightened and white space collapsed; blank ones dropped."""
    parts = _SENTENCE_END.split(text.translate(_QUOTES))
    return [flat for part in parts if (flat := " ".join(part.split()))]


@lru_cache(maxsize=1024)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


def _any(patterns: Iterable[str], text: str) -> bool:
    return any(_compiled(p).search(text) for p in patterns)


def _cue_in(cue: SentenceCue, sentence: str) -> bool:
    return _any(cue.patterns, sentence) and not _any(cue.unless, sentence)


@dataclass(frozen=True)
class Judgement:
    """What the reply does: each criterion's status, the deflecting and harmful cues found, the points."""

    statuses: dict[str, Status]
    deflections: tuple[str, ...]
    harmful: tuple[str, ...]
    word_list: bool
    earned: float
    length_factor: float
    cap: float
    points: float


class _Negation:
    """Whether a cue is turned around by a negation shortly before it (or inside it) in the same clause."""

    def __init__(self, exercise: WrittenReplyExercise) -> None:
        rule = exercise.negation
        self.window = rule.window
        self.negations = [_compiled(p) for p in rule.patterns]
        self.harmless = [_compiled(p) for p in rule.not_negating]
        self.breaks = _compiled(rule.clause_breaks)

    def masked(self, sentence: str) -> str:
        """The sentence with phrases that only look negative ("can't imagine") blanked out, same length."""
        for pattern in self.harmless:
            sentence = pattern.sub(lambda m: " " * len(m.group(0)), sentence)
        return sentence

    def negates(self, masked: str, start: int, end: int) -> bool:
        # Only the few words before the cue matter: looking back a bounded stretch keeps a long sentence
        # full of cues linear to judge.
        before = masked[max(0, start - _LOOK_BACK_CHARS):start]
        clause_start = max((m.end() for m in self.breaks.finditer(before)), default=0)
        words = before[clause_start:].split()[-self.window:]
        scope = " ".join([*words, masked[start:end]])
        return any(p.search(scope) for p in self.negations)


def _criterion_status(
    criterion: Criterion, texts: list[str], masked: list[str], blocked: list[Status | None], negation: _Negation
) -> Status:
    """The best a criterion reaches in any sentence: met, partial, or why its cue did not count."""
    best: Status = "missed"
    for index, sentence in enumerate(texts):
        if criterion.unless and _any(criterion.unless, sentence):
            continue
        for pattern in criterion.patterns:
            match = _compiled(pattern).search(sentence)
            while match is not None:
                found = _cue_status(criterion, index, texts, blocked, negation.negates(masked[index], *match.span()))
                if found == "met":
                    return "met"
                if _RANK[found] > _RANK[best]:
                    best = found
                if found != "negated":
                    break  # the rest of the sentence cannot do better for this pattern
                # a negated cue may come back un-negated later in the sentence
                match = _compiled(pattern).search(sentence, match.end())
    return best


_RANK: dict[Status, int] = {"missed": 0, "negated": 1, "listed": 2, "harmful": 3, "deflected": 4, "partial": 5}


def _cue_status(criterion: Criterion, index: int, texts: list[str], blocked: list[Status | None],
                negated: bool) -> Status:
    if blocked[index] is not None:
        return blocked[index]  # type: ignore[return-value]
    if negated:
        return "negated"
    if criterion.together is None:
        return "met"
    reach = range(index, min(index + criterion.together.reach + 1, len(texts)))
    if any(blocked[i] is None and _any(criterion.together.patterns, texts[i]) for i in reach):
        return "met"
    return "partial"


def _is_word_list(exercise: WrittenReplyExercise, sentence: str) -> bool:
    rule = exercise.word_list
    words = _WORD.findall(sentence.casefold())
    if len(words) < rule.min_words:
        return False
    function = _function_words(tuple(rule.function_words))
    return sum(w in function for w in words) < rule.min_share * len(words)


@lru_cache(maxsize=16)
def _function_words(words: tuple[str, ...]) -> frozenset[str]:
    return frozenset(w.casefold() for w in words)


def _length_factor(exercise: WrittenReplyExercise, words: int) -> float:
    """1 within the limits; just outside them the share the words reach, never below ``outside_factor``."""
    limits = exercise.length
    if words < limits.min_words:
        return max(limits.outside_factor, words / limits.min_words)
    if words > limits.max_words:
        return max(limits.outside_factor, limits.max_words / words)
    return 1.0


def judge(exercise: WrittenReplyExercise, text: str) -> Judgement:
    """Judge a reply sentence by sentence (see the module's docstring)."""
    texts = sentences(text)
    negation = _Negation(exercise)
    masked = [negation.masked(s) for s in texts]
    cues = exercise.deflection.cues
    deflecting = [any(_cue_in(cue, s) for cue in cues) for s in texts]
    hurting = [any(_cue_in(h, s) for h in exercise.harmful) for s in texts]
    listed = [_is_word_list(exercise, s) for s in texts]
    blocked: list[Status | None] = [
        "deflected" if d else "harmful" if h else "listed" if w else None
        for d, h, w in zip(deflecting, hurting, listed, strict=True)
    ]
    deflections = tuple(cue.id for cue in cues if any(_cue_in(cue, s) for s in texts))
    harmful = tuple(h.id for h in exercise.harmful if any(_cue_in(h, s) for s in texts))
    statuses = {c.id: _criterion_status(c, texts, masked, blocked, negation) for c in exercise.criteria}
    earned = float(sum(c.points for c in exercise.criteria if statuses[c.id] == "met"))
    factor = _length_factor(exercise, word_count(text))
    caps = [1.0]
    if deflections:
        caps.append(exercise.deflection.cap)
    caps.extend(h.cap for h in exercise.harmful if h.id in harmful)
    cap = min(caps)
    points = round(min(earned * factor, cap * exercise.max_points), 2)
    return Judgement(statuses, deflections, harmful, any(listed), earned, factor, cap, points)


def _length_note(exercise: WrittenReplyExercise, words: int, factor: float) -> str:
    limits = exercise.length
    if factor == 1.0:
        return f"Length: {words} words, within {limits.min_words}-{limits.max_words}."
    keep = f"{factor:.0%} of its points" if factor else "no points"
    if words < limits.min_words:
        return (f"Length: {words} words, under the minimum of {limits.min_words}, so the reply keeps {keep}. "
                "Say a little more: what you will do, and when.")
    return (f"Length: {words} words, over the maximum of {limits.max_words}, so the reply keeps {keep}. "
            "An upset customer reads a short, clear reply; cut what does not help them.")


def _summary(exercise: WrittenReplyExercise, judged: Judgement) -> str:
    total = exercise.max_points
    # The cell's score line follows this summary: say what the reply does, not the score again.
    parts = [f"Your reply does {judged.earned:g} of the {total:g} things a good reply does"]
    if judged.length_factor != 1.0:
        parts.append(f", and keeps {judged.length_factor:.0%} of that for its length")
    capped = round(judged.cap * total, 2)
    if judged.cap < 1.0 and capped < judged.earned * judged.length_factor:
        parts.append(f"; what holds it back (below) limits it to {capped:g}")
    return "".join(parts) + "."


def score(exercise: WrittenReplyExercise, answer: dict[str, str]) -> Result:
    """Points, maximum and feedback for a written reply."""
    text = answer["text"]
    if not text.strip():
        return Result(0.0, exercise.max_points,
                      ("No reply saved yet: write your reply above, click Save reply, then run this cell again.",),
                      ("Your reply: none",))
    judged = judge(exercise, text)
    words = word_count(text)
    answer_lines = (f"Your reply ({words} words):", *(f"  {line}" for line in text.strip().splitlines()))
    lines = [_summary(exercise, judged), _length_note(exercise, words, judged.length_factor)]
    done = [c for c in exercise.criteria if judged.statuses[c.id] == "met"]
    if done:
        lines.append("What your reply does:")
        lines.extend(f"  ✓ {c.met}" for c in done)
    missing = [c for c in exercise.criteria if judged.statuses[c.id] != "met"]
    if missing:
        lines.append("What it does not do yet:")
        for criterion in missing:
            status = judged.statuses[criterion.id]
            if status == "partial" and criterion.together is not None:
                lines.append(f"  ✗ {criterion.together.missing}")
                continue
            note = {"deflected": f" {exercise.deflection.discounted}",
                    "harmful": f" {exercise.harmful[0].discounted}" if exercise.harmful else "",
                    "listed": f" {exercise.word_list.discounted}",
                    "negated": f" {exercise.negation.discounted}"}.get(status, "")
            lines.append(f"  ✗ {criterion.missed}{note} {criterion.hint}")
    hurts = [c for c in exercise.deflection.cues if c.id in judged.deflections]
    harmful = [h for h in exercise.harmful if h.id in judged.harmful]
    if hurts or harmful or judged.word_list:
        lines.append("What holds it back:")
        if judged.word_list:
            lines.append(f"  ✗ {exercise.word_list.said}")
        if hurts:
            most = round(exercise.deflection.cap * exercise.max_points, 2)
            lines.extend(f"  ✗ {c.said} {c.why}" for c in hurts)
            lines.append(f"    A reply that passes the problem on earns at most {most:g} of "
                         f"{exercise.max_points:g}, and nothing in those sentences counts.")
        for item in harmful:
            most = round(item.cap * exercise.max_points, 2)
            lines.append(f"  ✗ {item.said} {item.why} While it is there, the reply earns at most {most:g}.")
    return Result(judged.points, exercise.max_points, tuple(lines), answer_lines)
