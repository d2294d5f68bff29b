"""Replace a file's content all at once: the old content stays whole until the new one is complete.

Every write of the course that must never leave a half file goes through
here (answers files, live-board entries and the hidden list, exports,
grades.csv, report.html): a temporary file ``.<name>.<random>.tmp`` beside
the target, written, flushed and fsynced, then renamed over the target. A
full disk (or a crash) part-way through leaves the previous file exactly as
it was and raises the ``OSError`` (``ENOSPC``: "No space left on device"),
naming the file; the temporary file is removed.

With ``dir_fd`` the name is relative to an already opened folder and neither
the temporary file nor the rename follows a symbolic link (the live board's
shared class folder relies on that).
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from typing import Any

__all__ = ["write_bytes_atomic", "write_json_atomic", "write_text_atomic"]

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


def write_bytes_atomic(path: Path | str, data: bytes, *, dir_fd: int | None = None, mode: int | None = None) -> Path:
    """Write ``data`` to ``path`` whole or not at all; the new file gets ``mode`` (default: private 0o600)."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    # A new private file that must not exist yet (O_EXCL: never an existing file or a link).
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o600, dir_fd=dir_fd)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
            if mode is not None:
                os.fchmod(handle.fileno(), mode)  # on the open file, never by path
        os.replace(tmp, path, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
    except BaseException as exc:
        try:
            os.unlink(tmp, dir_fd=dir_fd)
        except OSError:
            pass
        if isinstance(exc, OSError) and exc.errno is not None and exc.filename is None:  # name the file
            exc.filename = str(path)
        raise
    return path


def write_text_atomic(path: Path | str, text: str, *, newline: str | None = None) -> Path:
    """Write ``text`` (UTF-8) to ``path`` whole or not at all; ``newline`` as for ``open()``."""
    if newline not in (None, "", "\n"):
        text = text.replace("\n", newline)
    return write_bytes_atomic(path, text.encode("utf-8"))


def write_json_atomic(
    path: Path | str, data: Any, *, dir_fd: int | None = None, mode: int | None = None, indent: int | None = None
) -> Path:
    """Write ``data`` as UTF-8 JSON to ``path`` whole or not at all (see :func:`write_bytes_atomic`)."""
    text = json.dumps(data, ensure_ascii=False, indent=indent)
    return write_bytes_atomic(path, text.encode("utf-8"), dir_fd=dir_fd, mode=mode)
