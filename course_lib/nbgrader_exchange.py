"""nbgrader exchange plug-in: collect submissions without following links.

A trainee owns their folder in the exchange's ``inbound/`` and can put a
symbolic link there (``answers/m1-brainstorm.json -> /etc/shadow``, or the
whole submission pointing at another trainee's home). nbgrader's own collect
copies with ``shutil.copytree``, which follows links, and it runs as the
instructor: the linked file's content would land in ``submitted/`` and be
graded and shown in feedback. ``SafeCollect`` copies only regular files and
folders, opening each with ``O_NOFOLLOW`` relative to its already-open parent
folder, so a link swapped in while the copy runs is not followed either.
Links and special files (FIFOs, sockets, devices) are left out, and each one
is named in the log; a submission whose own folder is a link is not collected.

A trainee can also name another trainee in a submission (nbgrader takes the
name from the trainee's own config or environment). nbgrader's collect only
warns when the folder's owner differs from the name ("cheating attempt?") and
collects it anyway, as that trainee's latest work. With ``check_owner`` on (the
default; off only where every trainee runs as one OS account), ``SafeCollect``
refuses such a submission, collects the trainee's own latest one instead, and
names every refusal again at the end.

Configured in nbgrader_config.py::

    c.ExchangeFactory.collect = "course_lib.nbgrader_exchange.SafeCollect"
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import stat
import tempfile
from pathlib import Path

from nbgrader.exchange.default.collect import ExchangeCollect

__all__ = ["SafeCollect", "copy_without_links", "owner_name"]

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW
# O_NONBLOCK: opening a FIFO that was swapped in must not hang the collect.
_FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK


def _describe(shown: str, name: str, mode: int, dir_fd: int) -> str:
    """``shown`` (the path inside the submission) and why it was left out."""
    if stat.S_ISLNK(mode):
        try:
            return f"{shown} (a link to {os.readlink(name, dir_fd=dir_fd)})"
        except OSError:
            return f"{shown} (a link)"
    return f"{shown} (not a regular file or folder)"


def _copy_file(name: str, dir_fd: int, target: Path) -> bool:
    """Copy regular file ``name`` (relative to ``dir_fd``) to ``target``; False if it is not one any more."""
    try:
        fd = os.open(name, _FILE_FLAGS, dir_fd=dir_fd)
    except OSError:  # became a link (ELOOP) or vanished after the listing
        return False
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return False
        os.set_blocking(fd, True)
        with open(fd, "rb", closefd=False) as source, open(target, "xb") as copy:
            shutil.copyfileobj(source, copy)
        os.chmod(target, stat.S_IMODE(info.st_mode) & 0o777)
        os.utime(target, ns=(info.st_atime_ns, info.st_mtime_ns))
        return True
    finally:
        os.close(fd)


def _copy_dir(dir_fd: int, target: Path, prefix: str, dropped: list[str]) -> None:
    target.mkdir()
    for entry in sorted(os.scandir(dir_fd), key=lambda e: e.name):
        shown = prefix + entry.name
        mode = entry.stat(follow_symlinks=False).st_mode
        if stat.S_ISDIR(mode):
            try:
                child = os.open(entry.name, _DIR_FLAGS, dir_fd=dir_fd)
            except OSError:
                dropped.append(f"{shown} (changed while it was being copied)")
                continue
            try:
                _copy_dir(child, target / entry.name, shown + "/", dropped)
            finally:
                os.close(child)
        elif stat.S_ISREG(mode):
            if not _copy_file(entry.name, dir_fd, target / entry.name):
                dropped.append(f"{shown} (changed while it was being copied)")
        else:
            dropped.append(_describe(shown, entry.name, mode, dir_fd))


def copy_without_links(source: Path | str, target: Path | str) -> list[str]:
    """Copy folder ``source`` to the new folder ``target``, regular files and folders only.

    Returns what was left out, e.g. ``["answers/m1.json (a link to /etc/shadow)"]``.
    Raises ``OSError`` (ELOOP or ENOTDIR) when ``source`` itself is a link.
    """
    root = os.open(source, _DIR_FLAGS)
    try:
        dropped: list[str] = []
        _copy_dir(root, Path(target), "", dropped)
        return dropped
    finally:
        os.close(root)


def owner_name(path: str) -> str:
    """The account that owns ``path`` itself (a link is not followed), or ``uid N`` for an unknown one."""
    uid = os.lstat(path).st_uid
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid {uid}"


class SafeCollect(ExchangeCollect):
    """``nbgrader collect`` that never follows a link and never files one trainee's work as another's."""

    def init_src(self) -> None:
        super().init_src()
        self.refused: list[str] = []
        if not self.check_owner:
            return
        student = self.coursedir.student_id or "*"
        pattern = os.path.join(self.inbound_path, f"{student}+{self.coursedir.assignment_id}+*")
        genuine = []
        for record in (self._path_to_record(path) for path in glob.glob(pattern)):
            owner = owner_name(os.path.join(self.inbound_path, record["filename"]))
            if owner == record["username"]:
                genuine.append(record)
                continue
            refusal = f"{record['filename']} names {record['username']} but was submitted by {owner}"
            self.refused.append(refusal)
            self.log.error("Not collected: %s", refusal)
        self.src_records = self._latest_per_trainee(genuine)

    def _latest_per_trainee(self, records: list[dict]) -> list[dict]:
        """nbgrader's choice among a trainee's submissions (newest; with before_duedate, newest in time)."""
        by_trainee: dict[str, list[dict]] = {}
        for record in records:
            by_trainee.setdefault(record["username"], []).append(record)
        chosen = []
        for submissions in by_trainee.values():
            newest_first = self._sort_by_timestamp(submissions)
            if self.duedate is not None and self.before_duedate:
                on_time = [r for r in newest_first if r["timestamp"] <= self.duedate]
                newest_first = on_time or newest_first
            chosen.append(newest_first[0])
        return chosen

    def copy_files(self) -> None:
        super().copy_files()
        if self.refused:
            self.log.error("Refused %d submission(s) made in another trainee's name (nothing of theirs was "
                           "replaced): %s", len(self.refused), "; ".join(self.refused))

    @staticmethod
    def _drop_empty_parent(dest: str) -> None:
        """nbgrader made submitted/<student>/ before copying; leave no empty folder for a refused submission."""
        with contextlib.suppress(OSError):  # not empty: the trainee has other assignments there
            os.rmdir(os.path.dirname(dest))

    def do_copy(self, src: str, dest: str, log: object = None) -> None:
        """Copy ``src`` without links into a staging folder, then let nbgrader apply its own rules."""
        if os.path.islink(src):
            self.log.error("Not collected: %s is a link to %s, not a submitted folder", src, os.readlink(src))
            self._drop_empty_parent(dest)
            return
        # nbgrader's size limit first (it skips links when measuring), before anything is copied.
        if self.get_size(src) > 1000 * self.coursedir.max_dir_size:
            raise RuntimeError(f"Directory size is too big: {src}")
        with tempfile.TemporaryDirectory(prefix=".collect-", dir=os.path.dirname(dest)) as staging:
            copied = os.path.join(staging, "submission")
            try:
                dropped = copy_without_links(src, copied)
            except OSError as exc:  # the folder was swapped for a link after the check above
                self.log.error("Not collected: %s (%s)", src, exc.strerror)
                self._drop_empty_parent(dest)
                return
            for item in dropped:
                self.log.warning("Left out of %s: %s", dest, item)
            # nbgrader's own copy applies CourseDirectory.ignore/include/max_file_size and groupshared modes.
            super().do_copy(copied, dest, log)
