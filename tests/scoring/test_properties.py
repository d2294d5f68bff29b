"""Properties every scorer keeps, for any answer (hypothesis).

Answers are drawn in each type's own shape from the exercise's real ids, so
the properties are exercised where they matter: adding a right item never
lowers a score, adding a wrong one never raises it, filling in a part of a plan
never lowers it, repeating an entry earns nothing, and no answer scores more
raw points than the exercise's maximum (which the honest "good" answer earns).
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from course_lib.grading import parser_for, scorer_for
from course_lib.models import exercise_ids, load_exercise
from tests.synthetic import GOOD_BRAINSTORM, answer_for

EXERCISES = exercise_ids()
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _of_type(kind: str) -> list[str]:
    return [i for i in EXERCISES if load_exercise(i).type == kind]


def _points(exercise: Any, raw: Any) -> float:
    """Raw rubric points of ``raw`` as the grader scores it (parsed with the widget's limits)."""
    return scorer_for(exercise).score(exercise, parser_for(exercise)(raw)).points


@pytest.mark.parametrize("exercise_id", EXERCISES)
def test_the_honest_good_answer_earns_the_maximum(exercise_id):
    # The yardstick of the fuzz tests: nothing may beat this answer.
    exercise = load_exercise(exercise_id)
    result = scorer_for(exercise).score(exercise, parser_for(exercise)(answer_for(exercise, "good")))
    if not exercise.max_points:  # an ungraded survey (reaction): it scores nothing, whatever the answer
        assert result.points == 0 and result.scaled(exercise.points) == 0
        return
    assert result.points == result.max_points and result.scaled(exercise.points) == exercise.points


# -- choice: a right option picked never lowers a multiple-choice score, a wrong one never raises it -------
@pytest.mark.parametrize("exercise_id", _of_type("choice"))
@SETTINGS
@given(data=st.data())
def test_choice_adding_a_right_option_never_lowers_adding_a_wrong_one_never_raises(exercise_id, data):
    exercise = load_exercise(exercise_id)
    question = data.draw(st.sampled_from([q for q in exercise.questions if q.multiple] or exercise.questions))
    options = [o.id for o in question.options]
    picked = data.draw(st.lists(st.sampled_from(options), unique=True, max_size=len(options) - 1))
    extra = data.draw(st.sampled_from([o for o in options if o not in picked]))
    before = _points(exercise, {question.id: picked})
    after = _points(exercise, {question.id: [*picked, extra]})
    if not question.multiple:
        assert after <= 1 and (after == 0 or not picked)  # single choice: two picks never pay
    elif extra in question.correct_ids:
        assert after >= before
    else:
        assert after <= before
    # Other questions' answers do not change this question's share.
    other = {q.id: [next(o.id for o in q.options if o.correct)] for q in exercise.questions if q.id != question.id}
    together = _points(exercise, {**other, question.id: [*picked, extra]})
    assert together - _points(exercise, other) == pytest.approx(after)


# -- classify: placing an item in its right group never lowers the score ---------------------------------
@pytest.mark.parametrize("exercise_id", _of_type("classify"))
@SETTINGS
@given(data=st.data())
def test_classify_a_right_placement_never_lowers_a_wrong_one_never_raises(exercise_id, data):
    exercise = load_exercise(exercise_id)
    groups = [g.id for g in exercise.groups]
    answer = data.draw(st.dictionaries(st.sampled_from([i.id for i in exercise.items]), st.sampled_from(groups)))
    item = data.draw(st.sampled_from(exercise.items))
    wrong = data.draw(st.sampled_from([g for g in groups if g != item.group]))
    before = _points(exercise, answer)
    assert _points(exercise, {**answer, item.id: item.group}) >= before
    assert _points(exercise, {**answer, item.id: wrong}) <= before


# -- brainstorm: one more entry never lowers the score; repeating entries earns nothing ---------------
WORDS = st.sampled_from("listen customer call back promise owner explain polite name follow up time help".split())
ENTRY = st.lists(WORDS, min_size=1, max_size=8).map(" ".join) | st.sampled_from(GOOD_BRAINSTORM)


@pytest.mark.parametrize("exercise_id", _of_type("brainstorm"))
@SETTINGS
@given(data=st.data())
def test_brainstorm_another_entry_never_lowers_and_repeats_earn_nothing(exercise_id, data):
    exercise = load_exercise(exercise_id)
    most = exercise.limits.max_items
    entries = data.draw(st.lists(ENTRY, max_size=most - 1))
    extra = data.draw(ENTRY)
    before = _points(exercise, entries)
    assert _points(exercise, [*entries, extra]) >= before
    if entries:
        repeat = data.draw(st.sampled_from(entries))
        assert _points(exercise, [*entries, repeat]) == before
        assert _points(exercise, [e.upper() + "!" for e in entries]) == before  # case and punctuation


# -- action plan: filling in one more part never lowers the score -----------------------------------
PLAN_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), min_size=1, max_size=60)


@pytest.mark.parametrize("exercise_id", _of_type("action_plan"))
@SETTINGS
@given(data=st.data())
def test_action_plan_filling_in_a_part_never_lowers_the_score(exercise_id, data):
    exercise = load_exercise(exercise_id)
    good = answer_for(exercise, "good")
    plan = {k: v for k, v in good.items() if data.draw(st.booleans(), label=f"keep {k}")}
    missing = [k for k in good if k not in plan]
    assume(missing)
    part = data.draw(st.sampled_from(missing))
    value = good[part] if part in ("behaviours", "date") else data.draw(PLAN_TEXT)
    assume(part in ("behaviours", "date") or value.strip())
    assert _points(exercise, {**plan, part: value}) >= _points(exercise, plan)


# -- order: moving a step to its right place relative to a neighbour never lowers the score ------------
@pytest.mark.parametrize("exercise_id", _of_type("order"))
@SETTINGS
@given(data=st.data())
def test_order_putting_two_neighbours_right_never_lowers_the_score(exercise_id, data):
    exercise = load_exercise(exercise_id)
    right = [s.id for s in exercise.steps]
    order = data.draw(st.permutations(right))
    wrong_pairs = [i for i in range(len(order) - 1) if right.index(order[i]) > right.index(order[i + 1])]
    assume(wrong_pairs)
    i = data.draw(st.sampled_from(wrong_pairs))
    fixed = [*order[:i], order[i + 1], order[i], *order[i + 2:]]
    assert _points(exercise, fixed) >= _points(exercise, list(order))
    assert _points(exercise, list(reversed(right))) == 0


# -- true/false (self-assessment): one more statement answered never lowers the score --------------
@pytest.mark.parametrize("exercise_id", _of_type("true_false"))
@SETTINGS
@given(data=st.data())
def test_self_assessment_answering_one_more_statement_never_lowers(exercise_id, data):
    exercise = load_exercise(exercise_id)
    ids = [s.id for s in exercise.statements]
    answer = data.draw(st.dictionaries(st.sampled_from(ids), st.booleans()))
    unanswered = [i for i in ids if i not in answer]
    assume(unanswered)
    more = {**answer, data.draw(st.sampled_from(unanswered)): data.draw(st.booleans())}
    assert _points(exercise, more) >= _points(exercise, answer)
    # Completion, not "right" answers: flipping every answer changes nothing.
    assert _points(exercise, {k: not v for k, v in answer.items()}) == _points(exercise, answer)
