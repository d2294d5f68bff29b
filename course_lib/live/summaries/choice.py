"""Knowledge check on the board: how often each option of each question was picked."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from ...models.choice import ChoiceExercise
from ..entries import ClassEntries
from . import took_part

__all__ = ["ChoiceSummary", "OptionCount", "QuestionCount", "summarise"]


@dataclass(frozen=True)
class OptionCount:
    option_id: str
    text: str
    correct: bool
    count: int


@dataclass(frozen=True)
class QuestionCount:
    question_id: str
    text: str
    answered: int
    options: tuple[OptionCount, ...]


@dataclass(frozen=True)
class ChoiceSummary:
    exercise: ChoiceExercise
    participants: int
    questions: tuple[QuestionCount, ...]
    notes: tuple[str, ...]


def summarise(exercise: ChoiceExercise, read: ClassEntries, folder: Any = None) -> ChoiceSummary:
    """Per question, how many answered it and how many picked each option."""
    taking_part = [e for e in read.entries if took_part(e)]
    questions = []
    for question in exercise.questions:
        picked: Counter[str] = Counter()
        answered = 0
        for entry in taking_part:
            chosen = entry.answer.get(question.id) or []
            answered += bool(chosen)
            picked.update(set(chosen))
        options = tuple(OptionCount(o.id, o.text, o.correct, picked[o.id]) for o in question.options)
        questions.append(QuestionCount(question.id, question.text, answered, options))
    return ChoiceSummary(exercise, len(taking_part), tuple(questions), read.notes)
