"""Keep the course's own files out of a sandbox user's reach, and content fixed for one run.

Permissions do the work in ``confine='user'`` mode: a sandbox user has a
uid and gid of its own and no groups, so only the "other" permission bits
apply to it.
"""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
import stat
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..models import CONTENT_PATH_ENV, ContentError, content_dirs, exercise_ids, load_exercise, pinned_content

__all__ = ["PRIVATE_MODE_MASK", "frozen_content", "protect_course_files", "remove_abandoned_snapshots"]

# Folders of trainees' work and the grades: no access at all for other users, no writing for the group.
PRIVATE_MODE_MASK = 0o027
SNAPSHOT_PREFIX = "course-grade-content-"
# Held (flock) by the run that uses the snapshot, and so by nobody once that run is gone, however it ended.
OWNER_LOCK = ".owner.lock"
# A snapshot without its lock file is one being made, or one left by a version without locks.
UNLOCKED_GRACE_S = 3600.0
_LOG = logging.getLogger(__name__)


def _restrict(path: Path, mask: int, log: logging.Logger | Any) -> None:
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & mask:
            os.chmod(path, mode & ~mask)
    except FileNotFoundError:
        pass
    except OSError as exc:
        log.warning("Could not restrict the permissions of %s (%s): other users may reach it", path, exc)


def protect_course_files(coursedir: Any, log: logging.Logger | Any = _LOG) -> None:
    """gradebook.db (and its lock) 0600; submitted/, autograded/, feedback/ closed to other users.

    feedback/ is closed as well: a feedback page shows the trainee's answers.
    """
    root = Path(coursedir.root)
    db_url = coursedir.db_url
    if db_url.startswith("sqlite:///"):
        db = Path(db_url[len("sqlite:///"):])
        for path in (db, db.with_name(db.name + ".lock")):
            _restrict(path, 0o077, log)
    for name in (coursedir.submitted_directory, coursedir.autograded_directory, coursedir.feedback_directory):
        _restrict(root / name, PRIVATE_MODE_MASK, log)


def _owner_gone(snapshot: Path) -> bool:
    try:
        fd = os.open(snapshot / OWNER_LOCK, os.O_RDONLY | os.O_NOFOLLOW)
    except FileNotFoundError:
        return time.time() - snapshot.lstat().st_mtime > UNLOCKED_GRACE_S
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)  # closing drops the probe's own lock
    return True


def remove_abandoned_snapshots(top: Path | None = None) -> list[Path]:
    """Remove content snapshots whose run is gone (killed with SIGKILL, or the machine stopped).

    A run's ``finally`` removes its own snapshot; only a run that never got
    there leaves one. Only this user's snapshots are looked at.
    """
    removed = []
    for snapshot in Path(top or tempfile.gettempdir()).glob(SNAPSHOT_PREFIX + "*"):
        try:
            info = snapshot.lstat()
            if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.geteuid() or not _owner_gone(snapshot):
                continue
        except OSError:
            continue  # gone meanwhile, or not ours to read
        shutil.rmtree(snapshot, ignore_errors=True)
        removed.append(snapshot)
    return removed


@contextmanager
def frozen_content() -> Iterator[Path]:
    """Copy every content folder aside and point ``COURSE_CONTENT_PATH`` at the copies for the block.

    Every exercise is loaded (and so checked) once, up front. A content file
    changed on disk during the run, by anyone, then changes no score of the
    run. The copy is readable by all (content is not secret: trainees' own
    kernels read it) but writable only by the grader. Copies left by runs
    that were killed are removed first.
    """
    remove_abandoned_snapshots()
    before = os.environ.get(CONTENT_PATH_ENV)
    snapshot = Path(tempfile.mkdtemp(prefix=SNAPSHOT_PREFIX))
    # Inherited by the workers: the snapshot counts as in use while any of them lives.
    owner = os.open(snapshot / OWNER_LOCK, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        fcntl.flock(owner, fcntl.LOCK_EX)
        os.chmod(snapshot, 0o755)
        copies: dict[str, str] = {}
        for index, folder in enumerate(content_dirs()):
            if folder.is_dir():
                copy = snapshot / str(index)
                shutil.copytree(folder, copy, symlinks=False, ignore=shutil.ignore_patterns("__pycache__"))
                copies[str(copy)] = str(folder)
        os.environ[CONTENT_PATH_ENV] = os.pathsep.join(copies)
        try:
            for exercise_id in exercise_ids():
                load_exercise(exercise_id)
        except ContentError as exc:  # name the instructor's file, not our copy of it
            message = str(exc)
            for copied, original in copies.items():
                message = message.replace(copied, original)
            raise ContentError(message) from None
        with pinned_content():  # the copy changes no more: its file list is read once, not per exercise
            yield snapshot
    finally:
        if before is None:
            os.environ.pop(CONTENT_PATH_ENV, None)
        else:
            os.environ[CONTENT_PATH_ENV] = before
        shutil.rmtree(snapshot, ignore_errors=True)
        os.close(owner)
