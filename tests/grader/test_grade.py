"""Grading helpers: which submissions, the closing summary, reasons and notes."""

from __future__ import annotations

import logging

import nbformat

from course_lib.grader.cohort import find_submissions
from course_lib.grader.executed import _notes, _reason
from course_lib.grader.summary import GradeSummary, Outcome, Task
from course_lib.store import AnswerStore


def test_find_submissions(tmp_path):
    for student in ("b", "a"):
        (tmp_path / "submitted" / student / "module1").mkdir(parents=True)
    (tmp_path / "submitted" / "a" / "module2").mkdir()
    assert find_submissions(tmp_path, "submitted", ["module1", "module2"]) == [
        Task("module1", "a"), Task("module1", "b"), Task("module2", "a")]
    assert find_submissions(tmp_path, "submitted", ["module1"], ["b"]) == [Task("module1", "b")]


def test_summary_names_failures_and_problems():
    summary = GradeSummary([
        Outcome(Task("module1", "ann"), "graded"),
        Outcome(Task("module1", "bob"), "failed", error="NotJSONError: Notebook does not appear to be JSON"),
        Outcome(Task("module1", "cy"), "skipped", notes=["no saved answers for m1-brainstorm (scored 0)"]),
    ], workers=4, seconds=3.0)
    text = summary.text()
    assert text.startswith("Graded 1 submission(s), skipped 1 already graded")
    assert "failed 1" in text
    assert "  bob / module1: NotJSONError: Notebook does not appear to be JSON" in text
    assert "  cy / module1: no saved answers for m1-brainstorm (scored 0)" in text


def test_reason_is_the_last_error_line_logged():
    record = logging.LogRecord("x", logging.ERROR, "", 0, "Traceback ...\n  File x\nValueError: bad cell", None, None)
    assert _reason([record], RuntimeError("outer")) == "ValueError: bad cell"
    assert _reason([], RuntimeError("outer")) == "RuntimeError: outer"


def test_notes_spot_timeouts_and_missing_or_unreadable_answers(tmp_path):
    nb = nbformat.v4.new_notebook()
    loop = nbformat.v4.new_code_cell("while True: pass")
    loop.outputs = [nbformat.v4.new_output("error", ename="CellTimeoutError", evalue="", traceback=[])]
    check = nbformat.v4.new_code_cell('check("m1-brainstorm")')
    check.metadata["nbgrader"] = {"grade": True, "grade_id": "m1-brainstorm", "points": 5}
    nb.cells = [loop, check]
    nbformat.write(nb, tmp_path / "module1.ipynb")
    assert _notes(tmp_path, 5) == [
        "a cell ran past the time limit (5 s) and was stopped", "no saved answers for m1-brainstorm (scored 0)"]
    (tmp_path / "answers").mkdir()
    (tmp_path / "answers" / "m1-brainstorm.json.corrupt-1").write_text("{", encoding="utf-8")
    assert _notes(tmp_path, 5)[1] == "saved answers for m1-brainstorm could not be read (scored 0)"
    AnswerStore(tmp_path / "answers").save("m1-brainstorm", ["a b c"])
    (tmp_path / "answers" / "m1-brainstorm.json.corrupt-1").unlink()
    assert _notes(tmp_path, 5) == ["a cell ran past the time limit (5 s) and was stopped"]
