"""exercises/ is generated from solutions/ and must not drift; the config avoids known traps."""

from __future__ import annotations

import json
import sqlite3

import pytest

from course_lib.models import exercise_ids, load_exercise
from course_lib.nbgrader_cells import graded_exercise_id

from .course import ROOT, make_course, nbgrader

pytestmark = pytest.mark.nbgrader


def _release_files(folder):
    return sorted(p.relative_to(folder) for p in folder.rglob("*") if p.is_file())


def test_committed_release_matches_a_fresh_generation(tmp_path):
    course = make_course(tmp_path)
    # PATH lacks the environment's bin/: building gradebook.db must still work.
    for assignment in sorted(d.name for d in (ROOT / "solutions").iterdir() if d.is_dir()):
        nbgrader(course, "generate_assignment", assignment, "--force")
    fresh, committed = course / "exercises", ROOT / "exercises"
    assert _release_files(fresh) == _release_files(committed), "regenerate exercises/ (see docs/instructors.md)"
    for relative in _release_files(fresh):
        assert (fresh / relative).read_bytes() == (committed / relative).read_bytes(), (
            f"exercises/{relative} differs from a fresh generation: "
            "regenerate it (see docs/instructors.md) and commit"
        )
    with sqlite3.connect(course / "gradebook.db") as db:
        assert db.execute("select count(*) from alembic_version").fetchone()[0] == 1


def test_no_answers_or_solutions_leak_into_the_release():
    for folder in (ROOT / "solutions", ROOT / "exercises"):
        assert not list(folder.rglob("answers")), f"an answers folder sits in {folder}"
    for notebook in (ROOT / "exercises").rglob("*.ipynb"):
        text = notebook.read_text(encoding="utf-8")
        assert "Marking guide" not in text and "BEGIN HIDDEN TESTS" not in text


def test_every_widget_grade_cell_matches_its_exercise():
    """A grade cell named after an exercise calls check() on it, with the exercise's points (and vice versa)."""
    seen, known = 0, exercise_ids()
    for notebook in (ROOT / "solutions").rglob("*.ipynb"):
        for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
            meta = cell["metadata"].get("nbgrader", {})
            source = "".join(cell["source"])
            exercise_id = graded_exercise_id(cell, known)
            if exercise_id is None:
                assert not (meta.get("grade") and "check(" in source), f"{notebook.name}: {meta} names no exercise"
            else:
                exercise = load_exercise(exercise_id)
                assert f'check("{exercise.id}")' in source
                assert meta["points"] == exercise.points
                assert meta.get("locked"), "lock the check cell so trainees cannot edit it by accident"
                seen += 1
    assert seen >= 1
