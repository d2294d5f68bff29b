"""The 30-day follow-up: loads the trainee's own saved plan, saves each review, exports an escaped plan."""

from __future__ import annotations

from course_lib.evaluation.followup import EXPORT_NAMES
from course_lib.exercises import show
from course_lib.grading import grade_saved
from course_lib.store import AnswerStore

from .conftest import saved_answer

PLAN = {"behaviours": ["Call back <b>when I promised</b>", "Listen before answering"],
        "first_step": "Write every call-back time in my calendar", "date": "2030-02-01", "helper": "Kim",
        "notes": ""}


def course_folders(tmp_path):
    """The release layout: exercises/action-plan and exercises/follow-up side by side."""
    AnswerStore(tmp_path / "action-plan" / "answers").save("m8-action-plan", PLAN)
    return tmp_path / "follow-up" / "answers"


def test_the_saved_plan_is_loaded_and_each_commitment_gets_a_review_block(tmp_path):
    answers = course_folders(tmp_path)
    widget = show("m9-follow-up", answers)
    assert "2 commitment(s)" in widget.plan_source.value
    headings = [block.children[0].value for block in widget.blocks.children]
    assert headings == ["<h4>1. Call back &lt;b&gt;when I promised&lt;/b&gt;</h4>",
                        "<h4>2. Listen before answering</h4>"]
    outcome, happened, obstacle = widget.controls[0]
    assert outcome.description == "Did you do it?"
    outcome.value = "done"
    happened.value = "Two customers thanked me for ringing back"
    widget.controls[1][0].value = "not-yet"
    widget.controls[1][2].value = "Busy Mondays"
    saved = saved_answer(answers, "m9-follow-up")
    assert saved["plan_date"] == "2030-02-01"
    assert [(c["behaviour"], c["outcome"]) for c in saved["commitments"]] == [
        ("Call back <b>when I promised</b>", "done"), ("Listen before answering", "not-yet")]
    graded = grade_saved("m9-follow-up", answers)
    assert graded.score == 5 and "kept 1" in graded.report()


def test_the_review_comes_back_and_the_plan_file_is_untouched(tmp_path):
    answers = course_folders(tmp_path)
    plan_file = tmp_path / "action-plan" / "answers" / "m8-action-plan.json"
    before = plan_file.read_bytes()
    widget = show("m9-follow-up", answers)
    widget.controls[0][0].value = "partly"
    again = show("m9-follow-up", answers)
    assert again.controls[0][0].value == "partly"
    assert "Your review so far" in again.plan_source.value
    assert plan_file.read_bytes() == before


def test_without_a_saved_plan_it_says_where_it_looked(tmp_path):
    widget = show("m9-follow-up", tmp_path / "follow-up" / "answers")
    assert "No saved action plan found" in widget.plan_source.value
    assert str(tmp_path / "action-plan" / "answers") in widget.plan_source.value
    assert widget.blocks.children == ()
    assert grade_saved("m9-follow-up", tmp_path / "follow-up" / "answers").score == 0


def test_export_writes_a_printable_plan_with_the_trainees_text_escaped(tmp_path):
    answers = course_folders(tmp_path)
    widget = show("m9-follow-up", answers)
    widget.controls[0][0].value = "done"
    widget.controls[0][1].value = "<script>alert(1)</script> it worked"
    widget.next_step.value = "Teach *the team*"
    md_path, html_path = widget.export()
    assert (md_path.name, html_path.name) == EXPORT_NAMES
    page = html_path.read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt; it worked" in page and "<script>" not in page
    assert "Yes, I do this now" in page and "Reviewed with" in page
    assert "Teach \\*the team\\*" in md_path.read_text(encoding="utf-8")


def test_the_plan_is_found_from_the_notebooks_own_relative_answers_folder(tmp_path, monkeypatch):
    """In a kernel the store is the relative folder "answers": its parent must still lead to ../action-plan."""
    course_folders(tmp_path)
    (tmp_path / "follow-up").mkdir()
    monkeypatch.chdir(tmp_path / "follow-up")
    widget = show("m9-follow-up")
    assert "2 commitment(s)" in widget.plan_source.value
