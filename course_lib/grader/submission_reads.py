"""The grades and comments of a batch of submissions, read at once, for nbgrader's ``GetGrades``.

``GetGrades`` (the feedback step) asks the gradebook for each graded cell's
grade, each answer cell's comment and the submitted notebook's score, one
joined query each: most of the gradebook time of a kernel-free feedback page.
:class:`BatchReads` reads them for a whole batch of submissions in three
queries per assignment, each grade's and notebook's maximum (deferred columns
nbgrader would load with one more query each) included. :class:`SubmissionReads`
answers one submitted notebook's lookups from them the way the gradebook does
(a grade cell before a task cell of the same name; a missing one raises
``MissingEntry``); anything else goes to the gradebook itself.

The values are copied out of the gradebook's rows as plain attributes, read
after the batch's rows were saved: a later rollback or commit of the shared
session cannot expire them into one query each.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from types import SimpleNamespace
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

__all__ = ["BatchReads", "SubmissionReads"]

# What GetGrades (and the course's GradesWithStatus) read of each row.
_GRADE = ("score", "max_score", "auto_score", "manual_score", "extra_credit", "needs_manual_grade")
_COMMENT = ("comment", "auto_comment", "manual_comment")
_NOTEBOOK = ("score", "max_score", "late_submission_penalty")
# Students per query: well under SQLite's limit on bound parameters.
_CHUNK = 500

Ids = tuple[str, str, str]  # notebook, assignment, student


def _copy(row: Any, names: Sequence[str]) -> SimpleNamespace:
    return SimpleNamespace(**{name: getattr(row, name) for name in names})


class BatchReads:
    """The rows the feedback pages of ``submissions`` (assignment, student) show, read at once."""

    def __init__(self, gradebook: Gradebook, submissions: Iterable[tuple[str, str]]) -> None:
        self._gradebook = gradebook
        self._covered = set(submissions)
        self._grades: dict[Ids, dict[str, Any]] = defaultdict(dict)
        self._comments: dict[Ids, dict[str, Any]] = defaultdict(dict)
        self._notebooks: dict[Ids, Any] = {}
        students_of: dict[str, list[str]] = defaultdict(list)
        for assignment, student in sorted(self._covered):
            students_of[assignment].append(student)
        for assignment, students in students_of.items():
            for start in range(0, len(students), _CHUNK):
                chunk = students[start:start + _CHUNK]
                self._read_cells(Grade, GradeCell, _GRADE, self._grades, assignment, chunk)
                self._read_cells(Comment, SolutionCell, _COMMENT, self._comments, assignment, chunk)
                self._read_notebooks(assignment, chunk)

    def _read_cells(self, row: Any, first: Any, names: Sequence[str], into: dict[Ids, dict[str, Any]],
                    assignment: str, students: list[str]) -> None:
        """Rows by cell name; ``first`` (grade or solution cell) wins over a task cell of the same name."""
        query = self._gradebook.db.query(BaseCell, row, Notebook.name, Student.id)
        if row is Grade:
            query = query.options(undefer(Grade.max_score))
        query = query.join(row, row.cell_id == BaseCell.id).join(SubmittedNotebook,
                                                                  SubmittedNotebook.id == row.notebook_id)
        found = [(cell, (notebook, assignment, student), value)
                 for cell, value, notebook, student in self._of(query, assignment, students).all()]
        for cell, ids, value in found:
            if isinstance(cell, first):
                into[ids][cell.name] = _copy(value, names)
        for cell, ids, value in found:
            if isinstance(cell, TaskCell):
                into[ids].setdefault(cell.name, _copy(value, names))

    def _read_notebooks(self, assignment: str, students: list[str]) -> None:
        query = self._gradebook.db.query(SubmittedNotebook, Notebook.name, Student.id).options(
            undefer(SubmittedNotebook.score), undefer(SubmittedNotebook.max_score))
        for notebook, name, student in self._of(query, assignment, students).all():
            self._notebooks[(name, assignment, student)] = _copy(notebook, _NOTEBOOK)

    @staticmethod
    def _of(query: Any, assignment: str, students: list[str]) -> Any:
        """``query`` (which has the submitted notebook) kept to these trainees' notebooks of ``assignment``."""
        return (query.join(Notebook, Notebook.id == SubmittedNotebook.notebook_id)
                .join(SubmittedAssignment, SubmittedAssignment.id == SubmittedNotebook.assignment_id)
                .join(Assignment, Assignment.id == SubmittedAssignment.assignment_id)
                .join(Student, Student.id == SubmittedAssignment.student_id)
                .filter(Assignment.name == assignment, Student.id.in_(students)))

    def reads(self, notebook: str, assignment: str, student: str) -> SubmissionReads:
        """The stand-in for the gradebook while this submitted notebook's feedback is made."""
        if (assignment, student) not in self._covered:
            return BatchReads(self._gradebook, [(assignment, student)]).reads(notebook, assignment, student)
        ids = (notebook, assignment, student)
        return SubmissionReads(self._gradebook, ids, self._grades.get(ids, {}), self._comments.get(ids, {}),
                               self._notebooks.get(ids))


class SubmissionReads:
    """Stands for ``gradebook`` while one submitted notebook's feedback is made."""

    def __init__(self, gradebook: Gradebook, ids: Ids, grades: dict[str, Any], comments: dict[str, Any],
                 notebook: Any) -> None:
        self._gradebook, self._ids = gradebook, ids
        self._grades, self._comments, self._notebook = grades, comments, notebook

    def _find(self, kept: dict[str, Any], name: str, ids: Ids, what: str) -> Any:
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
        if (notebook, assignment, student) != self._ids:
            return self._gradebook.find_submission_notebook(notebook, assignment, student)
        if self._notebook is None:
            raise MissingEntry(f"No such submitted notebook: {assignment}/{notebook} for {student}")
        return self._notebook

    def __getattr__(self, name: str) -> Any:
        return getattr(self._gradebook, name)
