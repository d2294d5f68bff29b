"""The trainee's self-check prints feedback and ends with a bare float for nbgrader."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

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


def test_a_huge_answer_is_shortened_in_the_feedback_and_says_so():
    from course_lib.grading import MAX_LINE_CHARS, MAX_SHOWN_CHARS, shorten

    lines = shorten(["short", "y" * (MAX_LINE_CHARS + 50), *(["z" * 1000] * 200)])
    assert lines[0] == "short"
    assert lines[1].endswith("… [shortened: 50 more characters not shown]")
    assert lines[-1].startswith("[shortened: ") and lines[-1].endswith("more lines not shown]")
    assert sum(len(line) + 1 for line in lines) < MAX_SHOWN_CHARS + MAX_LINE_CHARS + 100


@pytest.mark.parametrize("case", ["latin-1", "utf-16", "deep nesting", "year 1", "year 9999", "naive time", "NaN"])
def test_check_and_show_keep_an_unreadable_file_aside_instead_of_raising(tmp_path, capsys, case):
    from course_lib.exercises import show

    from .test_store import UNREADABLE

    content, _reason = UNREADABLE[case]
    (tmp_path / "m1-brainstorm.json").write_bytes(content)
    assert check("m1-brainstorm", tmp_path) == 0.0
    out, err = capsys.readouterr()
    kept = sorted(tmp_path.glob("m1-brainstorm.json.corrupt-*"))
    assert len(kept) == 1 and kept[0].read_bytes() == content
    assert f"it was kept as {kept[0].name}" in out and err == ""
    # the widget, shown again, says where the old file is and saves to a fresh one
    (tmp_path / "m1-brainstorm.json").write_bytes(content)
    widget = show("m1-brainstorm", tmp_path)
    assert "could not be read" in widget.message.value and ".corrupt-" in widget.message.value
    assert widget.add("Listen to the whole question first")
    assert AnswerStore(tmp_path).load("m1-brainstorm").answer == ["Listen to the whole question first"]
    assert len(list(tmp_path.glob("m1-brainstorm.json.corrupt-*"))) == 2


def test_a_linked_answers_folder_is_reported_by_the_widget_and_never_written_through(tmp_path):
    from course_lib.exercises import show

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "answers").symlink_to(elsewhere)
    widget = show("m1-brainstorm", tmp_path / "answers")
    assert "is a symbolic link" in widget.message.value
    widget.add("Listen to the whole question first")
    assert "could not be saved" in widget.message.value and "symbolic link" in widget.message.value
    assert list(elsewhere.iterdir()) == []


def test_a_10_mb_answer_gives_a_short_report_that_says_why(tmp_path, capsys):
    record = {"format": 1, "exercise": "m5-recovery-reply", "saved_at": "2026-03-02T10:00:00+00:00",
              "answer": {"text": "I am sorry. " * 900_000}}
    (tmp_path / "m5-recovery-reply.json").write_text(json.dumps(record), encoding="utf-8")
    assert check("m5-recovery-reply", tmp_path) == 0.0
    out, _err = capsys.readouterr()
    assert len(out) < 5000 and "it is too large" in out
    # below the file cap but over the widget's limit: refused by the parser, just as briefly
    record["answer"]["text"] = "I am sorry. " * 50_000
    (tmp_path / "m5-recovery-reply.json").write_text(json.dumps(record), encoding="utf-8")
    assert check("m5-recovery-reply", tmp_path) == 0.0
    out, _err = capsys.readouterr()
    assert len(out) < 5000 and "the reply has 600000 characters; the exercise allows at most 5000" in out
