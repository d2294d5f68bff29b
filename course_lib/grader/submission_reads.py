"""One submitted notebook's grades and comments, read once, for nbgrader's ``GetGrades``.

``GetGrades`` (the feedback step) asks the gradebook for each graded cell's
grade and each answer cell's comment, one joined query each: most of the
gradebook time of a kernel-free feedback page. :class:`SubmissionReads` reads
them in two queries, each grade's maximum (a deferred column nbgrader would load
with one more query a cell) included, and answers those lookups the way the gradebook does (a
grade cell before a task cell of the same name; a missing one raises
``MissingEntry``); anything else goes to the gradebook itself. The rows are the
gradebook's own objects, so scores and comments are the gradebook's.
"""

from __future__ import annotations

from typing import Any

from nbgrader.api import (
    Assignment,
    BaseCell,
    Comment,
    Grade,
    Gradebook,
    GradeCell,
    MissingEntry,
    Notebook,
    SolutionCell,
    Student,
    SubmittedAssignment,
    SubmittedNotebook,
    TaskCell,
)
from sqlalchemy.orm import undefer
from sqlalchemy.orm.exc import NoResultFound

__all__ = ["SubmissionReads"]


class SubmissionReads:
    """Stands for ``gradebook`` while one submitted notebook's feedback is made."""

    def __init__(self, gradebook: Gradebook, notebook: str, assignment: str, student: str) -> None:
        self._gradebook = gradebook
        self._ids = (notebook, assignment, student)
        self._grades = self._read(Grade, GradeCell)
        self._comments = self._read(Comment, SolutionCell)

    def _read(self, row: Any, first: Any) -> dict[str, Any]:
        """Rows of the submission by cell name; ``first`` (grade or solution cell) wins over a task cell."""
        query = self._gradebook.db.query(BaseCell, row)
        if row is Grade:
            query = query.options(undefer(Grade.max_score))
        query = query.join(row, row.cell_id == BaseCell.id).join(SubmittedNotebook,
                                                                  SubmittedNotebook.id == row.notebook_id)
        found = self._this_submission(query).all()
        kept: dict[str, Any] = {}
        for cell, value in found:
            if isinstance(cell, first):
                kept[cell.name] = value
        for cell, value in found:
            if isinstance(cell, TaskCell):
                kept.setdefault(cell.name, value)
        return kept

    def _this_submission(self, query: Any) -> Any:
        """``query`` (which has the submitted notebook) kept to this trainee's notebook of this assignment."""
        notebook, assignment, student = self._ids
        return (query.join(Notebook, Notebook.id == SubmittedNotebook.notebook_id)
                .join(SubmittedAssignment, SubmittedAssignment.id == SubmittedNotebook.assignment_id)
                .join(Assignment, Assignment.id == SubmittedAssignment.assignment_id)
                .join(Student, Student.id == SubmittedAssignment.student_id)
                .filter(Notebook.name == notebook, Assignment.name == assignment, Student.id == student))

    def _find(self, kept: dict[str, Any], name: str, ids: tuple[str, str, str], what: str) -> Any:
        if ids != self._ids:
            return getattr(self._gradebook, f"find_{what}")(name, *ids)
        if name not in kept:
            notebook, assignment, student = ids
            raise MissingEntry(f"No such {what}: {assignment}/{notebook}/{name} for {student}")
        return kept[name]

    def find_grade(self, grade_cell: str, notebook: str, assignment: str, student: str) -> Any:
        return self._find(self._grades, grade_cell, (notebook, assignment, student), "grade")

    def find_comment(self, solution_cell: str, notebook: str, assignment: str, student: str) -> Any:
        return self._find(self._comments, solution_cell, (notebook, assignment, student), "comment")

    def find_submission_notebook(self, notebook: str, assignment: str, student: str) -> Any:
        """The gradebook's own query, with the notebook's score and maximum (deferred columns) loaded at once."""
        if (notebook, assignment, student) != self._ids:
            return self._gradebook.find_submission_notebook(notebook, assignment, student)
        query = self._gradebook.db.query(SubmittedNotebook).options(undefer(SubmittedNotebook.score),
                                                                    undefer(SubmittedNotebook.max_score))
        try:
            return self._this_submission(query).one()
        except NoResultFound:
            raise MissingEntry(f"No such submitted notebook: {assignment}/{notebook} for {student}") from None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._gradebook, name)
