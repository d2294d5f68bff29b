"""Scoring of knowledge checks (single and multiple choice).

Rule: each question is worth one raw point. A single-choice question scores 1
when the one option picked is the right one, else 0. A multiple-choice question
gives partial credit: (right options picked - wrong options picked) divided by
the number of right options, never below 0, so ticking every box earns nothing.
An option id the question does not have is not a valid answer: it counts as a
wrong pick (so "right + unknown" on a single-choice question is two picks: 0).
Feedback explains every option the trainee picked; options they did not pick
are not revealed, so the check can be retried honestly.
"""

from __future__ import annotations

from typing import Any

from ..models.choice import ChoiceExercise, ChoiceQuestion
from .limits import MAX_IDS, at_most, check_ids
from .result import Result

__all__ = ["parse_answer", "question_points", "score"]


def parse_answer(raw: Any, exercise: ChoiceExercise | None = None) -> dict[str, list[str]]:
    """``{question_id: [option_id, ...]}`` (None: nothing saved); anything else is corrupt.

    No more questions than the exercise has, no more picks than a question has
    options, and ids no longer than an id can be.
    """
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ValueError("a knowledge-check answer must map question ids to lists of option ids")
    questions = {q.id: q for q in exercise.questions} if exercise else {}
    at_most(raw, len(questions) if exercise else MAX_IDS, "answered questions")
    check_ids(raw, "question id")
    answer: dict[str, list[str]] = {}
    for question_id, picked in raw.items():
        if not isinstance(picked, list) or not all(isinstance(option, str) for option in picked):
            raise ValueError(f"the answer to question {question_id!r} must be a list of option ids")
        question = questions.get(question_id)
        at_most(picked, len(question.options) if question else MAX_IDS, f"options picked for {question_id!r}")
        check_ids(picked, "option id")
        if picked:
            answer[question_id] = list(dict.fromkeys(picked))  # keep order, drop repeats
    return answer


def question_points(question: ChoiceQuestion, picked: list[str]) -> float:
    """0..1 for one question under the rule in the module docstring (an unknown option is a wrong pick)."""
    right = sum(option_id in question.correct_ids for option_id in picked)
    wrong = len(picked) - right
    if not question.multiple:
        return 1.0 if len(picked) == 1 and right == 1 else 0.0
    return max(0.0, (right - wrong) / len(question.correct_ids))


def _question_feedback(number: int, question: ChoiceQuestion, picked: list[str]) -> list[str]:
    if not picked:
        return [f"Question {number}: not answered yet."]
    points = question_points(question, picked)
    if question.multiple:
        found = sum(option_id in question.correct_ids for option_id in picked)
        verdict = (
            f"{points:.2g} of 1 point: you found {found} of the {len(question.correct_ids)} right options"
            + ("." if found == len(question.correct_ids) else "; look again at the others.")
        )
    elif len(picked) > 1:
        verdict = "0 of 1 point: pick only one option for this question."
    else:
        verdict = "right, 1 of 1 point." if points else "not right yet, 0 of 1 point."
    lines = [f"Question {number}: {verdict}"]
    for option_id in picked:
        option = question.option(option_id)
        if option is None:
            lines.append(f"  ? an option this question does not have ({option_id!r}): counted as a wrong pick")
        else:
            lines.append(f"  {'✓' if option.correct else '✗'} {option.text}: {option.feedback}")
    return lines


def _answer_lines(exercise: ChoiceExercise, answer: dict[str, list[str]]) -> tuple[str, ...]:
    if not answer:
        return ("Your answers: none",)
    lines = ["Your answers:"]
    for number, question in enumerate(exercise.questions, start=1):
        picked = answer.get(question.id, [])
        texts = [option.text if (option := question.option(i)) else i for i in picked]
        lines.append(f"  {number}. {question.text}")
        lines.extend([f"     - {text}" for text in texts] or ["     (not answered)"])
    return tuple(lines)


def score(exercise: ChoiceExercise, answer: dict[str, list[str]]) -> Result:
    """Points, maximum and per-question feedback for a knowledge check."""
    total = sum(question_points(q, answer.get(q.id, [])) for q in exercise.questions)
    answered = sum(bool(answer.get(q.id)) for q in exercise.questions)
    # No points total here: a graded notebook adds its own score line, and a lesson's practice has none.
    right = sum(question_points(q, answer.get(q.id, [])) == 1 for q in exercise.questions)
    lines = [f"You answered {answered} of {len(exercise.questions)} questions; {right} fully right."]
    for number, question in enumerate(exercise.questions, start=1):
        lines.extend(_question_feedback(number, question, answer.get(question.id, [])))
    return Result(total, exercise.max_points, tuple(lines), _answer_lines(exercise, answer))
