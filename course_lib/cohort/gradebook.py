"""The cohort's grades read out of nbgrader's gradebook as plain data.

``read_cohort`` opens the gradebook once and returns a :class:`Cohort`: the
trainees, the assignments (modules) and their grade cells (exercises), and
every score. A score is ``None`` while nobody has given it yet: a cell that
waits for a human (a written reflection) or a submission whose autograde
failed. Export and report both work from this, never from the database.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["Cohort", "CourseSettings", "Exercise", "Trainee", "assignment_names", "course_settings", "read_cohort"]


@dataclass(frozen=True)
class Trainee:
    id: str
    first_name: str
    last_name: str

    @property
    def display_name(self) -> str:
        name = " ".join(p for p in (self.first_name, self.last_name) if p)
        return name or self.id


@dataclass(frozen=True)
class Exercise:
    """One grade cell: ``grade_id`` is the exercise id for widget exercises."""

    assignment: str
    notebook: str
    grade_id: str
    max_score: float


@dataclass
class Cohort:
    assignments: list[str]
    exercises: list[Exercise]
    trainees: list[Trainee]
    # (student id, assignment, notebook, grade id) -> score, None when not (yet) given
    scores: dict[tuple[str, str, str, str], float | None] = field(default_factory=dict)
    submitted: set[tuple[str, str]] = field(default_factory=set)  # (student id, assignment)

    def exercises_of(self, assignment: str) -> list[Exercise]:
        return [e for e in self.exercises if e.assignment == assignment]

    def score(self, student: str, exercise: Exercise) -> float | None:
        return self.scores.get((student, exercise.assignment, exercise.notebook, exercise.grade_id))

    def max_of(self, assignment: str | None = None) -> float:
        return sum(e.max_score for e in self.exercises if assignment in (None, e.assignment))

    def total(self, student: str, assignment: str | None = None) -> float | None:
        """Sum of the scores given so far; None when none is (not submitted, or not graded at all)."""
        given = [
            score for e in self.exercises
            if assignment in (None, e.assignment) and (score := self.score(student, e)) is not None
        ]
        return sum(given) if given else None

    def ungraded(self, student: str) -> int:
        """Grade cells of submitted work that have no score yet."""
        return sum(
            self.score(student, e) is None for e in self.exercises if (student, e.assignment) in self.submitted
        )


@dataclass(frozen=True)
class CourseSettings:
    """Where the course keeps things, as nbgrader's configuration says."""

    db_url: str
    course_id: str
    root: Path
    autograded: Path  # <root>/autograded: one folder per trainee, then per assignment
    exchange_root: str = ""  # Exchange.root: where release/submit/collect meet


def course_settings(course_dir: Path | str, argv: Sequence[str] = ()) -> CourseSettings:
    """The course's settings, read exactly as nbgrader reads them (nbgrader_config.py and ``argv``).

    Unlike nbgrader, an exception in nbgrader_config.py is not skipped: it
    raises :class:`~.nbgrader_cli.ConfigLoadError` naming the file and the error.
    """
    from nbgrader.apps import NbGraderApp  # slow import (seconds): only when needed

    from .nbgrader_cli import config_failure

    before = Path.cwd()
    os.chdir(course_dir)
    try:
        app = NbGraderApp()
        app.raise_config_file_errors = True
        try:
            app.initialize(list(argv))
        except Exception as exc:  # anything nbgrader_config.py raised
            raise config_failure(course_dir, exc) from exc
        cd = app.coursedir
        root = Path(cd.root)
        from nbgrader.exchange.default import Exchange

        exchange = app.config.Exchange.get("root", Exchange.class_traits()["root"].default_value)
        return CourseSettings(cd.db_url, cd.course_id, root, root / cd.autograded_directory, str(exchange))
    finally:
        os.chdir(before)


def _score(grade: Any) -> float | None:  # an nbgrader.api.Grade (nbgrader is untyped)
    if grade.manual_score is not None:
        return float(grade.score)
    if grade.auto_score is None or grade.needs_manual_grade:
        return None
    return float(grade.score)


def _in_course_order(assignments: Iterable[Any]) -> list[Any]:
    return sorted(assignments, key=lambda a: (a.duedate is None, a.duedate or 0, a.name))


def assignment_names(db_url: str, course_id: str) -> list[str]:
    """The gradebook's assignments in course order (by due date, then name), without reading any grade.

    What ``--all`` means; reading the whole cohort for it cost a re-run of 10,000 trainees most of its time.
    """
    from nbgrader.api import Gradebook

    with Gradebook(db_url, course_id) as gb:
        try:
            return [a.name for a in _in_course_order(gb.assignments)]
        finally:
            gb.engine.dispose()


def read_cohort(db_url: str, course_id: str, assignments: Iterable[str] | None = None) -> Cohort:
    """Everything the export and the report need, in one pass over the gradebook."""
    from nbgrader.api import Gradebook

    with Gradebook(db_url, course_id) as gb:
        try:
            known = _in_course_order(gb.assignments)
            wanted = list(assignments) if assignments else [a.name for a in known]
            missing = sorted(set(wanted) - {a.name for a in known})
            if missing:
                raise ValueError(f"the gradebook has no assignment {', '.join(map(repr, missing))}")
            chosen = [a for a in known if a.name in wanted]
            cohort = Cohort(
                assignments=[a.name for a in chosen],
                exercises=[
                    Exercise(a.name, nb.name, cell.name, float(cell.max_score))
                    for a in chosen
                    for nb in sorted(a.notebooks, key=lambda n: n.name)
                    for cell in sorted(nb.grade_cells, key=lambda c: (c.cell_type == "markdown", c.name))
                ],
                trainees=[
                    Trainee(s.id, s.first_name or "", s.last_name or "")
                    for s in sorted(gb.students, key=lambda s: ((s.last_name or "").casefold(), s.id))
                ],
            )
            for assignment in chosen:
                for submission in assignment.submissions:
                    student = submission.student.id
                    cohort.submitted.add((student, assignment.name))
                    for notebook in submission.notebooks:
                        for grade in notebook.grades:
                            key = (student, assignment.name, notebook.name, grade.name)
                            cohort.scores[key] = _score(grade)
            return cohort
        finally:
            gb.engine.dispose()
