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

Configured in nbgrader_config.py::

    c.ExchangeFactory.collect = "course_lib.nbgrader_exchange.SafeCollect"
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import tempfile
from pathlib import Path

from nbgrader.exchange.default.collect import ExchangeCollect

__all__ = ["SafeCollect", "copy_without_links"]

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


class SafeCollect(ExchangeCollect):
    """``nbgrader collect`` that never follows a link a trainee put in a submission."""

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
