"""Agreement between the automatic grade of written replies and a trainer's ratings (0-6)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from course_lib.models.written_reply import WrittenReplyExercise
from course_lib.scoring.written_reply import judge

from .rank import spearman

__all__ = ["Agreement", "agreement", "quadratic_weighted_kappa"]


def quadratic_weighted_kappa(a: Sequence[int], b: Sequence[int], levels: int = 7) -> float:
    """Cohen's kappa with quadratic weights for two raters on the scale 0..levels-1."""
    observed = [[0] * levels for _ in range(levels)]
    for x, y in zip(a, b, strict=True):
        observed[x][y] += 1
    rows = [sum(row) for row in observed]
    cols = [sum(observed[i][j] for i in range(levels)) for j in range(levels)]
    n = len(a)
    weight = [[(i - j) ** 2 for j in range(levels)] for i in range(levels)]
    disagreement = sum(weight[i][j] * observed[i][j] for i in range(levels) for j in range(levels))
    expected = sum(weight[i][j] * rows[i] * cols[j] / n for i in range(levels) for j in range(levels))
    return 1.0 - disagreement / expected if expected else 1.0


@dataclass(frozen=True)
class Agreement:
    """On the replies graded automatically (not sent to the trainer): rho, kappa; and the safety checks."""

    count: int
    automatic: int
    rho: float
    kappa: float
    review_share: float
    poor_above_half: list[str]  # rated 0-2, scored above 3 of 6
    excellent_below_two_thirds: list[str]  # rated 6, scored below 4 of 6

    def summary(self) -> str:
        return (f"{self.count} replies, {self.automatic} graded automatically: Spearman rho {self.rho:.3f}, "
                f"quadratic weighted kappa {self.kappa:.3f}, sent to the trainer {self.review_share:.1%}, "
                f"poor above half {self.poor_above_half}, excellent below two thirds "
                f"{self.excellent_below_two_thirds}")


def agreement(exercise: WrittenReplyExercise, replies: Sequence[dict]) -> Agreement:
    judged = [(reply, judge(exercise, reply["text"])) for reply in replies]
    auto = [(reply, j) for reply, j in judged if j.review is None]
    ratings = [round(reply["rating"]) for reply, _j in auto]
    scores = [j.rating for _reply, j in auto]
    return Agreement(
        count=len(replies), automatic=len(auto), rho=spearman(ratings, scores),
        kappa=quadratic_weighted_kappa(ratings, scores), review_share=1 - len(auto) / len(replies),
        poor_above_half=[r["id"] for r, j in auto if r["rating"] <= 2 and j.rating > 3],
        excellent_below_two_thirds=[r["id"] for r, j in auto if r["rating"] >= 6 and j.rating < 4],
    )
