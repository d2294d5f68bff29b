"""The reaction survey: ratings and text saved on change, reloaded, limits kept, not graded."""

from __future__ import annotations

from course_lib.exercises import show
from course_lib.grading import grade_saved
from course_lib.scoring.reaction import parse_answer

from .conftest import saved_answer


def test_ratings_and_text_are_saved_as_given_and_come_back(answers):
    survey = show("m3-reaction", answers)
    assert survey.status.value == "Nothing saved yet."
    survey.ratings["usefulness"].value = 4
    survey.ratings["clarity"].value = 2
    survey.text.value = "  Promise a date I can keep  "
    assert saved_answer(answers, "m3-reaction") == {"ratings": {"usefulness": 4, "clarity": 2},
                                                    "text": "Promise a date I can keep"}
    again = show("m3-reaction", answers)
    assert again.ratings["usefulness"].value == 4 and again.text.value == "Promise a date I can keep"
    assert again.status.value.startswith("Feedback (2 of 2 ratings) saved")


def test_each_rating_is_labelled_by_its_question_and_scale_ends(answers):
    survey = show("m1-reaction", answers)
    usefulness = survey.ratings["usefulness"]
    assert usefulness.description == "How useful is this module for your work?"
    assert [label for label, _ in usefulness.options][1::4] == ["1 (not useful)", "5 (very useful)"]


def test_too_long_a_text_is_refused_and_the_last_answer_kept(answers):
    survey = show("m2-reaction", answers)
    survey.text.value = "short and useful"
    survey.text.value = "x" * 501
    assert "under 500 characters" in survey.message.value
    assert saved_answer(answers, "m2-reaction")["text"] == "short and useful"


def test_it_is_never_graded(answers):
    survey = show("m4-reaction", answers)
    survey.ratings["usefulness"].value = 5
    graded = grade_saved("m4-reaction", answers)
    assert graded.score == 0 and "not graded" in graded.report()


def test_a_rating_outside_1_to_5_is_a_corrupt_file():
    for bad in ({"ratings": {"usefulness": 6}, "text": ""}, {"ratings": {"usefulness": True}, "text": ""},
                {"ratings": {}, "text": 3}, {"ratings": {}, "text": "", "who": "ann"}):
        try:
            parse_answer(bad)
        except ValueError:
            continue
        raise AssertionError(f"accepted {bad}")


def test_in_a_lesson_it_is_published_to_the_class_folder_for_the_board(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_CLASS_DIR", str(tmp_path / "class"))
    monkeypatch.setenv("COURSE_TRAINEE_ID", "kim")
    monkeypatch.setenv("COURSE_PUBLISH", "auto")
    survey = show("m6-reaction", tmp_path / "notebooks" / "answers")
    survey.ratings["clarity"].value = 3
    published = saved_answer(tmp_path / "class" / "m6-reaction", "kim")
    assert published == {"ratings": {"clarity": 3}, "text": ""}
