"""A re-run's check, started before ``course grade`` has loaded nbgrader (issue 21).

Loading nbgrader, the course configuration and the content takes a re-run about a second on one core
while the other core idles; the check that follows (is each submission as the index says? ``unchanged``)
is the largest part of a large cohort's re-run, and needs none of it: only the index files, which record
the folders' layout, and the file system. So ``course grade`` first takes the course lock, forks one
checker per core and loads meanwhile. Each checker lists its part of the trainees (``find_submissions``)
and gives the index's answer for each of their submissions (``quick_answers``).

The run then takes the listing only if it lists the folder the configuration names, and an answer only
where what the checker assumed still holds (``EarlyAnswers.usable``: the same index file, written for the
layout the configuration gives); everything else is checked as before. A checker that fails costs only
its help. Only this module's own imports run before the fork: nothing of nbgrader, so the checkers start
small and at once.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path

from .locking import course_lock
from .shards import Shard
from .task import Task, find_submissions
from .unchanged import _STUDENT, INDEX_DIR, PARALLEL_FROM, EarlyAnswers, Index, index_path, quick_answers, read_index

__all__ = ["EARLY_FROM", "EarlyCheck", "early_check"]

# Below this many indexed submissions the run checks them itself: starting checkers would cost more.
EARLY_FROM = PARALLEL_FROM


@dataclass
class EarlyCheck:
    """The checkers of one run (empty when there is nothing to check early) and, once collected, what they found."""

    top: str = ""  # the submitted folder the checkers listed
    assignments: frozenset[str] = frozenset()
    students: tuple[str, ...] | None = None
    indexes: dict[str, Index] = field(default_factory=dict)
    _children: list[tuple[int, int]] = field(default_factory=list)  # (pid, read end of its pipe)
    _found: tuple[list[Task], list] | None = None

    @property
    def running(self) -> bool:
        """Whether checkers were started and not yet collected."""
        return bool(self._children)

    def lists(self, submitted: str, assignments: Iterable[str], students: Iterable[str] | None) -> bool:
        """Whether the checkers listed what ``find_submissions(submitted, assignments, students)`` lists."""
        return (bool(self._children) and os.path.normpath(submitted) == self.top
                and frozenset(assignments) == self.assignments
                and (tuple(sorted(set(students))) if students else None) == self.students)

    def collect(self) -> tuple[list[Task], list] | None:
        """Every submission the checkers listed (sorted, as ``find_submissions`` gives them) and the index's answer
        for each; None if a checker failed. Waits for the checkers."""
        if self._found is None and self._children:
            parts = []
            while self._children:
                pid, fd = self._children[0]
                self._children[0] = (pid, -1)  # the file object below owns (and closes) the pipe from here on
                with os.fdopen(fd, "rb") as pipe:
                    data = pipe.read()
                _, status = os.waitpid(pid, 0)
                self._children.pop(0)  # reaped: a signal before this leaves it to stop()
                parts.append(pickle.loads(data) if status == 0 and data else None)  # noqa: S301 - our own child
            complete = [part for part in parts if part is not None]
            if len(complete) == len(parts):
                pairs = sorted((pair for tasks, answers in complete for pair in zip(tasks, answers, strict=True)),
                               key=itemgetter(0))
                self._found = [task for task, _ in pairs], [answer for _, answer in pairs]
        return self._found

    def answers(self, tasks: list[Task], listed: list[Task], answers: list) -> EarlyAnswers:
        """The answers for ``tasks``, a selection (a shard's) of the ``listed`` ones, for ``unchanged_tasks``."""
        if len(tasks) != len(listed):
            wanted = set(tasks)
            answers = [answer for task, answer in zip(listed, answers, strict=True) if task in wanted]
        return EarlyAnswers(tasks, answers, self.indexes)

    def stop(self) -> None:
        """End checkers not collected (the run failed or did not need them)."""
        for pid, fd in self._children:
            if fd >= 0:
                os.close(fd)
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass  # reaped already
        self._children = []


@contextmanager
def early_check(course_root: Path, assignments: list[str] | None, students: list[str] | None, feedback: bool,
                shard: Shard | None, force: bool, on_wait: Callable[[str], object]) -> Iterator[EarlyCheck]:
    """Hold the course lock for the block and check early meanwhile (see the module docstring).

    ``assignments`` None: those with an index (``course grade --all``: the gradebook says later which)."""
    with course_lock(course_root, on_wait=on_wait, shard_lock=shard.lock_name if shard else None):
        check = EarlyCheck()
        try:
            if not force and hasattr(os, "fork") and sys.platform != "win32":
                _start(check, course_root, assignments, students, feedback, shard)
        except Exception:  # noqa: BLE001 - only help: the run checks everything itself
            check.stop()
        try:
            yield check
        finally:
            check.stop()


def _start(check: EarlyCheck, root: Path, assignments: list[str] | None, students: list[str] | None,
           feedback: bool, shard: Shard | None) -> None:
    shard_name = shard.index_name if shard else ""
    names = assignments if assignments is not None else _indexed(root, shard_name)
    indexes = {a: read_index(index_path(root, a, shard_name), None) for a in names}
    layouts = {a: index.layout for a, index in indexes.items()}
    tops = {_submitted_top(a, layout) for a, layout in layouts.items()}
    if not names or len(tops) != 1 or None in tops:
        return  # an assignment without an index, or a layout this check does not know: nothing to gain
    if sum(len(index.entries) for index in indexes.values()) < EARLY_FROM:
        return  # a small cohort: the run checks it in less time than starting checkers takes
    top = tops.pop()
    assert top is not None
    check.top, check.assignments, check.indexes = top, frozenset(names), indexes
    check.students = tuple(sorted(set(students))) if students else None
    try:
        count = max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        count = os.cpu_count() or 1
    for part in range(count):
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the checker
            os.close(read)
            _checker(write, top, names, students, (part, count), feedback, shard, indexes)
        os.close(write)
        check._children.append((pid, read))


def _checker(fd: int, top: str, names: list[str], students: list[str] | None, part: tuple[int, int],
             feedback: bool, shard: Shard | None, indexes: dict[str, Index]) -> None:
    """A forked checker: its part of the trainees, listed and checked; the answers down the pipe. Never returns."""
    status = 1
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the run, which ends its checkers
        tasks = find_submissions(top, ".", names, students, part)
        owned = [shard is None or shard.owns(task.student) for task in tasks]
        mine = [task for task, own in zip(tasks, owned, strict=True) if own]
        layout = {a: index.layout for a, index in indexes.items() if index.layout is not None}
        known = [indexes[task.assignment].entries.get(task.student) for task in mine]
        checked = iter(quick_answers(mine, layout, known, feedback, {a: i.shapes for a, i in indexes.items()}))
        answers = [next(checked) if own else False for own in owned]
        with os.fdopen(fd, "wb") as pipe:
            pipe.write(pickle.dumps((tasks, answers), protocol=pickle.HIGHEST_PROTOCOL))
        status = 0
    except BaseException:  # noqa: BLE001 - the run sees the failure and checks these itself
        pass
    finally:
        os._exit(status)


def _indexed(root: Path, shard_name: str) -> list[str]:
    """The assignments with an index for this shard (or for the whole cohort)."""
    suffix = f".{shard_name}.json" if shard_name else ".json"
    try:
        found = [p.name[: -len(suffix)] for p in (root / INDEX_DIR).iterdir() if p.name.endswith(suffix)]
    except OSError:
        return []
    return sorted(name for name in found if shard_name or "." not in name)


def _submitted_top(assignment: str, layout: list[str] | None) -> str | None:
    """The folder holding a folder per trainee, for a layout ``<top>/<trainee>/<assignment>``; else None."""
    if not layout or len(layout) != 3:
        return None
    tail = f"{os.sep}{_STUDENT}{os.sep}{assignment}"
    submitted = layout[0]
    # nbgrader makes the course root absolute: a relative layout would be read from another folder here.
    if not os.path.isabs(submitted) or not submitted.endswith(tail) or _STUDENT in submitted[: -len(tail)]:
        return None
    return os.path.normpath(submitted[: -len(tail)])
