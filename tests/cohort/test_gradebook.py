"""Reading the gradebook: totals, what counts as ungraded, and a real nbgrader gradebook."""

from __future__ import annotations

import os
import sys
import warnings
from pathlib import Path

from nbgrader.api import Gradebook
from sqlalchemy.exc import SAWarning

from course_lib.cohort.gradebook import read_cohort


def test_totals_add_the_scores_given(cohort):
    assert cohort.total("ann", "module1") == 5.0  # the reflection waits, it is not a zero
    assert cohort.total("ann") == 9.0
    assert cohort.total("pat", "module7") is None  # not submitted
    assert cohort.total("joe") is None
    assert cohort.max_of("module1") == 7.0 and cohort.max_of() == 12.0


def test_ungraded_counts_cells_of_submitted_work_only(cohort):
    assert cohort.ungraded("ann") == 1
    assert cohort.ungraded("pat") == 0  # module7 not submitted: nothing to grade
    assert cohort.ungraded("joe") == 0


def test_read_cohort_from_a_real_gradebook(tmp_path, monkeypatch):
    # nbgrader runs `alembic` by name when it creates a gradebook (the course config does this in real use)
    monkeypatch.setenv("PATH", str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"])
    url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    with Gradebook(url, "c") as gb:
        gb.add_assignment("module1")
        gb.add_notebook("module1", "module1")
        gb.add_grade_cell("m1-brainstorm", "module1", "module1", max_score=5, cell_type="code")
        gb.add_grade_cell("m1-reflection", "module1", "module1", max_score=2, cell_type="markdown")
        gb.add_student("zoe", first_name="Zoë", last_name="Adams, Jr")
        gb.add_student("max", first_name="Max", last_name="Zed")
        with warnings.catch_warnings():  # nbgrader 0.9.6 + SQLAlchemy 2 warn on every new submission
            warnings.simplefilter("ignore", SAWarning)
            gb.add_submission("module1", "zoe")
        grade = gb.find_grade("m1-brainstorm", "module1", "module1", "zoe")
        grade.auto_score, grade.needs_manual_grade = 3.5, False
        gb.db.commit()
    cohort = read_cohort(url, "c")
    assert cohort.assignments == ["module1"]
    assert [e.grade_id for e in cohort.exercises] == ["m1-brainstorm", "m1-reflection"]
    assert [t.last_name for t in cohort.trainees] == ["Adams, Jr", "Zed"]  # sorted by last name
    brainstorm, reflection = cohort.exercises
    assert cohort.score("zoe", brainstorm) == 3.5
    assert cohort.score("zoe", reflection) is None  # never graded
    assert cohort.score("max", brainstorm) is None and ("max", "module1") not in cohort.submitted
