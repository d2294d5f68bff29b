"""The gradebook rows of a batch of kernel-free submissions, written in a few statements (issue 21).

nbgrader's own steps write a submission's rows one ORM object and one commit
at a time: ``Autograde.init_assignment`` (the trainee, the submission with
its timestamp, and through ``add_submission`` a notebook row per notebook and
a grade and comment row per graded, answer and task cell), then
``SaveAutoGrades`` (each grade's ``auto_score`` and ``needs_manual_grade``,
each comment's ``auto_comment``), then ``AssignLatePenalties``. Those commits
and the ORM's bookkeeping were most of a kernel-free submission's cost.

``BulkRows`` leaves the same rows behind, computed the same way (the same
``determine_grade``, the same review rule as ``SaveAutoGradesWithReview``),
with a handful of SQLAlchemy Core statements against nbgrader's own tables
per batch, inside the gradebook session's one transaction. A late submission's
penalty is left to nbgrader's own ``AssignLatePenalties`` logic (its plugin,
on the ORM objects, in the same transaction): lateness is rare, and the
plugin is configurable. tests/grader/test_bulk_path.py grades one cohort both
ways and compares every row.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from nbgrader import utils
from nbgrader.api import Assignment, Comment, Grade, Student, SubmittedAssignment, SubmittedNotebook
from sqlalchemy import bindparam, insert, select, update

from ..nbgrader_cells import needs_review

__all__ = ["BulkRows", "NotebookCells", "SubmissionRows"]

_STUDENT = Student.__table__
_SUBMISSION = SubmittedAssignment.__table__
_NOTEBOOK = SubmittedNotebook.__table__
_GRADE = Grade.__table__
_COMMENT = Comment.__table__


@dataclass
class SubmissionRows:
    """What one submission brings to the gradebook: its timestamp and its graded notebooks' cells.

    ``notebooks`` maps a notebook's name to its cells after TrustedWidgetScores (None: not in the
    submission, so its grades are zero as nbgrader's Autograde sets them); ``rows_only``: a submission
    that failed after nbgrader would have written its rows (listed in the gradebook, not graded).
    """

    assignment: str
    student: str
    timestamp: str | None
    notebooks: dict[str, list[Any] | None] = field(default_factory=dict)
    rows_only: bool = False


@dataclass(frozen=True)
class NotebookCells:
    """One notebook of an assignment in the gradebook: its id and its cells' ids by name."""

    id: str
    grade_cells: dict[str, str]
    solution_cells: dict[str, str]
    task_cells: dict[str, str]


@dataclass(frozen=True)
class _Plan:
    assignment_id: str
    duedate: datetime.datetime | None
    notebooks: dict[str, NotebookCells]


def _new_id() -> str:
    return uuid.uuid4().hex  # as nbgrader.api.new_uuid


class BulkRows:
    """Writes batches of submissions' rows through ``gradebook``'s session (one transaction a batch)."""

    def __init__(self, gradebook: Any, late_penalty: Any, *, review: bool = True) -> None:
        self.gradebook = gradebook
        self.session = gradebook.db
        self.late_penalty = late_penalty  # an AssignLatePenalties step: its plugin decides a late penalty
        self.review = review  # SaveAutoGradesWithReview's rule (False: plain SaveAutoGrades)
        self._plans: dict[str, _Plan] = {}

    def plan(self, assignment: str) -> _Plan:
        """The assignment's notebooks and cells, read once per worker (they do not change while grading)."""
        if assignment not in self._plans:
            found: Assignment = self.gradebook.find_assignment(assignment)
            notebooks = {
                nb.name: NotebookCells(nb.id, {c.name: c.id for c in nb.grade_cells},
                                       {c.name: c.id for c in nb.solution_cells},
                                       {c.name: c.id for c in nb.task_cells})
                for nb in found.notebooks
            }
            self._plans[assignment] = _Plan(found.id, found.duedate, notebooks)
        return self._plans[assignment]

    def record(self, batch: Sequence[SubmissionRows]) -> None:
        """Every row of ``batch`` (all of one assignment or several), not committed: the caller commits."""
        by_assignment: dict[str, list[SubmissionRows]] = {}
        for item in batch:
            by_assignment.setdefault(item.assignment, []).append(item)
        self._students({item.student for item in batch})
        for assignment, items in by_assignment.items():
            self._record_assignment(self.plan(assignment), items)

    def _students(self, students: set[str]) -> None:
        known = set(self.session.execute(select(_STUDENT.c.id).where(_STUDENT.c.id.in_(students))).scalars())
        missing = sorted(students - known)
        if missing:
            self.session.execute(insert(_STUDENT), [{"id": s} for s in missing])

    def _record_assignment(self, plan: _Plan, items: list[SubmissionRows]) -> None:
        existing = dict(self.session.execute(
            select(_SUBMISSION.c.student_id, _SUBMISSION.c.id).where(
                _SUBMISSION.c.assignment_id == plan.assignment_id,
                _SUBMISSION.c.student_id.in_([item.student for item in items]))).all())
        self._create_submissions(plan, [item for item in items if item.student not in existing], existing)
        stamped = [{"sid": existing[item.student], "stamp": utils.parse_utc(item.timestamp)}
                   for item in items if item.timestamp]
        if stamped:
            self.session.execute(update(_SUBMISSION).where(_SUBMISSION.c.id == bindparam("sid"))
                                 .values(timestamp=bindparam("stamp")), stamped)
        graded = [item for item in items if not item.rows_only]
        if graded:
            self._save_grades(plan, graded, existing)

    def _create_submissions(self, plan: _Plan, items: list[SubmissionRows], ids: dict[str, str]) -> None:
        """``Gradebook.add_submission``: the submission and the empty structure of every notebook."""
        submissions, notebooks, grades, comments = [], [], [], []
        for item in items:
            ids[item.student] = submission_id = _new_id()
            submissions.append({"id": submission_id, "assignment_id": plan.assignment_id, "student_id": item.student,
                                "timestamp": None, "extension": None})
            for cells in plan.notebooks.values():
                notebook_id = _new_id()
                notebooks.append({"id": notebook_id, "assignment_id": submission_id, "notebook_id": cells.id,
                                  "flagged": False, "late_submission_penalty": None})
                graded = [*cells.grade_cells.values(), *cells.task_cells.values()]
                grades += [{"id": _new_id(), "notebook_id": notebook_id, "cell_id": cell, "auto_score": None,
                            "manual_score": None, "extra_credit": None, "needs_manual_grade": True}
                           for cell in graded]
                comments += [{"id": _new_id(), "notebook_id": notebook_id, "cell_id": cell, "auto_comment": None,
                              "manual_comment": None}
                             for cell in [*cells.solution_cells.values(), *cells.task_cells.values()]]
        for table, rows in ((_SUBMISSION, submissions), (_NOTEBOOK, notebooks), (_GRADE, grades),
                            (_COMMENT, comments)):
            if rows:
                self.session.execute(insert(table), rows)

    def _save_grades(self, plan: _Plan, items: list[SubmissionRows], ids: dict[str, str]) -> None:
        """``SaveAutoGrades`` (with the review rule) for every cell, then the late penalties."""
        submission_ids = {ids[item.student]: item for item in items}
        notebook_rows = self.session.execute(
            select(_NOTEBOOK.c.id, _NOTEBOOK.c.assignment_id, _NOTEBOOK.c.notebook_id)
            .where(_NOTEBOOK.c.assignment_id.in_(submission_ids))).all()
        names = {cells.id: name for name, cells in plan.notebooks.items()}
        submitted = {(row.assignment_id, names[row.notebook_id]): row.id for row in notebook_rows}
        grade_rows = self._rows(_GRADE, submitted.values(), _GRADE.c.manual_score)
        comment_rows = self._rows(_COMMENT, submitted.values())
        grade_updates: list[dict] = []
        comment_updates: list[dict] = []
        for submission_id, item in submission_ids.items():
            for name, cells in plan.notebooks.items():
                notebook_id = submitted[(submission_id, name)]
                found = item.notebooks.get(name)
                if found is None:  # not submitted: Autograde scores every grade of the notebook 0
                    for cell_id in [*cells.grade_cells.values(), *cells.task_cells.values()]:
                        grade_updates.append({"gid": grade_rows[(notebook_id, cell_id)][0], "auto": 0,
                                              "manual": False})
                    continue
                for cell in found:
                    self._cell(cell, cells, notebook_id, grade_rows, comment_rows, grade_updates, comment_updates)
        if grade_updates:
            self.session.execute(update(_GRADE).where(_GRADE.c.id == bindparam("gid"))
                                 .values(auto_score=bindparam("auto"), needs_manual_grade=bindparam("manual")),
                                 grade_updates)
        if comment_updates:
            self.session.execute(update(_COMMENT).where(_COMMENT.c.id == bindparam("cid"))
                                 .values(auto_comment=bindparam("text")), comment_updates)
        self._late_penalties(plan, submission_ids, submitted)

    def _rows(self, table: Any, notebooks: Iterable[str], *extra: Any) -> dict[tuple[str, str], tuple]:
        rows = self.session.execute(select(table.c.notebook_id, table.c.cell_id, table.c.id, *extra)
                                    .where(table.c.notebook_id.in_(list(notebooks)))).all()
        return {(row[0], row[1]): tuple(row[2:]) for row in rows}

    def _cell(self, cell: Any, cells: NotebookCells, notebook_id: str, grade_rows: dict, comment_rows: dict,
              grade_updates: list, comment_updates: list) -> None:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if utils.is_grade(cell):
            row_id, manual_score = grade_rows[(notebook_id, cells.grade_cells.get(grade_id)
                                               or cells.task_cells[grade_id])]
            auto_score, _ = utils.determine_grade(cell, None)
            needs_manual = manual_score is not None or auto_score is None
            if self.review and needs_review(cell):  # SaveAutoGradesWithReview: left for the trainer
                auto_score, needs_manual = None, True
            grade_updates.append({"gid": row_id, "auto": auto_score, "manual": needs_manual})
        if utils.is_solution(cell) or utils.is_task(cell):
            cell_id = cells.solution_cells.get(grade_id) or cells.task_cells[grade_id]
            (row_id,) = comment_rows[(notebook_id, cell_id)]
            unchanged = cell.metadata.nbgrader.get("checksum", None) == utils.compute_checksum(cell)
            text = "No response." if unchanged and not utils.is_task(cell) else None
            comment_updates.append({"cid": row_id, "text": text})

    def _late_penalties(self, plan: _Plan, submissions: dict[str, SubmissionRows],
                        submitted: dict[tuple[str, str], str]) -> None:
        """No penalty on time; nbgrader's own rule and plugin for a late notebook (``AssignLatePenalties``)."""
        cleared = [{"nid": notebook_id} for (submission_id, name), notebook_id in submitted.items()
                   if submissions[submission_id].notebooks.get(name) is not None]
        if cleared:
            self.session.execute(update(_NOTEBOOK).where(_NOTEBOOK.c.id == bindparam("nid"))
                                 .values(late_submission_penalty=None), cleared)
        if plan.duedate is None:
            return
        self.session.flush()
        for item in submissions.values():
            submission = self.gradebook.find_submission(item.assignment, item.student)
            if submission.total_seconds_late <= 0:
                continue
            for name in plan.notebooks:
                if item.notebooks.get(name) is None:
                    continue  # nbgrader's AssignLatePenalties runs on the submitted notebooks only
                notebook = self.gradebook.find_submission_notebook(name, item.assignment, item.student)
                penalty = self.late_penalty.plugin_inst.late_submission_penalty(
                    item.student, notebook.score, submission.total_seconds_late)
                if penalty is not None:
                    penalty = self.late_penalty._check_late_penalty(notebook, penalty)
                notebook.late_submission_penalty = penalty
                self.session.flush()
