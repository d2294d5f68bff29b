"""Folders as tar.gz bodies, packed without following links and unpacked only after every member is checked.

:func:`pack` is what the plug-in sends (releases, submissions, feedback) and
the service returns; :func:`unpack` is the only way either side turns a body
back into files. It refuses the whole archive (nothing written) when any
member is a link, a device or a FIFO, has a path that :func:`~.names.check_member_path`
refuses, or when the files are too many or too big together (a small gzip can
claim gigabytes).
"""

from __future__ import annotations

import gzip
import io
import os
import stat
import tarfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .names import BadName, check_member_path

__all__ = ["ArchiveError", "Limits", "TooLarge", "pack", "unpack"]

Ignore = Callable[[str, list[str]], "list[str] | set[str]"]


class ArchiveError(ValueError):
    """An upload that is refused (the message says why)."""


class TooLarge(ArchiveError):
    """An upload with more files or bytes than the limits allow (HTTP 413)."""


@dataclass(frozen=True)
class Limits:
    """How much one unpacked archive may hold."""

    max_files: int = 2_000
    max_bytes: int = 100_000_000


def pack(folder: Path, ignore: Ignore | None = None, *, skipped: list[str] | None = None) -> bytes:
    """``folder``'s regular files and folders as tar.gz; links and special files are left out (named in ``skipped``)."""
    folder = Path(folder)
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz", compresslevel=6) as tar:
        for current, dirs, files in os.walk(folder, followlinks=False):
            names = sorted(dirs + files)
            ignored = set(ignore(current, names)) if ignore else set()
            dirs[:] = sorted(d for d in dirs if d not in ignored and not os.path.islink(os.path.join(current, d)))
            for name in names:
                if name in ignored:
                    continue
                path = os.path.join(current, name)
                relative = os.path.relpath(path, folder).replace(os.sep, "/")
                info = os.lstat(path)
                if stat.S_ISDIR(info.st_mode):
                    member = tarfile.TarInfo(relative)
                    member.type, member.mode, member.mtime = tarfile.DIRTYPE, 0o755, int(info.st_mtime)
                    tar.addfile(member)
                elif stat.S_ISREG(info.st_mode):
                    member = tarfile.TarInfo(relative)
                    member.size, member.mode, member.mtime = info.st_size, 0o644, int(info.st_mtime)
                    with open(path, "rb") as handle:
                        tar.addfile(member, handle)
                elif skipped is not None:
                    skipped.append(relative)
    return buffer.getvalue()


def _checked_members(tar: tarfile.TarFile, limits: Limits) -> list[tuple[tarfile.TarInfo, str]]:
    members: list[tuple[tarfile.TarInfo, str]] = []
    total = 0
    seen: set[str] = set()
    for member in tar:
        if len(members) >= limits.max_files:
            raise TooLarge(f"more than {limits.max_files} files in one upload")
        try:
            path = str(check_member_path(member.name))
        except BadName as exc:
            raise ArchiveError(str(exc)) from None
        if not (member.isreg() or member.isdir()):
            raise ArchiveError(f"{path}: links and special files are not accepted")
        if path in seen:
            raise ArchiveError(f"{path}: twice in one upload")
        seen.add(path)
        total += member.size if member.isreg() else 0
        if total > limits.max_bytes:
            raise TooLarge(f"upload too large unpacked: limit {limits.max_bytes} bytes")
        members.append((member, path))
    return members


def unpack(data: bytes, target: Path, limits: Limits = Limits(), *, file_mode: int = 0o600,
           dir_mode: int = 0o700) -> list[str]:
    """Unpack ``data`` into the new folder ``target`` (which must not exist); return the files' paths.

    Every member is checked before anything is written; a refused archive
    raises :class:`ArchiveError` (or :class:`TooLarge`) and leaves no ``target``.
    A stream that breaks part-way leaves a partial ``target``: unpack into a
    temporary folder and move it into place (as :mod:`.store` does).
    """
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
            members = _checked_members(tar, limits)
            target = Path(target)
            target.mkdir(mode=dir_mode)
            files = []
            for member, path in members:
                destination = target / path
                if member.isdir():
                    destination.mkdir(mode=dir_mode, parents=True, exist_ok=True)
                    continue
                destination.parent.mkdir(mode=dir_mode, parents=True, exist_ok=True)
                source = tar.extractfile(member)
                if source is None:  # pragma: no cover - a regular member always has a file object
                    raise ArchiveError(f"{path}: unreadable")
                fd = os.open(destination, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, file_mode)
                with open(fd, "wb") as handle:
                    written = 0
                    while chunk := source.read(1 << 16):
                        written += len(chunk)
                        if written > member.size:  # pragma: no cover - tarfile stops at the declared size
                            raise TooLarge(f"{path}: longer than declared")
                        handle.write(chunk)
                files.append(path)
            return files
    except (tarfile.TarError, EOFError, gzip.BadGzipFile, zlib.error) as exc:
        raise ArchiveError(f"not a readable tar.gz upload: {exc}") from None
