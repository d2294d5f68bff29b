"""Order: Kendall-tau partial credit, out-of-place steps named with the way to move them."""

from __future__ import annotations

import pytest

from course_lib.models import load_exercise
from course_lib.models.order import kendall_tau
from course_lib.scoring.order import out_of_place, parse_answer, score, share


@pytest.fixture(scope="module")
def exercise():
    return load_exercise("m6-strategy-order")


def swapped(order, i, j):
    order = list(order)
    order[i], order[j] = order[j], order[i]
    return order


def test_full_neighbour_swap_far_swap_reversed_empty_are_ordered(exercise):
    right = exercise.correct_order
    points = [
        score(exercise, answer).points
        for answer in (right, swapped(right, 2, 3), swapped(right, 0, 6), right[::-1], [])
    ]
    assert points[0] == 1 == exercise.max_points
    assert 0.85 < points[1] < 1  # one neighbour swap: high, but below full
    assert points[1] > points[2]
    assert points[3] == 0 == points[4]  # reversed: as low as it gets


def test_the_rule_is_pair_agreement(exercise):
    right = exercise.correct_order
    assert share(exercise, swapped(right, 2, 3)) == pytest.approx(19 / 21)
    assert kendall_tau(right[::-1], right) == -1


def test_the_initial_shuffle_is_never_right_and_earns_little():
    for exercise_id in ("m5-recovery-order", "m6-strategy-order"):
        exercise = load_exercise(exercise_id)
        assert exercise.initial_order != exercise.correct_order
        assert share(exercise, exercise.initial_order) <= 0.1


def test_feedback_names_the_step_out_of_place_and_where_it_goes(exercise):
    text = "\n".join(score(exercise, swapped(exercise.correct_order, 2, 3)).feedback)
    assert text.startswith("20 of 21 pairs of steps are the right way round: 90% of the credit.")
    assert "Steps to move (1)" in text
    assert "✗ Set measurable service goals, and fix the cause when one is missed: it belongs later." in text
    assert "Goals turn the vision" in text  # the reason the step comes where it does


def test_a_step_moved_to_the_end_is_the_one_named(exercise):
    right = exercise.correct_order
    order = [*right[1:], right[0]]  # the vision pushed to the end
    assert out_of_place(exercise, order) == ["vision"]
    text = "\n".join(score(exercise, order).feedback)
    assert "✗ Create a service vision and share it with everyone: it belongs earlier." in text


def test_right_order_is_praised_without_steps_to_move(exercise):
    text = "\n".join(score(exercise, exercise.correct_order).feedback)
    assert "All 7 steps are in the right order." in text and "Steps to move" not in text


def test_answer_lines_list_the_trainees_order(exercise):
    lines = score(exercise, exercise.correct_order).answer_lines
    assert lines[:2] == ("Your order:", "  1. Create a service vision and share it with everyone")
    assert len(lines) == 8
    assert score(exercise, []).answer_lines == ("Your order: none",)


def test_empty_and_mismatched_orders_explain_what_to_do(exercise):
    assert "No order saved yet" in score(exercise, []).feedback[0]
    stale = score(exercise, exercise.correct_order[:-1] + ["retired-step"])
    assert stale.points == 0 and "does not list the steps of this exercise" in stale.feedback[0]


def test_parse_answer_keeps_the_canonical_shape():
    assert parse_answer(None) == []
    assert parse_answer(["b", "a"]) == ["b", "a"]


@pytest.mark.parametrize("raw", [{"a": 1}, "ab", [1, 2], ["a", "a"]])
def test_answers_of_the_wrong_shape_are_rejected(raw):
    with pytest.raises(ValueError):
        parse_answer(raw)
