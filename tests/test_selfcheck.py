"""The trainee's self-check prints feedback and ends with a bare float for nbgrader."""

from __future__ import annotations

import subprocess
import sys

from course_lib import check
from course_lib.store import AnswerStore


def test_check_prints_answers_feedback_and_score(tmp_path, capsys):
    AnswerStore(tmp_path).save("m1-brainstorm", ["Listen to the whole question", "Smile"])
    score = check("m1-brainstorm", tmp_path)
    out, err = capsys.readouterr()
    assert type(score) is float and 0 < score < 5
    assert "Your answers (2):" in out and "1. Listen to the whole question" in out
    assert f"Score: {score:g} of 5 points" in out
    assert err == ""


def test_check_with_nothing_saved_is_zero_without_stderr(tmp_path, capsys):
    assert check("m1-brainstorm", tmp_path) == 0.0
    out, err = capsys.readouterr()
    assert "No answers saved yet" in out and err == ""


def test_check_with_corrupt_answers_explains_and_scores_zero(tmp_path, capsys):
    (tmp_path / "m1-brainstorm.json").write_text("][", encoding="utf-8")
    assert check("m1-brainstorm", tmp_path) == 0.0
    out, err = capsys.readouterr()
    assert "could not be read" in out and err == ""


def test_grading_code_imports_no_widgets_or_matplotlib():
    probe = (
        "import sys, course_lib.grading, course_lib.selfcheck;"
        "print(sorted(m for m in ('ipywidgets', 'matplotlib') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
