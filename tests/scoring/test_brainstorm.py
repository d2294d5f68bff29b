"""Brainstorm rubric: distinct, substantive behaviours and themes of good service."""

from __future__ import annotations

import math

import pytest

from course_lib.models import load_exercise
from course_lib.scoring import Result
from course_lib.scoring.brainstorm import entry_problem, judge_items, parse_answer, score
from course_lib.synthetic import GOOD_BRAINSTORM

THOROUGH = [*GOOD_BRAINSTORM, "Answer simple questions on the spot"]
MINIMAL = ["be nice", "Listen to the customer carefully"]


@pytest.fixture(scope="module")
def exercise():
    return load_exercise("m1-brainstorm")


def test_scores_are_ordered_thorough_minimal_none(exercise):
    thorough, minimal, none = (score(exercise, a) for a in (THOROUGH, MINIMAL, []))
    assert thorough.points > minimal.points > none.points == 0
    assert thorough.points == thorough.max_points == 10


def test_single_words_and_slogans_do_not_count(exercise):
    verdicts = judge_items(exercise, ["smile", "be nice", "Smile at every customer who walks in"])
    assert [v.counted for v in verdicts] == [False, False, True]
    assert "at least 3 words" in verdicts[0].reason


def test_near_duplicates_count_once(exercise):
    verdicts = judge_items(
        exercise,
        ["Listen carefully to the customer", "listening carefully to customers", "Follow up on promises"],
    )
    assert [v.counted for v in verdicts] == [True, False, True]
    assert "answer 1" in verdicts[1].reason


def test_themes_are_found_through_synonyms(exercise):
    (verdict,) = judge_items(exercise, ["I always follow up and call back when I said I would"])
    assert set(verdict.themes) >= {"Following up", "Keeping promises"}


def test_behaviour_points_are_capped(exercise):
    many = [f"Listen to customer number {n} about topic {n}" for n in range(12)]
    result = score(exercise, many)
    assert result.points <= exercise.rubric.max_behaviour_points + exercise.rubric.max_theme_points


def test_feedback_says_what_counted_and_what_to_try_next(exercise):
    result = score(exercise, MINIMAL)
    text = "\n".join(result.feedback)
    assert "Distinct behaviours counted: 1" in text
    assert "✗ 1. be nice" in text and "✓ 2. Listen to the customer carefully  [Listening]" in text
    assert "Themes to consider next:" in text and "Following up" in text
    assert result.answer_lines == ("Your answers (2):", "  1. be nice", "  2. Listen to the customer carefully")


def test_no_answers_feedback_explains_what_to_do(exercise):
    result = score(exercise, [])
    assert result.points == 0 and "No answers saved yet" in result.feedback[0]


@pytest.mark.parametrize(
    ("points", "expected"),
    [(5, 2.5), (10, 5.0), (25, 5.0), (-3, 0.0), (math.nan, 0.0), (math.inf, 5.0)],
)
def test_scaled_score_is_a_clamped_plain_float(points, expected):
    scaled = Result(points, 10, ()).scaled(5)
    assert type(scaled) is float and scaled == expected


def test_entry_rules(exercise):
    items = ["Listen to the whole question"]
    assert entry_problem(exercise, items, "   ") == "Type a behaviour first."
    assert "already have that answer (number 1)" in entry_problem(exercise, items, " listen to the WHOLE question! ")
    assert "under 200" in entry_problem(exercise, items, "x" * 201)
    full = [f"answer number {n}" for n in range(exercise.limits.max_items)]
    assert "limit of 12" in entry_problem(exercise, full, "one more answer")
    assert entry_problem(exercise, items, "Listen to the whole question", editing=0) is None


@pytest.mark.parametrize("raw", [{"a": 1}, "text", [1, 2]])
def test_answers_of_the_wrong_shape_are_rejected(raw):
    with pytest.raises(ValueError):
        parse_answer(raw)
