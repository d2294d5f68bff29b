"""The role-play widget without a browser: click through a call, check what was saved and shown."""

from __future__ import annotations

import json

from course_lib import check, show
from tests.conftest import content_variant

from .conftest import html_values, saved_answer


def saved_path(folder):
    answer = saved_answer(folder, "m4-phone-roleplay")
    return [(step["node"], step["choice"]) for step in answer["path"]]


def click(widget, start_of_text):
    (button,) = [b for b in widget.choices.children if b.description.startswith(start_of_text)]
    button.click()


def test_each_click_saves_the_path_and_moves_the_call_on(answers):
    widget = show("m4-phone-roleplay", answers)
    assert widget.status.value == "Nothing saved yet."
    assert "starts ringing" in widget.caller_line.value and widget.call.value == ""
    assert len(widget.choices.children) == 3
    click(widget, "Leave the note")
    assert saved_path(answers) == [("ringing", "ring-1")]
    assert "waits to hear who has answered" in widget.caller_line.value
    assert "Leave the note and pick up at the first ring." in widget.call.value
    click(widget, '"Harbourside Services')
    assert saved_path(answers)[-1] == ("greeting", "full-greeting")
    assert widget.status.value.startswith("Call with 2 replies saved ")


def test_the_whole_call_ends_and_is_scored(answers, capsys):
    widget = show("m4-phone-roleplay", answers)
    for _ in range(8):  # the first reply at every step is the one that meets the standards
        widget.choices.children[0].click()
    assert widget.choices.children == ()
    assert "The call is over" in widget.caller_line.value and "The call is over" in widget.message.value
    assert widget.status.value.startswith("Call with 8 replies (ended) saved")
    assert check("m4-phone-roleplay", answers) == 6.0
    assert "Phone standards met in this call: 6 of 6" in capsys.readouterr().out


def test_start_again_clears_the_call(answers):
    widget = show("m4-phone-roleplay", answers)
    click(widget, "Save the note first")
    click(widget, '"Hello?"')
    widget.restart_button.click()
    assert saved_path(answers) == []
    assert widget.call.value == "" and "starts ringing" in widget.caller_line.value
    assert "starts again" in widget.message.value


def test_the_call_so_far_comes_back_when_shown_again(answers):
    first = show("m4-phone-roleplay", answers)
    click(first, "Finish your sentence")
    click(first, '"Hello?"')
    again = show("m4-phone-roleplay", answers)
    assert again.answer == first.answer
    assert "Finish your sentence" in again.call.value and "Priya Shah" in again.caller_line.value
    assert again.status.value.startswith("Call with 2 replies saved")


def test_text_in_the_call_is_escaped(tmp_path, answers, monkeypatch):
    folder = content_variant(tmp_path / "ours", "m4-phone-roleplay.yaml",
                             lambda d: d.update(caller_name="<script>alert(1)</script>")).parent
    monkeypatch.setenv("COURSE_CONTENT_PATH", str(folder))
    widget = show("m4-phone-roleplay", answers)
    for _ in range(3):
        widget.choices.children[0].click()
    shown = widget.call.value + widget.caller_line.value
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown
    assert all("<script>" not in value for value in html_values(widget))


def test_the_widget_uses_the_organisations_standards(tmp_path, answers, monkeypatch):
    folder = content_variant(tmp_path / "ours", "standards.yaml", lambda d: d.update(organisation="Acme Water")).parent
    monkeypatch.setenv("COURSE_CONTENT_PATH", str(folder))
    widget = show("m4-phone-roleplay", answers)
    widget.choices.children[0].click()
    assert widget.choices.children[0].description.startswith('"Acme Water, Customer Care, this is Sam')


def test_a_saved_path_that_no_longer_fits_is_reported(answers):
    answers.mkdir()
    record = {"format": 1, "exercise": "m4-phone-roleplay", "saved_at": "2024-01-01T10:00:00+00:00",
              "answer": {"path": [{"node": "ringing", "choice": "ring-1"}, {"node": "greeting", "choice": "gone"}]}}
    (answers / "m4-phone-roleplay.json").write_text(json.dumps(record), encoding="utf-8")
    widget = show("m4-phone-roleplay", answers)
    assert "Step 2 of your saved call does not fit" in widget.message.value
    assert "waits to hear who has answered" in widget.caller_line.value


def test_replies_and_restart_are_labelled_buttons(answers):
    widget = show("m4-phone-roleplay", answers)
    assert [b.tooltip.split(":")[0] for b in widget.choices.children] == ["Reply 1", "Reply 2", "Reply 3"]
    assert widget.restart_button.description == "Start the call again" and widget.restart_button.tooltip
