"""The trainee's one obvious call to check their work: ``check("m1-brainstorm")``."""

from __future__ import annotations

from pathlib import Path

from .grading import grade_saved
from .store import DEFAULT_ANSWERS_DIR

__all__ = ["check"]


def check(exercise_id: str, answers_dir: Path | str = DEFAULT_ANSWERS_DIR) -> float:
    """Print feedback on the saved answers and return the score as a bare float.

    Ending a test cell with this call gives nbgrader its partial credit. Nothing
    is written to stderr (nbgrader scores a cell with stderr output as 0).
    """
    graded = grade_saved(exercise_id, answers_dir)
    print(graded.report())
    return graded.score
