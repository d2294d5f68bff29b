"""The classify widget without a browser: choose groups, check what was saved, reload."""

from __future__ import annotations

import json

from course_lib import show
from course_lib.exercises.classify import CHOOSE

from .conftest import saved_answer


def saved(folder):
    return saved_answer(folder, "m2-customers-classify")


def test_each_item_starts_at_choose_and_saves_on_change(answers):
    widget = show("m2-customers-classify", answers)
    shopper = widget.dropdowns["shopper"]
    assert shopper.value is None and shopper.label == CHOOSE
    assert widget.status.value == "Nothing saved yet."
    shopper.value = "external"
    widget.dropdowns["payroll"].value = "internal"
    assert saved(answers) == {"shopper": "external", "payroll": "internal"}
    assert widget.message.value == "Item 2 saved."
    assert widget.status.value.startswith("2 of 10 items placed saved ")


def test_going_back_to_choose_removes_the_item(answers):
    widget = show("m2-customers-classify", answers)
    widget.dropdowns["shopper"].value = "external"
    widget.dropdowns["shopper"].index = 0  # what picking "choose..." in the browser sends
    assert widget.dropdowns["shopper"].value is None
    assert saved(answers) == {}


def test_answers_come_back_when_shown_again(answers):
    show("m2-customers-classify", answers).dropdowns["warehouse"].value = "internal"
    again = show("m2-customers-classify", answers)
    assert again.dropdowns["warehouse"].value == "internal"
    assert again.dropdowns["shopper"].label == CHOOSE
    assert again.status.value.startswith("1 of 10 items placed saved ")


def test_a_saved_group_that_no_longer_exists_shows_as_unplaced(answers):
    answers.mkdir()
    (answers / "m2-customers-classify.json").write_text(json.dumps({
        "format": 1, "exercise": "m2-customers-classify", "saved_at": "2024-01-01T10:00:00+00:00",
        "answer": {"shopper": "retired-group", "payroll": "internal"},
    }), encoding="utf-8")
    widget = show("m2-customers-classify", answers)
    assert widget.dropdowns["shopper"].label == CHOOSE
    assert widget.dropdowns["payroll"].value == "internal"


def test_controls_are_labelled(answers):
    widget = show("m2-customers-classify", answers)
    dropdown = widget.dropdowns["payroll"]
    # The item's text is the label (its accessible name), wrapped by the shared stylesheet.
    assert dropdown.description == "2. The payroll officer who needs your timesheet to pay everyone on time"
    assert "course-labelled" in dropdown._dom_classes
    assert [label for label, _value in dropdown.options] == [CHOOSE, "Internal customer", "External customer"]
