"""What each sentence of a written reply does: the rubric's acts, found by meaning and by cue.

A sentence does an act (apologise, own it, pass the problem on, blame...) when
its meaning is close to one of the act's example sentences in the content file
(cosine similarity of all-MiniLM-L6-v2 embeddings, ``scoring.sentence_model``)
or when one of the act's cue patterns is in it and not negated; either way not
when one of the act's ``unless`` patterns is in the sentence. Meaning catches
what the patterns miss ("from now on you deal with me"); the patterns catch
short plain sentences the model places loosely ("Sorry."). The judge
(``scoring.written_reply``) decides which readings are sure enough to count.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from ..models.written_reply import Criterion, SentenceCue, WrittenReplyExercise
from .kept_vectors import kept_encoding
from .reply_text import Negation, any_match, compiled, cue_in, is_word_list, sentences, unquoted
from .sentence_model import model

__all__ = ["MEANING_THRESHOLD", "SentenceReading", "act_examples", "preload", "read_reply"]

# Cosine similarity from which a sentence counts as doing an example's act; and how far below the
# sentence's best act another act may be and still count (a sentence can apologise and empathise at once).
MEANING_THRESHOLD = 0.6
MARGIN = 0.12
PLAIN = "plain"  # the act of the plain examples: none


@dataclass(frozen=True)
class SentenceReading:
    """One sentence: the acts it does (id -> evidence, 1.0 for a cue) and how close it is to any example."""

    text: str
    acts: dict[str, float]
    nearest: float  # highest similarity to any example sentence of any act
    listed: bool  # a run of words rather than a sentence
    negative: tuple[str, ...] = field(default=())  # the harmful or deflecting acts in it


def act_examples(exercise: WrittenReplyExercise) -> list[tuple[str, str]]:
    """(act id, example sentence) for every act of the exercise that has examples."""
    acts: list[Criterion | SentenceCue] = [*exercise.criteria, *exercise.deflection.cues, *exercise.harmful]
    return [*((act.id, example) for act in acts for example in act.examples),
            *((PLAIN, example) for example in exercise.plain_examples)]


@lru_cache(maxsize=8)
def _example_matrix(examples: tuple[tuple[str, str], ...]) -> tuple[np.ndarray, tuple[str, ...]]:
    vectors = kept_encoding([text for _act, text in examples])
    return vectors, tuple(act for act, _text in examples)


def _similarities(exercise: WrittenReplyExercise, texts: Sequence[str]) -> tuple[np.ndarray, tuple[str, ...]]:
    examples = tuple(act_examples(exercise))
    matrix, owners = _example_matrix(examples)
    if not texts:
        return np.zeros((0, len(owners)), dtype=np.float32), owners
    return model().encode(list(texts)) @ matrix.T, owners


def preload(exercise: WrittenReplyExercise) -> None:
    """Load the model and embed the exercise's examples now (before a grader forks its workers, which then
    share the model's weights instead of each loading its own)."""
    model()
    _similarities(exercise, [])


def _criterion_cue(criterion: Criterion, sentence: str, masked: str, negation: Negation) -> bool | None:
    """True: the criterion's cue is in the sentence; None: it is there but negated ("I am not sorry")."""
    if criterion.unless and any_match(criterion.unless, sentence):
        return None
    negated = False
    for pattern in criterion.patterns:
        for match in compiled(pattern).finditer(sentence):
            if not negation.negates(masked, *match.span()):
                return True
            negated = True
    return None if negated else False


_NEGATIVE_KINDS = ("deflection", "harmful")


def read_reply(exercise: WrittenReplyExercise, text: str) -> list[SentenceReading]:
    """Each sentence of ``text`` with the acts it does."""
    texts = sentences(text)
    negation = Negation(exercise)
    sims, owners = _similarities(exercise, texts)
    negative_ids = {c.id for c in exercise.deflection.cues} | {h.id for h in exercise.harmful}
    cues: dict[str, SentenceCue] = {c.id: c for c in [*exercise.deflection.cues, *exercise.harmful]}
    readings = []
    for index, sentence in enumerate(texts):
        masked = negation.masked(sentence)
        best: dict[str, float] = {}
        for column, act in enumerate(owners):
            best[act] = max(best.get(act, -1.0), float(sims[index, column]))
        ranked = sorted(best.items(), key=lambda item: item[1], reverse=True)
        top = ranked[0][1] if ranked else 0.0
        acts = {}
        if ranked and ranked[0][0] != PLAIN and top >= MEANING_THRESHOLD:
            acts[ranked[0][0]] = top
            # A second act close behind counts too when it is a good act (sorry and I understand, at once).
            if len(ranked) > 1 and ranked[1][0] not in (PLAIN, *negative_ids) and ranked[1][1] >= top - MARGIN / 3:
                acts[ranked[1][0]] = ranked[1][1]
        # A cue's ``unless`` (retelling what happened to her, "until it is done", "you are right to be angry")
        # rules out its act by meaning too, not only by pattern: close in meaning is not the same act.
        for act_id in [a for a in acts if a in cues and any_match(cues[a].unless, sentence)]:
            del acts[act_id]
        # Negative acts by cue (the patterns were written for exactly these phrasings).
        cue_text = negation.masked(unquoted(sentence))  # the same for every cue
        for act_id, cue in cues.items():
            if cue_in(cue, sentence, negation, cue_text):
                acts[act_id] = 1.0
        negative = tuple(sorted(a for a in acts if a in negative_ids))
        listed = is_word_list(exercise, sentence)
        if listed:
            acts = {a: v for a, v in acts.items() if a in negative_ids}
        else:
            # Whether a negative act by meaning is sure enough to cancel these is the judge's call.
            for criterion in exercise.criteria:
                found = _criterion_cue(criterion, sentence, masked, negation)
                if found:
                    acts[criterion.id] = 1.0
                elif found is None:
                    acts.pop(criterion.id, None)  # said the other way round: close in meaning is not enough
        readings.append(SentenceReading(sentence, acts, top, listed, negative))
    return readings
