"""Answer store: one JSON file per exercise, beside the notebook.

Writes are atomic (temporary file, fsync, ``os.replace``), so a process killed
mid-save leaves the previous answer intact; temporary files such a crash leaves
behind are removed by a later save. A save holds an exclusive lock on
``.<id>.lock`` in the answers folder while it compares, keeps aside and
replaces, so two copies of one exercise saving at the same moment cannot lose
an answer.

Answers are read only from a regular file directly inside a real folder: a
symbolic link (for the file or the ``answers`` folder), a device or a pipe is
refused without being followed or read. Any file that cannot be read (not
UTF-8, not JSON, nested too deeply, a bad ``saved_at``, too large, the wrong
shape) is reported with :class:`CorruptAnswersError` and moved aside (never
overwritten).
"""

from __future__ import annotations

import errno
import json
import math
import os
import stat
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .atomic import write_json_atomic

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: saves are atomic but not locked
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "DEFAULT_ANSWERS_DIR",
    "MAX_FILE_BYTES",
    "TMP_GRACE_SECONDS",
    "AnswerStore",
    "CorruptAnswersError",
    "SavedAnswer",
]

DEFAULT_ANSWERS_DIR = "answers"
FORMAT_VERSION = 1
# The largest answer any widget can produce is far below this (100 brainstorm
# entries of 1000 characters is about 100 kB); anything bigger was not written
# by a widget and is refused before it is parsed.
MAX_FILE_BYTES = 1_000_000
# A temporary file older than this was left by a save that died; a live save
# finishes in milliseconds. The margin covers a slow disk and clock steps.
TMP_GRACE_SECONDS = 60.0
# saved_at must fall in this range: outside it, converting the time to the
# trainee's time zone can overflow (year 1, year 9999).
_EARLIEST = datetime(1970, 1, 1, tzinfo=timezone.utc)
_LATEST = datetime(3000, 1, 1, tzinfo=timezone.utc)

_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_O_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)  # opening a named pipe must not hang


class CorruptAnswersError(RuntimeError):
    """A saved answers file could not be read; it has been moved to ``moved_to``."""

    def __init__(self, path: Path, reason: str, moved_to: Path | None) -> None:
        self.path, self.reason, self.moved_to = path, reason, moved_to
        where = f"it was kept as {moved_to.name}" if moved_to else "it was left in place"
        super().__init__(
            f"Your saved answers in {path} could not be read ({reason}); {where}. "
            "New answers will be saved to a fresh file. Ask your instructor if you need the old ones."
        )


class _Refused(Exception):
    """The answers file (or its folder) is not something answers are read from."""


@dataclass(frozen=True)
class SavedAnswer:
    """An exercise's answer as last saved."""

    exercise_id: str
    answer: Any
    saved_at: datetime
    kept_aside: Path | None = None  # a different earlier answer this save did not silently replace

    def describe_time(self) -> str:
        """Local wall-clock time of the save, e.g. '10:42'."""
        return self.saved_at.astimezone().strftime("%H:%M")


@dataclass(frozen=True)
class _OnDisk:
    """What was found at an answers path: its bytes (None: refused) and its identity."""

    data: bytes | None
    identity: tuple[int, int]
    refused: str | None = None


def _no_constants(name: str) -> float:
    raise ValueError(f"{name} is not a number a widget saves")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {text[:20]} is too large")
    return value


class AnswerStore:
    """Saves and loads exercise answers in ``directory`` (default ``./answers``)."""

    def __init__(self, directory: Path | str = DEFAULT_ANSWERS_DIR) -> None:
        self.directory = Path(directory)

    def path(self, exercise_id: str) -> Path:
        return self.directory / f"{exercise_id}.json"

    def quarantined(self, exercise_id: str) -> list[Path]:
        """Corrupt answers files of ``exercise_id`` that were moved aside, oldest first."""
        prefix = f"{exercise_id}.json.corrupt-"
        return sorted(self.directory / name for name in self._names() if name.startswith(prefix))

    def _names(self) -> list[str]:
        """The names in the folder (none if it cannot be listed): one listing matched by prefix and suffix,
        where a glob per look-up compiled its pattern each time (graders look for every trainee's files)."""
        try:
            return os.listdir(self.directory)
        except OSError:
            return []

    def saved_at(self, exercise_id: str) -> datetime | None:
        """When the answer on disk was saved (None: nothing readable there)."""
        try:
            found = self._read(exercise_id)
            return self._decode(exercise_id, found.data).saved_at if found and found.data is not None else None
        except (_Refused, ValueError, KeyError, TypeError, RecursionError):
            return None

    def save(self, exercise_id: str, answer: Any, *, replaces: datetime | None | object = ...) -> SavedAnswer:
        """Atomically replace the saved answer of ``exercise_id``.

        ``replaces`` is the ``saved_at`` of the answer the caller last saw (None:
        it saw none). If the file on disk is a different answer, saved by
        someone else since (another copy of the same exercise, say), that file
        is copied aside first and named in ``kept_aside``: nothing is lost. A
        file on disk that cannot be read is always moved aside, never replaced.
        """
        self._make_folder()
        with self._locked(exercise_id):
            self._remove_orphans(exercise_id)
            kept_aside = self._keep_unseen(exercise_id, replaces)
            saved = SavedAnswer(exercise_id, answer, datetime.now(timezone.utc), kept_aside)
            record = {
                "format": FORMAT_VERSION,
                "exercise": exercise_id,
                "saved_at": saved.saved_at.isoformat(),
                "answer": answer,
            }
            target = self.path(exercise_id)
            write_json_atomic(target, record, indent=1)
        return saved

    def keep_copy(self, exercise_id: str, label: str = "replaced") -> Path | None:
        """Copy the saved answers file aside as ``<id>.json.<label>-<time>`` (None: nothing readable to copy).

        For a widget about to save over an answer it could not show in full
        (content changed since): the earlier file stays, named in the message.
        """
        try:
            with self._locked(exercise_id):
                found = self._read(exercise_id)
                if found is None or found.data is None:
                    return None
                return self._write_aside(self.path(exercise_id), label, found.data)
        except (_Refused, OSError):
            return None

    def load(
        self,
        exercise_id: str,
        *,
        parse: Callable[[Any], Any] | None = None,
        quarantine: bool = True,
    ) -> SavedAnswer | None:
        """The saved answer, or None if nothing was saved yet.

        ``parse`` checks the answer's shape (raising ValueError) and may convert
        it. Every way a file can fail to be read raises
        :class:`CorruptAnswersError`; with ``quarantine`` the file is first
        renamed aside (a link is renamed, never followed), so the next save
        cannot overwrite it, and stale temporary files are removed. Without
        ``quarantine`` nothing in the folder changes (graders, reports).
        """
        target = self.path(exercise_id)
        found: _OnDisk | None = None
        try:
            found = self._read(exercise_id)
            if found is None:
                return None
            if found.refused:
                raise _Refused(found.refused)
            saved = self._decode(exercise_id, found.data or b"")
            if parse is not None:
                saved = SavedAnswer(exercise_id, parse(saved.answer), saved.saved_at)
            return saved
        except (_Refused, ValueError, KeyError, TypeError, RecursionError, OverflowError) as exc:
            reason = "nested too deeply" if isinstance(exc, RecursionError) else str(exc) or type(exc).__name__
            moved_to = self._quarantine(exercise_id, found) if quarantine and found else None
            raise CorruptAnswersError(target, reason[:300], moved_to) from None
        finally:
            if quarantine and found is not None:
                self._remove_orphans(exercise_id)

    # -- reading -----------------------------------------------------------
    def _read(self, exercise_id: str) -> _OnDisk | None:
        """The file's bytes, read only as a regular file inside a real folder (None: no file).

        A problem with the folder raises _Refused (nothing to move aside); a
        problem with the file itself is returned in ``refused``.
        """
        try:
            dir_fd = os.open(self.directory, os.O_RDONLY | _O_DIRECTORY | _O_NOFOLLOW | _O_CLOEXEC)
        except FileNotFoundError:
            return None
        except OSError as exc:
            if self.directory.is_symlink():
                raise _Refused(f"the folder {self.directory.name}/ is a symbolic link; "
                               "answers are only read from a real folder") from None
            raise _Refused(f"the folder {self.directory.name}/ could not be opened ({exc.strerror})") from None
        name = f"{exercise_id}.json"
        try:
            try:
                fd = os.open(name, os.O_RDONLY | _O_NOFOLLOW | _O_NONBLOCK | _O_CLOEXEC, dir_fd=dir_fd)
            except FileNotFoundError:
                return None
            except OSError as exc:
                try:
                    info = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
                except OSError:
                    return None  # gone meanwhile
                reason = ("it is a symbolic link; answers are only read from regular files"
                          if stat.S_ISLNK(info.st_mode) or exc.errno == errno.ELOOP
                          else f"it could not be opened ({exc.strerror})")
                return _OnDisk(None, (info.st_dev, info.st_ino), reason)
            info = os.fstat(fd)
            identity = (info.st_dev, info.st_ino)
            if not stat.S_ISREG(info.st_mode):  # a folder or a pipe: fdopen would raise on a folder
                os.close(fd)
                return _OnDisk(None, identity, "it is not a regular file")
            with os.fdopen(fd, "rb") as handle:
                if info.st_size > MAX_FILE_BYTES:
                    return _OnDisk(None, identity, f"it is too large ({info.st_size} bytes)")
                try:
                    data = handle.read(MAX_FILE_BYTES + 1)
                except OSError as exc:
                    return _OnDisk(None, identity, f"it could not be read ({exc.strerror})")
                if len(data) > MAX_FILE_BYTES:
                    return _OnDisk(None, identity, "it is too large")
                return _OnDisk(data, identity)
        finally:
            os.close(dir_fd)

    @staticmethod
    def _decode(exercise_id: str, data: bytes) -> SavedAnswer:
        """The record in ``data``; ValueError (or RecursionError) says what is wrong."""
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise ValueError("it is not UTF-8 text") from None
        try:
            record = json.loads(text, parse_constant=_no_constants, parse_float=_finite)
        except RecursionError:
            raise ValueError("it is nested too deeply") from None
        except ValueError as exc:
            raise ValueError(f"it is not valid JSON: {str(exc)[:120]}") from None
        if not isinstance(record, dict):
            raise ValueError("not a JSON object")
        if record.get("format") != FORMAT_VERSION:
            raise ValueError(f"unknown format {str(record.get('format'))[:40]!r}")
        if record.get("exercise") != exercise_id:
            raise ValueError(f"file belongs to exercise {str(record.get('exercise'))[:60]!r}")
        if "answer" not in record:
            raise ValueError("it has no 'answer'")
        return SavedAnswer(exercise_id, record["answer"], _saved_at(record.get("saved_at")))

    # -- writing -----------------------------------------------------------
    def _make_folder(self) -> None:
        if self.directory.is_symlink():
            raise OSError(errno.ELOOP, f"{self.directory} is a symbolic link; answers are saved only in a real folder")
        self.directory.mkdir(parents=True, exist_ok=True)

    @contextmanager
    def _locked(self, exercise_id: str) -> Iterator[None]:
        """Hold the exclusive lock of ``exercise_id`` (every saving process takes it)."""
        if fcntl is None:  # pragma: no cover
            yield
            return
        lock = self.directory / f".{exercise_id}.lock"
        fd = os.open(lock, os.O_RDWR | os.O_CREAT | _O_NOFOLLOW | _O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing releases the lock

    def _keep_unseen(self, exercise_id: str, replaces: datetime | None | object) -> Path | None:
        """Keep aside the file on disk if this save would otherwise lose it (call under the lock)."""
        try:
            found = self._read(exercise_id)
        except _Refused:
            return None
        if found is None:
            return None
        if found.refused is None:
            try:
                on_disk = self._decode(exercise_id, found.data or b"").saved_at
            except (ValueError, KeyError, TypeError, RecursionError):
                on_disk = None
            if on_disk is not None:
                if replaces is ... or on_disk == replaces:
                    return None
                return self._write_aside(self.path(exercise_id), "superseded", found.data or b"")
        # unreadable: rename it aside (a link is renamed, never followed)
        return self._move_aside(self.path(exercise_id), found.identity)

    def _quarantine(self, exercise_id: str, found: _OnDisk) -> Path | None:
        try:
            with self._locked(exercise_id):
                return self._move_aside(self.path(exercise_id), found.identity)
        except OSError:
            return None  # a read-only folder: the file stays where it is

    def _remove_orphans(self, exercise_id: str) -> None:
        """Delete temporary files of ``exercise_id`` that a crashed save left behind."""
        cutoff = time.time() - TMP_GRACE_SECONDS
        prefix = f".{exercise_id}.json."
        for name in self._names():
            if not (name.startswith(prefix) and name.endswith(".tmp") and len(name) >= len(prefix) + 4):
                continue  # not ".<id>.json.*.tmp"
            leftover = self.directory / name
            try:
                if leftover.lstat().st_mtime < cutoff:
                    leftover.unlink()
            except OSError:
                pass  # gone already, or not ours to remove

    @staticmethod
    def _aside_name(target: Path, label: str, n: int) -> Path:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        return target.with_name(f"{target.name}.{label}-{stamp}" + (f"-{n}" if n else ""))

    @classmethod
    def _move_aside(cls, target: Path, identity: tuple[int, int]) -> Path | None:
        """Rename ``target`` aside if it is still the file that was judged (None: it changed)."""
        try:
            info = target.lstat()
        except FileNotFoundError:
            return None
        if (info.st_dev, info.st_ino) != identity:
            return None
        for n in range(1000):
            aside = cls._aside_name(target, "corrupt", n)
            if not os.path.lexists(aside):
                target.rename(aside)
                return aside
        raise RuntimeError(f"too many corrupt copies of {target}")

    @classmethod
    def _write_aside(cls, target: Path, label: str, data: bytes) -> Path:
        """A new file beside ``target`` holding ``data`` (the bytes read, never a link's target).

        Written whole to a temporary file first and then linked to its name, so a
        process killed meanwhile leaves no empty or cut copy (the crash soak found
        one), only a temporary file that a later save removes.
        """
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            for n in range(1000):
                aside = cls._aside_name(target, label, n)
                try:
                    os.link(tmp_name, aside)  # fails on any existing name: never through a file or link
                except FileExistsError:
                    continue
                return aside
        finally:
            Path(tmp_name).unlink(missing_ok=True)
        raise RuntimeError(f"too many {label} copies of {target}")


def _saved_at(value: Any) -> datetime:
    """``saved_at`` as an aware datetime within a sane range; ValueError otherwise."""
    if not isinstance(value, str) or len(value) > 64:
        raise ValueError("'saved_at' is not a date and time")
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"'saved_at' is not a date and time: {value[:40]!r}") from None
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError("'saved_at' has no time zone")
    try:
        in_range = _EARLIEST <= when < _LATEST
    except OverflowError:  # e.g. year 1 with a positive UTC offset
        in_range = False
    if not in_range:
        raise ValueError(f"'saved_at' is out of range: {value[:40]!r}")
    return when
