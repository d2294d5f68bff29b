"""Publish a trainee's lesson answers to the class folder, for the facilitator's live board.

Every save of an exercise widget calls :func:`publish_saved`. It writes
``<class_dir>/<exercise-id>/<trainee-id>.json`` only when publishing is on:

* never from a graded exercise: a notebook whose folder lies inside an nbgrader
  folder (``exercises/``, ``solutions/``, ``submitted/``, ``autograded/``,
  ``feedback/`` ...), or whose notebook file carries nbgrader cell metadata;
* otherwise, with ``COURSE_PUBLISH=auto`` (the default), only from lesson
  notebooks, i.e. notebooks in a folder named ``notebooks``; with
  ``COURSE_PUBLISH=1`` from any notebook; with ``COURSE_PUBLISH=0`` never.

Each trainee writes only their own file, named by the sanitized id, with the
AnswerStore's atomic write (temporary file, fsync, ``os.replace``). A symlink in
place of the file or the exercise folder is refused, as is a file owned by
another user. Publishing never stops a save: a failure becomes a short note.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any

from .config import LiveConfig, load_config, sanitize_trainee_id

__all__ = [
    "ENTRY_FORMAT",
    "PublishError",
    "entry_path",
    "is_graded_folder",
    "publish_answer",
    "publish_saved",
    "sanitize_trainee_id",
    "should_publish",
]

ENTRY_FORMAT = 1
LESSON_FOLDER = "notebooks"
GRADED_FOLDERS = frozenset(
    {"exercises", "solutions", "source", "release", "submitted", "autograded", "feedback", "inbound", "outbound"}
)
_EXERCISE_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,59}$")


class PublishError(RuntimeError):
    """An answer could not be published (the local save still happened)."""


@lru_cache(maxsize=32)
def _notebook_has_nbgrader_cells(path: str, mtime_ns: int) -> bool:
    try:
        notebook = json.loads(Path(path).read_text(encoding="utf-8"))
        return any("nbgrader" in cell.get("metadata", {}) for cell in notebook.get("cells", []))
    except (OSError, ValueError, AttributeError, TypeError):
        return False


def is_graded_folder(folder: Path | str, notebook: Path | str | None = None) -> bool:
    """True for a graded exercise: ``folder`` is inside an nbgrader folder, or ``notebook`` has nbgrader cells."""
    if GRADED_FOLDERS.intersection(Path(folder).resolve().parts):
        return True
    if notebook:
        try:
            mtime = Path(notebook).stat().st_mtime_ns
        except OSError:
            return False
        return _notebook_has_nbgrader_cells(str(notebook), mtime)
    return False


def should_publish(answers_dir: Path | str, config: LiveConfig, notebook: Path | str | None = None) -> bool:
    """Whether answers saved in ``answers_dir`` (beside the notebook) are published; see the module docstring."""
    if config.publish == "off":
        return False
    folder = Path(answers_dir).resolve().parent
    if is_graded_folder(folder, notebook):
        return False
    return config.publish == "on" or folder.name == LESSON_FOLDER


def entry_path(class_dir: Path | str, exercise_id: str, trainee_id: str) -> Path:
    """``<class_dir>/<exercise_id>/<slug>.json``; the trainee id is sanitized here too."""
    if not _EXERCISE_ID.match(exercise_id):
        raise PublishError(f"not an exercise id: {exercise_id!r}")
    return Path(class_dir) / exercise_id / f"{sanitize_trainee_id(trainee_id)}.json"


def _make_folder(folder: Path, like: Path | None) -> None:
    if folder.is_symlink():
        raise PublishError(f"{folder} is a symbolic link; refusing to publish through it")
    if folder.is_dir():
        return
    folder.mkdir(parents=like is None, exist_ok=True)
    if like is not None:
        # On a shared class folder (mode 1777) every trainee must be able to add
        # a file to the exercise folder that the first trainee created.
        os.chmod(folder, like.stat().st_mode & 0o7777)


def publish_answer(
    exercise_id: str,
    exercise_type: str,
    answer: Any,
    config: LiveConfig,
    *,
    saved_at: datetime | None = None,
) -> Path:
    """Write this trainee's entry for ``exercise_id`` atomically and return its path."""
    target = entry_path(config.class_dir, exercise_id, config.trainee_id)
    _make_folder(config.class_dir, None)
    _make_folder(target.parent, config.class_dir)
    if target.is_symlink():
        raise PublishError(f"{target} is a symbolic link; refusing to replace it")
    if hasattr(os, "getuid") and target.exists() and target.stat().st_uid != os.getuid():
        raise PublishError(f"{target.name} in the class folder belongs to another user")
    record = {
        "format": ENTRY_FORMAT,
        "exercise": exercise_id,
        "type": exercise_type,
        "trainee": target.stem,
        "name": config.display_name,
        "saved_at": (saved_at or datetime.now(timezone.utc)).isoformat(),
        "answer": answer,
    }
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(record, handle, ensure_ascii=False)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, 0o644)  # mkstemp makes it private; the facilitator must be able to read it
        os.replace(tmp_name, target)  # replaces a name, never writes through a link
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return target


def publish_saved(exercise: Any, answers_dir: Path | str, answer: Any, saved_at: datetime | None = None) -> str | None:
    """The widget hook: publish if publishing is on; return a note for the trainee if it failed.

    A no-op (None) when publishing is off. Never raises for a publishing
    problem: the answer is already saved beside the notebook.
    """
    try:
        config = load_config()
        if not should_publish(answers_dir, config, os.environ.get("JPY_SESSION_NAME")):
            return None
        publish_answer(exercise.id, exercise.type, answer, config, saved_at=saved_at)
    except (OSError, ValueError, TypeError, PublishError) as exc:
        return f"(Saved here, but not shared with the class board: {exc})"
    return None
