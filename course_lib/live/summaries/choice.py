"""Knowledge check on the board: how often each option of each question was picked."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from ...models.choice import ChoiceExercise
from ..entries import ClassEntries
from . import took_part

__all__ = ["ChoiceSummary", "OptionCount", "QuestionCount", "derive", "summarise"]


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


def derive(exercise: ChoiceExercise, answer: dict[str, list[str]]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The options picked per question, in content order (computed once per answer file version)."""
    return tuple((q.id, tuple(sorted(set(answer.get(q.id) or [])))) for q in exercise.questions)


def summarise(exercise: ChoiceExercise, read: ClassEntries, folder: Any = None) -> ChoiceSummary:
    """Per question, how many answered it and how many picked each option."""
    taking_part = [e for e in read.entries if took_part(e)]
    # Trainees often give the same answers: count each distinct set of answers once, then add them up.
    answered: Counter[str] = Counter()
    picked: Counter[tuple[str, str]] = Counter()
    for pattern, trainees in Counter(e.derived for e in taking_part).items():
        for question_id, chosen in pattern:
            if chosen:
                answered[question_id] += trainees
            for option_id in chosen:
                picked[question_id, option_id] += trainees
    questions = tuple(
        QuestionCount(question.id, question.text, answered[question.id], tuple(
            OptionCount(o.id, o.text, o.correct, picked[question.id, o.id]) for o in question.options
        ))
        for question in exercise.questions
    )
    return ChoiceSummary(exercise, len(taking_part), questions, read.notes)
