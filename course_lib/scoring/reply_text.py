"""Plain-text helpers for free-text answers: sentences, words, cue patterns, negation, word lists."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from ..models.written_reply import SentenceCue, WrittenReplyExercise

__all__ = ["Negation", "any_match", "compiled", "cue_in", "greeted_name", "in_another_alphabet", "is_word_list",
           "sentences", "unquoted", "word_count", "words"]

_WORD = re.compile(r"[\w'’-]+")
_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "…": "..."})
# A sentence ends at . ! ? (or a run of them, as in "...") before white space, and at a blank line; a single
# line break is only a wrapped line (mail clients and tidy writers wrap long lines).
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\s*\n\s*\n\s*")
# How far back (characters) a negation is looked for; the window of words is far shorter.
_LOOK_BACK_CHARS = 200


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def word_count(text: str) -> int:
    return len(_WORD.findall(text))


def in_another_alphabet(text: str, at_least: int = 20) -> bool:
    """Whether most of the text's letters (``at_least`` of them) are outside the Latin alphabet: a reply in
    Hindi, Chinese or Russian, whose sentences and words the English checks cannot even find."""
    letters = latin = 0
    for c in text:
        if c.isalpha():
            letters += 1
            # Basic Latin to Latin Extended-B, and Latin Extended Additional (Vietnamese).
            latin += ord(c) < 0x250 or 0x1E00 <= ord(c) < 0x1F00
    return letters >= at_least and latin < letters / 2


def sentences(text: str) -> list[str]:
    """The text's sentences, curly quotes straightened and white space collapsed; blank ones dropped."""
    parts = _SENTENCE_END.split(text.translate(_QUOTES))
    return [flat for part in parts if (flat := " ".join(part.split()))]


@lru_cache(maxsize=1024)
def compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


def any_match(patterns: Iterable[str], text: str) -> bool:
    return any(compiled(p).search(text) for p in patterns)


# Words in quotation marks are what someone else said ("not our department"), retold, not said to her now.
_QUOTED = re.compile(r'"[^"]{1,120}"')


def unquoted(sentence: str) -> str:
    """The sentence with quoted words blanked out (quotes are straightened by ``sentences``)."""
    return _QUOTED.sub(" ", sentence)


_WRITER = re.compile(r"\b(i|we)\b", re.IGNORECASE)
_CUSTOMER = re.compile(r"\byou\b", re.IGNORECASE)


def cue_in(cue: SentenceCue, sentence: str, negation: Negation, masked: str | None = None) -> bool:
    """The cue is said in the sentence: outside quotation marks, not negated just before ("please do not ring
    the main number"), not by the writer where it is the customer's job, and no ``unless`` pattern is there.
    ``masked``: ``negation.masked(unquoted(sentence))``, when the caller looks for several cues in it."""
    if any_match(cue.unless, sentence):
        return False
    if masked is None:
        masked = negation.masked(unquoted(sentence))
    for pattern in cue.patterns:
        for match in compiled(pattern).finditer(masked):
            if negation.negates_before(masked, match.start()):
                continue
            if cue.asks_customer and negation.writer_acts(masked, match.start()):
                continue
            return True
    return False


class Negation:
    """Whether a cue is turned around by a negation shortly before it (or inside it) in the same clause."""

    def __init__(self, exercise: WrittenReplyExercise) -> None:
        rule = exercise.negation
        self.window = rule.window
        self.negations = [compiled(p) for p in rule.patterns]
        self.harmless = [compiled(p) for p in rule.not_negating]
        self.breaks = compiled(rule.clause_breaks)

    def masked(self, sentence: str) -> str:
        """The sentence with phrases that only look negative ("can't imagine") blanked out, same length."""
        for pattern in self.harmless:
            sentence = pattern.sub(lambda m: " " * len(m.group(0)), sentence)
        return sentence

    def _clause_before(self, masked: str, start: int) -> str:
        before = masked[max(0, start - _LOOK_BACK_CHARS):start]
        return before[max((m.end() for m in self.breaks.finditer(before)), default=0):]

    def negates_before(self, masked: str, start: int) -> bool:
        """A negation in the few words before ``start``, in the same clause (not inside the phrase itself)."""
        scope = " ".join(self._clause_before(masked, start).split()[-self.window:])
        return any(p.search(scope) for p in self.negations)

    def writer_acts(self, masked: str, start: int) -> bool:
        """The clause before ``start`` has the writer (I, we) as its last subject, not the customer (you)."""
        clause = self._clause_before(masked, start)
        writer = [m.end() for m in _WRITER.finditer(clause)]
        customer = [m.end() for m in _CUSTOMER.finditer(clause)]
        return bool(writer) and max(writer) > max(customer, default=-1)

    def negates(self, masked: str, start: int, end: int) -> bool:
        # Only the few words before the cue matter: a bounded look back keeps long sentences linear.
        before = masked[max(0, start - _LOOK_BACK_CHARS):start]
        clause_start = max((m.end() for m in self.breaks.finditer(before)), default=0)
        scope = " ".join([*before[clause_start:].split()[-self.window:], masked[start:end]])
        return any(p.search(scope) for p in self.negations)


def _fragments(sentence: str) -> bool:
    """Four or more comma-separated bits of at most four words each: a list, not a sentence."""
    parts = [p for p in re.split(r"[,;]", sentence) if p.strip()]
    return len(parts) >= 4 and all(len(_WORD.findall(p)) <= 4 for p in parts)


def is_word_list(exercise: WrittenReplyExercise, sentence: str) -> bool:
    """A run of at least ``min_words`` words with too few function words (I, the, to...) to be a sentence,
    or a list of short fragments ("thank, apologise, own it, fix with a time")."""
    rule = exercise.word_list
    found = _WORD.findall(sentence.casefold())
    if len(found) < rule.min_words:
        return False
    if _fragments(sentence):
        return True
    function = _function_words(tuple(rule.function_words))
    return sum(w in function for w in found) < rule.min_share * len(found)


@lru_cache(maxsize=16)
def _function_words(listed: tuple[str, ...]) -> frozenset[str]:
    return frozenset(w.casefold() for w in listed)


def function_word_share(exercise: WrittenReplyExercise, text: str) -> float:
    """Share of the words that are English function words: low for a keyword run or another language."""
    found = _WORD.findall(text.casefold())
    if not found:
        return 0.0
    function = _function_words(tuple(exercise.word_list.function_words))
    return sum(w in function for w in found) / len(found)


# "Dear Mr Thompson," / "Hi Carmen" / "Good morning Mrs Alvarez": the name the opening line greets.
_GREETING = re.compile(r"^\s*(?i:dear|hi|hello|hey|good (?:morning|afternoon|evening)|greetings)[ ,]+"
                       r"(?:(?i:mr|mrs|ms|miss|mx|dr|madame?|ma'?am|sra?|frau|herr)\.?\s+)?([A-Z][\w'-]+)")
# Words after a greeting that are not anybody's name.
# Polite forms of address too ("Dear Ma'am" is how many writers greet a customer whose name they know).
_NOT_NAMES = frozenset({"customer", "valued", "sir", "madam", "ma'am", "maam", "mam", "guest", "client", "shopper",
                        "member", "there", "team", "all", "friend", "everyone", "colleague",
                        "i", "i'm", "it", "we", "this", "thanks", "thank", "sorry", "just", "ok", "again"})


def greeted_name(text: str) -> str | None:
    """The name the reply's opening greets, if it greets someone by name ("Dear Customer" does not)."""
    found = _GREETING.match(text)
    if not found or found.group(1).casefold() in _NOT_NAMES:
        return None
    return found.group(1)
