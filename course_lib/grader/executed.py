"""Grading with a kernel: nbgrader's own Autograde and GenerateFeedback, one submission at a time.

Every step that reads or writes the gradebook (creating the student and
submission, ``OverwriteCells``, ``SaveAutoGrades``, late penalties,
``GetGrades``) runs under an exclusive file lock (``locking.py``), so SQLite
only ever sees one writer; the kernels run in parallel.
"""

from __future__ import annotations

import logging
import os
import signal
import stat
import time
from pathlib import Path
from typing import Any

import nbformat
from nbgrader.converters import Autograde, GenerateFeedback
from nbgrader.converters.base import NbGraderException
from nbgrader.preprocessors import AssignLatePenalties, GetGrades, OverwriteCells, SaveAutoGrades
from nbgrader.utils import rmtree, temp_attrs

from .locking import LockedStep, gradebook_lock
from .markers import MARKER_PREFIX, is_marked, mark_graded
from .nbgrader_adapter import exporter_steps, regular_files_only, set_exporter_steps
from .notes import submission_notes
from .paths import GradingPath, without_execution
from .summary import LOG_NAME, Outcome, Task
from .worker import STATE, flush_log

__all__ = ["GRADEBOOK_STEPS", "grade_one"]


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


def grade_one(task: Task, force: bool, feedback: bool) -> Outcome:
    """Autograde one submission (and write its feedback) in this process."""
    app, lock = STATE["app"], STATE["lock"]
    path: GradingPath | None = STATE.get("paths", {}).get(task.assignment)
    inputs: str | None = STATE.get("inputs", {}).get(task.assignment)
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
        flush_log()
        os._exit(128 + signal.SIGTERM)
    finally:
        app.log.removeHandler(collect)
        flush_log()
        outcome.seconds = time.monotonic() - started
    return outcome


