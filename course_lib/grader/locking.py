"""One gradebook writer at a time, across processes.

SQLite allows one writer; two grading processes that write at once get
"database is locked" (or, with deferred transactions that upgrade, an
immediate deadlock error that no busy timeout waits out). Every step of the
nbgrader pipeline that touches the gradebook therefore runs while holding an
exclusive ``flock`` on ``<gradebook>.lock``; only the kernel execution, which
is where the time goes, runs unlocked and in parallel. A ``flock`` is taken
per call on a freshly opened file, so forked workers never share a lock by
inheriting a descriptor, and two ``course grade`` runs in one course wait for
each other instead of colliding. On top of that, :func:`course_lock` makes a
second whole ``course grade`` run in the same course wait for the first, so no
submission is graded by both at once.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

__all__ = ["COURSE_LOCK_NAME", "LockedStep", "course_lock", "gradebook_lock", "lock_path_for"]

# Held by a whole `course grade` run: a second run in the same course waits for the first to finish,
# then finds its submissions graded and skips them (each submission is graded once).
COURSE_LOCK_NAME = ".course-grade.lock"


def lock_path_for(db_url: str, course_root: Path | str) -> Path:
    """The lock file beside a SQLite gradebook (or in the course folder for other databases)."""
    prefix = "sqlite:///"
    if db_url.startswith(prefix):
        return Path(db_url[len(prefix):] + ".lock")
    return Path(course_root) / ".gradebook.lock"


@contextmanager
def gradebook_lock(path: Path | str) -> Iterator[None]:
    """Hold the exclusive gradebook lock for the body of the ``with``."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _take(path: Path, mode: int, on_wait: Callable[[str], object] | None, who: str) -> int:
    fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        fcntl.flock(fd, mode | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "another process"
        if on_wait is not None:
            on_wait(f"Another course grade (pid {holder}) is grading {who}; waiting for it to finish...")
        fcntl.flock(fd, mode)
    except BaseException:
        os.close(fd)
        raise
    return fd


@contextmanager
def course_lock(course_root: Path | str, on_wait: Callable[[str], object] | None = None,
                shard_lock: str | None = None) -> Iterator[None]:
    """Hold the course's grading lock; if another run holds it, call ``on_wait(message)`` and wait.

    A whole-cohort run holds it alone. Shards (``shard_lock``: that shard's lock file name) share it with
    each other, so they run side by side, and each holds its own shard's lock alone.
    """
    main = _take(Path(course_root) / COURSE_LOCK_NAME, fcntl.LOCK_SH if shard_lock else fcntl.LOCK_EX, on_wait,
                 "this course")
    fds = [main]
    try:
        if shard_lock:
            fds.append(_take(Path(course_root) / shard_lock, fcntl.LOCK_EX, on_wait, "this shard"))
        os.ftruncate(fds[-1], 0)
        os.pwrite(fds[-1], str(os.getpid()).encode(), 0)
        yield
    finally:
        for fd in fds:
            os.close(fd)  # closing releases the lock


class LockedStep:
    """A preprocessor wrapped so that it runs under the gradebook lock.

    nbconvert calls each registered preprocessor as ``pp(nb, resources)``, so
    any callable can stand in for one.
    """

    def __init__(self, step: Callable[..., Any], lock: Path) -> None:
        self.step, self.lock = step, lock
        self.enabled = getattr(step, "enabled", True)

    def __call__(self, nb: Any, resources: Any) -> Any:
        with gradebook_lock(self.lock):
            return self.step(nb, resources)

    def __repr__(self) -> str:
        return f"LockedStep({type(self.step).__name__})"
