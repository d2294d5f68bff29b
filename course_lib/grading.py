"""Grade an exercise from its saved answers: shared by the self-check and nbgrader.

Pure Python (no widgets, no matplotlib) so the grader stays fast.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from types import ModuleType
from typing import Any

from .models import ExerciseBase, load_exercise
from .scoring import Result
from .store import DEFAULT_ANSWERS_DIR, AnswerStore, CorruptAnswersError, SavedAnswer
from .types import exercise_type

__all__ = [
    "MAX_LINE_CHARS", "MAX_SHOWN_CHARS", "PRACTICE_LINE", "Graded", "grade_saved", "grade_unread", "parser_for",
    "scorer_for", "shorten",
]

# Feedback shows what a trainee saved; these caps keep a page readable (and
# small) whatever a file holds. The parsers' limits normally keep answers far
# below them.
MAX_LINE_CHARS = 5000
# Said instead of a score in a lesson, where nothing is graded.
PRACTICE_LINE = "Practice activity: not graded."
MAX_SHOWN_CHARS = 60_000


def scorer_for(exercise: ExerciseBase) -> ModuleType:
    """The scoring module of the exercise's type (see :mod:`course_lib.types`).

    It provides ``parse_answer(raw, exercise)`` and ``score(exercise, answer)``.
    """
    return exercise_type(exercise.type).load_scoring()


def parser_for(exercise: ExerciseBase) -> Callable[[Any], Any]:
    """``parse_answer`` of the exercise's type, bound to the exercise so its own limits apply."""
    return partial(scorer_for(exercise).parse_answer, exercise=exercise)


def shorten(lines: list[str], max_line: int = MAX_LINE_CHARS, max_total: int = MAX_SHOWN_CHARS) -> list[str]:
    """``lines`` with each cut to ``max_line`` characters and all to about ``max_total``, saying what was cut."""
    shown, total = [], 0
    for index, line in enumerate(lines):
        if len(line) > max_line:
            line = f"{line[:max_line]}… [shortened: {len(line) - max_line} more characters not shown]"
        if total + len(line) > max_total:
            shown.append(f"[shortened: {len(lines) - index} more lines not shown]")
            break
        shown.append(line)
        total += len(line) + 1
    return shown


@dataclass(frozen=True)
class Graded:
    """An exercise graded from its answers file."""

    exercise: ExerciseBase
    result: Result
    saved: SavedAnswer | None
    problem: str | None = None
    # A lesson's practice activity: its feedback has no score line (lessons are not graded).
    practice: bool = False

    @property
    def score(self) -> float:
        """The score on the exercise's own cell points."""
        return self.result.scaled(self.exercise.points)

    def report(self, *, cell_points: float | None = None, heading: str = "") -> str:
        """Plain-text feedback: what was saved, what counted, the score."""
        points = self.exercise.points if cell_points is None else cell_points
        when = (
            f"saved {self.saved.saved_at.astimezone():%Y-%m-%d %H:%M}" if self.saved else "nothing saved yet"
        )
        lines = [heading or f"{self.exercise.title} — {when}"]
        if self.problem:
            lines.append(self.problem)
        lines = shorten([*lines, *self.result.answer_lines, "", *self.result.feedback]) + [""]
        lines.append(PRACTICE_LINE if self.practice else self.score_line(points))
        return "\n".join(lines)

    def score_line(self, points: float) -> str:
        """``Score: 2.5 of 5 points``; the rubric points only when they explain a partial score on another scale."""
        scaled = self.result.scaled(points)
        if self.result.review:
            return (f"Score: to be marked by your trainer (the automatic suggestion, {scaled:g} of {points:g} "
                    "points, does not count)")
        line = f"Score: {scaled:g} of {points:g} points"
        rubric = self.result.points, self.result.max_points
        if 0 < scaled < points and rubric[1] != points and rubric[1] > 1 and float(rubric[0]).is_integer():
            line += f" ({rubric[0]:g} of {rubric[1]:g} rubric points)"
        return line


def grade_saved(
    exercise_id: str, answers_dir: Path | str = DEFAULT_ANSWERS_DIR, *, quarantine: bool = True
) -> Graded:
    """Load the answer of ``exercise_id`` from ``answers_dir`` and score it.

    A missing answer scores 0; a corrupt one scores 0 with the reason in
    ``problem`` (and, with ``quarantine``, the file is moved aside).
    """
    exercise = load_exercise(exercise_id)
    parse, score = parser_for(exercise), scorer_for(exercise).score
    store = AnswerStore(answers_dir)
    problem = None
    try:
        saved = store.load(exercise_id, parse=parse, quarantine=quarantine)
    except CorruptAnswersError as exc:
        saved, problem = None, str(exc)
    if saved is None and problem is None and (kept := store.quarantined(exercise_id)):
        names = ", ".join(p.name for p in kept)
        problem = f"An earlier answers file could not be read and was kept aside as {names}."
    answer = saved.answer if saved else parse(None)
    return Graded(exercise, score(exercise, answer), saved, problem)


def grade_unread(exercise_id: str, reason: str) -> Graded:
    """``exercise_id`` graded as if nothing were saved (0), with ``reason`` saying why nothing was read."""
    exercise = load_exercise(exercise_id)
    return Graded(exercise, scorer_for(exercise).score(exercise, parser_for(exercise)(None)), None, reason)
