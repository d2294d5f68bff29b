"""Real nbgrader autograde of submissions whose answers files are links or unreadable.

A link (to another trainee's answers, to an answers file of the instructor's,
to /etc/passwd; or the whole answers folder linked) scores 0 with the reason,
and nothing of the link's target reaches the feedback or stays in
``autograded/``. One unreadable answers file scores 0 for that exercise only:
the notebook's other exercise is graded as usual.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from course_lib.models import load_exercise
from course_lib.store import AnswerStore
from tests.synthetic import answer_for

from ..conftest import content_variant
from .course import make_course, nbgrader, submit

pytestmark = pytest.mark.nbgrader

ASSIGNMENT = "module2"
CLASSIFY, CHECK = "m2-customers-classify", "m2-chain-check"
PASSWD = Path("/etc/passwd")


def _good(exercise_id):
    return answer_for(load_exercise(exercise_id), "good")


def _trainee(course, name, **files):
    """Submit module2 as ``name``; ``files`` maps exercise ids (with _ for -) to a callable that makes the file."""
    folder, _nb = submit(course, name, ASSIGNMENT)
    answers = folder / "answers"
    AnswerStore(answers).save(CLASSIFY, _good(CLASSIFY))
    for key, make in files.items():
        make(answers / f"{key.replace('_', '-')}.json")
    return folder


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    course = make_course(tmp_path_factory.mktemp("course"))
    nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
    honest = _trainee(course, "honest")
    AnswerStore(honest / "answers").save(CHECK, _good(CHECK))
    # full marks kept by the instructor outside any submission
    instructor = course / "instructor-answers"
    AnswerStore(instructor).save(CHECK, _good(CHECK))

    _trainee(course, "copier", m2_chain_check=lambda p: p.symlink_to(honest / "answers" / f"{CHECK}.json"))
    _trainee(course, "borrower", m2_chain_check=lambda p: p.symlink_to(instructor / f"{CHECK}.json"))
    _trainee(course, "snoop", m2_chain_check=lambda p: p.symlink_to(PASSWD))
    folder_link, _nb = submit(course, "folder-link", ASSIGNMENT)
    (folder_link / "answers").symlink_to(honest / "answers")
    _trainee(course, "utf16", m2_chain_check=lambda p: p.write_bytes(
        '{"format": 1, "exercise": "m2-chain-check", "saved_at": "2026-03-02T10:00:00+00:00", "answer": {}}'
        .encode("utf-16")))
    _trainee(course, "deep", m2_chain_check=lambda p: p.write_text(
        '{"format": 1, "exercise": "m2-chain-check", "saved_at": "9999-12-31T23:59:59+00:00", "answer": '
        + "[" * 50_000 + "]" * 50_000 + "}", encoding="utf-8"))
    nbgrader(course, "autograde", ASSIGNMENT)
    nbgrader(course, "generate_feedback", ASSIGNMENT)
    return course


def score(course, student, exercise_id):
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        return gb.find_grade(exercise_id, ASSIGNMENT, ASSIGNMENT, student).score


def feedback(course, student):
    return (course / "feedback" / student / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text(encoding="utf-8")


def test_the_honest_trainee_gets_full_marks(course):
    assert score(course, "honest", CHECK) == load_exercise(CHECK).points
    assert score(course, "honest", CLASSIFY) == load_exercise(CLASSIFY).points


@pytest.mark.parametrize("student", ["copier", "borrower", "snoop"])
def test_a_linked_answers_file_scores_zero_and_its_target_is_never_copied(course, student):
    assert score(course, student, CHECK) == 0
    assert score(course, student, CLASSIFY) == load_exercise(CLASSIFY).points  # graded as usual
    page = feedback(course, student)
    assert f"answers/{CHECK}.json is a symbolic link, so it was not read" in page
    assert "root:x:0:0" not in page
    # the right options' texts would show if the linked answers had been read
    right = next(o.text for q in load_exercise(CHECK).questions for o in q.options if o.correct)
    assert right not in page
    graded = course / "autograded" / student / ASSIGNMENT / "answers"
    assert not (graded / f"{CHECK}.json").exists()
    assert not any("root:x:0:0" in p.read_text(encoding="utf-8", errors="replace")
                   for p in graded.iterdir() if p.is_file())


def test_a_linked_answers_folder_scores_zero(course):
    assert score(course, "folder-link", CHECK) == 0
    assert score(course, "folder-link", CLASSIFY) == 0
    assert "folder in your submission is a symbolic link" in feedback(course, "folder-link")
    assert not (course / "autograded" / "folder-link" / ASSIGNMENT / "answers" / f"{CHECK}.json").exists()


@pytest.mark.parametrize(("student", "reason"), [("utf16", "not UTF-8"), ("deep", "nested too deeply")])
def test_one_unreadable_file_zeroes_only_its_exercise(course, student, reason):
    assert score(course, student, CHECK) == 0
    assert score(course, student, CLASSIFY) == load_exercise(CLASSIFY).points
    page = feedback(course, student)
    assert reason in page and "could not be read" in page
    original = course / "submitted" / student / ASSIGNMENT / "answers" / f"{CHECK}.json"
    assert original.is_file()  # the trainee's submission is never changed


def test_content_that_no_longer_loads_zeroes_its_exercise_and_grades_the_other(tmp_path, monkeypatch):
    (tmp_path / "course").mkdir()
    course = make_course(tmp_path / "course")
    nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
    folder = _trainee(course, "trainee")
    AnswerStore(folder / "answers").save(CHECK, _good(CHECK))
    # After release the instructor breaks one exercise's content file (a question loses its options).
    broken = content_variant(tmp_path / "content", f"{CHECK}.yaml", lambda d: d["questions"][0].update(options=[]))
    monkeypatch.setenv("COURSE_CONTENT_PATH", str(broken.parent))
    nbgrader(course, "autograde", ASSIGNMENT)
    assert score(course, "trainee", CHECK) == 0
    assert score(course, "trainee", CLASSIFY) == load_exercise(CLASSIFY).points
    graded = (course / "autograded" / "trainee" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text(encoding="utf-8")
    assert f"This exercise ({CHECK}) could not be graded (ContentError" in graded
