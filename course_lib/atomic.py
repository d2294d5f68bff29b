"""Replace a file's content all at once: the old content stays whole until the new one is complete.

A full disk (or a crash) part-way through writing leaves the previous file
exactly as it was and raises the ``OSError`` (``ENOSPC``: "No space left on
device"), naming the file; the temporary file is removed.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["write_text_atomic"]


def write_text_atomic(path: Path | str, text: str, *, newline: str | None = None) -> Path:
    """Write ``text`` (UTF-8) to ``path`` through a temporary file beside it, then rename it into place."""
    path = Path(path)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline=newline) as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except OSError as exc:
        Path(tmp_name).unlink(missing_ok=True)
        if exc.filename is None:  # say which file could not be written
            exc.filename = str(path)
        raise
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return path
