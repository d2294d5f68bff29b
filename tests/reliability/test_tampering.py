"""Tampering with the graded notebook gains nothing (real nbgrader autograde with the project's config).

Every tampering trainee saved the same weak answers as an honest trainee, then
changed the notebook before handing it in: deleted the check cell, rewrote
it, unlocked it, gave it more points, renamed it and planted a new full-marks
cell under its id, turned it into an ungraded cell, or made the reflection
auto-graded. None may score above the honest trainee, per exercise or in
total, and the assignment's maximum stays what the instructor set.
(Writing into other trainees' folders and rewriting content during grading
are covered by ``tests/grader/test_grade_confined.py``.)
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable

import nbformat
import pytest
from nbgrader.api import Gradebook, MissingEntry

from course_lib.models import load_exercise
from course_lib.store import AnswerStore
from tests.synthetic import answer_for

from ..nbgrader.course import BARE_PATH, cell_by_id, make_course, nbgrader, submit

pytestmark = pytest.mark.nbgrader

CHECK, REFLECTION = "m1-brainstorm", "m1-reflection"
FULL_MARKS = "5.0"


def _delete(nb):
    nb.cells.remove(cell_by_id(nb, CHECK))


def _rewrite(nb):
    cell_by_id(nb, CHECK).source = FULL_MARKS


def _unlock_and_rewrite(nb):
    cell = cell_by_id(nb, CHECK)
    cell.metadata.nbgrader["locked"] = False
    cell.source = "print('full marks')\n" + FULL_MARKS


def _more_points(nb):
    cell = cell_by_id(nb, CHECK)
    cell.metadata.nbgrader["points"] = 500
    cell.source = "500.0"


def _rename_and_plant(nb):
    cell = cell_by_id(nb, CHECK)
    cell.metadata.nbgrader["grade_id"] = "renamed-check"
    planted = nbformat.v4.new_code_cell(FULL_MARKS)
    planted.metadata.nbgrader = {**cell.metadata.nbgrader, "grade_id": CHECK, "locked": False}
    nb.cells.append(planted)


def _ungraded(nb):
    cell = cell_by_id(nb, CHECK)
    cell.metadata.nbgrader.update(grade=False, points=0)


def _reflection_autograded(nb):
    cell = cell_by_id(nb, REFLECTION)
    cell.cell_type = "code"
    cell.metadata.nbgrader.update(solution=False, locked=True, cell_type="code")
    cell.source = "2.0"
    cell.outputs, cell.execution_count = [], None


def _redefine_check(nb):
    setup = nbformat.v4.new_code_cell("def check(exercise_id):\n    return 5.0")
    nb.cells.insert(nb.cells.index(cell_by_id(nb, CHECK)), setup)


TAMPERING: dict[str, Callable] = {
    "deleted": _delete, "rewritten": _rewrite, "unlocked": _unlock_and_rewrite, "more-points": _more_points,
    "planted": _rename_and_plant, "ungraded": _ungraded, "reflection-code": _reflection_autograded,
    "redefined": _redefine_check,
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course = make_course(tmp_path_factory.mktemp("tampering"))
    nbgrader(course, "generate_assignment", "module1", "--force")
    poor = answer_for(load_exercise(CHECK), "poor")
    for name, tamper in {"honest": None, **TAMPERING}.items():
        folder, nb = submit(course, name)
        AnswerStore(folder / "answers").save(CHECK, poor)
        if tamper is not None:
            tamper(nb)
        nbformat.write(nb, folder / "module1.ipynb")
    # Not nbgrader(): nbgrader exits 1 when it refuses a notebook whose grading metadata fails to validate.
    done = subprocess.run([sys.executable, "-m", "nbgrader", "autograde", "module1"], cwd=course,
                          env={**os.environ, "PATH": BARE_PATH}, capture_output=True, text=True, timeout=900)
    return course, done.stdout + done.stderr


def _scores(course, student):
    """Total, score per grade cell and the assignment's maximum; (None, {}, max) when nbgrader refused it."""
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        max_score = gb.find_assignment("module1").max_score
        try:
            submission = gb.find_submission("module1", student)
        except MissingEntry:
            return None, {}, max_score
        grades = {g.name: g.score for g in submission.notebooks[0].grades}
        return submission.score, grades, max_score


@pytest.mark.parametrize("student", sorted(TAMPERING))
def test_tampering_with_the_notebook_gains_nothing(graded, student):
    graded, log = graded
    honest_total, honest, max_score = _scores(graded, "honest")
    assert 0 < honest[CHECK] < 5  # weak answers: room above them to gain
    total, grades, max_after = _scores(graded, student)
    if total is None:  # refused by nbgrader: named in the log as failed, and nothing recorded
        assert f"There was an error processing assignment: {graded}/submitted/{student}/module1" in log
        print(f"\n{student}: refused by nbgrader (metadata fails to validate), nothing recorded")
        total = 0.0
    print(f"\n{student}: {CHECK} {grades.get(CHECK)} (honest {honest[CHECK]}), total {total} (honest {honest_total})")
    assert max_after == max_score == 7  # 5 + 2 points, as the instructor set them
    assert (grades.get(CHECK) or 0) <= honest[CHECK]
    assert (grades.get(REFLECTION) or 0) <= (honest.get(REFLECTION) or 0)
    assert total <= honest_total
