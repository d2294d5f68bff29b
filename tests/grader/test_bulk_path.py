"""The bulk path leaves exactly what nbgrader's own steps leave (issue 21).

One synthetic cohort of module2 and module5 (good, poor, empty, hostile and corrupt answers; check cells
deleted, edited and retagged; extra cells; a written reply the scorer sends to the trainer; late
submissions with a penalty) is graded twice by the real ``course grade``: with ``--nbgrader-steps`` and
with the bulk path (the default). Every row of the gradebook's student, submitted_assignment,
submitted_notebook, grade and comment tables (ids aside), every autograded notebook and every feedback
page must be the same. Then an instructor gives a hand grade in both, both regrade with ``--force``, and
they must still agree: the hand grade kept and the cell still waiting for review where it should.
"""

from __future__ import annotations

import difflib
import json
import re
import shutil
import sqlite3
from functools import partial
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

from course_lib.models import PACKAGED_CONTENT

from ..nbgrader.course import make_course, nbgrader, submit_synthetic
from .confined import course_cli, open_course
from .test_grade_kernel_free import _cohort

pytestmark = pytest.mark.nbgrader

ASSIGNMENTS = ("module2", "module5")
# The penalty nbgrader's own plugin gives a late notebook: all of its score (penalty_method "zero").
LATE = ["--LateSubmissionPlugin.penalty_method=zero"]
DUE = "2026-03-01 12:00:00 UTC"
# A reply in another language: the scorer sends it to the trainer (needs manual grade, no automatic score).
REVIEW_REPLY = ("Estimada señora Alvarez: lamento mucho la espera y las llamadas. He revisado su devolución hoy "
                "mismo. El reembolso llegará a su tarjeta el jueves. La llamaré el viernes para confirmarlo.")


def _late(course: Path, student: str, assignment: str, stamp: str) -> None:
    folder = submit_synthetic(course, student, assignment, "good")
    (folder / "timestamp.txt").write_text(stamp, encoding="utf-8")


def _module5(course: Path) -> None:
    for quality in ("good", "poor", "empty"):
        submit_synthetic(course, f"m5-{quality}", "module5", quality)
    folder = submit_synthetic(course, "m5-review", "module5", "good")
    answer = folder / "answers" / "m5-recovery-reply.json"
    data = json.loads(answer.read_text(encoding="utf-8"))
    data["answer"] = {"text": REVIEW_REPLY}
    answer.write_text(json.dumps(data), encoding="utf-8")


@pytest.fixture(scope="module")
def graded():
    """Two identical courses, graded with nbgrader's steps and in bulk, then hand-graded and regraded."""
    for top in open_course():
        (top / "base").mkdir()
        base = make_course(top / "base")
        for assignment in ASSIGNMENTS:
            nbgrader(base, "generate_assignment", assignment, "--force")
        with Gradebook(f"sqlite:///{base / 'gradebook.db'}", "customer-service") as gb:
            gb.update_or_create_assignment("module2", duedate=DUE)
        _cohort(base)
        _module5(base)
        _late(base, "late-one", "module2", "2026-03-02 09:30:00.000000 UTC")
        _late(base, "on-time", "module2", "2026-02-28 09:30:00.000000 UTC")
        steps, bulk = top / "steps", top / "bulk"
        shutil.copytree(base, steps, symlinks=True)
        shutil.copytree(base, bulk, symlinks=True)
        content = top / "content"
        shutil.copytree(PACKAGED_CONTENT, content)
        env = {"COURSE_CONTENT_PATH": str(content)}
        first = {
            "steps": course_cli(steps, "grade", *ASSIGNMENTS, "--nbgrader-steps", *LATE, env=env),
            "bulk": course_cli(bulk, "grade", *ASSIGNMENTS, *LATE, env=env),
        }
        snapshots = {"first": {name: _everything(course) for name, course in (("steps", steps), ("bulk", bulk))}}
        for course in (steps, bulk):
            _hand_grade(course)
        again = {
            "steps": course_cli(steps, "grade", *ASSIGNMENTS, "--force", "--nbgrader-steps", *LATE, env=env),
            "bulk": course_cli(bulk, "grade", *ASSIGNMENTS, "--force", *LATE, env=env),
        }
        snapshots["regraded"] = {name: _everything(course) for name, course in (("steps", steps), ("bulk", bulk))}
        yield {"first": first, "again": again, "snapshots": snapshots}


def _hand_grade(course: Path) -> None:
    """An instructor marks the good trainee's reflection and overrides one widget score."""
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "customer-service") as gb:
        for cell, score in (("m2-reflection", 1.5), ("m2-chain-check", 0.5)):
            grade = gb.find_grade(cell, "module2", "module2", "good")
            grade.manual_score = score
            grade.needs_manual_grade = False
        gb.db.commit()


def _rows(course: Path) -> dict[str, list[tuple]]:
    """The gradebook's submission tables, every column but the ids, keyed by names instead of ids."""
    db = sqlite3.connect(course / "gradebook.db")
    try:
        return {
            "student": sorted(db.execute("SELECT id, first_name, last_name, email, lms_user_id FROM student")),
            "submitted_assignment": sorted(db.execute(
                "SELECT a.name, s.student_id, s.timestamp, s.extension FROM submitted_assignment s "
                "JOIN assignment a ON a.id = s.assignment_id")),
            "submitted_notebook": sorted(db.execute(
                "SELECT a.name, s.student_id, n.name, sn.flagged, sn.late_submission_penalty "
                "FROM submitted_notebook sn JOIN submitted_assignment s ON s.id = sn.assignment_id "
                "JOIN assignment a ON a.id = s.assignment_id JOIN notebook n ON n.id = sn.notebook_id")),
            "grade": sorted(db.execute(
                "SELECT a.name, s.student_id, n.name, c.name, g.auto_score, g.manual_score, g.extra_credit, "
                "g.needs_manual_grade FROM grade g JOIN submitted_notebook sn ON sn.id = g.notebook_id "
                "JOIN submitted_assignment s ON s.id = sn.assignment_id JOIN assignment a ON a.id = s.assignment_id "
                "JOIN notebook n ON n.id = sn.notebook_id "
                "JOIN base_cell c ON c.id = g.cell_id"),
                key=repr),
            "comment": sorted(db.execute(
                "SELECT a.name, s.student_id, n.name, c.name, m.auto_comment, m.manual_comment FROM comment m "
                "JOIN submitted_notebook sn ON sn.id = m.notebook_id "
                "JOIN submitted_assignment s ON s.id = sn.assignment_id JOIN assignment a ON a.id = s.assignment_id "
                "JOIN notebook n ON n.id = sn.notebook_id "
                "JOIN base_cell c ON c.id = m.cell_id"), key=repr),
        }
    finally:
        db.close()


def _neutral(path: Path, course: Path) -> str:
    """The file's text without what differs between two runs anyway: the course folder, and the time in the
    name a corrupt answers file was set aside under."""
    text = path.read_text(encoding="utf-8").replace(str(course), "<course>")
    return re.sub(r"\.corrupt-\d{8}-\d{6}", ".corrupt-<time>", text)


def _restored_id(released: set[str], match: re.Match) -> str:
    """A cell id in a feedback page, or a placeholder for a restored cell's new random id."""
    return match.group(0) if match.group(1) in released else 'id="cell-id=<restored>"'


def _everything(course: Path) -> dict:
    """Rows, autograded notebooks (as nbformat reads them) and feedback pages, course paths made neutral."""
    notebooks, pages = {}, {}
    for path in sorted((course / "autograded").glob("*/*/*.ipynb")):
        nb = nbformat.reads(_neutral(path, course), as_version=4)
        released = nbformat.read(course / "exercises" / path.parent.name / path.name, as_version=4)
        ids = {cell.id for cell in released.cells}
        for cell in nb.cells:  # a cell put back where the trainee deleted it gets a new random id, on either path
            cell.id = cell.id if cell.id in ids else "<restored>"
        notebooks[str(path.relative_to(course))] = nb
    for path in sorted((course / "feedback").glob("*/*/*.html")):
        released = nbformat.read(course / "exercises" / path.parent.name / f"{path.stem}.ipynb", as_version=4)
        pages[str(path.relative_to(course))] = re.sub(
            r'id="cell-id=([0-9a-f-]+)"', partial(_restored_id, {cell.id for cell in released.cells}),
            _neutral(path, course))
    return {"rows": _rows(course), "notebooks": notebooks, "pages": pages}


def test_both_runs_grade_every_submission(graded):
    for when in ("first", "again"):
        for ran in graded[when].values():
            assert "Traceback" not in ran.stderr, ran.stderr
            assert "Graded " in ran.stdout, ran.stdout
    assert "written in bulk" in graded["first"]["bulk"].stdout
    assert "nbgrader's own steps (--nbgrader-steps)" in graded["first"]["steps"].stdout


@pytest.mark.parametrize("when", ["first", "regraded"])
@pytest.mark.parametrize("table", ["student", "submitted_assignment", "submitted_notebook", "grade", "comment"])
def test_the_gradebook_rows_are_identical(graded, when, table):
    steps, bulk = (graded["snapshots"][when][name]["rows"][table] for name in ("steps", "bulk"))
    assert steps, f"no {table} rows: the cohort was not graded"
    assert bulk == steps


@pytest.mark.parametrize("when", ["first", "regraded"])
def test_the_autograded_notebooks_and_feedback_pages_are_identical(graded, when):
    steps, bulk = graded["snapshots"][when]["steps"], graded["snapshots"][when]["bulk"]
    assert steps["notebooks"] and steps["pages"]
    assert bulk["notebooks"].keys() == steps["notebooks"].keys()
    for name, nb in steps["notebooks"].items():
        assert bulk["notebooks"][name] == nb, _diff(nbformat.writes(nb), nbformat.writes(bulk["notebooks"][name]))
    assert bulk["pages"].keys() == steps["pages"].keys()
    for name, page in steps["pages"].items():
        assert bulk["pages"][name] == page, _diff(page, bulk["pages"][name])


def _diff(expected: str, found: str) -> str:
    return "\n".join(difflib.unified_diff(expected.splitlines(), found.splitlines(), "nbgrader's steps", "bulk",
                                           lineterm="", n=2))


def test_the_cohort_covers_what_the_bulk_path_must_get_right(graded):
    """The comparison above means something only if these cases are really in the gradebook."""
    rows = graded["snapshots"]["regraded"]["bulk"]["rows"]
    penalties = {(a, s): p for a, s, _n, _f, p in rows["submitted_notebook"]}
    assert penalties[("module2", "late-one")] > 0  # late: nbgrader's plugin took the score
    assert penalties[("module2", "on-time")] is None
    grades = {(s, c): (auto, manual, needs) for _a, s, _n, c, auto, manual, _x, needs in rows["grade"]}
    assert grades[("m5-review", "m5-recovery-reply")][0] is None  # sent to the trainer
    assert grades[("m5-review", "m5-recovery-reply")][2] == 1
    assert grades[("good", "m2-chain-check")][1] == 0.5  # the hand grade survived the regrade
    assert grades[("good", "m2-chain-check")][2] == 1  # and, as nbgrader does, asks for a look again
    comments = {(s, c): auto for _a, s, _n, c, auto, _m in rows["comment"]}
    assert comments[("m5-empty", "m5-reflection")] == "No response."  # left as released
