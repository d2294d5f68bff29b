"""The grades CSV for an LMS or a spreadsheet, written with the csv module.

One row per trainee: id, last and first name, then for each module (nbgrader
assignment) a column per exercise (grade cell) and the module total, then the
overall total and how many exercises of submitted work still have no score
(a written answer waiting for a human, or a submission that failed to
grade). Headers carry the maximum, e.g. ``m1-brainstorm (5)``. An empty cell
means "no score": not submitted, or not graded yet. Every field is quoted
where needed, so names with commas and quotes survive; a name that a
spreadsheet would run as a formula (starting with = + - @) gets a leading
apostrophe.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import TextIO

from .gradebook import Cohort

__all__ = ["header", "rows", "write_csv"]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def fmt(value: float | None) -> str:
    """Scores as short decimals: 5, 3.5, 0.33; None as an empty cell."""
    if value is None:
        return ""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _text(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def header(cohort: Cohort) -> list[str]:
    columns = ["student_id", "last_name", "first_name"]
    for assignment in cohort.assignments:
        columns += [f"{e.grade_id} ({fmt(e.max_score)})" for e in cohort.exercises_of(assignment)]
        columns.append(f"{assignment} total ({fmt(cohort.max_of(assignment))})")
    columns += [f"total ({fmt(cohort.max_of())})", "ungraded"]
    return columns


def rows(cohort: Cohort) -> list[list[str]]:
    table = []
    for trainee in cohort.trainees:
        row = [_text(trainee.id), _text(trainee.last_name), _text(trainee.first_name)]
        for assignment in cohort.assignments:
            row += [fmt(cohort.score(trainee.id, e)) for e in cohort.exercises_of(assignment)]
            row.append(fmt(cohort.total(trainee.id, assignment)))
        row += [fmt(cohort.total(trainee.id)), str(cohort.ungraded(trainee.id))]
        table.append(row)
    return table


def write_csv(cohort: Cohort, target: Path | str | TextIO) -> int:
    """Write the CSV to a path or an open text file; returns the number of trainees."""
    if isinstance(target, (str, Path)):
        with open(target, "w", encoding="utf-8", newline="") as handle:
            return write_csv(cohort, handle)
    writer = csv.writer(target)
    writer.writerow(header(cohort))
    table = rows(cohort)
    writer.writerows(table)
    return len(table)
