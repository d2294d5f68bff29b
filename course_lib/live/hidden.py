"""The facilitator's hidden brainstorm cards: ``<class_dir>/<exercise-id>/.hidden.json``.

Only the facilitator's own file counts (a regular file owned by the user
running the board); it is read without following a link and replaced
atomically (:mod:`course_lib.atomic`) inside the opened activity folder.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

from .classdir import ClassDirError, open_folder, read_no_follow, write_json

__all__ = ["HIDDEN_FILE", "hidden_cards", "set_hidden"]

HIDDEN_FILE = ".hidden.json"
MAX_HIDDEN_BYTES = 256_000  # as for an entry: a longer list is not read


def hidden_cards(class_dir: Path | str, exercise_id: str) -> dict[str, str]:
    """Hidden card keys of ``exercise_id`` -> their text (for the 'show again' list)."""
    path = Path(class_dir) / exercise_id / HIDDEN_FILE
    try:
        info = path.lstat()
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid():
            return {}  # only the facilitator's own list counts
        version = (info.st_mtime_ns, info.st_size, info.st_ino, info.st_uid)
        data = json.loads(read_no_follow(path, version, MAX_HIDDEN_BYTES))
    except (OSError, ValueError):
        return {}
    hidden = data.get("hidden") if isinstance(data, dict) else None
    if not isinstance(hidden, dict):
        return {}
    return {str(k): str(v) for k, v in hidden.items()}


def set_hidden(class_dir: Path | str, exercise_id: str, key: str, text: str, hide: bool = True) -> None:
    """Hide (or show again) the card ``key`` of ``exercise_id``; the list is replaced whole."""
    hidden = hidden_cards(class_dir, exercise_id)
    if hide:
        hidden[key] = text
    else:
        hidden.pop(key, None)
    try:
        with open_folder(Path(class_dir).resolve()) as class_fd:
            with open_folder(exercise_id, dir_fd=class_fd) as folder_fd:
                write_json(folder_fd, HIDDEN_FILE, {"format": 1, "hidden": hidden})
    except ClassDirError as exc:
        raise OSError(str(exc)) from None
