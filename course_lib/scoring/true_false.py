"""Scoring of the True/False self-assessment.

It is personal reflection, so there are no right answers: the score is
completion, one raw point per statement answered (True or False alike). Once
every statement is answered the feedback gives the result band for the number
of True answers, with its advice (bands are data in the exercise file), and the
True count per theme. ``band_for`` and ``theme_strengths`` are public: the
facilitators' live board and the chart use them too.
"""

from __future__ import annotations

from typing import Any

from ..models.true_false import Band, TrueFalseExercise
from .limits import MAX_IDS, id_mapping
from .result import Result

__all__ = ["band_for", "parse_answer", "score", "theme_strengths", "true_count"]


def parse_answer(raw: Any, exercise: TrueFalseExercise | None = None) -> dict[str, bool]:
    """``{statement_id: true|false}`` (None: nothing saved); anything else is corrupt.

    No more statements than the exercise has, and ids no longer than an id can be.
    """
    return id_mapping(
        raw,
        bool,
        len(exercise.statements) if exercise else MAX_IDS,
        "a self-assessment answer must map statement ids to true or false",
        "answered statements",
        "statement id",
    )


def _answered(exercise: TrueFalseExercise, answer: dict[str, bool]) -> int:
    return sum(statement.id in answer for statement in exercise.statements)


def true_count(exercise: TrueFalseExercise, answer: dict[str, bool]) -> int:
    """How many of the exercise's statements are answered True (unknown ids are ignored)."""
    return sum(answer.get(statement.id) is True for statement in exercise.statements)


def band_for(exercise: TrueFalseExercise, answer: dict[str, bool]) -> Band:
    """The result band for the number of True answers (unanswered statements count as not True)."""
    count = true_count(exercise, answer)
    # The model guarantees the bands cover 0..len(statements) exactly once.
    return next(band for band in exercise.bands if band.min_true <= count <= band.max_true)


def theme_strengths(exercise: TrueFalseExercise, answer: dict[str, bool]) -> dict[str, tuple[int, int]]:
    """``{theme label: (True answers, statements in the theme)}``, in the exercise's theme order."""
    strengths = {theme.label: [0, 0] for theme in exercise.themes}
    for statement in exercise.statements:
        counts = strengths[exercise.theme_label(statement.theme)]
        counts[0] += answer.get(statement.id) is True
        counts[1] += 1
    return {label: (true, total) for label, (true, total) in strengths.items()}


def score(exercise: TrueFalseExercise, answer: dict[str, bool]) -> Result:
    """Completion points; the band, its advice and per-theme counts once every statement is answered."""
    total = len(exercise.statements)
    answered = _answered(exercise, answer)
    answer_lines = ["Your answers:" if answered else "Your answers: none"]
    answer_lines += [
        f"  {n}. {'True ' if answer[s.id] else 'False'}  {s.text}"
        for n, s in enumerate(exercise.statements, start=1) if s.id in answer
    ]
    lines = [f"You answered {answered} of {total} statements. This reflection is scored on completion: "
             "there are no right or wrong answers, only honest ones."]
    if answered < total:
        missing = [str(n) for n, s in enumerate(exercise.statements, start=1) if s.id not in answer]
        lines.append(f"Still to answer: statement {', '.join(missing)}. Your result appears when all are answered.")
        return Result(float(answered), exercise.max_points, tuple(lines), tuple(answer_lines))
    band = band_for(exercise, answer)
    lines.append(f"You marked {true_count(exercise, answer)} of {total} statements True: {band.label}.")
    lines.append(band.advice)
    lines.append("True answers by theme (your strengths, and where to grow):")
    lines += [f"  {label}: {true} of {count}" for label, (true, count) in theme_strengths(exercise, answer).items()]
    return Result(float(answered), exercise.max_points, tuple(lines), tuple(answer_lines))
