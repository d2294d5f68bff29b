"""Which submissions a re-run can skip: those whose grades (and feedback) were recorded for them as they are now.

The markers decide (``markers.py``): a submission is unchanged when its autograded folder's marker
matches it and the course's inputs, and (with feedback) its feedback folder's marker matches the
autograded folder. That is two files read and two folders listed a submission: cheap for one, most of a
re-run for 110,000 (10,000 trainees x 11 assignments).

So each run also leaves an index per assignment (``.course-grade-index/``): for every submission it
checked or graded, a digest of the submission's file sizes and times and the identity (inode, size,
time) of its two markers. On the next run a submission whose files and markers are as the index says
is unchanged without reading either marker: the markers are only ever replaced, never edited, so the
same marker file still says what it said when the index was written. Anything else (no index, another
inputs fingerprint, a marker replaced, a file touched) falls back to the markers themselves. The index
is derived data, like the markers: lost or torn, it only costs the full check.

A large cohort is checked in forked processes, a slice each; what they inherit is the list of folders.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from ..atomic import write_text_atomic
from .markers import MARKER, fingerprint, stat_signature
from .summary import Task

__all__ = ["INDEX_DIR", "PARALLEL_FROM", "record_index", "unchanged_tasks"]

INDEX_DIR = ".course-grade-index"
# Below this many submissions one process checks them all: starting processes would cost more.
PARALLEL_FROM = 4000

Entry = list  # [digest of the submission's stat signature, autograded marker's identity, feedback marker's]
_CHECK: dict[str, Any] = {}  # what the forked processes inherit (see _entries)


def _identity(handle_or_path: Any) -> list[int]:
    info = os.fstat(handle_or_path) if isinstance(handle_or_path, int) else os.lstat(handle_or_path)
    return [info.st_ino, info.st_size, info.st_mtime_ns]


def _digest(signature: list[list]) -> str:
    return hashlib.blake2b(repr(signature).encode("utf-8", "surrogateescape"), digest_size=16).hexdigest()


def _read_marker(folder: str) -> tuple[dict, list[int]] | None:
    try:
        with open(os.path.join(folder, MARKER), "rb") as handle:
            data, identity = json.loads(handle.read()), _identity(handle.fileno())
    except (OSError, ValueError):
        return None
    return (data, identity) if isinstance(data, dict) else None


def _matches(data: dict, folder: str) -> tuple[bool, list[list]]:
    """Whether a marker's record matches ``folder`` as it is now (sizes and times, else content)."""
    signature = stat_signature(folder)
    return data.get("files") == signature or data.get("submission") == fingerprint(Path(folder)), signature


def _full_check(folders: tuple[str, str, str], inputs: str, feedback: bool) -> Entry | None:
    """The markers' own answer: an index entry when the submission is unchanged, else None."""
    submitted, autograded, feedback_folder = folders
    graded = _read_marker(autograded)
    if graded is None or graded[0].get("inputs") != inputs:
        return None
    try:
        same, signature = _matches(graded[0], submitted)
        if not same:
            return None
        given = _read_marker(feedback_folder) if feedback else None  # unchecked feedback is not recorded
        if feedback and (given is None or not _matches(given[0], autograded)[0]):
            return None
    except OSError:
        return None
    return [_digest(signature), graded[1], given[1] if given else None]


def _quick_check(folders: tuple[str, str, str], known: Entry, feedback: bool) -> bool:
    """Whether the submission's files and both markers are exactly as the index recorded them."""
    submitted, autograded, feedback_folder = folders
    try:
        if _identity(os.path.join(autograded, MARKER)) != known[1]:
            return False
        if feedback and (known[2] is None or _identity(os.path.join(feedback_folder, MARKER)) != known[2]):
            return False
        return _digest(stat_signature(submitted)) == known[0]
    except OSError:
        return False


def _check_slice(start: int, stop: int) -> list[Entry | None]:
    folders, inputs, known, feedback = _CHECK["folders"], _CHECK["inputs"], _CHECK["known"], _CHECK["feedback"]
    found: list[Entry | None] = []
    for i in range(start, stop):
        entry = known[i]
        if entry is not None and _quick_check(folders[i], entry, feedback):
            found.append(entry)
        else:
            found.append(_full_check(folders[i], inputs[i], feedback))
    return found


def _entries(coursedir: Any, tasks: Sequence[Task], inputs: dict[str, str], feedback: bool,
             known: Callable[[Task], Entry | None], processes: int) -> list[Entry | None]:
    """Each task's index entry if it is unchanged, else None; in ``processes`` forked processes when many."""
    fmt = coursedir.format_path
    dirs = (coursedir.submitted_directory, coursedir.autograded_directory, coursedir.feedback_directory)
    _CHECK.update(folders=[tuple(fmt(d, t.student, t.assignment) for d in dirs) for t in tasks],
                  inputs=[inputs[t.assignment] for t in tasks], known=[known(t) for t in tasks], feedback=feedback)
    try:
        if processes < 2 or len(tasks) < PARALLEL_FROM or "fork" not in multiprocessing.get_all_start_methods():
            return _check_slice(0, len(tasks))
        step = -(-len(tasks) // (processes * 4))  # a few slices each: one slow slice does not hold all up
        with ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("fork")) as pool:
            parts = [pool.submit(_check_slice, i, min(i + step, len(tasks))) for i in range(0, len(tasks), step)]
            return [entry for part in parts for entry in part.result()]
    finally:
        _CHECK.clear()


def _index_path(root: Path, assignment: str, shard: str) -> Path:
    return root / INDEX_DIR / f"{assignment}{'.' + shard if shard else ''}.json"


def _read_index(path: Path, inputs: str) -> dict[str, Entry]:
    try:
        data = json.loads(path.read_bytes())
        return data["entries"] if data.get("inputs") == inputs and isinstance(data.get("entries"), dict) else {}
    except (OSError, ValueError, AttributeError, KeyError):
        return {}


def unchanged_tasks(coursedir: Any, tasks: Sequence[Task], inputs: dict[str, str], feedback: bool,
                    processes: int, shard: str = "") -> tuple[list[Task], dict[Task, Entry]]:
    """The tasks whose recorded grades (and feedback, if ``feedback``) match their submission and ``inputs``,
    with their index entries (for :func:`record_index`).

    ``coursedir`` is nbgrader's CourseDirectory; ``inputs`` maps an assignment to what its grades depend on;
    ``shard`` names this run's shard (each shard keeps its own index).
    """
    root = Path(coursedir.root)
    index = {a: _read_index(_index_path(root, a, shard), inputs[a]) for a in {t.assignment for t in tasks}}
    entries = _entries(coursedir, tasks, inputs, feedback, lambda t: index[t.assignment].get(t.student),
                       processes)
    found = {task: entry for task, entry in zip(tasks, entries, strict=True) if entry is not None}
    return [task for task in tasks if task in found], found


def record_index(coursedir: Any, graded: Sequence[Task], known: dict[Task, Entry], changed: Sequence[Task],
                 inputs: dict[str, str], feedback: bool, processes: int, shard: str = "") -> None:
    """Write each assignment's index: ``known`` entries, fresh ones for ``graded``; none for ``changed``
    tasks that were not graded (they failed). Entries of trainees this run did not look at are kept."""
    fresh = dict(known)
    fresh.update({task: entry for task, entry in zip(graded, _entries(coursedir, graded, inputs, feedback,
                                                                       lambda t: None, processes), strict=True)
                  if entry is not None})
    root = Path(coursedir.root)
    for assignment in sorted({t.assignment for t in [*known, *graded, *changed]}):
        path = _index_path(root, assignment, shard)
        entries = _read_index(path, inputs[assignment])
        for task in changed:
            if task.assignment == assignment:
                entries.pop(task.student, None)
        entries.update({t.student: e for t, e in fresh.items() if t.assignment == assignment})
        path.parent.mkdir(exist_ok=True)
        write_text_atomic(path, json.dumps({"inputs": inputs[assignment], "entries": entries}))
