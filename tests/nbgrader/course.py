"""A temporary nbgrader course made from the project's real config and solutions."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]
# Deliberately without the environment's bin/: the project's config must cope
# (nbgrader runs `alembic` by name when it creates gradebook.db).
BARE_PATH = os.pathsep.join(p for p in ("/usr/local/bin", "/usr/bin", "/bin") if Path(p).is_dir())
ASSIGNMENTS = sorted(d.name for d in (ROOT / "solutions").iterdir() if d.is_dir())


def _has_written_answer(assignment: str) -> bool:
    """Whether the assignment's source asks for a written (hand-graded Markdown) answer."""
    nb = nbformat.read(ROOT / "solutions" / assignment / f"{assignment}.ipynb", as_version=4)
    return any(c.cell_type == "markdown" and c.metadata.get("nbgrader", {}).get("solution") for c in nb.cells)


# The pre/post checks and the follow-up are widgets only.
WRITTEN_ASSIGNMENTS = [a for a in ASSIGNMENTS if _has_written_answer(a)]


def make_course(folder: Path) -> Path:
    """Copy nbgrader_config.py and solutions/ into ``folder``."""
    shutil.copy(ROOT / "nbgrader_config.py", folder / "nbgrader_config.py")
    shutil.copytree(ROOT / "solutions", folder / "solutions", ignore=shutil.ignore_patterns("answers", ".*"))
    return folder


def nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess:
    """Run the real nbgrader command line in ``course``; fail loudly with its log."""
    env = {**os.environ, "PATH": BARE_PATH}
    done = subprocess.run(
        [sys.executable, "-m", "nbgrader", *args],
        cwd=course, env=env, capture_output=True, text=True, timeout=600,
    )
    if done.returncode != 0:
        raise AssertionError(f"nbgrader {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done


def submit(course: Path, student: str, assignment: str = "module1") -> tuple[Path, nbformat.NotebookNode]:
    """Put a fresh copy of the release into submitted/<student>/; return its folder and notebook."""
    folder = course / "submitted" / student / assignment
    folder.mkdir(parents=True)
    notebook = folder / f"{assignment}.ipynb"
    shutil.copy(course / "exercises" / assignment / f"{assignment}.ipynb", notebook)
    return folder, nbformat.read(notebook, as_version=4)


def cell_by_id(nb: nbformat.NotebookNode, grade_id: str) -> nbformat.NotebookNode:
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def graded_ids(nb: nbformat.NotebookNode) -> list[str]:
    """Widget exercise ids graded in ``nb`` (grade cells named after an exercise)."""
    from course_lib.models import exercise_ids
    from course_lib.nbgrader_cells import graded_exercise_id

    known = exercise_ids()
    return [i for c in nb.cells if (i := graded_exercise_id(c, known))]


def submit_synthetic(course: Path, student: str, assignment: str, quality: str, written: str | None = None) -> Path:
    """Submit ``assignment`` as ``student`` with ``tests.synthetic`` answers of ``quality``.

    ``written``, if given, becomes the source of every cell the trainee writes in
    (reflections, free text). Returns the submission folder.
    """
    from course_lib.models import load_exercise
    from course_lib.store import AnswerStore
    from tests.synthetic import answer_for

    folder, nb = submit(course, student, assignment)
    for exercise_id in graded_ids(nb):
        answer = answer_for(load_exercise(exercise_id), quality)
        if answer is not None:
            AnswerStore(folder / "answers").save(exercise_id, answer)
    if written is not None:
        for cell in nb.cells:
            if cell.metadata.get("nbgrader", {}).get("solution"):
                cell.source = written
    nbformat.write(nb, folder / f"{assignment}.ipynb")
    return folder
