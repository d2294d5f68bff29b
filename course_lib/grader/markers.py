"""A submission counts as graded only once its grades are recorded.

nbgrader skips a submission whose autograded folder exists; a ``course grade``
killed mid-way can leave that folder without grades. After nbgrader has saved
the grades, ``course grade`` writes ``.course-graded.json`` into the
autograded folder with a fingerprint of the submission; on the next run a
folder without a matching marker is graded again. The marker sits in a folder
only the grader can write, and a trainee's own file of that name is never
copied there. Feedback folders get the same marker, made from the autograded
folder they were written from.

Incremental re-runs: the marker also records what else the grade was computed
from (``inputs``: the assignment's source folder, every content file and
nbgrader_config.py, see :func:`course_inputs`) and each file's size and
modification time. A re-run skips a submission whose files have the recorded
sizes and times (no hashing) or, when they were touched, the recorded content;
a changed source, content or config file makes every marker stale, so all is
graded again: the grade never depends on how or when it was computed.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path

__all__ = ["MARKER", "MARKER_PREFIX", "course_inputs", "fingerprint", "is_marked", "mark_graded", "marker_identity",
           "matches", "read_marker", "stat_signature"]

MARKER_PREFIX = ".course-graded"  # the marker and its temporary file while it is written
MARKER = MARKER_PREFIX + ".json"


def _entries(top: str) -> list[tuple[str, str, str, os.stat_result | None]]:
    """Every entry under ``top`` except real folders, which are entered (links never followed), with one
    ``scandir`` per folder: ``(folder path, name, relative path, lstat or None if it vanished)``.

    The folder paths are spelled as ``os.walk(top)`` spells them, so sorting by them gives its order.
    """
    found = []
    todo = [(top, "")]
    while todo:
        folder, prefix = todo.pop()
        try:
            with os.scandir(folder) as listing:
                for entry in listing:
                    if entry.is_dir(follow_symlinks=False):
                        todo.append((entry.path, prefix + entry.name + os.sep))
                        continue
                    try:
                        info: os.stat_result | None = entry.stat(follow_symlinks=False)
                    except OSError:
                        info = None
                    found.append((folder, entry.name, prefix + entry.name, info))
        except OSError:  # as os.walk: a folder that cannot be listed adds nothing
            continue
    return found


def _digest(entries: list[tuple[str, str, str, os.stat_result | None]]) -> str:
    # os.walk's order (folders by path, names within), so a marker written before keeps matching.
    digest = hashlib.sha256()
    for folder, name, relative, info in sorted(entries, key=lambda entry: (entry[0], entry[1])):
        digest.update(relative.encode("utf-8", "surrogateescape") + b"\0")
        if info is None or not stat.S_ISREG(info.st_mode):
            digest.update(b"not a regular file\0")
            continue
        with open(os.path.join(folder, name), "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        digest.update(b"\0")
    return digest.hexdigest()


def _signature(entries: list[tuple[str, str, str, os.stat_result | None]]) -> list[list]:
    found = []
    for _folder, _name, relative, info in entries:
        regular = info is not None and stat.S_ISREG(info.st_mode)
        found.append([relative, info.st_size if regular else -1, info.st_mtime_ns if regular else -1])  # type: ignore[union-attr]
    return sorted(found)


def fingerprint(submission: Path) -> str:
    """SHA-256 over every entry's relative path, kind and (for regular files) content."""
    return _digest(_entries(os.fspath(submission)))


def stat_signature(folder: Path | str, folders: list[list] | None = None) -> list[list]:
    """``[relative path, size, mtime_ns]`` of every entry under ``folder`` (-1 for what is not a regular file).

    Real folders are entered, links are never followed (a link to a folder is one entry). One ``scandir``
    per folder and no path arithmetic: a re-run checks every submission of the cohort this way. ``folders``,
    if given, gets ``[relative path, inode, ctime_ns]`` of ``folder`` ("") and each folder entered, each taken
    before the folder is listed (an entry made after the listing changes the folder's ctime after it).
    """
    found = []
    todo = [(os.fspath(folder), "")]
    if folders is not None:
        info = os.lstat(folder)
        folders.append(["", info.st_ino, info.st_ctime_ns])
    while todo:
        top, prefix = todo.pop()
        with os.scandir(top) as entries:
            for entry in entries:
                name = prefix + entry.name
                if entry.is_dir(follow_symlinks=False):
                    if folders is not None:
                        info = entry.stat(follow_symlinks=False)
                        folders.append([name, info.st_ino, info.st_ctime_ns])
                    todo.append((entry.path, name + os.sep))
                    continue
                info = entry.stat(follow_symlinks=False)
                regular = stat.S_ISREG(info.st_mode)
                found.append([name, info.st_size if regular else -1, info.st_mtime_ns if regular else -1])
    if folders is not None:
        folders.sort()
    return sorted(found)


def course_inputs(paths: list[Path]) -> str:
    """SHA-256 over the given files and folders (by name and content): what every grade also depends on."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode("utf-8", "surrogateescape") + b"\0")
        if path.is_dir():
            digest.update(fingerprint(path).encode())
        elif path.is_file():
            digest.update(hashlib.sha256(path.read_bytes()).hexdigest().encode())
        else:
            digest.update(b"missing\0")
    return digest.hexdigest()


def mark_graded(autograded: Path, submission: Path, inputs: str = "") -> None:
    """Record (atomically) that ``autograded`` holds the recorded grades of ``submission`` as it is now."""
    entries = _entries(os.fspath(submission))  # one listing for the fingerprint and the signature
    data = json.dumps({"submission": _digest(entries), "inputs": inputs, "files": _signature(entries)}).encode()
    # Atomic (rename) but not fsynced: a marker is derived data. One lost or torn by a power cut fails the
    # JSON read or the fingerprint, and the submission is graded again; the grades themselves are committed
    # to the gradebook before any marker is written. Two fsyncs a submission cost ~4 ms of wall time here.
    # The folder is the grader's alone and one process writes a submission's marker (the course lock), so
    # the temporary name needs no randomness: the process id keeps a killed run's leftover apart.
    tmp = os.path.join(autograded, f"{MARKER_PREFIX}-{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)
    os.replace(tmp, os.path.join(autograded, MARKER))


def _identity(info: os.stat_result) -> list[int]:
    return [info.st_ino, info.st_size, info.st_mtime_ns]


def marker_identity(folder: Path | str) -> list[int]:
    """The marker file's inode, size and modification time: a replaced marker gets new ones (OSError if none)."""
    return _identity(os.lstat(os.path.join(folder, MARKER)))


def read_marker(folder: Path | str) -> tuple[dict, list[int]] | None:
    """The record in ``folder``'s marker and the identity of the file it was read from; None when there is no
    readable marker."""
    try:
        with open(os.path.join(folder, MARKER), "rb") as handle:
            data, identity = json.loads(handle.read()), _identity(os.fstat(handle.fileno()))
    except (OSError, ValueError):
        return None
    return (data, identity) if isinstance(data, dict) else None


def matches(record: dict, folder: Path | str, folders: list[list] | None = None) -> tuple[bool, list[list]]:
    """Whether a marker's record matches ``folder`` as it is now, and the folder's stat signature
    (``folders`` as for :func:`stat_signature`).

    Unchanged sizes and modification times count as unchanged content (the cheap check that makes a re-run
    of a large cohort fast); otherwise the content is hashed and compared. OSError if the folder is gone.
    """
    signature = stat_signature(folder, folders)
    return record.get("files") == signature or record.get("submission") == fingerprint(Path(folder)), signature


def is_marked(autograded: Path | str, submission: Path | str, inputs: str | None = None) -> bool:
    """Whether ``autograded`` has a marker that matches ``submission`` as it is now (and ``inputs``, if given)."""
    found = read_marker(autograded)
    if found is None or (inputs is not None and found[0].get("inputs") != inputs):
        return False
    try:
        return matches(found[0], submission)[0]
    except OSError:
        return False
