"""The outcome of scoring one exercise, shared by every exercise type."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Result"]


@dataclass(frozen=True)
class Result:
    """Raw rubric points, the rubric maximum, and feedback lines for the trainee."""

    points: float
    max_points: float
    feedback: tuple[str, ...]
    answer_lines: tuple[str, ...] = ()
    # Why a trainer must mark this answer (None: the score stands). The points are then only a suggestion:
    # the grader leaves the cell for manual grading in Formgrader, and the self-check says so.
    review: str | None = None

    def scaled(self, cell_points: float) -> float:
        """Points on the nbgrader cell's scale: a plain float in [0, cell_points].

        nbgrader aborts a whole assignment on a score above the cell's points
        and gives full marks for NaN or negatives, so clamp hard here.
        """
        if self.max_points <= 0 or not cell_points > 0:
            return 0.0
        fraction = self.points / self.max_points
        if not fraction > 0:  # also catches NaN
            return 0.0
        return float(round(min(fraction, 1.0) * cell_points, 2))
