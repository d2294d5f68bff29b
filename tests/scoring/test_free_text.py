"""Short written parts (action plan, follow-up): word runs and copied text earn nothing, own words do."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib.models import load_exercise
from course_lib.scoring.action_plan import score as score_plan
from course_lib.scoring.follow_up import is_reviewed
from course_lib.scoring.free_text import not_own_words

PLAN = load_exercise("m8-action-plan")
THEME_WORDS = ["empathy", "listening", "ownership", "follow-up", "smile", "courtesy", "patience", "respect",
               "feedback", "service", "customer", "positive", "attitude", "teamwork"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(THEME_WORDS), min_size=4, max_size=25), st.sampled_from([" ", ", ", " - "]))
def test_a_string_of_theme_words_is_not_an_answer(chosen, joiner):
    assert not_own_words(joiner.join(chosen)) is not None


@settings(max_examples=30, deadline=None)
@given(st.sampled_from(PLAN.suggested_behaviours))
def test_a_suggestion_copied_back_is_not_a_first_step(suggestion):
    plan = {"behaviours": [suggestion], "first_step": suggestion, "date": "2027-01-04", "helper": "Sam",
            "notes": ""}
    feedback = "\n".join(score_plan(PLAN, plan).feedback)
    assert "Your first step does not count yet" in feedback


def test_a_first_step_in_own_words_counts():
    plan = {"behaviours": [PLAN.suggested_behaviours[0]],
            "first_step": "On Monday I will ask Priya to listen to two of my calls and tell me what I missed.",
            "date": "2027-01-04", "helper": "Priya", "notes": ""}
    result = score_plan(PLAN, plan)
    assert "✓ A concrete first step." in result.feedback
    assert not_own_words("Call back every customer within a day") is None


def test_a_follow_up_note_must_be_the_trainees_own():
    from course_lib.models import content_ids

    exercise = load_exercise(next(i for i in content_ids() if "follow" in i))
    outcome = exercise.outcomes[0].id
    base = {"behaviour": "Greet every caller by name", "outcome": outcome, "obstacle": ""}
    assert is_reviewed(exercise, {**base, "happened": "I did it for most calls; regulars noticed and smiled."})
    assert not is_reviewed(exercise, {**base, "happened": "greeting names callers smile service smile service"})
    assert not is_reviewed(exercise, {**base, "happened": exercise.questions.happened})


BRAINSTORM = load_exercise("m1-brainstorm")


@settings(max_examples=20, deadline=None)
@given(st.sampled_from([*BRAINSTORM.examples, BRAINSTORM.placeholder.removeprefix("e.g. ")]))
def test_a_brainstorm_entry_copied_from_the_examples_does_not_count(example):
    from course_lib.scoring.brainstorm import judge_items

    own = "Ring the caller back within the hour when I promised to"
    verdicts = judge_items(BRAINSTORM, [own, example])
    assert verdicts[0].counted and not verdicts[1].counted
    assert verdicts[1].reason == BRAINSTORM.feedback.copied
