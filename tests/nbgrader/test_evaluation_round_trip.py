"""The pre- and post-test through the real nbgrader CLI, then into the report's learning section."""

from __future__ import annotations

import pytest

from course_lib.cohort.evaluation_report import learning_section
from course_lib.cohort.gradebook import read_cohort
from course_lib.evaluation import load_evaluation
from course_lib.models import load_exercise
from course_lib.store import AnswerStore

from .course import make_course, nbgrader, submit

pytestmark = pytest.mark.nbgrader

SETTINGS = load_evaluation()


def picks(test_id: str, right_ids: set[str] | None) -> dict[str, list[str]]:
    """Right options for the questions in ``right_ids`` (all when None), a wrong one for the others."""
    return {q.id: [next(o.id for o in q.options if o.correct == (right_ids is None or q.id in right_ids))]
            for q in load_exercise(test_id).questions}


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    course = make_course(tmp_path_factory.mktemp("evaluation-course"))
    first_module = set(SETTINGS.modules[0].pre)
    answers = {("ana", "pre-test"): picks(SETTINGS.pre_test, first_module),  # 2 of 14 before
               ("ana", "post-test"): picks(SETTINGS.post_test, None),  # 14 of 14 after
               ("ben", "pre-test"): picks(SETTINGS.pre_test, set())}  # 0 before, no post-test
    for assignment in ("pre-test", "post-test"):
        nbgrader(course, "generate_assignment", assignment, "--force")
    for (student, assignment), answer in answers.items():
        folder, _ = submit(course, student, assignment)
        test_id = SETTINGS.pre_test if assignment == "pre-test" else SETTINGS.post_test
        AnswerStore(folder / "answers").save(test_id, answer)
    for assignment in ("pre-test", "post-test"):
        nbgrader(course, "autograde", assignment)
    return course


def test_the_grader_scores_both_tests_from_the_saved_answers(course):
    cohort = read_cohort(f"sqlite:///{course / 'gradebook.db'}", "customer-service")
    assert cohort.total("ana", "pre-test") == 2 and cohort.total("ana", "post-test") == 14
    assert cohort.total("ben", "pre-test") == 0 and cohort.total("ben", "post-test") is None


def test_the_report_shows_who_took_which_test_and_the_gain(course):
    cohort = read_cohort(f"sqlite:///{course / 'gradebook.db'}", "customer-service")
    section = learning_section(cohort, course / "autograded", SETTINGS)
    assert "2 trainee(s) took the pre-test, 1 the post-test, 1 both." in section
    first, second = SETTINGS.modules[0].title, SETTINGS.modules[1].title
    # Module 1: ana 100% before and after (at ceiling); Module 2: 0% -> 100%, g = 1.00
    assert (f"<tr><th scope='row'>{first}</th><td>2</td><td>0%: 1 &middot; 100%: 1</td><td>1</td>"
            "<td>100%: 1</td><td>1</td><td>+0 pts</td><td>&ndash;</td><td>1</td></tr>") in section
    assert (f"<tr><th scope='row'>{second}</th><td>2</td><td>0%: 2</td><td>1</td><td>100%: 1</td><td>1</td>"
            "<td>+100 pts</td><td>1.00</td><td>0</td></tr>") in section
    assert "No post-test question was answered wrongly." in section
