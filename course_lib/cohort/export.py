"""The grades CSV for an LMS or a spreadsheet, written with the csv module.

One row per trainee: id, last and first name, then for each module (nbgrader
assignment) a column per exercise (grade cell) and the module total, then the
overall total and how many exercises of submitted work still have no score
(a written answer waiting for a human, or a submission that failed to
grade). Headers carry the maximum, e.g. ``m1-brainstorm (5)``. An empty cell
means "no score": not submitted, or not graded yet. Every field is quoted
where needed, so names with commas, quotes and line breaks survive; a text
cell that a spreadsheet would run as a formula gets a leading apostrophe
(see :func:`defuse`).
"""

from __future__ import annotations

import csv
import io
import unicodedata
from pathlib import Path
from typing import TextIO

from ..atomic import write_text_atomic
from .gradebook import Cohort

__all__ = ["defuse", "header", "rows", "write_csv"]

_FORMULA_START = frozenset("=+-@")
# Characters a spreadsheet may read as a minus sign although NFKC keeps them apart.
_MINUS_LIKE = frozenset("\u2212\u2012\u2013\u2014\ufe63\uff0d")


def fmt(value: float | None) -> str:
    """Scores as short decimals: 5, 3.5, 0.33; None as an empty cell."""
    if value is None:
        return ""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def defuse(value: str) -> str:
    """``value`` with a leading apostrophe when a spreadsheet could run it as a formula.

    Spreadsheets skip leading blanks and line breaks and fold full-width forms
    (``\uff1d`` for ``=``) before deciding, so the test looks at the first
    character that is not white space, in its NFKC form; a cell that starts
    with a tab or a carriage return is prefixed too (OWASP's advice).
    """
    if value[:1] in ("\t", "\r"):
        return "'" + value
    first = value.lstrip()[:1]
    if first and (unicodedata.normalize("NFKC", first)[:1] in _FORMULA_START or first in _MINUS_LIKE):
        return "'" + value
    return value


def header(cohort: Cohort) -> list[str]:
    columns = ["student_id", "last_name", "first_name"]
    for assignment in cohort.assignments:
        columns += [defuse(f"{e.grade_id} ({fmt(e.max_score)})") for e in cohort.exercises_of(assignment)]
        columns.append(defuse(f"{assignment} total ({fmt(cohort.max_of(assignment))})"))
    columns += [f"total ({fmt(cohort.max_of())})", "ungraded"]
    return columns


def rows(cohort: Cohort) -> list[list[str]]:
    table = []
    for trainee in cohort.trainees:
        row = [defuse(trainee.id), defuse(trainee.last_name), defuse(trainee.first_name)]
        for assignment in cohort.assignments:
            row += [fmt(cohort.score(trainee.id, e)) for e in cohort.exercises_of(assignment)]
            row.append(fmt(cohort.total(trainee.id, assignment)))
        row += [fmt(cohort.total(trainee.id)), str(cohort.ungraded(trainee.id))]
        table.append(row)
    return table


def write_csv(cohort: Cohort, target: Path | str | TextIO) -> int:
    """Write the CSV to a path or an open text file; returns the number of trainees."""
    if isinstance(target, (str, Path)):
        # Built in memory and written atomically: a full disk leaves an earlier grades.csv whole.
        buffer = io.StringIO(newline="")
        count = write_csv(cohort, buffer)
        write_text_atomic(target, buffer.getvalue(), newline="")
        return count
    writer = csv.writer(target)
    writer.writerow(header(cohort))
    table = rows(cohort)
    writer.writerows(table)
    return len(table)
