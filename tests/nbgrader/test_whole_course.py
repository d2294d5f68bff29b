"""Whole-course nbgrader round trip: every assignment, trainees of different quality."""

from __future__ import annotations

import json

import nbformat
import pytest
from nbgrader.api import Gradebook

from course_lib.models import load_exercise
from course_lib.nbgrader_cells import names_exercise
from course_lib.store import AnswerStore
from tests.synthetic import QUALITIES, SCRIPT, answer_for

from .course import ROOT, graded_ids, make_course, nbgrader, submit

pytestmark = pytest.mark.nbgrader

ASSIGNMENTS = sorted(d.name for d in (ROOT / "solutions").iterdir() if d.is_dir())


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    course = make_course(tmp_path_factory.mktemp("whole-course"))
    for assignment in ASSIGNMENTS:
        nbgrader(course, "generate_assignment", assignment, "--force")
        for quality in QUALITIES:
            folder, nb = submit(course, quality, assignment)
            for exercise_id in graded_ids(nb):
                answer = answer_for(load_exercise(exercise_id), quality)
                if answer is not None:
                    AnswerStore(folder / "answers").save(exercise_id, answer)
            if quality == "hostile":
                for cell in nb.cells:
                    if cell.metadata.get("nbgrader", {}).get("solution"):
                        cell.source = f"{SCRIPT} my written answer"
            nbformat.write(nb, folder / f"{assignment}.ipynb")
    for assignment in ASSIGNMENTS:
        nbgrader(course, "autograde", assignment)
        nbgrader(course, "generate_feedback", assignment)
    return course


def auto_scores(course, assignment):
    """{quality: total of the auto-graded (widget) cells} for one assignment."""
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        scores = {}
        for quality in QUALITIES:
            notebook = gb.find_submission_notebook(assignment, assignment, quality)
            scores[quality] = sum(g.score for g in notebook.grades if names_exercise(g.name))
        return scores


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_scores_are_ordered_by_quality(course, assignment):
    scores = auto_scores(course, assignment)
    assert scores["good"] > scores["poor"] > scores["empty"] == 0, scores


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_good_answers_earn_every_automatic_point(course, assignment):
    nb = nbformat.read(ROOT / "solutions" / assignment / f"{assignment}.ipynb", as_version=4)
    expected = sum(load_exercise(i).points for i in graded_ids(nb))
    assert auto_scores(course, assignment)["good"] == pytest.approx(expected)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_hostile_answers_are_graded_and_shown_as_text(course, assignment):
    feedback = course / "feedback" / "hostile" / assignment / f"{assignment}.html"
    html = feedback.read_text(encoding="utf-8")
    assert "<script>alert(" not in html
    assert "Score recorded by the grader" in html
    autograded = course / "autograded" / "hostile" / assignment / f"{assignment}.ipynb"
    outputs = [o for c in json.loads(autograded.read_text(encoding="utf-8"))["cells"] for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error" or o.get("name") == "stderr"]
