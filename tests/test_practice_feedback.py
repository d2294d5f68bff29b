"""Lesson activities are practice: their check shows feedback but no score; graded notebooks keep the score."""

from __future__ import annotations

from course_lib import check
from course_lib.store import AnswerStore


def _check_in(folder, capsys):
    AnswerStore(folder / "answers").save("m3-practice-check", {"under-promise": ["do-little"]})
    score = check("m3-practice-check", folder / "answers")
    return score, capsys.readouterr().out


def test_a_lesson_check_has_no_score_line(tmp_path, capsys):
    score, text = _check_in(tmp_path / "course" / "notebooks", capsys)
    assert "Score:" not in text and "Score:" not in score.html
    assert "Practice activity: not graded." in text and "Practice activity: not graded." in score.html
    assert "not right yet" in text  # the feedback itself is still there


def test_a_graded_notebook_check_keeps_its_score_line(tmp_path, capsys):
    score, text = _check_in(tmp_path / "course" / "exercises" / "module3", capsys)
    assert "Score: 0 of " in text and "Score: 0 of " in score.html
    assert "Practice activity" not in text
