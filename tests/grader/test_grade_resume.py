"""A ``course grade`` that is killed or stopped never leaves a submission unscored (issue 15.8).

nbgrader skips a submission whose autograded folder exists; a run killed
after making that folder but before saving the grades used to leave the
submission unscored for good. Real ``course grade`` runs, killed mid-way.
"""

from __future__ import annotations

import os
import signal
import tempfile
import time
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

from course_lib.grader.markers import MARKER
from course_lib.grading import grade_saved
from course_lib.store import AnswerStore
from tests.synthetic import GOOD_BRAINSTORM

from ..nbgrader.course import submit
from .confined import UID_SPAN, course_cli, generate, leftover_sandbox_processes, needs_root, open_course, uid_base

pytestmark = [pytest.mark.nbgrader, needs_root()]

ANSWERS = [GOOD_BRAINSTORM, ["be nice", "Listen to the customer carefully"], GOOD_BRAINSTORM[:3], None,
           GOOD_BRAINSTORM[2:], ["Call back when promised"]]
SLOW = "import time\ntime.sleep(1.5)  # long enough to be killed mid-way"


@pytest.fixture
def course():
    for course in open_course():
        generate(course)
        for n, answers in enumerate(ANSWERS):
            folder, nb = submit(course, f"t{n}")
            if answers is not None:
                AnswerStore(folder / "answers").save("m1-brainstorm", answers)
            nb.cells.insert(1, nbformat.v4.new_code_cell(SLOW))
            nbformat.write(nb, folder / "module1.ipynb")
        yield course


def markers(course: Path, top: str = "autograded") -> list[Path]:
    return sorted((course / top).glob(f"*/module1/{MARKER}"))


def wait_for(condition, seconds: float = 300.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "gave up waiting"
        time.sleep(0.1)


def assert_graded_exactly_once(course: Path) -> None:
    """One submission per trainee, with the score its answers earn, and marked graded."""
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "customer-service") as gb:
        submissions = gb.find_assignment("module1").submissions
        assert sorted(s.student_id for s in submissions) == [f"t{n}" for n in range(len(ANSWERS))]
        for n in range(len(ANSWERS)):
            answers = course / "submitted" / f"t{n}" / "module1" / "answers"
            expected = grade_saved("m1-brainstorm", answers, quarantine=False).score
            assert gb.find_grade("m1-brainstorm", "module1", "module1", f"t{n}").score == expected, n
    assert len(markers(course)) == len(ANSWERS)
    assert len(markers(course, "feedback")) == len(ANSWERS)


def test_a_sigkilled_run_then_a_rerun_grades_every_submission_once(course):
    base = uid_base()
    run = course_cli(course, "grade", "module1", "--execute", "--workers", "2",
                     f"--ConfinedExecute.uid_base={base}",
                     wait=False, start_new_session=True)
    wait_for(lambda: markers(course) or run.poll() is not None)
    os.killpg(run.pid, signal.SIGKILL)  # the whole command: parent and workers, mid-way
    run.communicate(timeout=60)  # a kernel that outlived its worker would hold the pipes open
    done_before = len(markers(course))
    assert done_before < len(ANSWERS), "the run finished before it could be killed"
    # The kernels die with their workers (parent-death signal and PID namespace).
    wait_for(lambda: not leftover_sandbox_processes(base), 30)

    rerun = course_cli(course, "grade", "module1", "--execute", f"--ConfinedExecute.uid_base={base}")
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    regraded = len(ANSWERS) - done_before
    assert f"Graded {regraded} submission(s), skipped {done_before} already graded" in rerun.stdout
    assert_graded_exactly_once(course)


def test_sigterm_stops_cleanly_with_a_summary_and_a_rerun_finishes(course):
    base = uid_base()
    run = course_cli(course, "grade", "module1", "--execute", "--workers", "2",
                     f"--ConfinedExecute.uid_base={base}",
                     wait=False)
    wait_for(lambda: markers(course) or run.poll() is not None)
    run.send_signal(signal.SIGTERM)
    out, err = run.communicate(timeout=120)
    assert run.returncode != 0, out + err
    assert "Stopped by SIGTERM before the end" in out
    assert "not graded: course grade was stopped (SIGTERM)" in out
    assert leftover_sandbox_processes(base) == []  # each worker ended its kernel before leaving
    assert not [p for p in Path(tempfile.gettempdir()).glob("course-sandbox-*")
                if base <= int(p.name.split("-")[2]) < base + UID_SPAN]  # workspaces gone

    rerun = course_cli(course, "grade", "module1", "--execute", f"--ConfinedExecute.uid_base={base}")
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert_graded_exactly_once(course)


@pytest.mark.parametrize("damage", ["missing", "empty", "torn"])
def test_an_autograded_folder_without_its_marker_is_graded_again(course, damage):
    first = course_cli(course, "grade", "module1", "--execute", "--student", "t0")
    assert first.returncode == 0, first.stdout + first.stderr
    marker = course / "autograded" / "t0" / "module1" / MARKER
    if damage == "missing":
        marker.unlink()  # as if killed before the grades were saved
    else:  # markers are not fsynced: after a power cut one may be empty or cut short
        marker.write_bytes(b"" if damage == "empty" else marker.read_bytes()[: marker.stat().st_size // 2])
    again = course_cli(course, "grade", "module1", "--execute", "--student", "t0")
    assert "Graded 1 submission(s), skipped 0" in again.stdout, again.stdout
    then = course_cli(course, "grade", "module1", "--execute", "--student", "t0")
    assert "Graded 0 submission(s), skipped 1" in then.stdout, then.stdout
