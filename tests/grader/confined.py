"""Helpers for the confined-grading tests: a course other users could reach, sandbox processes, the CLI."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from course_lib.sandbox.launch import UIDS_PER_PROCESS
from course_lib.sandbox.processes import processes_of

from ..nbgrader.course import BARE_PATH, make_course, nbgrader

__all__ = [
    "UID_SPAN", "course_cli", "generate", "leftover_sandbox_processes", "needs_root", "open_course", "score",
    "uid_base",
]

# Every uid a grading process may use above uid_base (see course_lib.sandbox.launch.sandbox_uid).
UID_SPAN = (1 << 22) * UIDS_PER_PROCESS


def needs_root() -> pytest.MarkDecorator:
    """Confinement as a separate user needs root: skip elsewhere, but never in CI (which runs as root)."""
    if os.geteuid() != 0 and os.environ.get("CI"):
        raise RuntimeError("CI must run the confined-grading tests as root")
    return pytest.mark.skipif(os.geteuid() != 0, reason="grading as a separate sandbox user needs root "
                              "(CI runs as root; locally: sudo .venv/bin/pytest tests/grader)")


def uid_base() -> int:
    """A uid range of this test run's own, far from the default range other grading runs use."""
    return 3_000_000_000 + random.randrange(0, 200) * 1_000_000


def open_course() -> Iterator[Path]:
    """A course under a folder every user may enter (as on a server), so permissions alone protect it."""
    top = Path(tempfile.mkdtemp(prefix="course-confined-test-"))
    os.chmod(top, 0o755)
    try:
        yield make_course(top)
    finally:
        shutil.rmtree(top, ignore_errors=True)


def course_cli(
    course: Path, *args: str, wait: bool = True, **popen: object
) -> subprocess.CompletedProcess | subprocess.Popen:
    """The ``course`` command as an instructor runs it in ``course`` (bare PATH: the alembic trap)."""
    cmd = [sys.executable, "-m", "course_lib.cli", *args]
    env = {**os.environ, "PATH": BARE_PATH, **popen.pop("env", {})}  # type: ignore[dict-item]
    if wait:
        return subprocess.run(cmd, cwd=course, env=env, capture_output=True, text=True, timeout=600)
    return subprocess.Popen(cmd, cwd=course, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            **popen)  # type: ignore[arg-type]


def leftover_sandbox_processes(base: int) -> list[int]:
    """Live processes whose uid lies in this run's sandbox range."""
    found = []
    for pid_dir in Path("/proc").iterdir():
        if not pid_dir.name.isdigit():
            continue
        try:
            uid = pid_dir.stat().st_uid
        except OSError:
            continue
        if base <= uid < base + UID_SPAN and int(pid_dir.name) in processes_of(uid):
            found.append(int(pid_dir.name))
    return found


def score(course: Path, student: str, cell: str = "m1-brainstorm") -> float:
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "customer-service") as gb:
        return gb.find_grade(cell, "module1", "module1", student).score


def generate(course: Path) -> None:
    nbgrader(course, "generate_assignment", "module1", "--force")
