"""Knowledge checks: single choice all-or-nothing, multiple choice with partial credit, feedback per option."""

from __future__ import annotations

import pytest

from course_lib.models import load_exercise
from course_lib.scoring.choice import parse_answer, question_points, score


@pytest.fixture(scope="module")
def exercise():
    return load_exercise("m2-chain-check")


def right_answer(exercise):
    return {q.id: sorted(q.correct_ids) for q in exercise.questions}


def question(exercise, question_id):
    return next(q for q in exercise.questions if q.id == question_id)


def test_scores_are_ordered_right_partial_empty(exercise):
    good = right_answer(exercise)
    partial = dict(good, **{"internal-customer": ["public"], "external-standards": ["greet", "hide-delays"]})
    results = [score(exercise, answer) for answer in (good, partial, {})]
    assert [r.points for r in results] == [5, 3, 0]
    assert all(r.max_points == 5 for r in results)


def test_single_choice_is_all_or_nothing(exercise):
    single = question(exercise, "internal-customer")
    assert question_points(single, ["colleague"]) == 1
    assert question_points(single, ["public"]) == 0
    assert question_points(single, ["colleague", "public"]) == 0  # a hostile answer picking two


@pytest.mark.parametrize(
    ("picked", "points"),
    [
        (["greet", "times-delays", "updates"], 1),
        (["greet", "times-delays"], 2 / 3),
        (["greet", "hide-delays"], 0),
        (["greet", "times-delays", "updates", "hide-delays"], 2 / 3),
        (["greet", "times-delays", "updates", "hide-delays", "wait-to-be-chased"], 1 / 3),
        (["hide-delays", "wait-to-be-chased"], 0),  # floored at 0, never negative
    ],
)
def test_multiple_choice_gives_partial_credit(exercise, picked, points):
    assert question_points(question(exercise, "external-standards"), picked) == pytest.approx(points)


def test_ticking_every_box_does_not_pay(exercise):
    multiple = question(exercise, "colleague-problem")
    assert question_points(multiple, [o.id for o in multiple.options]) == 0


def test_feedback_explains_each_chosen_option_and_hides_the_others(exercise):
    result = score(exercise, {"internal-customer": ["public"], "external-standards": ["greet"]})
    text = "\n".join(result.feedback)
    assert "Question 1: not right yet" in text
    assert "✗ A member of the public buying a ticket: They buy from outside the organisation" in text
    assert "Question 2: not answered yet." in text
    assert "you found 1 of the 3 right options; look again" in text
    assert "✓ Greet customers in a courteous, professional way: Yes:" in text
    # options not picked are not revealed, so the check can be retried honestly
    assert "A colleague in another department who needs your report" not in text


def test_answer_lines_show_the_chosen_option_texts(exercise):
    result = score(exercise, {"internal-customer": ["colleague"]})
    assert result.answer_lines[:3] == (
        "Your answers:", "  1. Who counts as an internal customer?",
        "     - A colleague in another department who needs your report to do their work",
    )
    assert "     (not answered)" in result.answer_lines
    assert score(exercise, {}).answer_lines == ("Your answers: none",)


def test_unknown_ids_earn_nothing_and_do_not_crash(exercise):
    result = score(exercise, {"no-such-question": ["x"], "internal-customer": ["no-such-option"]})
    assert result.points == 0
    assert "an option this question does not have ('no-such-option')" in "\n".join(result.feedback)


def test_parse_answer_keeps_the_canonical_shape():
    assert parse_answer(None) == {}
    assert parse_answer({"q1": ["a", "a", "b"], "q2": []}) == {"q1": ["a", "b"]}


@pytest.mark.parametrize("raw", [["a"], "text", {"q1": "a"}, {"q1": [1]}, {"q1": None}])
def test_answers_of_the_wrong_shape_are_rejected(raw):
    with pytest.raises(ValueError):
        parse_answer(raw)


def test_an_unknown_option_is_a_wrong_pick_and_score_and_feedback_agree(exercise):
    # single choice: the right option plus an id the question does not have is two picks, so 0 -- and says so
    right = sorted(question(exercise, "internal-customer").correct_ids)
    result = score(exercise, {"internal-customer": [*right, "made-up"]})
    text = "\n".join(result.feedback)
    assert result.points == 0
    assert "Question 1: 0 of 1 point: pick only one option" in text
    assert "('made-up'): counted as a wrong pick" in text
    # multiple choice: all three right options plus one unknown earns (3 - 1) / 3, as a wrong option would
    multiple = question(exercise, "external-standards")
    with_unknown = question_points(multiple, [*sorted(multiple.correct_ids), "made-up"])
    with_wrong = question_points(multiple, [*sorted(multiple.correct_ids), "hide-delays"])
    assert with_unknown == with_wrong == pytest.approx(2 / 3)


def test_parse_keeps_to_the_questions_and_options_of_the_exercise(exercise):
    bound = lambda raw: parse_answer(raw, exercise)  # noqa: E731
    with pytest.raises(ValueError, match="answered questions"):
        bound({f"q{n}": ["a"] for n in range(len(exercise.questions) + 1)})
    with pytest.raises(ValueError, match="options picked"):
        bound({"internal-customer": [f"o{n}" for n in range(10)]})
    with pytest.raises(ValueError, match="not one of the exercise's ids"):
        bound({"internal-customer": ["x" * 61]})
