"""The service's private folder: releases, each trainee's timestamped submissions, their feedback.

::

    <root>/releases/<assignment>/...                      what trainees fetch
    <root>/submissions/<assignment>/<trainee>/<stamp>/...  one folder per submit, never overwritten
    <root>/feedback/<assignment>/<trainee>/<stamp>/*.html  for that submission
    <root>/tmp/                                            uploads being unpacked

The root is 0700 and files 0600, owned by the service's account: no trainee
reads or writes it. Every upload is unpacked into ``tmp/`` and renamed into
place, so a reader never sees half an upload. Names are checked by the caller
(:mod:`.service`) and again here.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .archive import Limits, pack, unpack
from .names import check_assignment_id, check_stamp, check_student_id, nbgrader_timestamp, new_stamp

__all__ = ["ExchangeStore", "NotFound", "Submission"]

PRIVATE_MODE = 0o700


class NotFound(LookupError):
    """No such release, submission or feedback."""


@dataclass(frozen=True)
class Submission:
    """One submit of one trainee, as listed."""

    assignment_id: str
    student_id: str
    stamp: str
    notebooks: tuple[str, ...]
    feedback: dict[str, str]  # notebook id -> md5 of its feedback page (empty: none released)

    def as_json(self) -> dict[str, object]:
        return {"assignment_id": self.assignment_id, "student_id": self.student_id, "stamp": self.stamp,
                "timestamp": nbgrader_timestamp(self.stamp), "notebooks": list(self.notebooks),
                "feedback": self.feedback}


def _notebooks(folder: Path) -> tuple[str, ...]:
    return tuple(sorted(p.stem for p in folder.glob("*.ipynb") if p.is_file() and not p.is_symlink()))


def _private_dirs(path: Path) -> None:
    """Create ``path`` and any missing parents 0700 (whatever the umask)."""
    missing = []
    while not path.exists():
        missing.append(path)
        path = path.parent
    for folder in reversed(missing):
        folder.mkdir(mode=PRIVATE_MODE, exist_ok=True)
        os.chmod(folder, PRIVATE_MODE)


def _md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes(), usedforsecurity=False).hexdigest()


class ExchangeStore:
    """The exchange's files under ``root`` (created private to this process's user)."""

    def __init__(self, root: Path, limits: Limits | None = None) -> None:
        self.root = Path(root)
        self.limits = limits or Limits()
        old = os.umask(0o077)
        try:
            for part in ("releases", "submissions", "feedback", "tmp"):
                (self.root / part).mkdir(mode=PRIVATE_MODE, parents=True, exist_ok=True)
        finally:
            os.umask(old)
        os.chmod(self.root, PRIVATE_MODE)

    # -- helpers ----------------------------------------------------------------------------------
    def _unpacked(self, data: bytes) -> Path:
        """``data`` unpacked into a new folder under tmp/ (the caller renames or removes it)."""
        holder = Path(tempfile.mkdtemp(dir=self.root / "tmp"))
        try:
            unpack(data, holder / "content", self.limits)
        except BaseException:
            shutil.rmtree(holder, ignore_errors=True)
            raise
        return holder

    def _replace(self, data: bytes, target: Path) -> None:
        """Put ``data`` at ``target``, replacing what was there in one rename."""
        holder = self._unpacked(data)
        try:
            _private_dirs(target.parent)
            if target.exists():
                os.rename(target, holder / "old")
            os.rename(holder / "content", target)
        finally:
            shutil.rmtree(holder, ignore_errors=True)

    # -- releases ---------------------------------------------------------------------------------
    def releases(self) -> list[dict[str, object]]:
        """Released assignments with their notebooks, by id."""
        folder = self.root / "releases"
        return [{"assignment_id": p.name, "notebooks": list(_notebooks(p))}
                for p in sorted(folder.iterdir()) if p.is_dir() and not p.is_symlink()]

    def _release(self, assignment_id: str) -> Path:
        path = self.root / "releases" / check_assignment_id(assignment_id)
        if not path.is_dir():
            raise NotFound(f"assignment {assignment_id!r} is not released")
        return path

    def release(self, assignment_id: str, data: bytes, *, force: bool = False) -> None:
        """Release (or with ``force`` re-release) ``assignment_id``; FileExistsError if released and not forced."""
        target = self.root / "releases" / check_assignment_id(assignment_id)
        if target.exists() and not force:
            raise FileExistsError(f"assignment {assignment_id!r} is already released; use --force to replace it")
        self._replace(data, target)

    def unrelease(self, assignment_id: str) -> None:
        """Take ``assignment_id``'s release away (submissions and feedback stay)."""
        shutil.rmtree(self._release(assignment_id))

    def release_archive(self, assignment_id: str) -> bytes:
        return pack(self._release(assignment_id))

    # -- submissions ------------------------------------------------------------------------------
    def submit(self, assignment_id: str, student_id: str, data: bytes) -> tuple[str, list[str]]:
        """File ``data`` as a new submission of ``student_id``; return its stamp and the released notebooks missing.

        ``timestamp.txt`` is written by the service (the time it arrived), over any the upload held.
        """
        release = self._release(assignment_id)
        check_student_id(student_id)
        holder = self._unpacked(data)
        try:
            content = holder / "content"
            missing = sorted(set(_notebooks(release)) - set(_notebooks(content)))
            (content / "submission_secret.txt").unlink(missing_ok=True)
            parent = self.root / "submissions" / assignment_id / student_id
            _private_dirs(parent)
            for _attempt in range(5):
                stamp = new_stamp()
                stamp_file = content / "timestamp.txt"
                stamp_file.unlink(missing_ok=True)
                stamp_file.write_text(nbgrader_timestamp(stamp), encoding="utf-8")
                os.chmod(stamp_file, 0o600)
                try:
                    os.rename(content, parent / stamp)  # fails if that stamp exists (not empty)
                    return stamp, missing
                except OSError:
                    continue
            raise OSError("could not file the submission under a new stamp")
        finally:
            shutil.rmtree(holder, ignore_errors=True)

    def submissions(self, assignment_id: str | None = None, student_id: str | None = None) -> list[Submission]:
        """Submissions (oldest first per trainee), of one assignment and/or one trainee when given."""
        base = self.root / "submissions"
        assignments = [check_assignment_id(assignment_id)] if assignment_id else sorted(p.name for p in base.iterdir())
        found = []
        for assignment in assignments:
            folder = base / assignment
            if not folder.is_dir():
                continue
            students = [check_student_id(student_id)] if student_id else sorted(p.name for p in folder.iterdir())
            for student in students:
                for stamp_dir in sorted((folder / student).glob("*T*Z")):
                    feedback_dir = self.root / "feedback" / assignment / student / stamp_dir.name
                    feedback = ({p.stem: _md5(p) for p in sorted(feedback_dir.glob("*.html"))}
                                if feedback_dir.is_dir() else {})
                    found.append(Submission(assignment, student, stamp_dir.name, _notebooks(stamp_dir), feedback))
        return found

    def _submission(self, assignment_id: str, student_id: str, stamp: str) -> Path:
        path = (self.root / "submissions" / check_assignment_id(assignment_id) / check_student_id(student_id)
                / check_stamp(stamp))
        if not path.is_dir():
            raise NotFound(f"no submission of {assignment_id!r} by {student_id!r} at {stamp}")
        return path

    def submission_archive(self, assignment_id: str, student_id: str, stamp: str) -> bytes:
        return pack(self._submission(assignment_id, student_id, stamp))

    # -- feedback ---------------------------------------------------------------------------------
    def put_feedback(self, assignment_id: str, student_id: str, stamp: str, data: bytes) -> None:
        """Release feedback for one submission (replacing earlier feedback for it)."""
        self._submission(assignment_id, student_id, stamp)
        self._replace(data, self.root / "feedback" / assignment_id / student_id / stamp)

    def feedback_archive(self, assignment_id: str, student_id: str, stamp: str) -> bytes:
        self._submission(assignment_id, student_id, stamp)
        folder = self.root / "feedback" / assignment_id / student_id / stamp
        if not folder.is_dir():
            raise NotFound(f"no feedback yet for {assignment_id!r} submitted at {stamp}")
        return pack(folder)
