"""Publish a trainee's lesson answers to the class folder, for the facilitator's live board.

Every save of an exercise widget calls :func:`publish_saved`. It writes
``<class_dir>/<exercise-id>/<trainee-id>.json`` only when publishing is on:

* never from a graded exercise: a notebook whose folder lies inside an nbgrader
  folder (``exercises/``, ``solutions/``, ``submitted/``, ``autograded/``,
  ``feedback/`` ...), or whose notebook file carries nbgrader cell metadata;
* otherwise, with ``COURSE_PUBLISH=auto`` (the default), only from lesson
  notebooks, i.e. notebooks in a folder named ``notebooks``; with
  ``COURSE_PUBLISH=1`` from any notebook; with ``COURSE_PUBLISH=0`` never.

Each trainee writes only their own file, named by the sanitized id (on a
shared class folder: by their OS user name), atomically (temporary file, fsync,
rename). Folders are opened without following links and files are created
relative to them (see :mod:`course_lib.live.classdir`): a symlink in place of
the file or the exercise folder is refused, as is a file owned by another user.
Publishing never stops a save: a failure becomes a short note.

On a JupyterHub course server (``COURSE_LIVE_URL`` set by the hub) the answer
goes to the live-answers service instead, identified by the server's hub token
(see :mod:`course_lib.live.hub_publish`); the rules above on what is published
stay the same.
"""

from __future__ import annotations

import errno
import json
import os
import re
import stat
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any

from .classdir import (
    FILE_NOFOLLOW,
    ClassDirError,
    ensure_folder,
    is_shared,
    open_folder,
    os_user_id,
    owner_name,
    write_json,
)
from .config import LiveConfig, load_config, sanitize_trainee_id

__all__ = [
    "ENTRY_FORMAT",
    "PublishError",
    "entry_path",
    "is_graded_folder",
    "is_lesson_folder",
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


def is_lesson_folder(folder: Path | str) -> bool:
    """True for the lessons' folder (``notebooks/``), where activities are practice and never graded."""
    return Path(folder).resolve().name == LESSON_FOLDER and not is_graded_folder(folder)


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


def _refuse_foreign_entry(folder_fd: int, name: str) -> None:
    """Refuse a link in place of the entry, or an entry another user wrote (opened, never followed)."""
    try:
        fd = os.open(name, os.O_RDONLY | FILE_NOFOLLOW, dir_fd=folder_fd)
    except FileNotFoundError:
        return
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise PublishError(f"{name} is a symbolic link; refusing to replace it") from None
        raise
    try:
        info = os.fstat(fd)
    finally:
        os.close(fd)
    if not stat.S_ISREG(info.st_mode):
        raise PublishError(f"{name} in the class folder is not a file; refusing to replace it")
    if info.st_uid != os.geteuid():
        who = owner_name(info.st_uid) or f"uid {info.st_uid}"
        raise PublishError(
            f"{name} in the class folder belongs to another user ({who}); ask the facilitator to remove it"
        )


def publish_answer(
    exercise_id: str,
    exercise_type: str,
    answer: Any,
    config: LiveConfig,
    *,
    saved_at: datetime | None = None,
) -> Path:
    """Write this trainee's entry for ``exercise_id`` atomically and return its path.

    On a shared class folder (see :func:`~course_lib.live.classdir.is_shared`)
    the entry is named after this process's OS user, whatever
    ``COURSE_TRAINEE_ID`` says: the board only counts entries whose owner is
    the user they name.
    """
    entry_path(config.class_dir, exercise_id, config.trainee_id)  # validates the exercise id
    class_dir = Path(config.class_dir)
    # The class folder's own path is the trainee's or the admin's setting; everything inside
    # it may have been made by another trainee, so from here on nothing is followed.
    class_dir.mkdir(parents=True, exist_ok=True)
    try:
        with open_folder(class_dir.resolve()) as class_fd:
            class_stat = os.fstat(class_fd)
            shared = is_shared(class_stat)
            trainee = os_user_id() if shared else config.trainee_id
            name = f"{trainee}.json"
            # A new activity folder is as open as the class folder (1777 on a shared server).
            ensure_folder(class_fd, exercise_id, stat.S_IMODE(class_stat.st_mode))
            with open_folder(exercise_id, dir_fd=class_fd) as folder_fd:
                _refuse_foreign_entry(folder_fd, name)
                record = {
                    "format": ENTRY_FORMAT,
                    "exercise": exercise_id,
                    "type": exercise_type,
                    "trainee": trainee,
                    "name": config.display_name,
                    "saved_at": (saved_at or datetime.now(timezone.utc)).isoformat(),
                    "answer": answer,
                }
                try:
                    write_json(folder_fd, name, record)
                except PermissionError:
                    folder = os.fstat(folder_fd)
                    who = owner_name(folder.st_uid) or f"uid {folder.st_uid}"
                    raise PublishError(
                        f"the activity folder {exercise_id} belongs to {who} and is closed to others; "
                        "ask the facilitator to set up the class folder (course-board --init-class-dir)"
                    ) from None
    except ClassDirError as exc:
        raise PublishError(str(exc)) from None
    return class_dir / exercise_id / name


def publish_saved(exercise: Any, answers_dir: Path | str, answer: Any, saved_at: datetime | None = None) -> str | None:
    """The widget hook: publish if publishing is on; return a note for the trainee if it failed.

    A no-op (None) when publishing is off. Never raises for a publishing
    problem: the answer is already saved beside the notebook.
    """
    try:
        config = load_config()
        if not should_publish(answers_dir, config, os.environ.get("JPY_SESSION_NAME")):
            return None
        from .hub_publish import hub_live_url, publish_to_hub  # hub mode: the hub sets COURSE_LIVE_URL

        hub_url = hub_live_url()
        if hub_url:
            publish_to_hub(exercise.id, exercise.type, answer, url=hub_url)
        else:
            publish_answer(exercise.id, exercise.type, answer, config, saved_at=saved_at)
    except (OSError, ValueError, TypeError, PublishError) as exc:
        return f"(Saved here, but not shared with the class board: {exc})"
    return None
