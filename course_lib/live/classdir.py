"""The class folder on disk: no-follow folder handling, who owns what, and the facilitator's set-up.

Publishing and the board share one class folder. On one machine it belongs to
the one user who runs everything. On a shared server it is a folder every
trainee can write to (``mkdir -m 1777``), and then three rules hold:

* Nothing is opened or changed through a path that could be swapped for a
  symbolic link between a check and a use: folders are opened with
  ``O_NOFOLLOW | O_DIRECTORY``, files are created and replaced relative to the
  opened folder (``dir_fd``), and modes are set with ``fchmod`` on the opened
  descriptor, never with ``chmod`` by path.
* An entry's file name is the OS user name of the trainee (see
  :func:`os_user_id`); the board counts an entry only when the file's owner is
  that user (see :func:`claimed_by_owner`).
* Activity folders are created by the facilitator (:func:`init_class_dir`),
  owned by the facilitator, writable by all and sticky, so a trainee can
  neither block an activity nor remove another trainee's entry.
"""

from __future__ import annotations

import errno
import json
import os
import re
import stat
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..atomic import write_json_atomic
from .config import sanitize_trainee_id

try:
    import pwd
except ImportError:  # not POSIX: no other users to tell apart, and publishing there reports its failure as a note
    pwd = None  # type: ignore[assignment]

__all__ = [
    "DIR_FLAGS",
    "FILE_NOFOLLOW",
    "SHARED_MODE",
    "ClassDirError",
    "claimed_by_owner",
    "ensure_folder",
    "init_class_dir",
    "is_shared",
    "lesson_activity_ids",
    "open_folder",
    "os_user_id",
    "owner_display_name",
    "owner_name",
    "read_no_follow",
    "write_json",
]

SHARED_MODE = 0o1777  # everyone may add a file; only a file's owner may replace or remove it (sticky bit)
_SHOW_CALL = re.compile(r"""\bshow\(\s*["']([a-z0-9][a-z0-9-]{0,59})["']""")
DIR_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
FILE_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


class ClassDirError(RuntimeError):
    """The class folder (or a folder in it) cannot be used safely."""


def is_shared(folder_stat: os.stat_result) -> bool:
    """True for a class folder anyone can write to, or one that belongs to another user.

    Group write alone does not count: with a per-user group and umask 002 a
    laptop user's own folders are group-writable. A folder shared with a
    group of trainees belongs to the facilitator, so it counts by its owner.
    """
    return bool(folder_stat.st_mode & 0o002) or folder_stat.st_uid != os.geteuid()


def owner_name(uid: int) -> str | None:
    """The OS user name of ``uid``, or None when it has no passwd entry."""
    try:
        return pwd.getpwuid(uid).pw_name if pwd is not None else None
    except KeyError:
        return None


def owner_display_name(uid: int) -> str | None:
    """The full name the system knows for ``uid`` (its passwd comment), else its user name."""
    try:
        entry = pwd.getpwuid(uid) if pwd is not None else None
    except KeyError:
        return None
    if entry is None:
        return None
    return entry.pw_gecos.split(",")[0].strip() or entry.pw_name


def os_user_id(uid: int | None = None) -> str:
    """The entry name of the OS user ``uid`` (default: this process's user) on a shared class folder."""
    uid = os.geteuid() if uid is None else uid
    return sanitize_trainee_id(owner_name(uid) or f"uid-{uid}")


def claimed_by_owner(entry_stem: str, uid: int) -> bool:
    """Whether an entry named ``entry_stem`` was written by the OS user the name claims."""
    return entry_stem == os_user_id(uid)


@contextmanager
def open_folder(name: str | Path, *, dir_fd: int | None = None) -> Iterator[int]:
    """A descriptor of the folder ``name`` (relative to ``dir_fd``), refusing a symbolic link."""
    try:
        fd = os.open(name, DIR_FLAGS, dir_fd=dir_fd)
    except OSError as exc:
        if exc.errno == errno.ELOOP or (exc.errno == errno.ENOTDIR and _is_link(name, dir_fd)):
            raise ClassDirError(f"{name} is a symbolic link; refusing to use it") from None
        if exc.errno == errno.ENOTDIR:  # a file, or a link that was swapped away again meanwhile
            raise ClassDirError(f"{name} is not a folder (a file or a symbolic link); refusing to use it") from None
        raise
    try:
        yield fd
    finally:
        os.close(fd)


def _is_link(name: str | Path, dir_fd: int | None) -> bool:
    try:
        return stat.S_ISLNK(os.stat(name, dir_fd=dir_fd, follow_symlinks=False).st_mode)
    except OSError:
        return False


def ensure_folder(parent_fd: int, name: str, mode: int) -> bool:
    """Create the folder ``name`` in ``parent_fd`` with ``mode`` if it is missing; True if this call made it.

    The mode is set with ``fchmod`` on the folder just opened without following
    links, and only on a folder this user owns: a folder swapped in by someone
    else in the meantime is never changed.
    """
    try:
        os.mkdir(name, 0o700, dir_fd=parent_fd)  # private until its mode is set on the opened descriptor
    except FileExistsError:
        return False
    with open_folder(name, dir_fd=parent_fd) as fd:
        if os.fstat(fd).st_uid == os.geteuid():
            os.fchmod(fd, mode)
    return True


def read_no_follow(path: Path | str, version: tuple[int, int, int, int], limit: int) -> bytes:
    """At most ``limit`` + 1 bytes of the file, opened without following a link.

    ``version`` is (mtime_ns, size, inode, uid) from the listing: the file opened must still be that file.
    """
    fd = os.open(path, os.O_RDONLY | FILE_NOFOLLOW)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or (info.st_ino, info.st_uid) != version[2:]:
            raise ValueError("it changed while being read; it is read again on the next refresh")
        with os.fdopen(os.dup(fd), "rb") as handle:
            return handle.read(limit + 1)
    finally:
        os.close(fd)


def write_json(folder_fd: int, name: str, data: Any, mode: int = 0o644) -> None:
    """Write ``data`` as ``name`` in the open folder: new private file, fsync, fchmod ``mode``, atomic rename."""
    write_json_atomic(name, data, dir_fd=folder_fd, mode=mode)


def lesson_activity_ids(lessons_dir: Path) -> list[str]:
    """Exercise ids a lesson notebook in ``lessons_dir`` shows with ``show("<id>")``, sorted."""
    found: set[str] = set()
    for notebook in sorted(Path(lessons_dir).glob("*.ipynb")):
        try:
            cells = json.loads(notebook.read_text(encoding="utf-8")).get("cells", [])
        except (OSError, ValueError, AttributeError) as exc:
            raise ClassDirError(f"{notebook}: not a readable notebook ({exc})") from None
        for cell in cells:
            if cell.get("cell_type") == "code":
                source = cell.get("source", "")
                found.update(_SHOW_CALL.findall(source if isinstance(source, str) else "".join(source)))
    return sorted(found)


def init_class_dir(class_dir: Path, activity_ids: Iterable[str], *, shared: bool) -> list[str]:
    """Create the class folder and one folder per activity, owned by the caller (the facilitator).

    ``shared``: the class folder and activity folders get mode 1777 (every
    trainee may add their own entry, nobody may replace another's); otherwise
    they are private to this user (0755). Existing folders owned by this user
    get the mode too; returns a line per folder that is someone else's and so
    could not be set up (a trainee created it first).
    """
    mode = SHARED_MODE if shared else 0o755
    class_dir = Path(class_dir)
    class_dir.parent.mkdir(parents=True, exist_ok=True)
    with open_folder(class_dir.parent.resolve()) as parent_fd:
        ensure_folder(parent_fd, class_dir.name, mode)
        with open_folder(class_dir.name, dir_fd=parent_fd) as class_fd:
            problems = _set_mode_if_mine(class_fd, str(class_dir), mode)
            for exercise_id in activity_ids:
                if not ensure_folder(class_fd, exercise_id, mode):
                    with open_folder(exercise_id, dir_fd=class_fd) as fd:
                        problems += _set_mode_if_mine(fd, exercise_id, mode)
    return problems


def _set_mode_if_mine(fd: int, name: str, mode: int) -> list[str]:
    info = os.fstat(fd)
    if info.st_uid != os.geteuid():
        who = owner_name(info.st_uid) or f"uid {info.st_uid}"
        return [f"{name} belongs to {who}, not to you: remove it (as root) and run this again"]
    if stat.S_IMODE(info.st_mode) != mode:
        os.fchmod(fd, mode)
    return []
