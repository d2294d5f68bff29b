"""Whether a short free-text answer is the trainee's own thought: not a word run, not text copied back.

Used where the course gives credit for a written part (the action plan's first
step, the follow-up's notes): a string of theme words, the same stock words
over and over, or the question or suggestions copied back earn nothing there,
however many words they have. The written reply has its own, fuller judge
(``scoring.written_reply``), which applies the same first two checks.
"""

from __future__ import annotations

from collections.abc import Iterable

from .reply_text import words

__all__ = ["FUNCTION_WORDS", "copied_share", "not_own_words"]

FUNCTION_WORDS = frozenset(
    "i me my we us our you your it its this that these those he she they them their a an the to of for in on at "
    "by with from about as into after before until and or but so if when because am is are was were be been being "
    "have has had will would shall should can could may might must do does did not no i'm i've i'll we're we've "
    "we'll it's that's you're you've don't can't".split()
)


def copied_share(text: str, sources: Iterable[str], n: int = 4) -> float:
    """Share of the text's n-word runs that also occur in any of ``sources`` (case ignored)."""
    def grams(value: str) -> set[tuple[str, ...]]:
        found = [w.casefold() for w in words(value)]
        return {tuple(found[i:i + n]) for i in range(len(found) - n + 1)}

    own = grams(text)
    if not own:
        return 0.0
    seen: set[tuple[str, ...]] = set()
    for source in sources:
        seen |= grams(source)
    return len(own & seen) / len(own)


def not_own_words(text: str, copied_from: Iterable[str] = ()) -> str | None:
    """Why ``text`` does not count as a thought of the trainee's own (None: it does).

    Short answers (under four words) are left to the caller's own minimum.
    """
    found = [w.casefold() for w in words(text)]
    if len(found) < 4:
        return None
    share = sum(w in FUNCTION_WORDS for w in found) / len(found)
    if len(set(found)) < 0.6 * len(found):
        return "it repeats the same few words"
    if share < 0.1:
        return "it is a list of words rather than a sentence"
    if copied_share(text, copied_from) >= 0.6:
        return "it copies the question or the suggestions back instead of saying something of your own"
    return None
