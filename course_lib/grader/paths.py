"""Which assignments ``course grade`` can grade without running a kernel.

An assignment is graded kernel-free when every auto-graded cell of every one
of its notebooks (a graded *code* cell, as the gradebook recorded it from the
source notebook in solutions/ at ``generate_assignment``) is a widget check
cell: its ``grade_id`` names a course exercise, so ``TrustedWidgetScores``
throws away whatever the kernel printed there and scores the saved answers
file in the grader's own process. Running the notebook then changes no
score, only the outputs of cells nobody grades. The submission is never
consulted for this decision: a trainee cannot choose the path.

Kernel-free grading is nbgrader's own ``Autograde`` with its public
``autograde_preprocessors`` list minus the execute step; every other step
(the sanitizing that restores locked cells from the gradebook, checksums,
``TrustedWidgetScores``, ``SaveAutoGrades``, late penalties, the copy in
autograded/, feedback) is the same code on both paths.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from nbconvert.preprocessors import ExecutePreprocessor
from nbgrader.api import Gradebook
from traitlets.utils.importstring import import_item

from ..models import exercise_ids
from ..nbgrader_cells import names_exercise

__all__ = ["GradingPath", "choose_paths", "without_execution"]


@dataclass(frozen=True)
class GradingPath:
    """How one assignment is graded, and why (said in the summary)."""

    assignment: str
    kernel_free: bool
    reason: str

    def text(self) -> str:
        how = "graded without a kernel" if self.kernel_free else "executed in a kernel"
        return f"{self.assignment}: {how} ({self.reason})"


def _path_for(gb: Gradebook, assignment: str) -> GradingPath:
    others = []
    checks = 0
    known = exercise_ids()  # the same test as TrustedWidgetScores, which scores these cells
    for notebook in gb.find_assignment(assignment).notebooks:
        for cell in notebook.grade_cells:
            if cell.cell_type != "code":
                continue  # a graded Markdown answer is marked by hand on either path
            if not names_exercise(cell.name, known):
                others.append(f"{notebook.name}/{cell.name}")
            else:
                checks += 1
    if others:
        return GradingPath(assignment, False, "auto-graded code that is not a widget check: " + ", ".join(others))
    return GradingPath(assignment, True, f"all {checks} auto-graded cell(s) are widget checks, "
                       "scored from the answers files")


def choose_paths(db_url: str, course_id: str, assignments: Iterable[str], execute: bool = False
                 ) -> dict[str, GradingPath]:
    """Each assignment's path, from the gradebook's record of its source notebooks (``execute`` forces kernels)."""
    if execute:
        return {a: GradingPath(a, False, "--execute") for a in assignments}
    gb = Gradebook(db_url, course_id)
    try:
        return {a: _path_for(gb, a) for a in assignments}
    finally:
        gb.close()
        gb.engine.dispose()  # no open SQLite connection may cross a fork


def without_execution(steps: Sequence) -> list:
    """The autograde steps with every notebook-executing step (Execute, ConfinedExecute) left out."""
    loaded = [import_item(step) if isinstance(step, str) else step for step in steps]
    return [step for step in loaded if not (isinstance(step, type) and issubclass(step, ExecutePreprocessor))]
