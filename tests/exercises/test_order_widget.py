"""The order widget without a browser: click Up/Down, check the saved order, reload."""

from __future__ import annotations

import json

import pytest

from course_lib import check, show
from course_lib.models import load_exercise

from .conftest import saved_answer


def saved(folder):
    return saved_answer(folder, "m6-strategy-order")


@pytest.fixture(scope="module")
def exercise():
    return load_exercise("m6-strategy-order")


def shown_texts(widget):
    return [label.value for label in widget.labels]


def test_starts_shuffled_and_saves_nothing_until_asked(answers, exercise):
    widget = show("m6-strategy-order", answers)
    assert widget.order == exercise.initial_order != exercise.correct_order
    assert shown_texts(widget)[0] == f"1. {exercise.step(exercise.initial_order[0]).text}"
    assert widget.status.value == "Nothing saved yet."
    assert not (answers / "m6-strategy-order.json").exists()


def test_each_move_saves_the_whole_order(answers, exercise):
    widget = show("m6-strategy-order", answers)
    start = list(widget.order)
    widget.down_buttons[0].click()
    assert saved(answers) == [start[1], start[0], *start[2:]]
    widget.up_buttons[6].click()
    assert saved(answers) == [start[1], start[0], *start[2:5], start[6], start[5]]
    assert widget.message.value == "Moved step 7 up to place 6."
    assert widget.status.value.startswith("Order of 7 steps saved ")
    assert shown_texts(widget)[0] == f"1. {exercise.step(start[1]).text}"


def test_end_buttons_are_disabled_and_refuse_to_move(answers):
    widget = show("m6-strategy-order", answers)
    assert widget.up_buttons[0].disabled and widget.down_buttons[6].disabled
    assert not widget.down_buttons[0].disabled
    assert widget.move(0, -1) is False
    assert not (answers / "m6-strategy-order.json").exists()


def test_save_this_order_keeps_the_order_shown(answers):
    widget = show("m6-strategy-order", answers)
    widget.save_button.click()
    assert saved(answers) == widget.order
    assert widget.message.value == "Order saved."


def test_a_trainee_can_reach_the_right_order_and_full_marks(answers, exercise, capsys):
    widget = show("m6-strategy-order", answers)
    for target, step_id in enumerate(exercise.correct_order):  # bubble each step up into place
        while widget.order.index(step_id) > target:
            widget.up_buttons[widget.order.index(step_id)].click()
    assert saved(answers) == exercise.correct_order
    assert check("m6-strategy-order", answers) == exercise.points
    assert "All 7 steps are in the right order." in capsys.readouterr().out


def test_order_comes_back_when_shown_again(answers):
    first = show("m6-strategy-order", answers)
    first.down_buttons[2].click()
    again = show("m6-strategy-order", answers)
    assert again.order == first.order
    assert shown_texts(again) == shown_texts(first)


def test_a_stale_saved_order_falls_back_to_the_shuffle(answers, exercise):
    answers.mkdir()
    (answers / "m6-strategy-order.json").write_text(json.dumps({
        "format": 1, "exercise": "m6-strategy-order", "saved_at": "2024-01-01T10:00:00+00:00",
        "answer": ["vision", "retired-step"],
    }), encoding="utf-8")
    widget = show("m6-strategy-order", answers)
    assert widget.order == exercise.initial_order
    assert "does not fit this exercise any more" in widget.message.value
    widget.move(0, +1)  # the first change saves what is shown, and keeps the stale order in a copy
    (copy,) = answers.glob("m6-strategy-order.json.replaced-*")
    assert json.loads(copy.read_text(encoding="utf-8"))["answer"] == ["vision", "retired-step"]
    assert copy.name in widget.message.value
    widget.move(0, +1)
    assert len(list(answers.glob("m6-strategy-order.json.replaced-*"))) == 1  # only once


def test_buttons_are_labelled(answers):
    widget = show("m6-strategy-order", answers)
    third = widget.exercise.step(widget.order[2]).text
    assert widget.up_buttons[2].tooltip == f"Move step 3 up: {third}"  # names the step, not only its place
    assert widget.down_buttons[2].tooltip == f"Move step 3 down: {third}"
    assert widget.save_button.description == "Save this order"
