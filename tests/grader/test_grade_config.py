"""``course grade`` refuses a configuration that would let trainees change grades (issue 15.3, 15.4)."""

from __future__ import annotations

import os

import nbformat
import pytest

from course_lib.grader.cohort import grade_cohort
from course_lib.grader.markers import course_inputs, fingerprint, is_marked, mark_graded
from course_lib.grader.nbgrader_adapter import check_nbgrader
from course_lib.grader.summary import GradingRefused
from course_lib.store import AnswerStore
from tests.synthetic import GOOD_BRAINSTORM

from ..nbgrader.course import make_course, submit
from .confined import course_cli, generate, open_course, score

CONFINED = "    ConfinedExecute,\n"


def edited_course(tmp_path, old: str, new: str):
    course = make_course(tmp_path)
    config = course / "nbgrader_config.py"
    text = config.read_text(encoding="utf-8")
    assert old in text
    config.write_text(text.replace(old, new), encoding="utf-8")
    return course


@pytest.mark.parametrize(("old", "new", "reason"), [
    (CONFINED, '    "nbgrader.preprocessors.Execute",\n', "trainees' code would run unconfined"),
    ("    TrustedWidgetScores,\n", "", "TrustedWidgetScores (course_lib.nbgrader_plugins) is missing"),
], ids=["plain-execute", "no-trusted-rescoring"])
def test_an_unsafe_configuration_is_refused(tmp_path, old, new, reason):
    done = course_cli(edited_course(tmp_path, old, new), "grade", "module1")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "refusing to grade" in done.stderr and reason in done.stderr
    assert "Graded" not in done.stdout


def test_a_configuration_that_does_not_load_is_refused_by_grading_itself(tmp_path):
    # The course command stops earlier on its own; grading must refuse even when called directly.
    course = edited_course(tmp_path, "c.Execute.timeout = 120\n", "c.Execute.timeout = 120\nthis is not Python\n")
    with pytest.raises(GradingRefused, match="would run unconfined.*Did nbgrader_config.py fail to load"):
        grade_cohort(course, ["module1"])


def test_the_nbgrader_internals_we_rely_on_are_unchanged():
    check_nbgrader()  # fails naming the internal when an nbgrader upgrade changes it


def test_a_marker_matches_only_the_submission_it_was_made_from(tmp_path):
    submission, graded = tmp_path / "submitted", tmp_path / "autograded"
    graded.mkdir()
    AnswerStore(submission / "answers").save("m1-brainstorm", ["listen"])
    before = fingerprint(submission)
    mark_graded(graded, submission)
    assert is_marked(graded, submission)
    AnswerStore(submission / "answers").save("m1-brainstorm", ["listen well"])
    assert fingerprint(submission) != before and not is_marked(graded, submission)
    (submission / "link").symlink_to("/etc/passwd")
    assert "root:x" not in fingerprint(submission)  # links are named, never read


def test_copy_mode_says_plainly_that_code_ran_as_the_instructor():
    for course in open_course():
        generate(course)
        folder, nb = submit(course, "ann")
        AnswerStore(folder / "answers").save("m1-brainstorm", GOOD_BRAINSTORM)
        nb.cells.insert(1, nbformat.v4.new_code_cell("open('left-behind.txt', 'w').write('x')"))
        nbformat.write(nb, folder / "module1.ipynb")
        done = course_cli(course, "grade", "module1", "--execute", "--ConfinedExecute.confine=copy")
        assert done.returncode == 0, done.stdout + done.stderr
        assert "WARNING: trainees' code ran as your own user" in done.stdout
        assert "Grade untrusted cohorts on the server as root" in done.stdout
        assert score(course, "ann") == 5.0
        assert not (course / "autograded" / "ann" / "module1" / "left-behind.txt").exists()  # a throw-away copy


def test_a_marker_also_records_the_course_inputs_and_survives_a_touch(tmp_path):
    submission, graded = tmp_path / "submitted", tmp_path / "autograded"
    graded.mkdir()
    AnswerStore(submission / "answers").save("m1-brainstorm", ["listen"])
    source = tmp_path / "solutions"
    source.mkdir()
    (source / "module1.ipynb").write_text("{}", encoding="utf-8")
    inputs = course_inputs([source])
    mark_graded(graded, submission, inputs)
    assert is_marked(graded, submission, inputs)
    answers = submission / "answers" / "m1-brainstorm.json"
    os.utime(answers, ns=(0, 0))  # same content, other time: compared by hash, still graded
    assert is_marked(graded, submission, inputs)
    (source / "module1.ipynb").write_text("{ }", encoding="utf-8")
    assert not is_marked(graded, submission, course_inputs([source]))  # the source changed: grade again
