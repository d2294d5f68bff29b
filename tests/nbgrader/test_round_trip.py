"""A real nbgrader round trip: generate, simulated trainees, autograde, feedback."""

from __future__ import annotations

import json
import shutil

import nbformat
import pytest
from nbclient import NotebookClient
from nbgrader.api import Gradebook
from nbgrader.utils import determine_grade

from course_lib.store import AnswerStore
from tests.synthetic import GOOD_BRAINSTORM

from .course import cell_by_id, make_course, nbgrader, submit

pytestmark = pytest.mark.nbgrader

THOROUGH = GOOD_BRAINSTORM
MINIMAL = ["be nice", "Listen to the customer carefully"]
HOSTILE = [
    "<script>alert('brainstorm')</script> listen to every customer",
    "<img src=x onerror=alert(1)> follow up on every promise made",
]
CHEAT_CELL = """\
# A trainee tries to award themselves full marks from inside the notebook.
import course_lib, course_lib.selfcheck, course_lib.grading
from course_lib.scoring import Result
check = lambda *args, **kwargs: 5.0
course_lib.selfcheck.check = check
course_lib.grading.Result.scaled = lambda self, points: float(points)
"""
INSTRUCTOR_NOTE = "Instructor note (hidden from trainees)"


def write_reflection(nb, text):
    cell_by_id(nb, "m1-reflection").source = text


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    course = make_course(tmp_path_factory.mktemp("course"))
    nbgrader(course, "generate_assignment", "module1", "--force")

    def trainee(name, answers, *, reflection=None, extra_cell=None):
        folder, nb = submit(course, name)
        if answers is not None:
            AnswerStore(folder / "answers").save("m1-brainstorm", answers)
        if reflection:
            write_reflection(nb, reflection)
        if extra_cell:
            nb.cells.insert(2, nbformat.v4.new_code_cell(extra_cell))
        nbformat.write(nb, folder / "module1.ipynb")
        return folder

    trainee("thorough", THOROUGH, reflection="A caller's invoice was wrong; we fixed it and rang back.")
    trainee("minimal", MINIMAL)
    trainee("none", None)
    trainee("hostile", HOSTILE, reflection="<script>alert('reflection')</script> I listened.")
    trainee("cheat", MINIMAL, extra_cell=CHEAT_CELL)
    corrupt = trainee("corrupt", None)
    (corrupt / "answers").mkdir()
    (corrupt / "answers" / "m1-brainstorm.json").write_text('{"format": 1, "answ', encoding="utf-8")

    # An answers file left in the instructor's source folder must not replace
    # the trainees' own answers at autograde.
    planted = course / "solutions" / "module1" / "answers"
    planted.mkdir()
    shutil.copy(course / "submitted" / "thorough" / "module1" / "answers" / "m1-brainstorm.json", planted)

    nbgrader(course, "autograde", "module1")
    nbgrader(course, "generate_feedback", "module1")
    return course


def brainstorm_score(course, student):
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        return gb.find_grade("m1-brainstorm", "module1", "module1", student).score


def feedback_html(course, student):
    return (course / "feedback" / student / "module1" / "module1.html").read_text(encoding="utf-8")


def test_scores_are_ordered_sensibly(course):
    scores = {s: brainstorm_score(course, s) for s in ("thorough", "minimal", "none")}
    assert scores["thorough"] == 5.0
    assert 0 < scores["minimal"] < scores["thorough"]
    assert scores["none"] == 0.0


def test_a_trainees_own_run_gives_nbgrader_the_same_partial_credit(course, tmp_path):
    """Run All in the trainee's kernel: the check cell shows HTML, and nbgrader reads its bare float."""
    folder = tmp_path / "module1"
    shutil.copytree(course / "submitted" / "minimal" / "module1", folder)
    nb = nbformat.read(folder / "module1.ipynb", as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(folder)}}).execute()
    cell = cell_by_id(nb, "m1-brainstorm")
    (result,) = [output for output in cell.outputs if output.output_type == "execute_result"]
    assert f"Score: {brainstorm_score(course, 'minimal'):g} of 5 points" in result.data["text/html"]
    assert not [output for output in cell.outputs if output.output_type == "stream"]  # no second copy as text
    assert determine_grade(cell) == (brainstorm_score(course, "minimal"), 5.0)
    assert 0 < brainstorm_score(course, "minimal") < 5


def test_the_grader_writes_readable_plain_text(course):
    nb = nbformat.read(course / "autograded" / "minimal" / "module1" / "module1.ipynb", as_version=4)
    cell = cell_by_id(nb, "m1-brainstorm")
    score = brainstorm_score(course, "minimal")
    text = "".join(output.text for output in cell.outputs if output.output_type == "stream")
    assert text.rstrip().splitlines()[-1].startswith(f"Score: {score:g} of 5 points (")  # partial: rubric points
    assert "scaled" not in text and "<" not in text
    results = [output.data for output in cell.outputs if output.output_type == "execute_result"]
    assert results == [{"text/plain": repr(score)}]


def test_the_cheat_gains_nothing(course):
    assert brainstorm_score(course, "cheat") == brainstorm_score(course, "minimal")


def test_corrupt_answers_score_zero_and_the_submission_is_untouched(course):
    assert brainstorm_score(course, "corrupt") == 0.0
    assert "could not be read" in feedback_html(course, "corrupt")
    original = course / "submitted" / "corrupt" / "module1" / "answers" / "m1-brainstorm.json"
    assert original.read_text(encoding="utf-8") == '{"format": 1, "answ'


def test_instructor_copy_never_replaces_trainee_answers(course):
    graded = course / "autograded" / "minimal" / "module1" / "answers" / "m1-brainstorm.json"
    assert json.loads(graded.read_text(encoding="utf-8"))["answer"] == MINIMAL
    assert not (course / "autograded" / "none" / "module1" / "answers" / "m1-brainstorm.json").exists()


def test_feedback_shows_the_answers_as_text(course):
    html = feedback_html(course, "thorough")
    assert "Score recorded by the grader from your saved answers" in html
    for item in THOROUGH:
        assert item in html


def test_trainee_html_is_escaped_in_feedback(course):
    html = feedback_html(course, "hostile")
    assert "&lt;script&gt;alert(&#39;brainstorm&#39;)&lt;/script&gt;" in html or (
        "&lt;script&gt;alert('brainstorm')&lt;/script&gt;" in html
    )
    assert "<script>alert(" not in html
    assert "onerror=alert" not in html.replace("&lt;img src=x onerror=alert(1)&gt;", "")
    assert brainstorm_score(course, "hostile") > 0


def test_hidden_tests_stay_out_of_feedback(course):
    autograded = (course / "autograded" / "thorough" / "module1" / "module1.ipynb").read_text(encoding="utf-8")
    assert INSTRUCTOR_NOTE in autograded  # restored for grading ...
    for student in ("thorough", "minimal", "none", "hostile", "cheat", "corrupt"):
        html = feedback_html(course, student)
        assert INSTRUCTOR_NOTE not in html and "BEGIN HIDDEN TESTS" not in html  # ... never shown


def test_reflection_waits_for_a_human(course):
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        written = gb.find_grade("m1-reflection", "module1", "module1", "thorough")
        blank = gb.find_grade("m1-reflection", "module1", "module1", "none")
        assert written.needs_manual_grade and written.auto_score is None
        assert not blank.needs_manual_grade and blank.score == 0
