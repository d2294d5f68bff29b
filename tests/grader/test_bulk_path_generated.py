"""The bulk path against nbgrader's own steps on cohorts hypothesis makes up (issue 21).

``test_bulk_path.py`` compares the two on a cohort chosen by hand. Here hypothesis draws the cohorts: each
trainee's answers (good, poor, empty, hostile, or a JSON value of any shape in an answers file, or a
corrupt file), what they typed in the reflection, the ways they damaged the notebook (a check cell deleted,
a locked cell edited, a check cell retagged, an extra cell) and whether they were late. Each cohort is graded
by the real ``course grade`` both ways; the gradebooks, autograded notebooks and feedback pages must agree.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import nbformat
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from nbgrader.api import Gradebook

from course_lib.models import PACKAGED_CONTENT

from ..nbgrader.course import cell_by_id, make_course, nbgrader, submit_synthetic
from .confined import course_cli, open_course
from .test_bulk_path import DUE, LATE, _everything
from .test_grade_kernel_free import ASSIGNMENT, CHECKS, EXTRA_CELL

pytestmark = pytest.mark.nbgrader

DAMAGE = ("delete-check", "edit-locked", "retag-check", "extra-cell")
ANSWER_FILE = ("as-saved", "any-json", "corrupt")
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10, 10) | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=6)
trainees = st.fixed_dictionaries({
    "quality": st.sampled_from(["good", "poor", "empty", "hostile"]),
    "written": st.none() | st.text(max_size=80),
    "damage": st.sets(st.sampled_from(DAMAGE), max_size=2),
    "answer_file": st.sampled_from(ANSWER_FILE),
    "any_json": json_values,
    "late": st.booleans(),
})


@pytest.fixture(scope="module")
def released():
    """A course with module2 released and a due date; each example grades copies of it."""
    for top in open_course():
        (top / "base").mkdir()
        base = make_course(top / "base")
        nbgrader(base, "generate_assignment", ASSIGNMENT, "--force")
        with Gradebook(f"sqlite:///{base / 'gradebook.db'}", "customer-service") as gb:
            gb.update_or_create_assignment(ASSIGNMENT, duedate=DUE)
        content = top / "content"
        shutil.copytree(PACKAGED_CONTENT, content)
        yield base, {"COURSE_CONTENT_PATH": str(content)}


def _damage(nb: nbformat.NotebookNode, damage: set[str]) -> None:
    if "delete-check" in damage:
        nb.cells.remove(cell_by_id(nb, CHECKS[0]))
    if "edit-locked" in damage:
        cell_by_id(nb, "m2-setup").source = "check = lambda *a: 5.0"
    if "retag-check" in damage:
        cell_by_id(nb, CHECKS[1]).metadata["nbgrader"].update(grade_id="my-own-id", points=50)
    if "extra-cell" in damage:
        nb.cells.insert(len(nb.cells) - 1, nbformat.v4.new_code_cell(EXTRA_CELL))


def _submit(course: Path, name: str, trainee: dict) -> None:
    folder = submit_synthetic(course, name, ASSIGNMENT, trainee["quality"], written=trainee["written"])
    answer = folder / "answers" / f"{CHECKS[1]}.json"
    if trainee["answer_file"] != "as-saved":
        answer.parent.mkdir(exist_ok=True)  # an "empty" trainee saved nothing: no answers folder yet
    if trainee["answer_file"] == "any-json":
        answer.unlink(missing_ok=True)  # may be a link to a shared file: replace, never write through it
        answer.write_text(json.dumps({"format": 1, "answer": trainee["any_json"]}), encoding="utf-8")
    elif trainee["answer_file"] == "corrupt":
        answer.unlink(missing_ok=True)
        answer.write_text('{"format": 1, "answer": {', encoding="utf-8")
    path = folder / f"{ASSIGNMENT}.ipynb"
    nb = nbformat.read(path, as_version=4)
    _damage(nb, trainee["damage"])
    nbformat.write(nb, path)
    stamp = "2026-03-02 09:30:00.000000 UTC" if trainee["late"] else "2026-02-28 09:30:00.000000 UTC"
    (folder / "timestamp.txt").write_text(stamp, encoding="utf-8")


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cohort=st.lists(trainees, min_size=2, max_size=4))
@example(cohort=[  # always tried: a trainee who saved nothing but whose file appears, and a corrupt file
    {"quality": "empty", "written": None, "damage": set(), "answer_file": "any-json", "any_json": [1], "late": True},
    {"quality": "good", "written": "<b>mine</b>", "damage": {"delete-check", "extra-cell"},
     "answer_file": "corrupt", "any_json": None, "late": False},
])
def test_made_up_cohorts_leave_what_nbgraders_steps_leave(released, cohort):
    base, env = released
    with tempfile.TemporaryDirectory(dir=base.parent) as work:
        top = Path(work)
        top.chmod(0o755)
        course = top / "course"
        shutil.copytree(base, course, symlinks=True)
        for number, trainee in enumerate(cohort):
            _submit(course, f"t{number}", trainee)
        steps, bulk = top / "steps", top / "bulk"
        shutil.copytree(course, steps, symlinks=True)
        shutil.copytree(course, bulk, symlinks=True)
        ran = {"steps": course_cli(steps, "grade", ASSIGNMENT, "--nbgrader-steps", *LATE, env=env),
               "bulk": course_cli(bulk, "grade", ASSIGNMENT, *LATE, env=env)}
        for name, done in ran.items():
            assert "Traceback" not in done.stderr, (name, done.stderr[-2000:])
        expected, found = _everything(steps), _everything(bulk)
        assert expected["rows"]["grade"], "nothing was graded"
        assert found["rows"] == expected["rows"]
        assert found["notebooks"] == expected["notebooks"]
        assert found["pages"] == expected["pages"]
