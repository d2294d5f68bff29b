"""Brainstorm rubric: distinct, substantive behaviours and themes of good service."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib.models import ContentError, load_exercise, load_exercise_file
from course_lib.scoring import Result
from course_lib.scoring.brainstorm import entry_problem, is_behaviour, judge_items, parse_answer, score
from tests.conftest import content_variant
from tests.synthetic import GOOD_BRAINSTORM

PHRASINGS = yaml.safe_load((Path(__file__).parent / "corpus" / "brainstorm_phrasings.yaml").read_text("utf-8"))

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


# -- the course's own ideas are recognised ---------------------------------------------
def test_every_theme_has_at_least_ten_phrasings(exercise):
    assert set(PHRASINGS["themes"]) == {t.id for t in exercise.themes}
    assert all(len(phrasings) >= 10 for phrasings in PHRASINGS["themes"].values())
    assert len(PHRASINGS["off_topic"]) >= 10


@pytest.mark.parametrize(
    ("theme_id", "text"),
    [(theme, text) for theme, texts in PHRASINGS["themes"].items() for text in texts],
)
def test_each_phrasing_from_the_lessons_counts_as_its_theme(exercise, theme_id, text):
    (verdict,) = judge_items(exercise, [text])
    label = next(t.label for t in exercise.themes if t.id == theme_id)
    assert verdict.counted, verdict.reason
    assert label in verdict.themes


@pytest.mark.parametrize("text", PHRASINGS["off_topic"])
def test_off_topic_entries_carry_no_theme(exercise, text):
    (verdict,) = judge_items(exercise, [text])
    assert verdict.counted and verdict.themes == ()


def test_internal_customers_are_recognised_as_the_service_chain(exercise):
    # The phrasing from the issue: Module 2 teaches exactly this.
    (verdict,) = judge_items(exercise, ["Treating colleagues as internal customers"])
    assert verdict.themes == ("Serving colleagues (the service chain)",)


# -- keyword stuffing scores nothing ---------------------------------------------------
STUFFED = ["friendly fast helpful listen empathy solve", "Friendly, fast and helpful service",
           "empathy patience respect ownership follow-up", "Listening & empathy / promises + ownership",
           "Polite helpful staff always", "handling friendly fast helpful listen empathy solve"]


@pytest.mark.parametrize("text", STUFFED)
def test_a_string_of_theme_words_is_not_a_behaviour(exercise, text):
    (verdict,) = judge_items(exercise, [text])
    assert not verdict.counted and verdict.themes == ()
    assert "write each idea as something a person does" in verdict.reason


def test_stuffed_entries_score_nothing_and_the_feedback_says_why(exercise):
    result = score(exercise, STUFFED[:2])
    assert result.points == 0
    text = "\n".join(result.feedback)
    assert "Distinct behaviours counted: 0" in text and "reads as a string of theme words" in text


@pytest.mark.parametrize(
    "text",
    ["Handling complaints calmly and fairly", "Return calls promptly", "Greet customers politely",
     "Follow up promptly", "Anticipating what the customer will need before they ask"],
)
def test_short_real_behaviours_still_count(exercise, text):
    assert is_behaviour(exercise, text)


def _theme_words(exercise) -> list[str]:
    """Every theme keyword without a linking word in it: the theme words a stuffer would string together."""
    linking = {w.casefold() for w in exercise.behaviour.linking_words}
    return sorted({k for t in exercise.themes for k in t.keywords if not linking & set(k.casefold().split())})


_EXERCISE = load_exercise("m1-brainstorm")


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(_theme_words(_EXERCISE)), min_size=3, max_size=8),
    st.lists(st.sampled_from([" ", ", ", " and ", " & ", " / ", "; ", " + ", " - ", " or "]), min_size=7, max_size=7),
    st.booleans(),
)
def test_random_strings_of_theme_words_never_score(words, separators, capitalise):
    entry = words[0] + "".join(sep + word for sep, word in zip(separators, words[1:], strict=False))
    entry = entry.title() if capitalise else entry
    result = score(_EXERCISE, [entry, entry + " again and again"])
    assert result.points == 0, entry


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d["themes"][0].update(patterns=["(unclosed"]), "field 'themes.0.patterns.0'"),
        (lambda d: d["behaviour"].update(linking_words=[]), "field 'behaviour.linking_words'"),
        (lambda d: d["behaviour"].update(max_keyword_run_after_action=1), "must not be below max_keyword_run"),
        (lambda d: d["behaviour"].pop("separators"), "field 'behaviour.separators'"),
        (lambda d: d["feedback"].pop("not_a_behaviour"), "field 'feedback.not_a_behaviour'"),
    ],
)
def test_malformed_content_names_file_and_field(tmp_path, change, field):
    target = content_variant(tmp_path, "m1-brainstorm.yaml", change)
    with pytest.raises(ContentError) as error:
        load_exercise_file(target)
    assert str(target) in str(error.value) and field in str(error.value)
