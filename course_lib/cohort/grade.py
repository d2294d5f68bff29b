"""Autograde (and give feedback on) every submission of a cohort, on all cores.

What ``course grade module1`` does is ``nbgrader autograde module1`` followed by
``nbgrader generate_feedback module1``, with the same configuration (the
project's ``nbgrader_config.py``, so ``TrustedWidgetScores`` re-scores widget
answers and feedback is sanitized), but with the submissions spread over a
small pool of worker processes.

Why this shape (the figures are in benchmarks/README.md, from ``benchmarks/grade_cohort.py``):

- Importing nbgrader takes seconds, so one process per submission would
  spend more time importing than grading. The parent loads nbgrader and the
  course configuration once and then *forks* the workers, which inherit both
  for free; each worker grades many submissions with nbgrader's own
  ``Autograde`` and ``GenerateFeedback`` converters, in process.
- Most of the time goes into running each notebook in a fresh kernel, which
  is what runs in parallel. Every pipeline step that reads or writes the gradebook (creating
  the student and submission, ``OverwriteCells``, ``SaveAutoGrades``, late
  penalties, ``GetGrades``) runs under an exclusive file lock
  (``locking.py``), so SQLite only ever sees one writer and cannot end up
  locked or half-written.
- Two workers per core by default (``--workers`` to change it). A worker
  spends much of each submission waiting (for its kernel to start, to answer,
  to stop), so one worker per core leaves the CPU idle; more than two per core only
  adds memory (a worker and its kernel).

Robustness: each submission is graded on its own; whatever goes wrong with
one (a notebook that is not valid JSON, a kernel that dies, even a worker
process that is killed) is recorded and named in the closing summary while
the others go on. An endless loop is stopped by the ``Execute.timeout`` of the
configuration (or ``--timeout``), and the submission is still graded. A
re-run skips what is already graded (nbgrader's own rule: unless the
submission is newer, or ``--force``) and retries what failed. The workers
inherit the PATH that ``nbgrader_config.py`` sets, so nbgrader's ``alembic``
call cannot miss.

Integrity (issue 15): before anything runs, ``course grade`` refuses (exit
status 2) a configuration without ``ConfinedExecute`` or
``TrustedWidgetScores`` in place, and checks that a confined kernel can
start. Content is copied aside and loaded once (``frozen_content``), the
course's own files are closed to other users (``protect_course_files``),
links and other non-regular files in a submission are neither copied nor
graded, and a submission counts as graded only when its grades are recorded
(``markers``). SIGTERM or Ctrl-C stops the workers (each ends its kernel and
cleans up), prints the summary and exits non-zero.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import stat
import sys
import threading
import time
import warnings
from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TextIO

import nbformat
from nbconvert.preprocessors import ExecutePreprocessor
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.apps import AutogradeApp
from nbgrader.converters import Autograde, GenerateFeedback
from nbgrader.converters.base import NbGraderException
from nbgrader.preprocessors import AssignLatePenalties, GetGrades, OverwriteCells, SaveAutoGrades
from nbgrader.utils import rmtree, temp_attrs
from sqlalchemy.exc import SAWarning
from traitlets.utils.importstring import import_item

from ..models import content_files
from ..nbgrader_plugins import TrustedWidgetScores
from ..sandbox import ConfinedExecute, SandboxError, frozen_content, probe, protect_course_files
from ..sandbox.folder import remove_stale
from ..sandbox.processes import kill_all
from .batch import BatchGrader
from .gradebook_indexes import ensure_gradebook_indexes
from .locking import LockedStep, course_lock, gradebook_lock, lock_path_for
from .markers import MARKER_PREFIX, course_inputs, is_marked, mark_graded
from .nbgrader_adapter import checked_schemas_once, exporter_steps, regular_files_only, set_exporter_steps
from .notes import TO_MARK, submission_notes
from .paths import GradingPath, choose_paths, without_execution
from .progress_bar import ProgressBar

__all__ = [
    "LOG_NAME",
    "GradeSummary",
    "GradingRefused",
    "Outcome",
    "Task",
    "check_configuration",
    "default_workers",
    "find_submissions",
    "grade_cohort",
]


class GradingRefused(ValueError):
    """Grading with this configuration could let a trainee change grades; the message says why."""


@dataclass(frozen=True, order=True)
class Task:
    """One trainee's submission of one assignment."""

    assignment: str
    student: str


@dataclass
class Outcome:
    """What happened to one submission."""

    task: Task
    status: str  # "graded", "skipped" (already graded) or "failed"
    notes: list[str] = field(default_factory=list)
    error: str | None = None
    seconds: float = 0.0


@dataclass
class GradeSummary:
    """Every submission's outcome, and the closing summary printed for the instructor."""

    outcomes: list[Outcome]
    workers: int
    seconds: float
    confinement: str = ""  # how trainees' code ran (ConfinedExecute's mode), said in the summary
    stopped: str | None = None  # the signal that stopped the run early
    paths: list[GradingPath] = field(default_factory=list)  # how each assignment was graded
    feedback_only: bool = False  # ``course feedback``: feedback written again, nothing graded

    def count(self, status: str) -> int:
        return sum(o.status == status for o in self.outcomes)

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "failed"]

    def text(self) -> str:
        if self.feedback_only:
            return self._feedback_text()
        lines = [
            f"Graded {self.count('graded')} submission(s), skipped {self.count('skipped')} already graded "
            f"(use --force to regrade), failed {self.count('failed')}; "
            f"{self.workers} worker(s), {self.seconds:.1f} s."
        ]
        if self.stopped:
            lines.append(f"Stopped by {self.stopped} before the end: run `course grade` again to grade the rest.")
        if self.paths:
            lines.append("How each assignment was graded (the same scores either way):")
            lines += [f"  {path.text()}" for path in self.paths]
        if self.confinement:
            lines.append(self.confinement)
        if self.failed:
            lines.append("Not graded (fix the submission and run the command again; the others are done):")
            lines += [f"  {o.task.student} / {o.task.assignment}: {o.error}" for o in self.failed]
            lines.append(f"  (nbgrader's full log of this run: {LOG_NAME})")
        to_mark = sum(note.startswith(TO_MARK) for o in self.outcomes if o.status != "failed" for note in o.notes)
        if to_mark:
            lines.append(f"Sent to the trainer: {to_mark} answer(s) the scorer could not judge are left to mark by "
                         "hand in Formgrader (needs manual grade; the automatic suggestion and its reasons are in "
                         "the cell); they count once marked.")
        noted = [o for o in self.outcomes if o.notes and o.status != "failed"]
        if noted:
            lines.append("Graded, with problems worth a look:")
            lines += [f"  {o.task.student} / {o.task.assignment}: {'; '.join(o.notes)}" for o in noted]
        return "\n".join(lines)

    def _feedback_text(self) -> str:
        lines = [f"Wrote the feedback of {self.count('graded')} submission(s) from the gradebook, failed "
                 f"{self.count('failed')}; {self.workers} worker(s), {self.seconds:.1f} s."]
        if self.stopped:
            lines.append(f"Stopped by {self.stopped} before the end: run `course feedback` again.")
        if self.failed:
            lines.append("No feedback written for:")
            lines += [f"  {o.task.student} / {o.task.assignment}: {o.error}" for o in self.failed]
        return "\n".join(lines)


def default_workers() -> int:
    """Two grading processes per core this process may use (see the module docstring)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    return 2 * cores


# The pipeline steps that open the gradebook; the others only touch the notebook in memory.
GRADEBOOK_STEPS = (OverwriteCells, SaveAutoGrades, AssignLatePenalties, GetGrades)


def _lock_gradebook_steps(steps: list, lock: Path) -> list:
    return [LockedStep(pp, lock) if isinstance(pp, GRADEBOOK_STEPS) else pp for pp in steps]


class _LockedAutograde(Autograde):
    """nbgrader's Autograde with every gradebook step under the lock; kernels run in parallel.

    Also: a submission whose autograded folder has no marker matching it is
    graded again (its grades may never have been saved), and only regular
    files of a submission are copied (and so graded).
    """

    lock_file: Path
    inputs: str | None = None  # what the grade depends on besides the submission (markers.course_inputs)
    processed = False
    not_copied: list[str]

    def init_destination(self, assignment_id: str, student_id: str) -> bool:
        dest = Path(self._format_dest(assignment_id, student_id))
        source = Path(self._format_source(assignment_id, student_id))
        if dest.exists() and not self.force and not is_marked(dest, source, self.inputs):
            self.log.warning("Grading %s again: no record that its grades were saved", dest)
            rmtree(str(dest))
        self.processed = super().init_destination(assignment_id, student_id)
        return self.processed

    def init_assignment(self, assignment_id: str, student_id: str) -> None:
        for notebook in self.notebooks:
            if not stat.S_ISREG(os.lstat(notebook).st_mode):
                raise NbGraderException(f"{os.path.basename(notebook)} is not a regular file (a link?): not graded")
        with gradebook_lock(self.lock_file), regular_files_only((MARKER_PREFIX,)) as skipped:
            super().init_assignment(assignment_id, student_id)
        self.not_copied = skipped

    def _init_preprocessors(self) -> None:
        super()._init_preprocessors()
        set_exporter_steps(self.exporter, _lock_gradebook_steps(exporter_steps(self.exporter), self.lock_file))


class _LockedFeedback(GenerateFeedback):
    """nbgrader's GenerateFeedback with its gradebook reads (GetGrades) under the lock.

    Feedback counts as written only with a marker matching the autograded
    folder, so feedback cut short by a kill is written again on the next run.
    """

    lock_file: Path

    def init_destination(self, assignment_id: str, student_id: str) -> bool:
        dest = Path(self._format_dest(assignment_id, student_id))
        source = Path(self._format_source(assignment_id, student_id))
        if dest.exists() and not self.force and not is_marked(dest, source):
            self.log.warning("Writing the feedback %s again: no record that it was finished", dest)
            rmtree(str(dest))
        return super().init_destination(assignment_id, student_id)

    def init_assignment(self, assignment_id: str, student_id: str) -> None:
        with regular_files_only((MARKER_PREFIX,)):
            super().init_assignment(assignment_id, student_id)

    def convert_notebooks(self) -> None:
        set_exporter_steps(self.exporter, _lock_gradebook_steps(exporter_steps(self.exporter), self.lock_file))
        super().convert_notebooks()


class _Collect(logging.Handler):
    """Keeps the warnings and errors nbgrader logs while grading one submission."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


LOG_NAME = "course-grade.log"

# The worker's state: set in the parent before forking (inherited), or by _init_worker.
_STATE: dict[str, Any] = {}


def _make_app(argv: Sequence[str]) -> AutogradeApp:
    """nbgrader's autograde app with the course configuration (from the current folder) and ``argv``."""
    app = AutogradeApp()
    app.initialize(list(argv))
    # The parent prints progress and a summary; nbgrader's own log still goes to its log file.
    for handler in list(app.log.handlers):
        if type(handler) is logging.StreamHandler:
            app.log.removeHandler(handler)
    return app


def _init_worker(argv: Sequence[str], log_file: str) -> None:
    if "app" not in _STATE:  # spawned rather than forked
        app = _make_app(argv)
        _STATE.update(app=app, lock=lock_path_for(app.coursedir.db_url, app.coursedir.root))
    # Kernels inherit this process's stderr (their start-up chatter) and nbgrader logs every step:
    # both go to the log file, so the instructor's terminal shows the progress bar and the summary.
    fd = os.open(log_file, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    os.dup2(fd, 2)
    os.close(fd)
    handler = logging.FileHandler(log_file)
    handler.setFormatter(logging.Formatter(f"[%(levelname)s {os.getpid()}] %(message)s"))
    _STATE["app"].log.addHandler(handler)
    _STATE["app"].log.setLevel(logging.INFO)
    warnings.simplefilter("ignore", SAWarning)  # nbgrader 0.9.6's own, harmless on every new submission
    # Stopping (SIGTERM from the parent, Ctrl-C): KeyboardInterrupt unwinds nbgrader, which removes the
    # half-made autograded folder, and ConfinedExecute, which ends the kernel and deletes its workspace.
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, _interrupt)


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt(signal.Signals(signum).name)


def _reason(records: list[logging.LogRecord], exc: BaseException | None) -> str:
    """A one-line reason: the last ``SomeError: message`` line nbgrader logged, else the exception."""
    for record in reversed(records):
        for line in reversed(record.getMessage().strip().splitlines()):
            head = line.split(":", 1)[0].strip()
            if head.endswith(("Error", "Exception")) and " " not in head:
                return line.strip()[:300]
    if exc is not None and str(exc):
        return f"{type(exc).__name__}: {exc}"[:300]
    return records[-1].getMessage().splitlines()[0][:300] if records else f"unknown error (see {LOG_NAME})"


def _notes(folder: Path, timeout: Any) -> list[str]:
    """Problems visible in a graded submission: cells stopped by the time limit, missing or unreadable answers."""
    notebooks = []
    for path in sorted(folder.glob("*.ipynb")):
        try:
            notebooks.append(nbformat.read(path, as_version=4))
        except Exception:  # noqa: BLE001 - reported by nbgrader already
            continue
    return submission_notes(notebooks, folder, timeout)


def _grade_one(task: Task, force: bool, feedback: bool) -> Outcome:
    """Autograde one submission (and write its feedback) in this process."""
    app, lock = _STATE["app"], _STATE["lock"]
    path: GradingPath | None = _STATE.get("paths", {}).get(task.assignment)
    inputs: str | None = _STATE.get("inputs", {}).get(task.assignment)
    collect = _Collect()
    app.log.addHandler(collect)
    started = time.monotonic()
    outcome = Outcome(task, "failed")
    try:
        with temp_attrs(app.coursedir, assignment_id=task.assignment, student_id=task.student, notebook_id="*"):
            grader = _LockedAutograde(coursedir=app.coursedir, parent=app)
            grader.lock_file, grader.force, grader.inputs = lock, force, inputs
            if path is not None and path.kernel_free:
                # nbgrader's public list of steps, without the one that runs the notebook.
                grader.autograde_preprocessors = without_execution(grader.autograde_preprocessors)
            grader.start()
            outcome.status = "graded" if grader.processed else "skipped"
            folder = Path(app.coursedir.format_path(app.coursedir.autograded_directory, task.student, task.assignment))
            if grader.processed:  # nbgrader has saved the grades: only now does the submission count as graded
                submitted = app.coursedir.format_path(app.coursedir.submitted_directory, task.student, task.assignment)
                mark_graded(folder, Path(submitted), inputs or "")
            outcome.notes = _notes(folder, app.config.Execute.get("timeout", "the"))
            if getattr(grader, "not_copied", None):
                outcome.notes.append(f"not graded, not copied (links or other non-regular files): "
                                     f"{', '.join(sorted(grader.not_copied))}")
            if feedback:
                try:
                    writer = _LockedFeedback(coursedir=app.coursedir, parent=app)
                    # A fresh grade must replace old feedback; otherwise nbgrader's own skip rule applies.
                    writer.lock_file, writer.force = lock, force or grader.processed
                    writer.start()
                    written = Path(app.coursedir.format_path(app.coursedir.feedback_directory, task.student,
                                                             task.assignment))
                    if written.is_dir():
                        mark_graded(written, folder)
                except Exception as exc:  # noqa: BLE001 - reported, grading stands
                    outcome.notes.append(f"feedback not written ({_reason(collect.records, exc)})")
    except Exception as exc:  # noqa: BLE001 - one submission must never stop the cohort
        outcome.status, outcome.error = "failed", _reason(collect.records, exc)
    except KeyboardInterrupt:
        # Stopped: nbgrader and ConfinedExecute have cleaned up on the way here. Leave at once rather
        # than take the next submission the pool may already have queued.
        os._exit(128 + signal.SIGTERM)
    finally:
        app.log.removeHandler(collect)
        outcome.seconds = time.monotonic() - started
    return outcome


def _grade_batch(tasks: Sequence[Task], force: bool, feedback: bool) -> list[Outcome]:
    """Grade submissions of kernel-free assignments in this process, one gradebook transaction (see batch.py)."""
    app, lock = _STATE["app"], _STATE["lock"]
    if "batch" not in _STATE:  # built once per worker, after the fork: its gradebook connection is its own
        _STATE["batch"] = BatchGrader(app, lock, app.log)
    batch: BatchGrader = _STATE["batch"]
    inputs: dict[str, str] = _STATE.get("inputs", {})
    timeout = app.config.Execute.get("timeout", "the")
    try:
        with checked_schemas_once():
            batch.start()
            items = [batch.prepare(task.assignment, task.student) for task in tasks]
            batch.record(items)
            for item in items:
                batch.finish(item, inputs.get(item.assignment, ""), feedback, timeout)
        outcomes = []
        for item in items:
            outcome = Outcome(Task(item.assignment, item.student), "graded" if item.error is None else "failed",
                              error=item.error, seconds=time.monotonic() - item.started)
            outcome.notes = item.notes
            outcomes.append(outcome)
        return outcomes
    except KeyboardInterrupt:
        os._exit(128 + signal.SIGTERM)  # as in _grade_one: stopped, leave at once


def find_submissions(course_root: Path | str, submitted_dir: str, assignments: Iterable[str],
                     students: Iterable[str] | None = None) -> list[Task]:
    """Every ``<submitted>/<student>/<assignment>/`` folder (optionally only some students)."""
    wanted = set(students) if students else None
    root = Path(course_root) / submitted_dir
    tasks = [
        Task(assignment, folder.parent.name)
        for assignment in assignments
        for folder in root.glob(f"*/{assignment}")
        if folder.is_dir() and (wanted is None or folder.parent.name in wanted)
    ]
    return sorted(tasks)


@contextmanager
def _cwd(folder: Path) -> Any:
    before = Path.cwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(before)


def _check_gradebook(app: AutogradeApp, assignments: Iterable[str], lock: Path) -> None:
    """Create the gradebook if needed (before any fork) and check it knows every assignment."""
    with gradebook_lock(lock):
        gb = Gradebook(app.coursedir.db_url, app.coursedir.course_id)
        try:
            for assignment in assignments:
                try:
                    gb.find_assignment(assignment)
                except MissingEntry:
                    raise SystemExit(
                        f"The gradebook has no assignment {assignment!r}: run `course release {assignment}` "
                        f"(or `nbgrader generate_assignment {assignment}`) first."
                    ) from None
        finally:
            gb.close()
            gb.engine.dispose()  # no open SQLite connection may cross a fork


def _autograde_steps(app: AutogradeApp) -> list:
    steps = Autograde(coursedir=app.coursedir, parent=app).autograde_preprocessors
    return [import_item(step) if isinstance(step, str) else step for step in steps]


def check_configuration(app: AutogradeApp, probe_kernel: bool = True) -> ConfinedExecute:
    """Refuse a configuration that would let trainees' code or answers change grades; returns the Execute step.

    The loaded ``Autograde.autograde_preprocessors`` must run notebooks with
    ConfinedExecute (no other execute step), then re-score with
    TrustedWidgetScores, then save with SaveAutoGrades; and (``probe_kernel``:
    some notebook will run) a confined kernel must be able to start here.
    """
    steps = _autograde_steps(app)

    def first(kind: type) -> int | None:
        return next((i for i, step in enumerate(steps) if isinstance(step, type) and issubclass(step, kind)), None)

    confined, trusted, save = first(ConfinedExecute), first(TrustedWidgetScores), first(SaveAutoGrades)
    unconfined = [step.__name__ for step in steps if isinstance(step, type)
                  and issubclass(step, ExecutePreprocessor) and not issubclass(step, ConfinedExecute)]
    problems = []
    if confined is None or unconfined:
        problems.append("trainees' code would run unconfined (use course_lib.sandbox.ConfinedExecute instead of "
                        f"{', '.join(unconfined) or 'Execute'})")
    if trusted is None:
        problems.append("TrustedWidgetScores (course_lib.nbgrader_plugins) is missing: widget scores would be "
                        "taken from the trainee's own kernel")
    elif (confined is not None and trusted < confined) or (save is not None and save < trusted):
        problems.append("TrustedWidgetScores must come after ConfinedExecute and before SaveAutoGrades")
    if problems:
        where = Path(app.coursedir.root) / "nbgrader_config.py"
        raise GradingRefused(
            f"refusing to grade: in the loaded configuration ({where}) Autograde.autograde_preprocessors "
            f"is {[getattr(s, '__name__', s) for s in steps]}: " + "; ".join(problems)
            + ". Did nbgrader_config.py fail to load? nbgrader prints why above."
        )
    execute = ConfinedExecute(parent=app, config=app.config)
    if not probe_kernel:
        return execute
    try:
        confinement = execute.confinement()
        version = probe(confinement)
        if confinement.uid is not None:
            kill_all(confinement.uid)
        if version.split(".")[:2] != [str(n) for n in sys.version_info[:2]]:
            raise SandboxError(f"a confined kernel starts Python {version}, not the grader's "
                               f"{sys.version.split()[0]}: the sandbox user cannot read this Python's own files "
                               f"({sys.base_prefix}); make them readable by other users")
    except SandboxError as exc:
        raise GradingRefused(f"refusing to grade: {exc}") from None
    execute.log.info("A confined kernel starts (Python %s, %s)", version, confinement.describe())
    if version != sys.version.split()[0]:
        execute.log.warning("Confined kernels run Python %s, the grader %s (the sandbox user cannot read %s)",
                            version, sys.version.split()[0], sys.base_prefix)
    for folder in remove_stale(execute.work_dir or None):
        execute.log.warning("Removed %s, left by a grading process that was killed", folder)
    return execute


def _confinement_text(execute: ConfinedExecute, executed: bool = True) -> str:
    """One plain sentence on how trainees' code ran, for the closing summary."""
    if not executed:
        return "No trainee's code ran: every assignment was graded without a kernel."
    if execute.mode() == "user":
        return (f"Trainees' code ran confined: as a fresh sandbox user per notebook, {execute.where()}, "
                "in a throw-away copy of the submission.")
    return (f"WARNING: trainees' code ran as your own user ({os.environ.get('USER') or os.getuid()}), "
            f"{execute.where()}, in a throw-away copy: it could change any file you can, the gradebook "
            "included. Grade untrusted cohorts on the server as root.")


def grade_cohort(
    course_dir: Path | str,
    assignments: Sequence[str],
    *,
    students: Iterable[str] | None = None,
    workers: int | None = None,
    force: bool = False,
    feedback: bool = True,
    timeout: int | None = None,
    nbgrader_args: Sequence[str] = (),
    stream: TextIO | None = None,
    execute: bool = False,
) -> GradeSummary:
    """Grade every submission of ``assignments`` in ``course_dir``; see the module docstring.

    ``execute`` runs every notebook in a kernel even where the kernel-free path would give the same grades.
    """
    started = time.monotonic()
    argv = [*nbgrader_args, *([f"--Execute.timeout={timeout}"] if timeout else [])]
    # A second run in the same course waits here (and says so) until the first has finished.
    waiting = lambda text: print(text, file=stream or sys.stderr, flush=True)  # noqa: E731
    with course_lock(Path(course_dir).resolve(), on_wait=waiting), _cwd(Path(course_dir).resolve()):
        app = _make_app(argv)
        lock = lock_path_for(app.coursedir.db_url, app.coursedir.root)
        check_configuration(app, probe_kernel=False)  # refuse a bad configuration before touching anything
        _check_gradebook(app, assignments, lock)
        with gradebook_lock(lock):
            ensure_gradebook_indexes(app.coursedir.db_url)  # else every score is a table scan: quadratic
            paths = choose_paths(app.coursedir.db_url, app.coursedir.course_id, assignments, execute)
        executed = not all(path.kernel_free for path in paths.values())
        runner = check_configuration(app, probe_kernel=executed)
        protect_course_files(app.coursedir, app.log)
        tasks = find_submissions(app.coursedir.root, app.coursedir.submitted_directory, assignments, students)
        _STATE.update(app=app, lock=lock, paths=paths)
        # Without kernels the work is all CPU: one process per core; kernels wait, so two per core then.
        workers = max(1, min(workers or default_workers() // (1 if executed else 2), len(tasks) or 1))
        log_file = _fresh_log(app)
        # Content is read once, before any kernel runs; the forked workers inherit it.
        with frozen_content(), _stop_on_signals() as stopped:
            inputs = {a: _course_inputs(app, a) for a in assignments}
            _STATE.update(inputs=inputs)
            unchanged = [] if force else [t for t in tasks if _unchanged(app, t, inputs[t.assignment], feedback)]
            outcomes = [Outcome(t, "skipped") for t in unchanged]
            todo = sorted(set(tasks) - set(unchanged))
            bar = ProgressBar(len(todo), "grading ", stream=stream)
            bar.start()
            jobs = _jobs(todo, paths, workers)
            _preload_reply_model(app, sorted({t.assignment for t in todo}))
            # Even one worker is a separate process: the instructor's process never runs a trainee's kernel.
            outcomes += _grade_in_pool(jobs, workers, (argv, str(log_file)), force, feedback, bar, stopped)
        protect_course_files(app.coursedir, app.log)  # feedback/ (and the others) may be new
    return GradeSummary(sorted(outcomes, key=lambda o: o.task), workers, time.monotonic() - started,
                        confinement=_confinement_text(runner, executed), stopped=stopped[0] if stopped else None,
                        paths=[paths[a] for a in assignments])


def _fresh_log(app: AutogradeApp) -> Path:
    """This run's log file, empty and private (it holds trainees' output)."""
    log_file = Path(app.coursedir.root) / LOG_NAME
    log_file.unlink(missing_ok=True)
    os.close(os.open(log_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    return log_file


def _preload_reply_model(app: AutogradeApp, assignments: list[str]) -> None:
    """Load the written-reply model in the parent when an assignment to grade has a written reply, so the
    forked workers share its weights (copy-on-write) instead of each loading its own."""
    from ..models import load_exercise
    from ..models.written_reply import WrittenReplyExercise
    from ..nbgrader_cells import graded_exercise_id

    for assignment in assignments:
        source = Path(app.coursedir.format_path(app.coursedir.source_directory, ".", assignment))
        for path in source.glob("*.ipynb"):
            cells = nbformat.read(path, as_version=4).cells
            ids = [i for cell in cells if (i := graded_exercise_id(cell)) is not None]
            replies = [e for e in map(load_exercise, ids) if isinstance(e, WrittenReplyExercise)]
            if replies:
                from ..scoring.reply_reading import preload

                preload(replies[0])
                return


def _course_inputs(app: AutogradeApp, assignment: str) -> str:
    """What every grade of ``assignment`` depends on besides the submission: source, content, configuration."""
    root = Path(app.coursedir.root)
    source = Path(app.coursedir.format_path(app.coursedir.source_directory, ".", assignment))
    return course_inputs([source, root / "nbgrader_config.py", *content_files()])


def _unchanged(app: AutogradeApp, task: Task, inputs: str, feedback: bool) -> bool:
    """Whether the submission's grades (and feedback, if asked for) are recorded for it as it is now."""
    fmt = app.coursedir.format_path
    submitted = Path(fmt(app.coursedir.submitted_directory, task.student, task.assignment))
    autograded = Path(fmt(app.coursedir.autograded_directory, task.student, task.assignment))
    if not is_marked(autograded, submitted, inputs):
        return False
    return not feedback or is_marked(Path(fmt(app.coursedir.feedback_directory, task.student, task.assignment)),
                                     autograded)


class _Stopped(Exception):
    """SIGTERM reached ``course grade``."""


@contextmanager
def _stop_on_signals() -> Any:
    """SIGTERM raises _Stopped in the grading loop (Ctrl-C raises KeyboardInterrupt); yields what stopped it."""
    stopped: list[str] = []
    if threading.current_thread() is not threading.main_thread():
        yield stopped
        return

    def on_term(signum: int, frame: Any) -> None:
        raise _Stopped("SIGTERM")

    before = signal.signal(signal.SIGTERM, on_term)
    try:
        yield stopped
    finally:
        signal.signal(signal.SIGTERM, before)


# At most this many submissions per batch: big enough that a transaction and the set-up are shared,
# small enough that every worker gets several batches and memory stays small.
BATCH_SIZE = 100


@dataclass(frozen=True)
class _Job:
    """Submissions one worker call grades: executed one at a time, or a kernel-free batch (or, for
    ``course feedback``, a batch whose feedback is written again)."""

    tasks: tuple[Task, ...]
    batch: bool
    feedback_only: bool = False


def _jobs(tasks: Sequence[Task], paths: dict[str, GradingPath], workers: int) -> list[_Job]:
    executed = [_Job((t,), False) for t in tasks if not paths[t.assignment].kernel_free]
    free = [t for t in tasks if paths[t.assignment].kernel_free]
    return executed + _batches(free, workers)


def _batches(tasks: Sequence[Task], workers: int, feedback_only: bool = False) -> list[_Job]:
    """``tasks`` in batches of at most BATCH_SIZE, at least four per worker when there are enough."""
    size = max(1, min(BATCH_SIZE, -(-len(tasks) // (4 * workers))))
    return [_Job(tuple(tasks[i:i + size]), True, feedback_only) for i in range(0, len(tasks), size)]


def _run_job(job: _Job, force: bool, feedback: bool) -> list[Outcome]:
    if job.feedback_only:
        from .feedback import feedback_batch

        return feedback_batch(job.tasks)
    if job.batch:
        return _grade_batch(job.tasks, force, feedback)
    return [_grade_one(task, force, feedback) for task in job.tasks]


def _grade_in_pool(jobs: list[_Job], workers: int, initargs: tuple, force: bool, feedback: bool,
                   bar: ProgressBar, stopped: list[str]) -> list[Outcome]:
    """Grade in ``workers`` processes; a worker that dies costs only the submissions it was grading."""
    context = multiprocessing.get_context("fork" if sys.platform != "win32" else "spawn")
    outcomes: list[Outcome] = []
    attempts: dict[Task, int] = {}
    tasks = [task for job in jobs for task in job.tasks]
    pending = jobs
    while pending:
        retry: list[_Job] = []
        pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker, initargs=initargs)
        futures: dict[Future, _Job] = {}
        try:
            futures = {pool.submit(_run_job, job, force, feedback): job for job in pending}
            for future in as_completed(futures):
                job = futures[future]
                try:
                    done = future.result()
                except BrokenProcessPool:
                    done = []
                    for task in job.tasks:
                        attempts[task] = attempts.get(task, 0) + 1
                        if attempts[task] < 2:
                            retry.append(replace(job, tasks=(task,)))  # maybe only a bystander: once more, alone
                        else:
                            done.append(Outcome(task, "failed",
                                                error="the grading process died (out of memory or killed?)"))
                for outcome in done:
                    outcomes.append(outcome)
                    bar.update(failed=outcome.status == "failed")
        except (_Stopped, KeyboardInterrupt) as stop:
            _stop_workers(pool)
            done = {o.task for o in outcomes}
            why = str(stop) or "SIGINT"
            stopped.append(why)
            outcomes += [Outcome(t, "failed", error=f"not graded: course grade was stopped ({why})")
                         for t in tasks if t not in done]
            return outcomes
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
        pending = retry
    return outcomes


def _stop_workers(pool: ProcessPoolExecutor, grace: float = 30.0) -> None:
    """SIGTERM every worker (each ends its kernel and cleans up), then SIGKILL those still there after ``grace``."""
    pool.shutdown(wait=False, cancel_futures=True)
    children = multiprocessing.active_children()
    for child in children:
        child.terminate()
    deadline = time.monotonic() + grace
    for child in children:
        child.join(max(0.0, deadline - time.monotonic()))
        if child.is_alive():
            child.kill()
            child.join()
