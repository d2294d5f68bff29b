"""The gradebook indexes ``course grade`` adds: used by the lookups nbgrader makes, harmless to nbgrader."""

from __future__ import annotations

import os
import sqlite3
import sys
from pathlib import Path

from nbgrader.api import Gradebook

from course_lib.grader.gradebook_indexes import GRADEBOOK_INDEXES, ensure_gradebook_indexes


def _plan(db, sql: str) -> str:
    with sqlite3.connect(db) as connection:
        return " ".join(str(row[-1]) for row in connection.execute(f"EXPLAIN QUERY PLAN {sql}"))


def test_a_submissions_grades_are_found_by_index_not_by_scanning_every_grade(tmp_path, monkeypatch):
    # nbgrader runs its `alembic` (beside this Python) when it creates a gradebook
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    db = tmp_path / "gradebook.db"
    url = f"sqlite:///{db}"
    with Gradebook(url, "customer-service") as gb:
        gb.add_student("ann")
    lookup = "SELECT sum(auto_score) FROM grade WHERE notebook_id = 'x'"
    assert "SCAN grade" in _plan(db, lookup)  # nbgrader's own schema: the whole table, for every score
    ensure_gradebook_indexes(url)
    ensure_gradebook_indexes(url)  # again: nothing changes, nothing fails
    assert "USING INDEX course_ix_grade_notebook" in _plan(db, lookup)
    assert "USING INDEX course_ix_submitted_assignment_student" in _plan(
        db, "SELECT id FROM submitted_assignment WHERE student_id = 'ann'")
    with sqlite3.connect(db) as connection:
        names = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {name for name, _table, _column in GRADEBOOK_INDEXES} <= names
    with Gradebook(url, "customer-service") as gb:  # nbgrader still opens it (its schema check passes) and writes
        gb.add_student("ben")
        assert [s.id for s in gb.students] == ["ann", "ben"]
