"""The sandbox's parts on their own: ending a uid's processes, the workspace copy, uids, dying with the grader."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from course_lib.sandbox.folder import Workspace, copy_regular, remove_stale
from course_lib.sandbox.launch import Confinement, SandboxError, namespace_flags, sandbox_uid
from course_lib.sandbox.processes import kill_all, processes_of

from ..grader.confined import needs_root, uid_base


def wait_until(condition, seconds: float = 30.0) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


@needs_root()
def test_kill_all_ends_a_process_that_left_its_group():
    uid = uid_base() + 17
    subprocess.run(["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--",
                    "sh", "-c", "setsid sleep 300 >/dev/null 2>&1 &"], check=True)
    assert wait_until(lambda: processes_of(uid))
    assert kill_all(uid) >= 1
    assert processes_of(uid) == []


def test_kill_all_never_targets_root_or_the_grader():
    for uid in (0, os.geteuid()):
        with pytest.raises(ValueError, match="not a sandbox user"):
            kill_all(uid)


@needs_root()
def test_a_confined_kernel_dies_with_the_grading_process_even_by_sigkill():
    uid = uid_base() + 33
    confined = Confinement(uid, namespace_flags(True, True)).wrap(
        ["sh", "-c", "setsid sleep 301 >/dev/null 2>&1 & sleep 302"])
    grader = subprocess.Popen([sys.executable, "-c", "import subprocess, sys, time; "
                               "subprocess.Popen(sys.argv[1:]); time.sleep(300)", *confined])
    try:
        assert wait_until(lambda: len(processes_of(uid)) >= 2)
    finally:
        grader.kill()
        grader.wait()
    assert wait_until(lambda: not processes_of(uid)), processes_of(uid)


def test_the_workspace_copy_takes_regular_files_only(tmp_path):
    source = tmp_path / "submission"
    (source / "answers").mkdir(parents=True)
    (source / "answers" / "a.json").write_text("{}", encoding="utf-8")
    (source / "notebook.ipynb").write_text("{}", encoding="utf-8")
    (source / "passwd").symlink_to("/etc/passwd")
    (source / "etc").symlink_to("/etc")
    os.mkfifo(source / "pipe")
    skipped = copy_regular(source, tmp_path / "copy")
    copied = sorted(str(p.relative_to(tmp_path / "copy")) for p in (tmp_path / "copy").rglob("*"))
    assert copied == ["answers", "answers/a.json", "notebook.ipynb"]
    assert sorted(os.path.basename(p) for p in skipped) == ["etc", "passwd", "pipe"]


def test_sandbox_uids_differ_per_process_and_notebook_and_never_name_a_user():
    uids = {sandbox_uid(1_800_000_000, pid, serial) for pid in (1, 2, 4_000_000) for serial in range(3)}
    assert len(uids) == 9
    with pytest.raises(SandboxError, match="belongs to user 'root'"):
        sandbox_uid(0, 0, 0)
    with pytest.raises(SandboxError, match="too high"):
        sandbox_uid(4_000_000_000, 4_000_000, 0)


def test_a_workspace_left_by_a_killed_grader_is_removed(tmp_path):
    (tmp_path / "src").mkdir()
    mine = Workspace.create(tmp_path / "src", os.getuid(), os.getgid(), str(tmp_path))
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = tmp_path / f"course-sandbox-{os.getuid()}-p{dead.pid}-abc"
    stale.mkdir()
    assert remove_stale(str(tmp_path)) == [str(stale)]
    assert mine.root.exists()  # this process is alive: its workspace stays
