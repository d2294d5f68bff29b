"""The gradebook lock: one holder at a time, across processes."""

from __future__ import annotations

import multiprocessing
import time

from course_lib.grader.locking import LockedStep, gradebook_lock, lock_path_for


def _hold(path, log, seconds):
    with gradebook_lock(path):
        log.put(("in", time.monotonic()))
        time.sleep(seconds)
        log.put(("out", time.monotonic()))


def test_two_processes_never_hold_the_lock_together(tmp_path):
    path = tmp_path / "gradebook.db.lock"
    context = multiprocessing.get_context("fork")
    log = context.Queue()
    workers = [context.Process(target=_hold, args=(path, log, 0.3)) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(10)
    events = sorted((log.get(timeout=5) for _ in range(4)), key=lambda e: e[1])
    assert [kind for kind, _ in events] == ["in", "out", "in", "out"]


def test_lock_file_sits_beside_a_sqlite_gradebook(tmp_path):
    assert lock_path_for(f"sqlite:///{tmp_path}/gradebook.db", "/course") == tmp_path / "gradebook.db.lock"
    assert str(lock_path_for("postgresql://db/grades", tmp_path)) == str(tmp_path / ".gradebook.lock")


def test_a_locked_step_runs_the_step(tmp_path):
    step = LockedStep(lambda nb, resources: (nb + 1, resources), tmp_path / "lock")
    assert step(1, {}) == (2, {})
