"""One gradebook writer at a time, across processes.

SQLite allows one writer; two grading processes that write at once get
"database is locked" (or, with deferred transactions that upgrade, an
immediate deadlock error that no busy timeout waits out). Every step of the
nbgrader pipeline that touches the gradebook therefore runs while holding an
exclusive ``flock`` on ``<gradebook>.lock``; only the kernel execution, which
is where the time goes, runs unlocked and in parallel. A ``flock`` is taken
per call on a freshly opened file, so forked workers never share a lock by
inheriting a descriptor, and two ``course grade`` runs in one course wait for
each other instead of colliding.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

__all__ = ["LockedStep", "gradebook_lock", "lock_path_for"]


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
