"""Answer store: one JSON file per exercise, beside the notebook.

Writes are atomic (temporary file, fsync, ``os.replace``), so a process killed
mid-save leaves the previous answer intact. A file that cannot be read is moved
aside (never overwritten) and reported with :class:`CorruptAnswersError`.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

__all__ = ["DEFAULT_ANSWERS_DIR", "AnswerStore", "CorruptAnswersError", "SavedAnswer"]

DEFAULT_ANSWERS_DIR = "answers"
FORMAT_VERSION = 1


class CorruptAnswersError(RuntimeError):
    """A saved answers file could not be read; it has been moved to ``moved_to``."""

    def __init__(self, path: Path, reason: str, moved_to: Path | None) -> None:
        self.path, self.reason, self.moved_to = path, reason, moved_to
        where = f"it was kept as {moved_to.name}" if moved_to else "it was left in place"
        super().__init__(
            f"Your saved answers in {path} could not be read ({reason}); {where}. "
            "New answers will be saved to a fresh file. Ask your instructor if you need the old ones."
        )


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


class AnswerStore:
    """Saves and loads exercise answers in ``directory`` (default ``./answers``)."""

    def __init__(self, directory: Path | str = DEFAULT_ANSWERS_DIR) -> None:
        self.directory = Path(directory)

    def path(self, exercise_id: str) -> Path:
        return self.directory / f"{exercise_id}.json"

    def quarantined(self, exercise_id: str) -> list[Path]:
        """Corrupt answers files of ``exercise_id`` that were moved aside, oldest first."""
        return sorted(self.directory.glob(f"{exercise_id}.json.corrupt-*"))

    def saved_at(self, exercise_id: str) -> datetime | None:
        """When the answer on disk was saved (None: nothing readable there)."""
        try:
            return self._parse(exercise_id, self.path(exercise_id).read_text(encoding="utf-8")).saved_at
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def save(self, exercise_id: str, answer: Any, *, replaces: datetime | None | object = ...) -> SavedAnswer:
        """Atomically replace the saved answer of ``exercise_id``.

        ``replaces`` is the ``saved_at`` of the answer the caller last saw (None:
        it saw none). If the file on disk is a different answer, saved by
        someone else since (another copy of the same exercise, say), that file
        is copied aside first and named in ``kept_aside``: nothing is lost.
        """
        kept_aside = None
        if replaces is not ...:
            on_disk = self.saved_at(exercise_id)
            if on_disk is not None and on_disk != replaces:
                kept_aside = self._copy_aside(self.path(exercise_id), "superseded")
        saved = SavedAnswer(exercise_id, answer, datetime.now(timezone.utc), kept_aside)
        record = {
            "format": FORMAT_VERSION,
            "exercise": exercise_id,
            "saved_at": saved.saved_at.isoformat(),
            "answer": answer,
        }
        self.directory.mkdir(parents=True, exist_ok=True)
        target = self.path(exercise_id)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=self.directory)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(record, handle, ensure_ascii=False, indent=1)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp_name, target)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise
        return saved

    def load(
        self,
        exercise_id: str,
        *,
        parse: Callable[[Any], Any] | None = None,
        quarantine: bool = True,
    ) -> SavedAnswer | None:
        """The saved answer, or None if nothing was saved yet.

        ``parse`` checks the answer's shape (raising ValueError) and may convert
        it. With ``quarantine`` a corrupt file is renamed aside before the error
        is raised, so the next save cannot overwrite it.
        """
        target = self.path(exercise_id)
        try:
            raw = target.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        try:
            saved = self._parse(exercise_id, raw)
            if parse is not None:
                saved = SavedAnswer(exercise_id, parse(saved.answer), saved.saved_at)
            return saved
        except (ValueError, KeyError, TypeError) as exc:
            moved_to = self._move_aside(target) if quarantine else None
            raise CorruptAnswersError(target, str(exc) or type(exc).__name__, moved_to) from None

    @staticmethod
    def _parse(exercise_id: str, raw: str) -> SavedAnswer:
        record = json.loads(raw)
        if not isinstance(record, dict):
            raise ValueError("not a JSON object")
        if record.get("format") != FORMAT_VERSION:
            raise ValueError(f"unknown format {record.get('format')!r}")
        if record.get("exercise") != exercise_id:
            raise ValueError(f"file belongs to exercise {record.get('exercise')!r}")
        saved_at = datetime.fromisoformat(record["saved_at"])
        return SavedAnswer(exercise_id, record["answer"], saved_at)

    @staticmethod
    def _aside_name(target: Path, label: str) -> Path:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        for n in range(1000):
            aside = target.with_name(f"{target.name}.{label}-{stamp}" + (f"-{n}" if n else ""))
            if not aside.exists():
                return aside
        raise RuntimeError(f"too many {label} copies of {target}")

    @classmethod
    def _move_aside(cls, target: Path) -> Path:
        aside = cls._aside_name(target, "corrupt")
        target.rename(aside)
        return aside

    @classmethod
    def _copy_aside(cls, target: Path, label: str) -> Path:
        aside = cls._aside_name(target, label)
        shutil.copy2(target, aside)
        return aside
