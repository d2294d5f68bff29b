"""Indexes the gradebook needs for a large cohort, added beside nbgrader's schema.

nbgrader's tables index their foreign keys only where a unique constraint
happens to start with them. A submission's grades and comments
(``grade.notebook_id``, ``comment.notebook_id``), a submission's notebooks
(``submitted_notebook.assignment_id``) and a trainee's submissions
(``submitted_assignment.student_id``) are looked up by columns that lead no
index, so SQLite and PostgreSQL scan the whole table for every score
nbgrader computes: grading got slower with every trainee graded (quadratic in
the cohort). benchmarks/README.md has the figures.

The indexes are plain secondary indexes under names of our own: nbgrader's
rows, constraints and migrations are untouched, and creating them again is
a no-op (``IF NOT EXISTS``, SQLite and PostgreSQL alike).
"""

from __future__ import annotations

from sqlalchemy import create_engine, text

__all__ = ["GRADEBOOK_INDEXES", "ensure_gradebook_indexes"]

# (index name, table, column): each a foreign key no nbgrader index starts with.
GRADEBOOK_INDEXES = (
    ("course_ix_grade_notebook", "grade", "notebook_id"),
    ("course_ix_comment_notebook", "comment", "notebook_id"),
    ("course_ix_submitted_notebook_assignment", "submitted_notebook", "assignment_id"),
    ("course_ix_submitted_assignment_student", "submitted_assignment", "student_id"),
    ("course_ix_base_cell_notebook", "base_cell", "notebook_id"),
    ("course_ix_source_cell_notebook", "source_cell", "notebook_id"),
)


def ensure_gradebook_indexes(db_url: str) -> None:
    """Create the missing indexes of :data:`GRADEBOOK_INDEXES` in the gradebook at ``db_url``."""
    engine = create_engine(db_url)
    try:
        with engine.begin() as connection:
            for name, table, column in GRADEBOOK_INDEXES:
                connection.execute(text(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({column})"))
    finally:
        engine.dispose()
