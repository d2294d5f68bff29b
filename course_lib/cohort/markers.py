"""A submission counts as graded only once its grades are recorded.

nbgrader skips a submission whose autograded folder exists; a ``course grade``
killed mid-way can leave that folder without grades. After nbgrader has saved
the grades, ``course grade`` writes ``.course-graded.json`` into the
autograded folder with a fingerprint of the submission; on the next run a
folder without a matching marker is graded again. The marker sits in a folder
only the grader can write, and a trainee's own file of that name is never
copied there. Feedback folders get the same marker, made from the autograded
folder they were written from.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

__all__ = ["MARKER", "MARKER_PREFIX", "fingerprint", "is_marked", "mark_graded"]

MARKER_PREFIX = ".course-graded"  # the marker and its temporary file while it is written
MARKER = MARKER_PREFIX + ".json"


def fingerprint(submission: Path) -> str:
    """SHA-256 over every entry's relative path, kind and (for regular files) content."""
    digest = hashlib.sha256()
    for folder, dirs, files in sorted(os.walk(submission)):
        for name in sorted(files + [d for d in dirs if os.path.islink(os.path.join(folder, d))]):
            path = os.path.join(folder, name)
            digest.update(os.path.relpath(path, submission).encode("utf-8", "surrogateescape") + b"\0")
            if os.path.islink(path) or not os.path.isfile(path):
                digest.update(b"not a regular file\0")
                continue
            with open(path, "rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
            digest.update(b"\0")
    return digest.hexdigest()


def mark_graded(autograded: Path, submission: Path) -> None:
    """Record (atomically) that ``autograded`` holds the recorded grades of ``submission`` as it is now."""
    data = json.dumps({"submission": fingerprint(submission)}).encode()
    fd, tmp = tempfile.mkstemp(prefix=MARKER_PREFIX + "-", dir=autograded)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, autograded / MARKER)


def is_marked(autograded: Path, submission: Path) -> bool:
    """Whether ``autograded`` has a marker that matches ``submission`` as it is now."""
    try:
        data = json.loads((autograded / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and data.get("submission") == fingerprint(submission)
