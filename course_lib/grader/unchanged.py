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

Listing the submission's folders was half of that check. So an entry also records, once they have settled
(``SETTLED_NS``), each of the submission's folders by inode and ctime, with the names the listing found
(interned per assignment: most submissions hold the same names). A folder whose inode and ctime are as
recorded holds the same names (adding, removing or renaming an entry changes a folder's ctime, and nobody
can set a ctime), so the files are looked up by name, one ``lstat`` each, instead of listing the folders.
Any difference falls back to the listing.

A large cohort is checked in forked processes, a slice each; what they inherit is the list of tasks and the
folders' layout (each task's folders are worked out in the checker).
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import stat
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from ..atomic import write_text_atomic
from .markers import marker_identity, matches, read_marker, stat_signature
from .task import Task

__all__ = ["INDEX_DIR", "PARALLEL_FROM", "SETTLED_NS", "Check", "EarlyAnswers", "Index", "index_path", "layout_of",
           "quick_answers", "read_index", "record_index", "unchanged_tasks"]

INDEX_DIR = ".course-grade-index"
# Below this many submissions one process checks them all: starting processes would cost more.
PARALLEL_FROM = 4000

# Folders changed less than this long before they were checked are not recorded: on a file system whose
# clock ticks coarsely, a change in the same tick as the check would leave the ctime as recorded.
SETTLED_NS = 2_000_000_000

# "<digest of the submission's stat signature> <autograded marker's identity> <feedback marker's, or ->",
# an identity written "inode:size:mtime_ns", then (once settled) " <shape>/<inode:ctime_ns,...>": the
# number of the submission's folders and files in its assignment's list of shapes, and its folders'
# identities. While a run makes an entry its shape is written out (" =<JSON>/...") until the index is saved.
# One string a submission: 110,000 of them load in a tenth of the time nested lists took.
Entry = str
Shape = list  # [[folder, ...], [file, ...]], relative to the submission folder ("" is the folder itself)
_CHECK: dict[str, Any] = {}  # what the forked processes inherit (see _entries)


def _digest(signature: list[list]) -> str:
    return hashlib.blake2b(repr(signature).encode("utf-8", "surrogateescape"), digest_size=16).hexdigest()


def _identity_text(identity: list[int] | None) -> str:
    return "-" if identity is None else ":".join(map(str, identity))


def _folders_part(folders: list[list], signature: list[list]) -> str:
    """The entry's fourth part for folders listed as ``folders``, or "" when one changed too recently."""
    if any(ctime > time.time_ns() - SETTLED_NS for _, _, ctime in folders):
        return ""
    shape = [[name for name, _, _ in folders], [row[0] for row in signature]]
    return f" ={json.dumps(shape)}/{','.join(f'{ino}:{ctime}' for _, ino, ctime in folders)}"


def _full_check(folders: tuple[str, str, str], inputs: str, feedback: bool) -> Entry | None:
    """The markers' own answer: an index entry when the submission is unchanged, else None."""
    submitted, autograded, feedback_folder = folders
    graded = read_marker(autograded)
    if graded is None or graded[0].get("inputs") != inputs:
        return None
    try:
        listed: list[list] = []
        same, signature = matches(graded[0], submitted, listed)
        if not same:
            return None
        given = read_marker(feedback_folder) if feedback else None  # unchecked feedback is not recorded
        if feedback and (given is None or not matches(given[0], autograded)[0]):
            return None
    except OSError:
        return None
    return (f"{_digest(signature)} {_identity_text(graded[1])} {_identity_text(given[1] if given else None)}"
            + _folders_part(listed, signature))


_FOLDER_FLAGS = os.O_DIRECTORY | getattr(os, "O_PATH", os.O_RDONLY) | getattr(os, "O_NOFOLLOW", 0) | os.O_CLOEXEC


def _named_signature(submitted: str, shape: Shape, identities: str) -> list[list] | None:
    """The submission's stat signature from its recorded names, if its folders are as recorded; else None.

    Names are looked up relative to the opened submission folder: fewer path components per ``lstat`` (a
    tenth less time over a cohort). The folders are checked before their files, so a folder replaced by a
    link is seen before a file is looked up through it."""
    folders, files = shape
    recorded = identities.split(",")
    if len(recorded) != len(folders):
        return None
    fd = os.open(submitted, _FOLDER_FLAGS)
    try:
        for name, identity in zip(folders, recorded, strict=True):
            info = os.lstat(name, dir_fd=fd) if name else os.fstat(fd)
            if not stat.S_ISDIR(info.st_mode) or f"{info.st_ino}:{info.st_ctime_ns}" != identity:
                return None
        found = []
        for name in files:
            info = os.lstat(name, dir_fd=fd)
            regular = stat.S_ISREG(info.st_mode)
            found.append([name, info.st_size if regular else -1, info.st_mtime_ns if regular else -1])
    finally:
        os.close(fd)
    return found  # recorded in the listing's sorted order


def _quick_check(folders: tuple[str, str, str], known: Entry, feedback: bool, shapes: list[Shape]) -> bool | Entry:
    """Whether the submission's files and both markers are exactly as the index recorded them: True, or (found
    by listing the folders, which can now be recorded) the entry with them; False when not."""
    submitted, autograded, feedback_folder = folders
    parts = known.split(" ", 3) if isinstance(known, str) else []  # anything else: a foreign index
    if len(parts) < 3:
        return False
    digest, graded, given = parts[:3]
    try:
        if _identity_text(marker_identity(autograded)) != graded:
            return False
        if feedback and (given == "-" or _identity_text(marker_identity(feedback_folder)) != given):
            return False
        if len(parts) == 4 and "/" in parts[3]:
            number, identities = parts[3].split("/", 1)
            if number.isdigit() and int(number) < len(shapes):
                signature = _named_signature(submitted, shapes[int(number)], identities)
                if signature is not None:
                    return _digest(signature) == digest
        listed: list[list] = []
        signature = stat_signature(submitted, listed)
        if _digest(signature) != digest:
            return False
        recorded = _folders_part(listed, signature) if len(parts) == 3 else ""
        return " ".join(parts[:3]) + recorded if recorded else True
    except (OSError, ValueError, TypeError):
        return False


def quick_answers(tasks: Sequence[Task], layout: dict[str, list[str]], known: Sequence[Entry | None],
                  feedback: bool, shapes: dict[str, list[Shape]]) -> list[Entry | bool]:
    """Per task, the index's own answer: True when it is as its entry says, an updated entry (found by listing),
    False when that takes the markers (no entry, or something differs). Needs no inputs: an index is only read
    for the inputs it was written for."""
    found: list[Entry | bool] = []
    for task, entry in zip(tasks, known, strict=True):
        if entry is None:
            found.append(False)
            continue
        submitted, autograded, given = (shape.replace(_STUDENT, task.student) for shape in layout[task.assignment])
        found.append(_quick_check((submitted, autograded, given), entry, feedback, shapes.get(task.assignment, [])))
    return found


def _check_slice(start: int, stop: int) -> list[Entry | bool | None]:
    """Per task: True when it is as its index entry says (the parent has that entry: only a bool crosses back
    from a forked checker), an updated entry, or else the markers' own answer. Each task's folders and
    inputs are looked up here, in the checker, not beforehand in the parent. A task whose index answer is
    already known (``early``) only gets the markers' answer, and only if it needs it."""
    tasks, layout, inputs, known = _CHECK["tasks"], _CHECK["layout"], _CHECK["inputs"], _CHECK["known"]
    feedback, shapes, early = _CHECK["feedback"], _CHECK["shapes"], _CHECK["early"]
    found: list[Entry | bool | None] = []
    for i in range(start, stop):
        answer = early[i] if early is not None else None
        if answer is not None and answer is not False:
            found.append(answer)  # the index's answer, found early: nothing to look at
            continue
        task, entry = tasks[i], known[i]
        student, assignment = task.student, task.assignment
        folders = tuple(shape.replace(_STUDENT, student) for shape in layout[assignment])
        if answer is None:
            answer = _quick_check(folders, entry, feedback, shapes.get(assignment, [])) if entry is not None else False
        found.append(answer if answer is not False else _full_check(folders, inputs[assignment], feedback))
    return found


_STUDENT, _ASSIGNMENT = "\0student\0", "\0assignment\0"  # cannot occur in a folder name


def layout_of(coursedir: Any, assignments: set[str]) -> dict[str, list[str]]:
    """Per assignment, its (submitted, autograded, feedback) folders with the trainee left as ``_STUDENT``:
    nbgrader's ``format_path`` once per assignment and step, then plain string replacement per task
    (440,000 calls of it cost a 10,000-trainee re-run 1.8 s)."""
    steps = (coursedir.submitted_directory, coursedir.autograded_directory, coursedir.feedback_directory)
    shapes = [coursedir.format_path(step, _STUDENT, _ASSIGNMENT) for step in steps]
    return {a: [shape.replace(_ASSIGNMENT, a) for shape in shapes] for a in assignments}


def _entries(coursedir: Any, tasks: Sequence[Task], inputs: dict[str, str], feedback: bool,
             known: list[Entry | None], processes: int,
             shapes: dict[str, list[Shape]] | None = None,
             early: list[Entry | bool | None] | None = None) -> list[Entry | None]:
    """Each task's index entry if it is unchanged, else None; in ``processes`` forked processes when many.
    ``shapes``: each assignment's shapes, for the entries in ``known``; ``early``: per task, the index's answer
    if already known (``quick_answers``), else None."""
    _CHECK.update(tasks=tasks, layout=layout_of(coursedir, {t.assignment for t in tasks}), inputs=inputs,
                  known=known, feedback=feedback, shapes=shapes or {}, early=early)
    to_check = len(tasks) if early is None else sum(1 for answer in early if answer is None or answer is False)
    try:
        if processes < 2 or to_check < PARALLEL_FROM or "fork" not in multiprocessing.get_all_start_methods():
            answers = _check_slice(0, len(tasks))
        else:
            step = -(-len(tasks) // (processes * 4))  # a few slices each: one slow slice does not hold all up
            with ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("fork")) as pool:
                parts = [pool.submit(_check_slice, i, min(i + step, len(tasks)))
                         for i in range(0, len(tasks), step)]
                answers = [answer for part in parts for answer in part.result()]
    finally:
        _CHECK.clear()
    # True: as the index says (its entry); otherwise the markers' answer, an entry or None (never False).
    return [entry if answer is True else cast("Entry | None", answer)
            for entry, answer in zip(known, answers, strict=True)]


def index_path(root: Path | str, assignment: str, shard: str) -> Path:
    """Where an assignment's index is kept (each shard keeps its own)."""
    return Path(root) / INDEX_DIR / f"{assignment}{'.' + shard if shard else ''}.json"


def _file_identity(info: os.stat_result) -> tuple[int, int, int, int]:
    return info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns


def read_index(path: Path, inputs: str | None) -> Index:
    """An assignment's index, empty when it is missing, torn or (``inputs`` given) for other inputs."""
    try:
        with open(path, "rb") as handle:
            data, info = json.loads(handle.read()), os.fstat(handle.fileno())
        if not isinstance(data.get("entries"), dict) or (inputs is not None and data.get("inputs") != inputs):
            return Index()
        shapes, layout = data.get("shapes", []), data.get("layout")
        return Index(data["entries"], shapes if isinstance(shapes, list) else [],
                     layout if isinstance(layout, list) else None,
                     _file_identity(info), data.get("inputs"))
    except (OSError, ValueError, AttributeError, KeyError):
        return Index()


@dataclass
class Index:
    """One assignment's index as read: entries per trainee, their shapes, the folders' layout it was written
    for, and the identity of the file it was read from (inode, size, mtime, ctime)."""

    entries: dict[str, Entry] = field(default_factory=dict)
    shapes: list[Shape] = field(default_factory=list)
    layout: list[str] | None = None
    identity: tuple[int, int, int, int] | None = None
    inputs: str | None = None

    def is_current(self, path: Path, inputs: str) -> bool:
        """Whether ``path`` is still the file this was read from, written for ``inputs``."""
        try:
            info = os.stat(path)
        except OSError:
            return False
        return inputs == self.inputs and _file_identity(info) == self.identity


def _interned(entries: dict[str, Entry], old_shapes: list[Shape]) -> tuple[dict[str, Entry], list[Shape]]:
    """Entries with every shape this run wrote out numbered, and the list they are numbered in: the old list
    (whose numbers the other entries keep) with the new shapes after it. Only written-out entries are read."""
    shapes = list(old_shapes)
    numbers = {json.dumps(shape): number for number, shape in enumerate(shapes)}
    interned = dict(entries)
    for student in [student for student, entry in entries.items() if " =" in entry]:
        parts = entries[student].split(" ", 3)
        shape_text, _, identities = parts[3].rpartition("/")
        shape_text = shape_text[1:]
        if shape_text not in numbers:
            numbers[shape_text] = len(shapes)
            shapes.append(json.loads(shape_text))
        interned[student] = f"{' '.join(parts[:3])} {numbers[shape_text]}/{identities}"
    return interned, shapes


@dataclass
class Check:
    """What a run found (``unchanged_tasks``), kept for writing the index afterwards (``record_index``)."""

    tasks: list[Task]
    entries: list[Entry | None]  # per task: its entry when unchanged, else None
    index: dict[str, dict[str, Entry]]  # per assignment: the index as read
    shard: str
    shapes: dict[str, list[Shape]] = field(default_factory=dict)  # per assignment: the index's shapes
    layouts: dict[str, list[str] | None] = field(default_factory=dict)  # per assignment: the layout it records

    @property
    def unchanged(self) -> list[Task]:
        return [task for task, entry in zip(self.tasks, self.entries, strict=True) if entry is not None]

    @property
    def changed(self) -> list[Task]:
        return [task for task, entry in zip(self.tasks, self.entries, strict=True) if entry is None]


def unchanged_tasks(coursedir: Any, tasks: Sequence[Task], inputs: dict[str, str], feedback: bool,
                    processes: int, shard: str = "", *, force: bool = False,
                    early: EarlyAnswers | None = None) -> Check:
    """Which of ``tasks`` have recorded grades (and feedback, if ``feedback``) matching their submission and
    ``inputs``: ``.unchanged``, ``.changed`` (all of them with ``force``).

    ``coursedir`` is nbgrader's CourseDirectory; ``inputs`` maps an assignment to what its grades depend on;
    ``shard`` names this run's shard (each shard keeps its own index); ``early``: the index's answers found
    before the run was ready (``early_check``), taken for an assignment only if they assumed what holds now.
    """
    root = Path(coursedir.root)
    read = {a: _current_index(root, a, shard, inputs[a], early) for a in {t.assignment for t in tasks}}
    index = {a: found.entries for a, found in read.items()}
    shapes = {a: found.shapes for a, found in read.items()}
    layouts = {a: found.layout for a, found in read.items()}
    if force:
        return Check(list(tasks), [None] * len(tasks), index, shard, shapes, layouts)
    known = [index[t.assignment].get(t.student) for t in tasks]
    answers = early.usable(tasks, read, layout_of(coursedir, set(read))) if early is not None else None
    return Check(list(tasks), _entries(coursedir, tasks, inputs, feedback, known, processes, shapes, answers), index,
                 shard, shapes, layouts)


def _current_index(root: Path, assignment: str, shard: str, inputs: str, early: EarlyAnswers | None) -> Index:
    """The assignment's index: as the early check read it if the file is still that one, else read now."""
    path = index_path(root, assignment, shard)
    kept = early.indexes.get(assignment) if early is not None else None
    if kept is not None and kept.is_current(path, inputs):
        return kept
    return read_index(path, inputs)


@dataclass
class EarlyAnswers:
    """The index's answers (``quick_answers``) for a run's tasks, found before the run had loaded nbgrader and the
    course configuration (``early_check``), with what they assumed: per assignment, the index file read (its
    identity) and so the folders' layout that file records."""

    tasks: list[Task]
    answers: list[Entry | bool]
    indexes: dict[str, Index]

    def usable(self, tasks: Sequence[Task], read: dict[str, Index], layout: dict[str, list[str]]
               ) -> list[Entry | bool | None] | None:
        """Per task, its early answer where the assumptions hold (the same index file, written for the layout
        the configuration gives now, and the same tasks), else None; None when no answer is usable."""
        if list(tasks) != self.tasks:
            return None
        good = {a for a, found in read.items() if found.identity is not None and found.layout == layout[a]
                and found.identity == getattr(self.indexes.get(a), "identity", None)}
        if not good:
            return None
        return [answer if task.assignment in good else None
                for task, answer in zip(tasks, self.answers, strict=True)]


def record_index(coursedir: Any, check: Check, graded: Sequence[Task], inputs: dict[str, str],
                 feedback: bool) -> None:
    """Write each assignment's index: what ``check`` found unchanged, fresh entries for ``graded``, none for
    the changed tasks that were not graded (they failed or the run stopped). Entries of trainees this run did
    not look at are kept; an assignment's file is left alone when nothing in it would change."""
    fresh = dict(zip(graded, _entries(coursedir, graded, inputs, feedback, [None] * len(graded), 1), strict=True))
    root = Path(coursedir.root)
    updated = {assignment: dict(entries) for assignment, entries in check.index.items()}
    for task, entry in zip(check.tasks, check.entries, strict=True):
        entry = fresh.get(task, entry)
        if entry is None:
            updated[task.assignment].pop(task.student, None)
        else:
            updated[task.assignment][task.student] = entry
    layout = layout_of(coursedir, set(updated))
    for assignment, new in updated.items():
        entries = check.index[assignment]
        if new != entries or not entries or check.layouts.get(assignment) != layout[assignment]:
            path = index_path(root, assignment, check.shard)
            path.parent.mkdir(exist_ok=True)
            new, shapes = _interned(new, check.shapes.get(assignment, []))
            write_text_atomic(path, json.dumps({"inputs": inputs[assignment], "layout": layout[assignment],
                                                "entries": new, "shapes": shapes}))
