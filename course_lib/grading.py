"""Grade an exercise from its saved answers: shared by the self-check and nbgrader.

Pure Python (no widgets, no matplotlib) so the grader stays fast.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from .models import ExerciseBase, load_exercise
from .scoring import Result
from .store import DEFAULT_ANSWERS_DIR, AnswerStore, CorruptAnswersError, SavedAnswer

__all__ = ["Graded", "grade_saved", "scorer_for"]


def scorer_for(exercise: ExerciseBase) -> ModuleType:
    """``course_lib.scoring.<type>``: it provides ``parse_answer(raw)`` and ``score(exercise, answer)``."""
    return importlib.import_module(f"{__package__}.scoring.{exercise.type}")


@dataclass(frozen=True)
class Graded:
    """An exercise graded from its answers file."""

    exercise: ExerciseBase
    result: Result
    saved: SavedAnswer | None
    problem: str | None = None

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
        lines += [*self.result.answer_lines, "", *self.result.feedback, ""]
        score_line = f"Score: {self.result.scaled(points):g} of {points:g} points"
        if self.result.max_points != points:
            score_line += f" (rubric: {self.result.points:g} of {self.result.max_points:g}, scaled)"
        lines.append(score_line)
        return "\n".join(lines)


def grade_saved(
    exercise_id: str, answers_dir: Path | str = DEFAULT_ANSWERS_DIR, *, quarantine: bool = True
) -> Graded:
    """Load the answer of ``exercise_id`` from ``answers_dir`` and score it.

    A missing answer scores 0; a corrupt one scores 0 with the reason in
    ``problem`` (and, with ``quarantine``, the file is moved aside).
    """
    exercise = load_exercise(exercise_id)
    scorer = scorer_for(exercise)
    parse, score = scorer.parse_answer, scorer.score
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
