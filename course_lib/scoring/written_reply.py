"""Scoring of a written reply, as a trainer reads it: what each sentence does, then the rubric's scale.

``reply_reading`` finds what each sentence does (thank, apologise, show
understanding, own it, fix it, follow up; or pass the problem on, blame,
belittle, over-promise), by meaning and by cue. This module checks the reply
as a whole (is it a reply at all, in English, made of sentences, with any
content of its own?) and places it on the rubric's 0-6 scale
(tests/scoring/corpus/m5-reply-rubric.md): the essentials (apology, ownership,
a concrete fix with a time) carry a good reply; anything rude, blaming,
deflecting or over-promising holds it at 1 or 2 whatever good words it also
has; stock sentences and keyword runs score as the empty gestures they are.

Where the scorer cannot judge (another language, mostly a list, too short or
too long, far from every example, a doubtful reading), the reply is sent to the
trainer: the result carries ``review`` (why) and the score is only a suggestion.
Feedback says what the reply did and did not do, quoting the trainee's own
sentences.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..models.written_reply import MAX_CHARS_CAP, WrittenReplyExercise
from .free_text import copied_share
from .limits import text_at_most
from .reply_reading import SentenceReading, read_reply
from .reply_text import any_match, function_word_share, greeted_name, in_another_alphabet, sentences, word_count, words
from .result import Result
from .whole_reply import whole_rating

__all__ = ["Judgement", "empty_answer", "judge", "parse_answer", "score", "sentences", "word_count"]

ESSENTIALS = ("apologise", "own-it", "fix")
SEVERE = ("blame", "belittling", "sarcasm", "passing-on", "customer-chases", "nothing-to-do", "denial")
PROMISES = ("over-promise",)
MILD = ("policy", "keep-waiting", "excuse")
_NOT_ENGLISH = "it is not in English, which the scorer cannot judge"
_MILD_REASONS = {"policy": "policy talk", "keep-waiting": "an open-ended wait where the customer needs a date",
                 "excuse": "an excuse where the customer needs it put right"}
# The rubric reading and the whole-reply reading this far apart (points of 6): a trainer decides. Closer,
# the grade weighs the whole reading twice as much as the rubric reading, under the rubric's cap. Both chosen
# by leaving each writer out in turn (tests/scoring/readings_study.py; the authors' guide, "How written
# replies are judged").
DISAGREEMENT = 3.0
RUBRIC_WEIGHT = 1 / 3
# Meaning alone must be this sure before a sentence counts against a reply; below it, a trainer decides.
SURE_NEGATIVE = 0.72
DOUBTFUL_NEGATIVE = 0.66
_PUNCTUATION = re.compile(r"[.!?,;:]")
_BULLET = re.compile(r"^\s*([-*•]|\d+[.)])\s+", re.MULTILINE)
# Something only this reply could say: a number (amount, date, phone, reference) or a day or time.
_SPECIFIC = re.compile(r"\d|£|\$|€|\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday|today|tomorrow|"
                       r"this (morning|afternoon|evening))\b", re.IGNORECASE)


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


@dataclass(frozen=True)
class Judgement:
    """What the reply does and where that places it on the rubric's scale."""

    rating: int  # 0-6, the rubric's scale
    points: float  # on the exercise's points
    met: dict[str, str]  # criterion id -> the sentence that does it
    partial: dict[str, str]  # criterion id -> a sentence that goes part of the way (a fix with no time)
    against: dict[str, str]  # negative act id -> the sentence that does it
    verdict: str  # the one-line reason for the rating
    review: str | None  # why a trainer should mark it (None: the score stands)
    read: bool = True  # False: judged as a whole (not a reply, another language...), sentences not read


def _stock_only(readings: list[SentenceReading], exercise: WrittenReplyExercise) -> bool:
    """Short stock sentences and nothing specific to this customer or her case: a salad of gestures."""
    body = readings
    # The greeting and the signature are short in every reply: they say nothing either way.
    if body and word_count(body[0].text) <= 4:
        body = body[1:]
    if body and word_count(body[-1].text) <= 4:
        body = body[:-1]
    if len(body) < 3:
        return False
    short = sum(word_count(r.text) <= 8 for r in body)
    specific = any(_SPECIFIC.search(r.text) or any_match(exercise.case_words, r.text) for r in body)
    return short / len(body) >= 0.7 and not specific


def _found(readings: list[SentenceReading], exercise: WrittenReplyExercise) -> tuple[dict, dict, dict, list]:
    """Criteria met and partly met, negative acts, and doubtful readings, each with its first sentence."""
    met: dict[str, str] = {}
    partial: dict[str, str] = {}
    against: dict[str, str] = {}
    doubtful: list[str] = []
    fix = next((c for c in exercise.criteria if c.id == "fix"), None)
    for index, reading in enumerate(readings):
        sure_against = False
        for act, strength in reading.acts.items():
            if act not in (*SEVERE, *PROMISES, *MILD):
                continue
            if act == "keep-waiting" and fix and fix.together and any_match(fix.together.patterns, reading.text):
                continue  # a wait with a date is the fix's time, not an open-ended wait
            if strength >= SURE_NEGATIVE:
                against.setdefault(act, reading.text)
                sure_against = True
            elif strength >= DOUBTFUL_NEGATIVE:
                doubtful.append(reading.text)
        if sure_against:
            continue  # nothing good counts in a sentence that passes the problem on or hurts the reply
        for act in reading.acts:
            criterion = next((c for c in exercise.criteria if c.id == act), None)
            if criterion is None:
                continue
            if criterion.together is not None:
                reach = readings[index:index + criterion.together.reach + 1]
                if not any(any_match(criterion.together.patterns, r.text) for r in reach):
                    partial.setdefault(act, reading.text)
                    continue
            met.setdefault(act, reading.text)
    for act in met:
        partial.pop(act, None)
    return met, partial, against, doubtful


# Acts a plain account of what went wrong can look like ("the shop sent it on to the returns centre").
PASSING_ON = ("passing-on", "customer-chases")


def _someone_else(exercise: WrittenReplyExercise, text: str) -> str | None:
    """The name the reply greets when it is not the customer's (a slip of one or two letters is hers)."""
    name = greeted_name(text)
    if name is None or not exercise.customer_names:
        return None
    close = any(_edits(name.casefold(), known.casefold()) <= 2 for known in exercise.customer_names)
    return None if close else name


def _edits(a: str, b: str) -> int:
    """Levenshtein distance: how many letters to add, drop or change to turn ``a`` into ``b``."""
    previous = list(range(len(b) + 1))
    for i, letter in enumerate(a, 1):
        current = [i]
        for j, other in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (letter != other)))
        previous = current
    return previous[-1]


def _contradicts(met: dict, against: dict) -> bool:
    """Every essential is there, and all that counts against the reply is a sentence read as passing the
    problem on: a reply that owns and fixes the problem seldom also passes it on, so a reader should look."""
    return bool(against) and all(c in met for c in ESSENTIALS) and all(a in PASSING_ON for a in against)


def _rating(met: dict, partial: dict, against: dict, stock: bool) -> tuple[int, str, int]:
    """The rubric's scale from what the reply does (m5-reply-rubric.md): rating, reason, and the cap its
    negative acts put on any rating."""
    if stock:
        return 1, "stock sentences with nothing specific to this customer", 1
    rest = sum(c in met for c in ("thank", "empathise", "follow-up"))
    if all(c in met for c in ESSENTIALS):
        rating = 6 if rest == 3 else 5 if rest == 2 else 4
    elif "apologise" in met and ("fix" in met or ("own-it" in met and "fix" in partial)):
        rating = 4 if "fix" in met else 3
    elif "fix" in met and "own-it" in met:
        rating = 4
    elif "apologise" in met and ("empathise" in met or "fix" in partial or "own-it" in met):
        rating = 3
    else:
        rating = 2 if len(met) + len(partial) >= 2 else 1
    cap, reason = 6, "it also passes the problem on, blames or belittles"
    owns_and_fixes = "own-it" in met and "fix" in met
    if any(a in against for a in SEVERE if a not in PASSING_ON):
        cap = 2 if owns_and_fixes else 1
    elif any(a in against for a in PASSING_ON):
        # The rubric's 2: part of the job handed on "while still offering something"; 1 when that is all.
        offers = "apologise" in met and ("fix" in met or "fix" in partial)
        cap = 2 if owns_and_fixes or offers else 1
    elif any(a in against for a in PROMISES):
        cap, reason = 2, "it promises what nobody can deliver"
    elif found := [_MILD_REASONS[a] for a in MILD if a in against]:
        # The rubric's 3: a polite template whose fix is "in due course", or policy talk in a good reply.
        cap, reason = 3, " and ".join(found)
    return (min(rating, cap), reason if rating > cap else "what the reply does for the customer", cap)


def judge(exercise: WrittenReplyExercise, text: str, *, whole: bool = True) -> Judgement:
    """Read the reply, check it as a whole, and place it on the rubric's 0-6 scale.

    Two readings: sentence by sentence against the rubric, and (``whole``, when the exercise has trained
    weights) the reply as a whole as rated replies taught (``whole_reply``). The grade is their weighted mean, held
    under the rubric's cap for a reply that blames, passes on or over-promises; far apart, a trainer decides.
    """
    total = word_count(text)
    limits = exercise.length

    def result(rating: int, verdict: str, review: str | None = None, met: dict[str, str] | None = None,
               partial: dict[str, str] | None = None, against: dict[str, str] | None = None) -> Judgement:
        points = round(exercise.max_points * rating / 6, 2)
        return Judgement(rating, points, met or {}, partial or {}, against or {}, verdict, review, met is not None)

    if in_another_alphabet(text):
        return result(0, "not in English", review=_NOT_ENGLISH)
    if total < 8:
        return result(0, "too short to be a reply")
    bullets = len(_BULLET.findall(text))
    lines = [line for line in text.splitlines() if line.strip()]
    if lines and bullets * 2 >= len(lines):
        return result(1, "notes rather than a reply", review="it is mostly a list, not a reply")
    share = function_word_share(exercise, text)
    punctuated = sum(t.endswith((".", "!", "?")) for t in sentences(text))
    if share < 0.2 and punctuated >= 3:
        return result(0, "not in English", review=_NOT_ENGLISH)
    found = [w.casefold() for w in words(text)]
    repetitive = len(set(found)) < 0.6 * len(found)  # real sentences seldom repeat two words in five
    if share < 0.2 or (not _PUNCTUATION.search(text) and (share < 0.45 or repetitive)):
        return result(1, "a run of words, not sentences")
    if copied_share(text, [exercise.scenario, exercise.prompt, exercise.title]) >= 0.5:
        return result(0, "the customer's message or the task copied back")
    readings = read_reply(exercise, text)
    met, partial, against, doubtful = _found(readings, exercise)
    stock = _stock_only(readings, exercise)
    listed = sum(r.listed for r in readings)
    rating, verdict, cap = _rating(met, partial, against, stock or listed * 2 >= len(readings))
    nearness = sum(r.nearest for r in readings) / len(readings)
    if nearness < 0.3 and not met and not against:
        return result(0, "not about this customer's complaint")
    review = None
    if total < limits.min_words / 2:
        review = f"it is too short to judge ({total} words)"
    elif total > limits.max_words * 1.5:
        review = f"it is too long to judge ({total} words)"
    elif nearness < 0.38:
        review = "it is unlike every example the scorer knows"
    elif (other := _someone_else(exercise, text)) is not None:
        # Most often a reply to another complaint pasted in (worth nothing here); a trainer checks.
        review = f"it greets {other}, not {exercise.customer}: it may be a reply to another complaint"
        return result(0, f"it is addressed to {other}, not to {exercise.customer}", review, met, partial, against)
    learned = whole_rating(exercise, [r.text for r in readings]) if whole else None
    if learned is not None:
        if review is None and abs(learned - rating) >= DISAGREEMENT:
            review = (f"read sentence by sentence it is worth {rating} of 6, read as a whole {learned:.0f} of 6, "
                      "and the scorer cannot tell which is right")
        rating = min(round(RUBRIC_WEIGHT * rating + (1 - RUBRIC_WEIGHT) * learned), cap)
    elif review is None and doubtful and rating >= 3:
        review = "a sentence may pass the problem on or hurt the reply, and the scorer is not sure"
    elif review is None and _contradicts(met, against):
        review = ("it owns the problem and fixes it, yet a sentence reads as passing it on (often an explanation "
                  "of the cause): the scorer cannot tell which")
    return result(rating, verdict, review, met, partial, against)


def _quote(sentence: str, limit: int = 140) -> str:
    return f"“{sentence if len(sentence) <= limit else sentence[:limit].rstrip() + '…'}”"


def _feedback(exercise: WrittenReplyExercise, judged: Judgement) -> list[str]:
    lines = []
    if judged.review:
        lines.append(f"Your trainer will mark this reply: {judged.review}. The automatic suggestion, "
                     f"{judged.points:g} of {exercise.max_points:g} ({judged.verdict}), does not count until then.")
    else:
        lines.append(f"A trainer would place this reply at {judged.rating} of 6: {judged.verdict}.")
    if not judged.read:
        lines.append("Write a reply to the customer in full sentences, in English: what you are sorry for, what "
                     "you have done about her refund and by when, and when you will be in touch.")
        return lines
    if judged.met:
        lines.append("What your reply does:")
        lines.extend(f"  ✓ {c.met} {_quote(judged.met[c.id])}" for c in exercise.criteria if c.id in judged.met)
    missing = [c for c in exercise.criteria if c.id not in judged.met]
    if missing:
        lines.append("What it does not do yet:")
        for criterion in missing:
            if criterion.id in judged.partial and criterion.together is not None:
                lines.append(f"  ✗ {criterion.together.missing} {_quote(judged.partial[criterion.id])}")
            else:
                lines.append(f"  ✗ {criterion.missed} {criterion.hint}")
    cues = {c.id: c for c in [*exercise.deflection.cues, *exercise.harmful]}
    if judged.against:
        lines.append("What holds it back:")
        lines.extend(f"  ✗ {cues[act].said} {_quote(sentence)} {cues[act].why}"
                     for act, sentence in judged.against.items())
    return lines


def score(exercise: WrittenReplyExercise, answer: dict[str, str]) -> Result:
    """Points, maximum and feedback for a written reply; ``review`` set when a trainer must mark it."""
    text = answer["text"]
    if not text.strip():
        return Result(0.0, exercise.max_points,
                      ("No reply saved yet: write your reply above, click Save reply, then run this cell again.",),
                      ("Your reply: none",))
    judged = judge(exercise, text)
    answer_lines = (f"Your reply ({word_count(text)} words):", *(f"  {line}" for line in text.strip().splitlines()))
    return Result(judged.points, exercise.max_points, tuple(_feedback(exercise, judged)), answer_lines,
                  review=judged.review)
