"""Kernel-free grading of many submissions in one process, with one gradebook transaction per batch.

For an assignment whose auto-graded cells are all widget checks (``paths``),
``course grade`` runs no notebook. Without the kernel, nbgrader's
per-submission overhead dominated in its ``Autograde`` and
``GenerateFeedback`` converters (benchmarks/README.md has the figure: a new
SQLAlchemy engine for every step that opens the gradebook, a commit per cell,
and the feedback templates compiled again for every trainee). A worker here
builds nbgrader's steps, the feedback exporter and one gradebook connection
once, then grades a batch of submissions in three phases:

1. no lock: copy the submission's regular files into autograded/ (nbgrader's
   own copy, then the source's non-notebook files as ``Autograde`` does), read
   each notebook and run nbgrader's configured ``sanitize_preprocessors``
   (restoring locked and graded cells from the gradebook) and the
   ``autograde_preprocessors`` up to ``SaveAutoGrades``, without the execute
   step: ``TrustedWidgetScores`` scores the answers files here;
2. under the gradebook lock, one transaction for the whole batch: the trainee
   and submission rows (with the submission's timestamp, zero for a missing
   notebook, exactly as ``Autograde.init_assignment``), then the remaining
   configured steps (``SaveAutoGrades``, ``AssignLatePenalties``, ...). If
   nbgrader rolls back for one submission, the batch is redone one submission
   per transaction, so one bad submission costs only itself;
3. no lock: write the autograded notebook, set nbgrader's permissions, the
   marker, then the feedback page with ``GenerateFeedback``'s own exporter and
   preprocessors (``GetGrades``, ``ClearHiddenTests``) and its marker.

``course feedback`` (feedback.py) runs phase 3's feedback step alone
(``write_feedback``) on graded submissions. The classes and configuration
are nbgrader's and the course's, the same the executed path runs; the
equivalence test (tests/cohort/test_grade_kernel_free.py) grades one cohort
both ways and compares every score and feedback text.
"""

from __future__ import annotations

import datetime
import logging
import os
import shutil
import stat
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
from nbconvert.exporters.exporter import ResourcesDict
from nbconvert.writers import FilesWriter
from nbformat import NotebookNode
from nbgrader import utils
from nbgrader.api import Gradebook
from nbgrader.converters import Autograde, GenerateFeedback
from nbgrader.converters.base import BaseConverter
from nbgrader.preprocessors import CheckCellMetadata, OverwriteKernelspec, SaveAutoGrades
from traitlets.utils.importstring import import_item

from .file_listing import find_all_files
from .kept_steps import KeptCheckCellMetadata, KeptKernelspec
from .known_valid import KnownValid
from .locking import gradebook_lock
from .markers import MARKER_PREFIX, is_marked, mark_graded
from .nbgrader_adapter import deferred_commits, regular_files_only, shared_gradebook
from .notebook_text import NotebookWriter
from .notes import submission_notes
from .paths import without_execution
from .restore_cells import RestoreCheckCells
from .submission_reads import BatchReads

__all__ = ["BatchGrader", "Prepared", "SubmissionProblem", "one_line", "warm_up"]


@dataclass
class Prepared:
    """One submission after phase 1: its notebooks graded in memory, waiting for the gradebook."""

    assignment: str
    student: str
    source: Path  # submitted/<student>/<assignment>
    dest: Path  # autograded/<student>/<assignment>
    notebooks: list[tuple[Any, ResourcesDict]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    error: str | None = None
    started: float = 0.0
    # nbgrader records the trainee and the submission before it reads a notebook: a submission that then
    # fails (no notebook, not JSON) is still listed in the gradebook, ungraded. So do we.
    rows_only: bool = False


def _instances(steps: Sequence, parent: Any) -> list:
    """Preprocessor instances as an nbconvert exporter makes them (classes instantiated with the converter's config)."""
    made = []
    for step in steps:
        step = import_item(step) if isinstance(step, str) else step
        made.append(step(parent=parent) if isinstance(step, type) else step)
    return made


def _kept(steps: list, parent: Any) -> list:
    """nbgrader's own steps (not a configured subclass) replaced by the same steps keeping what they look up."""
    kept = {OverwriteKernelspec: KeptKernelspec, CheckCellMetadata: KeptCheckCellMetadata}
    return [kept[type(step)](parent=parent) if type(step) in kept else step for step in steps]


def _run(steps: list, nb: Any, resources: ResourcesDict) -> tuple[Any, ResourcesDict]:
    for step in steps:
        nb, resources = step(nb, resources)
    return nb, resources


def _resources(converter: BaseConverter, notebook: Path) -> ResourcesDict:
    """The resources nbgrader's converter and nbconvert's ``Exporter.from_filename`` give ``notebook``."""
    resources = ResourcesDict()
    resources.update(converter.init_single_notebook_resources(str(notebook)))
    _metadata(resources, notebook)
    return resources


def _metadata(resources: ResourcesDict, notebook: Path) -> None:
    modified = datetime.datetime.fromtimestamp(notebook.stat().st_mtime, tz=datetime.timezone.utc)
    resources["metadata"] = ResourcesDict(name=notebook.stem, path=str(notebook.parent),
                                          modified_date=modified.strftime("%B %-d, %Y"))


class _OwnedNotebook(NotebookNode):
    """A notebook parsed for one feedback page and dropped after it: nbconvert's exporter deep-copies its
    input twice before preprocessing, to leave the caller's notebook untouched; here nobody else holds it."""

    def __deepcopy__(self, memo: dict) -> _OwnedNotebook:
        return self


def _as_read(value: Any) -> Any:
    """``value`` with every mapping in it a ``NotebookNode``, as ``nbformat.reads`` gives it: nbgrader's steps
    add plain dicts (a restored cell's metadata), which nbconvert's templates read by attribute. Converted in
    place; what already is a ``NotebookNode`` is only walked."""
    if isinstance(value, dict):
        if not isinstance(value, NotebookNode):
            value = NotebookNode(value)
        for key, item in value.items():
            if isinstance(item, (dict, list)):
                converted = _as_read(item)
                if converted is not item:
                    dict.__setitem__(value, key, converted)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, (dict, list)):
                converted = _as_read(item)
                if converted is not item:
                    value[index] = converted
    return value


class BatchGrader:
    """One worker's kernel-free grading; build once per process, then :meth:`grade` batches."""

    def __init__(self, app: Any, lock: Path, log: logging.Logger, exporter: Any = None) -> None:
        """``exporter``: a feedback exporter made beforehand (``warm_up``), else one is made here."""
        self.app, self.lock, self.log = app, lock, log
        self.coursedir = app.coursedir
        self.feedback_reads: BatchReads | None = None
        self.grader = Autograde(coursedir=self.coursedir, parent=app)
        self.grader.writer = FilesWriter(parent=self.grader, config=self.grader.config)
        self.sanitize = _kept(_instances(self.grader.sanitize_preprocessors, self.grader), self.grader)
        steps = _kept(_instances(without_execution(self.grader.autograde_preprocessors), self.grader), self.grader)
        split = next((i for i, step in enumerate(steps) if isinstance(step, SaveAutoGrades)), len(steps))
        self.before_save, self.from_save = steps[:split], steps[split:]
        self.feedback = GenerateFeedback(coursedir=self.coursedir, parent=app)
        self.feedback.writer = FilesWriter(parent=self.feedback, config=self.feedback.config)
        self.feedback.exporter = exporter or self.feedback.exporter_class(parent=self.feedback,
                                                                          config=self.feedback.config)
        for step in self.feedback.preprocessors:
            self.feedback.exporter.register_preprocessor(step)
        self.gradebook = Gradebook(self.coursedir.db_url, self.coursedir.course_id)
        self._notebooks: dict[str, list[str]] = {}
        self._from_source: dict[str, tuple[str, list[str]]] = {}
        self.known_valid = KnownValid()  # nbformat's validation, each valid lesson cell checked once
        self.notebook_writer = NotebookWriter(known_valid=self.known_valid)  # nbformat.writes' text

    def close(self) -> None:
        self.gradebook.close()
        self.gradebook.engine.dispose()

    def _known_notebooks(self, assignment: str) -> list[str]:
        if assignment not in self._notebooks:
            self._notebooks[assignment] = [nb.name for nb in self.gradebook.find_assignment(assignment).notebooks]
            self.gradebook.db.rollback()  # end the read: no open transaction may hold up another writer
        return self._notebooks[assignment]

    # -- phase 1 ---------------------------------------------------------------------------------
    def start(self) -> None:
        """A new batch: steps that keep gradebook reads for a batch start afresh."""
        self.feedback_reads = None
        self._from_source = {}
        for step in self.sanitize:
            if isinstance(step, (RestoreCheckCells, KeptKernelspec)):
                step.start_batch()

    def read_feedback_rows(self, submissions: Sequence[tuple[str, str]]) -> None:
        """The grades and comments the feedback pages of ``submissions`` (assignment, student) show, read for
        all of them at once once their rows are saved; until the next batch starts, their pages use them."""
        try:
            self.feedback_reads = BatchReads(self.gradebook, submissions)
        except Exception:  # noqa: BLE001 - each page then reads its own rows, and says if that fails
            self.log.warning("Could not read the batch's grades at once: each feedback page reads its own",
                             exc_info=True)
            self.feedback_reads = None
        self.gradebook.db.rollback()  # only read

    def prepare(self, assignment: str, student: str) -> Prepared:
        fmt = self.coursedir.format_path
        item = Prepared(assignment, student, Path(fmt(self.coursedir.submitted_directory, student, assignment)),
                        Path(fmt(self.coursedir.autograded_directory, student, assignment)), started=time.monotonic())
        try:
            self._prepare(item)
        except Exception as exc:  # noqa: BLE001 - one submission must never stop the batch
            item.error = one_line(exc)
            self.log.exception("Could not grade %s / %s", student, assignment)
            self.gradebook.db.rollback()
            _remove(item.dest)
        return item

    def _prepare(self, item: Prepared) -> None:
        known = self._known_notebooks(item.assignment)
        found = _notebooks_in(item.source)
        ours = [path for path in found if path.stem in known]
        extra = [path.name for path in found if path.stem not in known]
        if extra:
            item.notes.append(f"not part of the assignment, not graded: {', '.join(extra)}")
        if not ours:
            item.rows_only = True
            expected = ", ".join(f"{name}.ipynb" for name in known)
            raise SubmissionProblem(f"no notebook of the assignment ({expected}) in the submission"
                             + (f" (found {', '.join(extra)})" if extra else ""))
        for path in ours:
            if not stat.S_ISREG(os.lstat(path).st_mode):
                raise SubmissionProblem(f"{path.name} is not a regular file (a link?): not graded")
        item.rows_only = True  # from here on, as in nbgrader, a failure leaves the submission listed
        _remove(item.dest)
        item.dest.mkdir(parents=True)
        with regular_files_only((MARKER_PREFIX,)) as skipped:
            BaseConverter.init_assignment(self.grader, item.assignment, item.student)
        if skipped:
            item.notes.append("not graded, not copied (links or other non-regular files): "
                              + ", ".join(sorted(skipped)))
        self._overwrite_from_source(item)
        with shared_gradebook(self.gradebook):
            for path in ours:
                resources = _resources(self.grader, path)
                try:
                    nb = self.known_valid.read(str(path), as_version=4)  # nbformat.read
                except Exception as exc:  # noqa: BLE001 - named in the summary
                    reason = one_line(exc)[:120]
                    raise SubmissionProblem(f"{path.name} is not a readable notebook ({reason})") from None
                nb, resources = _run(self.sanitize, nb, resources)
                resources["metadata"]["path"] = str(item.dest)  # as when nbgrader reads its sanitized copy
                with utils.setenv(NBGRADER_EXECUTION="autograde"):
                    nb, resources = _run(self.before_save, nb, resources)
                item.notebooks.append((nb, resources))
        self.gradebook.db.rollback()  # the steps above only read

    def _source_files(self, assignment: str) -> tuple[str, list[str]]:
        """The assignment's source folder and the files of it that replace a trainee's (nbgrader's answer),
        listed once a batch: the same for every submission of the assignment."""
        if assignment not in self._from_source:
            source = self.coursedir.format_path(self.coursedir.source_directory, ".", assignment)
            files = set(find_all_files(source, self.coursedir.ignore + ["*.ipynb"]))
            files -= {os.path.join(source, x) for x in self.grader.exclude_overwriting.get(assignment, [])}
            self._from_source[assignment] = (source, sorted(files))
        return self._from_source[assignment]

    def _overwrite_from_source(self, item: Prepared) -> None:
        """``Autograde.init_assignment``: the source's non-notebook files replace the trainee's (except excluded)."""
        source, files = self._source_files(item.assignment)
        for filename in files:
            dest = item.dest / os.path.relpath(filename, source)
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.unlink(missing_ok=True)
            shutil.copy(filename, dest)

    # -- phase 2 ---------------------------------------------------------------------------------
    def _record(self, item: Prepared) -> None:
        """The gradebook rows ``Autograde.init_assignment`` and the saving steps write, for one submission."""
        gb = self.gradebook
        gb.update_or_create_student(item.student)
        timestamp = self.coursedir.get_existing_timestamp(str(item.source))
        if timestamp:
            gb.update_or_create_submission(item.assignment, item.student, timestamp=timestamp)
        else:
            gb.update_or_create_submission(item.assignment, item.student)
        if item.error is not None:
            return  # failed after nbgrader's rows are written: listed, not graded
        for name in self._known_notebooks(item.assignment):
            if not (item.source / f"{name}.ipynb").exists():
                for grade in gb.find_submission_notebook(name, item.assignment, item.student).grades:
                    grade.auto_score = 0
                    grade.needs_manual_grade = False
                gb.db.commit()
        with shared_gradebook(gb):
            item.notebooks = [_run(self.from_save, nb, resources) for nb, resources in item.notebooks]

    def record(self, items: list[Prepared]) -> None:
        """Phase 2 for every prepared submission, in one transaction (or one each if nbgrader rolled back)."""
        todo = [item for item in items if item.error is None or item.rows_only]
        if not todo:
            return
        with gradebook_lock(self.lock):
            try:
                with deferred_commits(self.gradebook) as deferred:
                    for item in todo:
                        self._record(item)
                if deferred.rolled_back:
                    raise RuntimeError("nbgrader rolled the batch back")
                self.gradebook.db.commit()
                return
            except Exception:  # noqa: BLE001 - redo one by one below, so only the bad submission fails
                self.log.warning("Recording a batch of %d submissions failed: recording them one by one", len(todo))
                self.gradebook.db.rollback()
            for item in todo:
                try:
                    self._record(item)
                except Exception as exc:  # noqa: BLE001
                    self.gradebook.db.rollback()
                    item.error = item.error or one_line(exc)
                    self.log.exception("Could not record the grades of %s / %s", item.student, item.assignment)
                    _remove(item.dest)

    # -- phase 3 ---------------------------------------------------------------------------------
    def finish(self, item: Prepared, inputs: str, feedback: bool, timeout: Any = None) -> None:
        """Write the autograded notebooks, the marker and (``feedback``) the feedback pages; note problems."""
        if item.error is not None:
            return
        written = []
        for nb, resources in item.notebooks:
            resources["output_extension"] = ".ipynb"
            self.grader.write_single_notebook(self.notebook_writer.writes(nb), resources)
            if feedback:
                written.append((resources["unique_key"], _as_read(nb)))
        self.grader.set_permissions(item.assignment, item.student)
        mark_graded(item.dest, item.source, inputs)
        item.notes[:0] = submission_notes([nb for nb, _ in item.notebooks], item.dest, timeout)
        try:
            if feedback:
                self.write_feedback(item.assignment, item.student, written)
        except Exception as exc:  # noqa: BLE001 - reported, grading stands
            self.gradebook.db.rollback()
            self.log.exception("Could not write the feedback of %s / %s", item.student, item.assignment)
            item.notes.append(f"feedback not written ({one_line(exc)})")
        finally:
            item.notebooks = []  # memory stays flat: nothing of a finished submission is kept

    def write_feedback(self, assignment: str, student: str, notebooks: list[tuple[str, Any]]) -> None:
        """The feedback pages of one graded submission, from its autograded notebooks (name, notebook: as
        written to autograded/ or as read from there; the pages change it, so nothing else may use it after).

        ``GenerateFeedback``'s own copy, preprocessors (``GetGrades`` reading this submission's rows at
        once, see submission_reads.py), exporter and permissions; then the feedback marker.
        """
        fmt = self.coursedir.format_path
        dest = Path(fmt(self.coursedir.autograded_directory, student, assignment))
        out = Path(fmt(self.coursedir.feedback_directory, student, assignment))
        _remove(out)
        out.mkdir(parents=True)
        with regular_files_only((MARKER_PREFIX,)):
            BaseConverter.init_assignment(self.feedback, assignment, student)
        for name, notebook in notebooks:
            resources = _resources(self.feedback, dest / f"{name}.ipynb")
            graded = _OwnedNotebook(notebook)
            reads = (self.feedback_reads or BatchReads(self.gradebook, [(assignment, student)])).reads(
                name, assignment, student)
            with shared_gradebook(reads):
                html, resources = self.feedback.exporter.from_notebook_node(graded, resources)
            self.feedback.write_single_notebook(html, resources)
        self.gradebook.db.rollback()  # GetGrades only reads
        self.feedback.set_permissions(assignment, student)
        mark_graded(out, dest)

    def rewrite_feedback(self, assignment: str, student: str) -> None:
        """``course feedback``: the feedback of a graded submission again, with the gradebook's scores now."""
        fmt = self.coursedir.format_path
        dest = Path(fmt(self.coursedir.autograded_directory, student, assignment))
        submitted = Path(fmt(self.coursedir.submitted_directory, student, assignment))
        if not is_marked(dest, submitted):
            raise SubmissionProblem("not graded as submitted (or its grading did not finish): run `course grade`")
        # A notebook nbgrader wrote (validated as it was written): parsed, not validated again.
        notebooks = [(name, nbformat.v4.reads((dest / f"{name}.ipynb").read_text(encoding="utf-8")))
                     for name in self._known_notebooks(assignment) if (dest / f"{name}.ipynb").is_file()]
        if not notebooks:
            raise SubmissionProblem("no graded notebook of the assignment in autograded/")
        try:
            self.write_feedback(assignment, student, notebooks)
        except Exception:
            self.gradebook.db.rollback()
            raise


def warm_up(app: Any, assignments: Sequence[str]) -> Any:
    """A feedback exporter that has rendered a page of each assignment's released notebook (in memory only).

    A worker's first page of an assignment costs far more than the next: highlighters, Markdown and the
    sanitizer set up on first use, the template compiled, the lesson's cells rendered, all kept by the
    exporter for the pages after it (``CourseFeedbackExporter``). Made once in the parent before the
    workers fork, every worker starts with it (``BatchGrader(exporter=...)``) instead of doing it all again.
    It is the exporter class and configuration the workers would make; None if anything fails (the
    workers then make their own).
    """
    try:
        feedback = GenerateFeedback(coursedir=app.coursedir, parent=app)
        exporter = feedback.exporter_class(parent=feedback, config=feedback.config)
        fmt = app.coursedir.format_path
        for assignment in assignments:
            release = Path(fmt(app.coursedir.release_directory, ".", assignment))
            source = Path(fmt(app.coursedir.source_directory, ".", assignment))
            for path in _notebooks_in(release) or _notebooks_in(source):
                nb = nbformat.read(str(path), as_version=4)
                resources = ResourcesDict(nbgrader=ResourcesDict(score=0.0, max_score=0.0, late_penalty=0.0))
                exporter.from_notebook_node(nb, resources)
        return exporter
    except Exception:  # noqa: BLE001 - only a head start
        app.log.debug("Warming up the feedback pages failed", exc_info=True)
        return None


class SubmissionProblem(ValueError):
    """What is wrong with a submission, in words for the summary."""


def one_line(exc: BaseException) -> str:
    if isinstance(exc, SubmissionProblem):
        return str(exc)[:300]
    return f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}"[:300]


def _notebooks_in(folder: Path) -> list[Path]:
    """``sorted(folder.glob("*.ipynb"))`` (hidden names and folders included, as pathlib's glob), from one
    listing: pathlib compiled and matched its pattern anew for every submission."""
    try:
        names = os.listdir(folder) if folder.is_dir() else []
    except PermissionError:
        names = []
    return sorted(folder / name for name in names if name.endswith(".ipynb"))


def _remove(folder: Path) -> None:
    if folder.is_dir() and not folder.is_symlink():
        utils.rmtree(str(folder))
