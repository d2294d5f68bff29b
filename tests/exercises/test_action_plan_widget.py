"""The action plan widget without a browser: fill in, date rule, reload, export files."""

from __future__ import annotations

from datetime import date, timedelta

from course_lib import check, show

from .conftest import html_values, saved_answer


def saved(folder):
    return saved_answer(folder, "m8-action-plan")


def fill(widget, behaviour="Use plain words instead of our internal jargon"):
    widget.behaviours[0].value = behaviour
    widget.first_step.value = "Ask Jo to listen to three of my calls"
    widget.date.value = date.today() + timedelta(days=7)
    widget.helper.value = "Jo, my team leader"


def test_each_part_is_saved_as_it_is_filled_in(answers):
    widget = show("m8-action-plan", answers)
    assert widget.status.value == "Nothing saved yet."
    assert widget.behaviours[0].options[0] == "Answer my phone within our standard number of rings and say who I am"
    widget.behaviours[0].value = widget.behaviours[0].options[4]  # chosen from the list
    widget.behaviours[1].value = "Smile when I pick up the phone"  # typed
    assert saved(answers)["behaviours"] == [widget.behaviours[0].options[4], "Smile when I pick up the phone"]
    fill(widget)
    plan = saved(answers)
    assert plan["date"] == (date.today() + timedelta(days=7)).isoformat()
    assert plan["helper"] == "Jo, my team leader"
    assert widget.status.value.startswith("Action plan (4 of 4 parts filled in) saved")


def test_a_past_date_is_refused(answers):
    widget = show("m8-action-plan", answers)
    fill(widget)
    good = saved(answers)["date"]
    widget.date.value = date.today() - timedelta(days=1)
    assert "Pick today or a later date" in widget.message.value
    assert saved(answers)["date"] == good  # not saved...
    widget.helper.value = "My mentor"  # ...not even with the next change of another part
    assert saved(answers)["date"] == good and saved(answers)["helper"] == "My mentor"
    widget.date.value = date.today()
    assert saved(answers)["date"] == date.today().isoformat()


def test_typing_a_year_digit_by_digit_keeps_the_field_as_typed(answers):
    # A browser's date field reports 0002-01-15, 0020-01-15, 0203-01-15, then 2031-01-15 as the year is typed.
    widget = show("m8-action-plan", answers)
    for year in (2, 20, 203, date.today().year + 5):
        widget.date.value = date(year, 1, 15)
        assert widget.date.value == date(year, 1, 15)  # never reset under the trainee's fingers
    assert saved(answers)["date"] == f"{date.today().year + 5}-01-15"


def test_overlong_answers_are_refused(answers):
    widget = show("m8-action-plan", answers)
    widget.helper.value = "x" * 301
    assert "under 300 characters" in widget.message.value and widget.helper.value == ""


def test_plan_comes_back_and_scores(answers, capsys):
    fill(show("m8-action-plan", answers))
    again = show("m8-action-plan", answers)
    assert again.behaviours[0].value == "Use plain words instead of our internal jargon"
    assert again.behaviours[1].value == "" and again.helper.value == "Jo, my team leader"
    assert again.date.value == date.today() + timedelta(days=7)
    assert check("m8-action-plan", answers) == 5.0
    assert "Action plan complete: 6 of 6 points." in capsys.readouterr().out


def test_export_writes_both_files_beside_the_notebook_escaped(answers):
    widget = show("m8-action-plan", answers)
    fill(widget, behaviour="<script>alert('x')</script> own problems")
    md_path, html_path = widget.export()
    assert md_path == answers.parent / "action-plan.md" and html_path == answers.parent / "action-plan.html"
    page = html_path.read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; own problems" in page and "<script>" not in page
    assert r"\<script\>alert('x')\</script\> own problems" in md_path.read_text(encoding="utf-8")
    assert "action-plan.md" in widget.export_output.value and "action-plan.html" in widget.export_output.value
    assert all("<script>" not in value for value in html_values(widget))


def test_export_button_and_labels(answers):
    widget = show("m8-action-plan", answers)
    assert [b.description for b in widget.behaviours] == ["Behaviour 1", "Behaviour 2", "Behaviour 3"]
    assert widget.date.description == "Start date" and widget.helper.description == "Who will help"
    widget.export_button.click()
    assert (answers.parent / "action-plan.html").exists()
