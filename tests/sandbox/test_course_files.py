"""A grading run's content snapshot never outlives the run, even one killed with SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from course_lib.models import CONTENT_PATH_ENV
from course_lib.sandbox import frozen_content
from course_lib.sandbox.course_files import SNAPSHOT_PREFIX, UNLOCKED_GRACE_S

# Enters the snapshot, says where it is, then waits to be killed.
HOLDER = """
import sys, time
from course_lib.sandbox import frozen_content
with frozen_content() as snapshot:
    print(snapshot, flush=True)
    time.sleep(600)
"""


@pytest.fixture
def temp_top(tmp_path, monkeypatch) -> Path:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path


def _holder(top: Path) -> tuple[subprocess.Popen, Path]:
    run = subprocess.Popen([sys.executable, "-c", HOLDER], stdout=subprocess.PIPE, text=True,
                           env={**os.environ, "TMPDIR": str(top)})
    assert run.stdout is not None
    return run, Path(run.stdout.readline().strip())


def _snapshots(top: Path) -> set[Path]:
    return set(top.glob(SNAPSHOT_PREFIX + "*"))


def test_a_run_removes_its_snapshot_and_restores_the_content_path(temp_top, monkeypatch):
    monkeypatch.delenv(CONTENT_PATH_ENV, raising=False)
    with frozen_content() as snapshot:
        assert snapshot.parent == temp_top and (snapshot / "0" / "module1").is_dir()
        assert os.environ[CONTENT_PATH_ENV].startswith(str(snapshot))
    assert not snapshot.exists()
    assert CONTENT_PATH_ENV not in os.environ


def test_the_snapshot_of_a_killed_run_goes_and_a_running_one_stays(temp_top):
    killed, left = _holder(temp_top)
    running, in_use = _holder(temp_top)
    try:
        killed.send_signal(signal.SIGKILL)
        killed.wait(30)
        assert left.is_dir(), "SIGKILL leaves the snapshot behind: nothing else can remove it"
        with frozen_content() as mine:
            assert _snapshots(temp_top) == {in_use, mine}
            assert (in_use / "0" / "module1").is_dir()  # the running grader still reads its content
    finally:
        running.kill()
        running.wait(30)
        for run in (killed, running):
            assert run.stdout is not None
            run.stdout.close()
    with frozen_content():
        pass
    assert _snapshots(temp_top) == set()


def test_snapshots_without_a_lock_are_removed_only_when_old_and_only_if_ours(temp_top):
    old, fresh, foreign = (temp_top / f"{SNAPSHOT_PREFIX}{name}" for name in ("old", "fresh", "foreign"))
    for folder in (old, fresh, foreign):
        (folder / "0").mkdir(parents=True)
    an_hour_ago = time.time() - UNLOCKED_GRACE_S - 60
    for folder in (old, foreign):
        os.utime(folder, (an_hour_ago, an_hour_ago))
    if os.geteuid() == 0:
        os.chown(foreign, 65534, 65534)
    with frozen_content() as mine:
        expected = {fresh, mine} | ({foreign} if os.geteuid() == 0 else set())
        assert _snapshots(temp_top) == expected
