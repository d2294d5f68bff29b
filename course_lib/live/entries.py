"""Read a class folder's published answers, re-reading only the files that changed.

A :class:`ClassFolder` reads ``<class_dir>/<exercise-id>/<trainee>.json``
entries written by :mod:`course_lib.live.publish`. It keeps an index per
activity: for each file, its version (mtime, size, inode, owner) and what it
parsed to (an :class:`Entry`, with the per-type data the board derives once
per file version, or a note saying why it was skipped). A refresh lists the
folder and stats each file; only new or changed files are opened and parsed,
and when nothing changed the previous :class:`ClassEntries` object itself is
returned, so the summaries built from it can be reused too.

A half-written, corrupt or misfiled entry is skipped with a note, never raised.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..models import ExerciseBase
from ..types import exercise_type
from .classdir import claimed_by_owner, is_shared, owner_display_name, owner_name, read_no_follow
from .hidden import hidden_cards, set_hidden
from .publish import ENTRY_FORMAT

__all__ = ["MAX_ENTRY_BYTES", "ClassEntries", "ClassFolder", "Entry", "parse_entry"]

MAX_ENTRY_BYTES = 256_000  # far above any real answer; a bigger file is skipped, not parsed

Version = tuple[int, int, int, int]  # (st_mtime_ns, st_size, st_ino, st_uid)


@dataclass(frozen=True)
class Entry:
    """One trainee's published answer (already parsed to its canonical shape)."""

    trainee: str
    name: str
    saved_at: str
    answer: Any
    derived: Any = None  # per-type data computed once per file version (verdicts, band)


@dataclass(frozen=True)
class ClassEntries:
    """The readable entries of one activity, and a note for each file that was skipped."""

    exercise_id: str
    entries: tuple[Entry, ...]
    notes: tuple[str, ...]
    rejected: int = 0  # entries on a shared folder whose owner is not the trainee they name


def _deriver(exercise: ExerciseBase) -> Callable[[ExerciseBase, Any], Any] | None:
    """The type's ``derive(exercise, answer)`` for the board (see :mod:`course_lib.types`), if it has one."""
    board = exercise_type(exercise.type).load_board()
    return getattr(board, "derive", None) if board is not None else None


def parse_entry(path: str, name: str, exercise: ExerciseBase, version: Version) -> Entry | str:
    """The entry in file ``path`` (named ``name``) for ``exercise``, or a note saying why it was skipped."""
    size = version[1]
    if size > MAX_ENTRY_BYTES:
        return f"Skipped {name}: too large ({size} bytes)."
    trainee = name.removesuffix(".json")
    try:
        record = json.loads(read_no_follow(path, version, MAX_ENTRY_BYTES))
        if not isinstance(record, dict):
            raise ValueError("not a JSON object")
        if record.get("format") != ENTRY_FORMAT:
            raise ValueError(f"unknown format {record.get('format')!r}")
        if record.get("exercise") != exercise.id:
            raise ValueError(f"it belongs to exercise {record.get('exercise')!r}")
        if record.get("trainee") != trainee:
            raise ValueError("its trainee id does not match its file name")
        answer = exercise_type(exercise.type).load_scoring().parse_answer(record.get("answer"))
        derive = _deriver(exercise)
        name_field = record.get("name")
        return Entry(
            trainee=trainee,
            name=name_field if isinstance(name_field, str) and name_field else trainee,
            saved_at=str(record.get("saved_at", "")),
            answer=answer,
            derived=derive(exercise, answer) if derive else None,
        )
    except OSError as exc:
        return f"Skipped {name}: could not be read ({exc.strerror or exc})."
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        # json's message says where the text stopped: enough to spot a half-written file.
        reason = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
        return f"Skipped {name}: {reason}."


@dataclass
class _ActivityIndex:
    """What one activity's folder held at the last refresh: per file name, its version and what it parsed to."""

    exercise: ExerciseBase
    files: dict[str, tuple[Version, Entry | str]]
    listing: tuple[Any, ...] | None = None  # what decided the last result: versions, sharing, skipped names
    result: ClassEntries | None = None


class ClassFolder:
    """Reads a class folder through a per-file index; stores the facilitator's hidden entries.

    Files are opened without following links. On a shared class folder (one
    other users can write to, or holding files of several users) an entry
    counts only when its owner is the OS user it is named after, and the name
    shown is that user's, not the one written in the file.
    """

    def __init__(self, class_dir: Path | str) -> None:
        self.class_dir = Path(class_dir)
        self._index: dict[str, _ActivityIndex] = {}
        # exercise id -> (what it was built from, summary): kept here by live.aggregate.summarise for reuse.
        self.summaries: dict[str, tuple[tuple[Any, ...], Any]] = {}

    def _class_stat(self) -> os.stat_result | None:
        try:
            return os.stat(self.class_dir)  # the configured path itself may be a link set up by the admin
        except OSError:
            return None

    def activities(self) -> list[str]:
        """Exercise ids that have a folder in the class folder, sorted."""
        try:
            return sorted(
                p.name for p in os.scandir(self.class_dir) if p.is_dir(follow_symlinks=False)
                and not p.name.startswith(".")
            )
        except OSError:
            return []

    def folder_problems(self) -> tuple[str, ...]:
        """Activity folders a trainee made so that others cannot add to them (or can remove others' entries)."""
        class_stat = self._class_stat()
        if class_stat is None or not is_shared(class_stat):
            return ()
        problems = []
        for name in self.activities():
            try:
                info = os.lstat(self.class_dir / name)
            except OSError:
                continue
            if info.st_uid == class_stat.st_uid:
                continue  # the facilitator's (or the admin's) own folder
            who = owner_name(info.st_uid) or f"uid {info.st_uid}"
            mode = stat.S_IMODE(info.st_mode)
            if not mode & 0o002:
                problems.append(f"The activity folder {name} was created by {who} and others cannot add to it: "
                                "remove it and run course-board --init-class-dir.")
            elif not mode & stat.S_ISVTX:
                problems.append(f"The activity folder {name} was created by {who} without the sticky bit: "
                                "anyone can remove others' entries. Run course-board --init-class-dir.")
        return tuple(problems)

    def _list(self, folder: Path) -> tuple[list[tuple[str, str, Version]], list[str]]:
        """(name, path, version) of each entry file in ``folder``, and notes on names that are not entries."""
        listed: list[tuple[str, str, Version]] = []
        notes: list[str] = []
        try:
            scan = os.scandir(folder) if not folder.is_symlink() else None
        except OSError:
            scan = None
        if scan is None:
            return listed, notes
        with scan:
            for item in scan:
                name = item.name
                # Dot files are the hidden list and half-written temporary files.
                if name.startswith(".") or not name.endswith(".json"):
                    continue
                if item.is_symlink():
                    notes.append(f"Skipped {name}: a symbolic link, not an entry.")
                    continue
                try:
                    info = item.stat(follow_symlinks=False)
                except OSError as exc:
                    notes.append(f"Skipped {name}: {exc.strerror}.")
                    continue
                listed.append((name, item.path, (info.st_mtime_ns, info.st_size, info.st_ino, info.st_uid)))
        return listed, notes

    def read(self, exercise: ExerciseBase) -> ClassEntries:
        """Every entry of ``exercise``; unreadable ones become notes, entries by the wrong user are rejected."""
        index = self._index.get(exercise.id)
        if index is None or index.exercise is not exercise:  # new content version: parse everything again
            index = self._index[exercise.id] = _ActivityIndex(exercise, {})
        listed, notes = self._list(self.class_dir / exercise.id)
        class_stat = self._class_stat()
        me = os.geteuid()
        shared = (class_stat is not None and is_shared(class_stat)) or any(v[3] != me for _n, _p, v in listed)
        listing = (shared, tuple(notes), tuple((name, version) for name, _path, version in listed))
        if index.result is not None and listing == index.listing:
            return index.result  # nothing changed since the last refresh
        files = index.files
        entries: list[Entry] = []
        rejected = 0
        seen: dict[str, tuple[Version, Entry | str]] = {}
        for name, path, version in listed:
            if shared and not claimed_by_owner(name.removesuffix(".json"), version[3]):
                rejected += 1
                continue
            known = files.get(name)
            if known is None or known[0] != version:
                known = (version, parse_entry(path, name, exercise, version))
            seen[name] = known
            result = known[1]
            if isinstance(result, Entry):
                if shared:  # the name a trainee typed is not trusted where users share the folder
                    result = replace(result, name=owner_display_name(version[3]) or result.trainee)
                entries.append(result)
            else:
                notes.append(result)
        index.files = seen  # files gone since the last refresh drop out of the index
        entries.sort(key=lambda e: (e.saved_at, e.trainee))
        notes.sort()
        if rejected:
            notes.insert(0, f"Rejected: {rejected} {'entry' if rejected == 1 else 'entries'} "
                            "not written by the trainee they name.")
        index.listing = listing
        index.result = ClassEntries(exercise.id, tuple(entries), tuple(notes), rejected)
        return index.result

    # -- hidden entries (see hidden.py) ------------------------------------
    def hidden(self, exercise_id: str) -> dict[str, str]:
        """Hidden card keys of ``exercise_id`` -> their text (for the 'show again' list)."""
        return hidden_cards(self.class_dir, exercise_id)

    def set_hidden(self, exercise_id: str, key: str, text: str, hide: bool = True) -> None:
        """Hide (or show again) the card ``key`` of ``exercise_id``; atomic like every other write."""
        set_hidden(self.class_dir, exercise_id, key, text, hide)
