"""The role-play widget without a browser: click through a call, check what was saved and shown."""

from __future__ import annotations

import json

from course_lib import check, show
from course_lib.scoring.roleplay import render
from tests.conftest import content_variant
from tests.scoring.test_roleplay import BEST, CARELESS, MIXED

from .conftest import html_values, saved_answer


def saved_path(folder, attempt=-1):
    answer = saved_answer(folder, "m4-phone-roleplay")
    return [(step["node"], step["choice"]) for step in answer["attempts"][attempt]["path"]]


def click(widget, start_of_text):
    (button,) = [b for b in widget.choices.children if b.description.startswith(start_of_text)]
    button.click()


def play(widget, steps):
    """Click the buttons of ``steps`` ((node id, choice id) pairs), found by their text wherever they are shown."""
    nodes = widget.exercise.node_map
    for node_id, choice_id in steps:
        choice = next(c for c in nodes[node_id].choices if c.id == choice_id)
        click(widget, render(widget.exercise, choice.text))


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
    assert widget.status.value.startswith("1 attempt at the call saved ")


def test_the_whole_call_ends_and_is_scored(answers, capsys):
    widget = show("m4-phone-roleplay", answers)
    play(widget, BEST)
    assert widget.choices.children == ()
    assert "The call is over" in widget.caller_line.value and "The call is over" in widget.message.value
    assert "Attempt 1 of 1 — this is the one that counts" in widget.attempt_info.value
    assert check("m4-phone-roleplay", answers) == 6.0
    assert "Phone standards met in this call: 6 of 6" in capsys.readouterr().out


def test_start_again_keeps_the_call_and_the_best_attempt_counts(answers, capsys):
    widget = show("m4-phone-roleplay", answers)
    play(widget, BEST)
    widget.restart_button.click()
    assert widget.call.value == "" and "starts ringing" in widget.caller_line.value
    assert "earlier attempts are kept" in widget.message.value
    assert saved_path(answers, 0) == BEST and saved_path(answers) == []
    play(widget, CARELESS)  # a worse second call does not replace the first
    assert saved_path(answers, 0) == BEST and saved_path(answers, 1) == CARELESS
    assert "Attempt 1 of 2 — this is the one that counts (your best call)" in widget.attempt_info.value
    assert check("m4-phone-roleplay", answers) == 6.0
    assert "Attempt 1 of 2 — this is the one that counts" in capsys.readouterr().out


def test_the_trainee_picks_which_attempt_counts(answers, capsys):
    widget = show("m4-phone-roleplay", answers)
    assert widget.counts_picker.layout.display == "none"  # nothing to choose from yet
    play(widget, BEST)
    widget.restart_button.click()
    play(widget, MIXED)
    assert widget.counts_picker.layout.display == "flex"
    labels = [label for label, _value in widget.counts_picker.options]
    assert labels == ["My best attempt (now attempt 1)", "Attempt 1: 6 of 6 standards met (call ended)",
                      "Attempt 2: 4 of 6 standards met (call ended)"]
    widget.counts_picker.value = 1
    assert "Attempt 2 of 2 — this is the one that counts (you chose it)" in widget.attempt_info.value
    assert saved_answer(answers, "m4-phone-roleplay")["chosen"] == 1
    assert check("m4-phone-roleplay", answers) == 4.0
    assert "Attempt 2 of 2 — this is the one that counts (you chose it)." in capsys.readouterr().out
    again = show("m4-phone-roleplay", answers)  # the choice survives a re-run
    assert again.counts_picker.value == 1 and "(you chose it)" in again.attempt_info.value
    again.counts_picker.value = -1
    assert check("m4-phone-roleplay", answers) == 6.0


def test_restarting_an_attempt_not_started_adds_nothing(answers):
    widget = show("m4-phone-roleplay", answers)
    widget.restart_button.click()
    assert "has not started yet" in widget.message.value and not answers.exists()
    play(widget, BEST[:1])
    widget.restart_button.click()
    widget.restart_button.click()
    assert len(saved_answer(answers, "m4-phone-roleplay")["attempts"]) == 2


def test_at_most_twenty_attempts_and_the_widget_says_which_was_dropped(answers):
    widget = show("m4-phone-roleplay", answers)
    play(widget, BEST[:1] + [("greeting", "hello")])  # attempt 1: 1 of 6
    widget.restart_button.click()
    play(widget, BEST)  # attempt 2: the best
    for _ in range(18):
        widget.restart_button.click()
        play(widget, CARELESS[:1])
    assert len(saved_answer(answers, "m4-phone-roleplay")["attempts"]) == 20
    widget.restart_button.click()
    assert "Attempt 1: 1 of 6 standards met (not finished)" in widget.message.value
    assert "Only 20 attempts are kept" in widget.message.value
    saved = saved_answer(answers, "m4-phone-roleplay")["attempts"]
    assert len(saved) == 20 and saved[0]["path"] == [{"node": n, "choice": c} for n, c in BEST]


def test_an_old_single_call_file_loads_and_is_kept_as_the_first_attempt(answers):
    answers.mkdir()
    old = {"path": [{"node": n, "choice": c} for n, c in BEST]}
    record = {"format": 1, "exercise": "m4-phone-roleplay", "saved_at": "2024-01-01T10:00:00+00:00", "answer": old}
    (answers / "m4-phone-roleplay.json").write_text(json.dumps(record), encoding="utf-8")
    assert check("m4-phone-roleplay", answers) == 6.0
    widget = show("m4-phone-roleplay", answers)
    assert "Attempt 1 of 1 — this is the one that counts" in widget.attempt_info.value
    widget.restart_button.click()
    play(widget, CARELESS[:2])
    assert saved_path(answers, 0) == BEST and check("m4-phone-roleplay", answers) == 6.0


def test_replies_are_shown_in_an_order_of_their_own_per_trainee(answers, monkeypatch):
    orders = set()
    for trainee in ("ana", "ben", "chen", "dara", "eli", "fay"):
        monkeypatch.setenv("JUPYTERHUB_USER", trainee)
        widget = show("m4-phone-roleplay", answers)
        first = tuple(b.description for b in widget.choices.children)
        assert tuple(b.description for b in show("m4-phone-roleplay", answers).choices.children) == first
        orders.add(first)
    assert len(orders) > 1


def test_the_call_so_far_comes_back_when_shown_again(answers):
    first = show("m4-phone-roleplay", answers)
    click(first, "Finish your sentence")
    click(first, '"Hello?"')
    again = show("m4-phone-roleplay", answers)
    assert again.answer == first.answer
    assert "Finish your sentence" in again.call.value and "Priya Shah" in again.caller_line.value
    assert again.status.value.startswith("1 attempt at the call saved")


def test_text_in_the_call_is_escaped(tmp_path, answers, monkeypatch):
    folder = content_variant(tmp_path / "ours", "m4-phone-roleplay.yaml",
                             lambda d: d.update(caller_name="<script>alert(1)</script>")).parent
    monkeypatch.setenv("COURSE_CONTENT_PATH", str(folder))
    widget = show("m4-phone-roleplay", answers)
    play(widget, BEST[:3])
    shown = widget.call.value + widget.caller_line.value
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown
    assert all("<script>" not in value for value in html_values(widget))


def test_the_widget_uses_the_organisations_standards(tmp_path, answers, monkeypatch):
    folder = content_variant(tmp_path / "ours", "standards.yaml", lambda d: d.update(organisation="Acme Water")).parent
    monkeypatch.setenv("COURSE_CONTENT_PATH", str(folder))
    widget = show("m4-phone-roleplay", answers)
    play(widget, BEST[:1])
    assert any(b.description.startswith('"Acme Water, Customer Care, this is Sam') for b in widget.choices.children)


def test_a_saved_path_that_no_longer_fits_is_reported(answers):
    answers.mkdir()
    record = {"format": 1, "exercise": "m4-phone-roleplay", "saved_at": "2024-01-01T10:00:00+00:00",
              "answer": {"path": [{"node": "ringing", "choice": "ring-1"}, {"node": "greeting", "choice": "gone"}]}}
    (answers / "m4-phone-roleplay.json").write_text(json.dumps(record), encoding="utf-8")
    widget = show("m4-phone-roleplay", answers)
    assert "Step 2 of your saved call does not fit" in widget.message.value
    assert "waits to hear who has answered" in widget.caller_line.value
    play(widget, BEST[1:2])  # playing on keeps the saved call as it was, and goes on in a new attempt
    assert saved_path(answers, 0) == [("ringing", "ring-1"), ("greeting", "gone")]
    assert saved_path(answers, 1) == BEST[:2]


def test_replies_and_restart_are_labelled_buttons(answers):
    widget = show("m4-phone-roleplay", answers)
    assert [b.tooltip.split(":")[0] for b in widget.choices.children] == ["Reply 1", "Reply 2", "Reply 3"]
    assert widget.restart_button.description == "Start the call again" and widget.restart_button.tooltip
    assert widget.restart_button.layout.width == "auto"  # a fixed width cut the label off
    assert widget.counts_picker.description == "Attempt that counts"
