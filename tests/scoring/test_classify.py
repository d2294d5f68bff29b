"""Classify: one point per item in the right group, feedback item by item."""

from __future__ import annotations

import pytest

from course_lib.models import load_exercise
from course_lib.scoring.classify import parse_answer, score


@pytest.fixture(scope="module")
def exercise():
    return load_exercise("m2-customers-classify")


def test_scores_are_ordered_right_partial_empty(exercise):
    good = {item.id: item.group for item in exercise.items}
    partial = dict(good, shopper="internal", payroll="external")
    unplaced = {k: v for k, v in good.items() if k != "warehouse"}
    results = [score(exercise, answer) for answer in (good, unplaced, partial, {})]
    assert [r.points for r in results] == [10, 9, 8, 0]
    assert results[0].max_points == 10


def test_all_internal_is_no_shortcut(exercise):
    everything_internal = {item.id: "internal" for item in exercise.items}
    assert score(exercise, everything_internal).points == 5


def test_feedback_says_why_for_each_item(exercise):
    result = score(exercise, {"shopper": "external", "payroll": "external"})
    text = "\n".join(result.feedback)
    assert text.startswith("You placed 2 of 10 items; 1 in the right group.")
    assert "✓ 1. A shopper paying for groceries at the till: External customer. They come from outside" in text
    assert "✗ 2. The payroll officer who needs your timesheet to pay everyone on time: not External customer." in text
    assert "Anyone inside the organisation who relies on your work" in text
    assert "– 3. The colleague on the next shift who takes over your open cases: not placed yet." in text


def test_answer_lines_name_the_groups_chosen(exercise):
    result = score(exercise, {"payroll": "internal"})
    assert result.answer_lines == (
        "Your answers:",
        "  2. The payroll officer who needs your timesheet to pay everyone on time -> Internal customer",
    )
    assert score(exercise, {}).answer_lines == ("Your answers: none",)


def test_unknown_groups_and_items_earn_nothing(exercise):
    result = score(exercise, {"shopper": "martians", "ghost": "internal"})
    assert result.points == 0
    assert "not martians" in "\n".join(result.feedback)


def test_parse_answer_keeps_the_canonical_shape():
    assert parse_answer(None) == {}
    assert parse_answer({"a": "internal", "b": ""}) == {"a": "internal"}


@pytest.mark.parametrize("raw", [["internal"], "internal", {"a": 1}, {"a": None}, {"a": ["internal"]}])
def test_answers_of_the_wrong_shape_are_rejected(raw):
    with pytest.raises(ValueError):
        parse_answer(raw)
