"""Two `course grade` runs at once on one course: the second waits, and each submission is graded once.

Real runs of the ``course`` command on the six-trainee course of
``tests/grader/test_grade_resume.py`` (each notebook slowed down, so the
second run starts while the first is grading).
"""

from __future__ import annotations

import multiprocessing
import os
import time

import pytest

from course_lib.grader.locking import COURSE_LOCK_NAME, course_lock

from ..grader.confined import course_cli, needs_root, uid_base
from ..grader.test_grade_resume import ANSWERS, assert_graded_exactly_once, course, wait_for  # noqa: F401

N = len(ANSWERS)


@pytest.mark.nbgrader
@needs_root()
def test_a_second_run_waits_for_the_first_and_grades_nothing_twice(course):  # noqa: F811
    lock = course / COURSE_LOCK_NAME
    first = course_cli(course, "grade", "module1", "--execute", "--workers", "2",
                       f"--ConfinedExecute.uid_base={uid_base()}", wait=False)
    wait_for(lambda: lock.exists() and lock.read_text().strip() == str(first.pid) or first.poll() is not None)
    second = course_cli(course, "grade", "module1", "--execute", f"--ConfinedExecute.uid_base={uid_base()}", wait=False)
    out1, err1 = first.communicate(timeout=600)
    out2, err2 = second.communicate(timeout=600)
    assert first.returncode == 0 and second.returncode == 0, out1 + err1 + out2 + err2
    assert f"Graded {N} submission(s), skipped 0" in out1, out1
    assert "is grading this course; waiting for it to finish" in err2 + out2
    assert f"Graded 0 submission(s), skipped {N} already graded" in out2, out2
    assert_graded_exactly_once(course)


def _hold(folder, log, seconds):
    with course_lock(folder, on_wait=lambda text: log.put(("waited", os.getpid(), text))):
        entered = time.monotonic()
        time.sleep(seconds)
        # Logged while still holding the lock: a queue delivers puts from two processes in any order,
        # so the test compares the times (one clock for every process), not the order of arrival.
        log.put(("held", os.getpid(), (entered, time.monotonic())))


def test_the_course_lock_is_held_by_one_run_at_a_time(tmp_path):
    context = multiprocessing.get_context("fork")
    log = context.Queue()
    runs = [context.Process(target=_hold, args=(tmp_path, log, 0.5)) for _ in range(2)]
    for run in runs:
        run.start()
        time.sleep(0.1)
    for run in runs:
        run.join(10)
    events = [log.get(timeout=5) for _ in range(3)]
    held = sorted(times for kind, _, times in events if kind == "held")
    assert len(held) == 2
    (_, first_out), (second_in, _) = held
    assert second_in >= first_out  # never both inside
    first_pid = min((times, pid) for kind, pid, times in events if kind == "held")[1]
    waited = [(pid, text) for kind, pid, text in events if kind == "waited"]
    assert len(waited) == 1 and waited[0][0] != first_pid and f"pid {first_pid}" in waited[0][1]
