"""The gain arithmetic: pre/post per module, gain and normalised gain, and their edge cases."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from course_lib.evaluation import load_evaluation
from course_lib.evaluation.gain import (
    cohort_modules,
    gain,
    module_scores,
    normalised_gain,
    still_wrong,
    trainee_gains,
)
from course_lib.models import load_exercise

SETTINGS = load_evaluation()
PRE, POST = load_exercise(SETTINGS.pre_test), load_exercise(SETTINGS.post_test)


def right(test, ids=None):
    return {q.id: [next(o.id for o in q.options if o.correct)] for q in test.questions if ids is None or q.id in ids}


def wrong(test, ids=None):
    return {q.id: [next(o.id for o in q.options if not o.correct)] for q in test.questions
            if ids is None or q.id in ids}


def test_normalised_gain_is_the_share_of_the_room_to_improve_that_was_used():
    assert normalised_gain(0.5, 1.0, 1.0) == 1.0
    assert normalised_gain(0.5, 0.75, 1.0) == 0.5
    assert normalised_gain(4, 7, 10) == pytest.approx(0.5)
    assert normalised_gain(0.5, 0.0, 1.0) == -1.0  # forgot everything: negative


def test_pre_at_the_maximum_has_no_normalised_gain():
    assert normalised_gain(1.0, 1.0, 1.0) is None
    assert normalised_gain(1.0, 0.5, 1.0) is None
    assert gain(1.0, 0.5) == -0.5  # the plain gain still says it dropped


def test_a_missing_test_gives_no_gain():
    assert gain(None, 0.5) is None and gain(0.5, None) is None
    assert normalised_gain(None, 0.5, 1.0) is None and normalised_gain(0.5, None, 1.0) is None


def test_scores_outside_the_range_are_refused():
    with pytest.raises(ValueError, match="must lie in 0..1"):
        normalised_gain(0.5, 1.5, 1.0)


def test_an_empty_post_test_counts_as_not_taken_not_as_zero():
    assert module_scores(SETTINGS, POST, {}, post=True) is None
    assert module_scores(SETTINGS, POST, None, post=True) is None
    gains = trainee_gains(SETTINGS, PRE, POST, right(PRE), {})
    assert all(g.pre == g.pre_max and g.post is None and g.gain is None and g.normalised is None for g in gains)


def test_a_missing_pre_test_leaves_the_post_scores_in_the_distribution_only():
    gains = trainee_gains(SETTINGS, PRE, POST, None, right(POST))
    modules = cohort_modules([gains])
    assert all(m.pre == [] and m.post == [1.0] and m.pairs == [] and m.mean_gain is None for m in modules)


def test_each_module_is_scored_from_its_own_questions():
    first = SETTINGS.modules[0]
    gains = trainee_gains(SETTINGS, PRE, POST, wrong(PRE), right(POST, first.post))
    assert gains[0].pre == 0 and gains[0].post == len(first.post) and gains[0].normalised == 1.0
    assert all(g.post == 0 and g.gain == 0 and g.normalised == 0 for g in gains[1:])


def test_cohort_gain_uses_the_class_means_and_counts_trainees_at_ceiling():
    half = {**right(PRE, SETTINGS.modules[0].pre[:1]), **wrong(PRE, SETTINGS.modules[0].pre[1:])}
    trainees = [trainee_gains(SETTINGS, PRE, POST, right(PRE), right(POST)),   # at ceiling
                trainee_gains(SETTINGS, PRE, POST, half, right(POST))]
    module = cohort_modules(trainees)[0]
    assert module.at_ceiling == 1 and module.pairs == [(1.0, 1.0), (0.5, 1.0)]
    assert module.mean_gain == 0.25
    assert module.class_gain == pytest.approx((1.0 - 0.75) / (1 - 0.75))


def test_still_wrong_lists_the_worst_post_questions_first():
    one = SETTINGS.modules[2].post[0]
    answers = [{**right(POST), **wrong(POST, [one])}, {**right(POST), **wrong(POST, [one])}, right(POST)]
    rows = still_wrong(SETTINGS, POST, answers)
    assert [(r.question_id, r.wrong, r.answered) for r in rows] == [(one, 2, 3)]
    assert rows[0].module_title == SETTINGS.modules[2].title


shares = st.floats(min_value=0, max_value=1, allow_nan=False)


@given(pre=shares, post=shares)
def test_normalised_gain_properties(pre, post):
    g = normalised_gain(pre, post, 1.0)
    if pre == 1.0:
        assert g is None
    else:
        assert g <= 1.0 + 1e-12  # never more than all the room there was
        assert (g > 0) == (post > pre) and (g < 0) == (post < pre)
        if post == 1.0:
            assert g == pytest.approx(1.0)


@given(st.lists(st.tuples(st.one_of(st.none(), st.just(True), st.just(False)),
                          st.one_of(st.none(), st.just(True), st.just(False))), max_size=8))
def test_cohort_counts_match_who_took_which_test(takers):
    trainees = [trainee_gains(SETTINGS, PRE, POST,
                              None if pre is None else (right(PRE) if pre else wrong(PRE)),
                              None if post is None else (right(POST) if post else wrong(POST)))
                for pre, post in takers]
    for module in cohort_modules(trainees):
        assert len(module.pre) == sum(p is not None for p, _ in takers)
        assert len(module.post) == sum(q is not None for _, q in takers)
        assert len(module.pairs) == sum(p is not None and q is not None for p, q in takers)
        gain_value = module.mean_gain
        assert gain_value is None or -1 <= gain_value <= 1
