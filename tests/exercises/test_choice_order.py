"""Knowledge checks give no reward for guessing by position.

Options are shown in an order of their own per trainee and question, the same
after a reload; the content files also spread the right options over the
positions, so neither the screen nor the file teaches "the first one is right".
"""

from __future__ import annotations

from statistics import mean

import pytest

from course_lib import check, show
from course_lib.exercises.choice import options_shown
from course_lib.models import exercise_ids, load_exercise
from course_lib.scoring.choice import question_points

CHOICE_IDS = [i for i in exercise_ids() if load_exercise(i).type == "choice"]
TRAINEES = [f"trainee-{n}" for n in range(600)]
# The averages below are over 600 simulated trainees: a strategy at chance lands
# within about 0.01 of it (one standard deviation), so 0.04 leaves room for
# luck and none for a first-option advantage (that was 0.7-0.85 of the points).
TOLERANCE = 0.04


def chance(exercise) -> float:
    """Expected share of the points for one option picked at random in every question."""
    per_question = [mean(question_points(q, [o.id]) for o in q.options) for q in exercise.questions]
    return sum(per_question) / exercise.max_points


def first_shown_share(exercise, trainee: str) -> float:
    picks = [question_points(q, [options_shown(exercise, q, trainee)[0].id]) for q in exercise.questions]
    return sum(picks) / exercise.max_points


def test_there_are_choice_exercises_to_check():
    assert len(CHOICE_IDS) >= 5 and sum(len(load_exercise(i).questions) for i in CHOICE_IDS) >= 23


@pytest.mark.parametrize("exercise_id", CHOICE_IDS)
def test_always_picking_the_first_option_shown_scores_no_more_than_chance(exercise_id):
    exercise = load_exercise(exercise_id)
    average = mean(first_shown_share(exercise, trainee) for trainee in TRAINEES)
    assert average <= chance(exercise) + TOLERANCE, (average, chance(exercise))


@pytest.mark.parametrize("exercise_id", CHOICE_IDS)
def test_every_option_comes_first_for_some_trainees(exercise_id):
    exercise = load_exercise(exercise_id)
    for question in exercise.questions:
        firsts = {options_shown(exercise, question, trainee)[0].id for trainee in TRAINEES}
        assert firsts == {o.id for o in question.options}, question.id


def test_in_the_content_files_the_right_options_are_spread_over_the_positions():
    singles, first_right, expected_first_right = [], 0, 0.0
    for exercise_id in CHOICE_IDS:
        for question in load_exercise(exercise_id).questions:
            flags = [o.correct for o in question.options]
            first_right += flags[0]
            expected_first_right += sum(flags) / len(flags)  # if the file order were random
            if not question.multiple:
                singles.append(flags.index(True))
    # no position holds most of the single-choice answers, and the first is not favoured
    assert len(set(singles)) >= 3 and max(singles.count(p) for p in set(singles)) <= len(singles) / 2
    assert first_right <= expected_first_right + 2, (first_right, expected_first_right)


def test_the_widget_shows_that_order_the_same_after_a_reload_and_grades_by_option(answers, monkeypatch, capsys):
    exercise = load_exercise("m4-etiquette-check")
    shown = {}
    for trainee in ("ana", "ben"):
        monkeypatch.setenv("JUPYTERHUB_USER", trainee)
        widget = show(exercise.id, answers / trainee)
        orders = {q.id: [o.id for o in options_shown(exercise, q, trainee)] for q in exercise.questions}
        for question in exercise.questions:
            control = widget.controls[question.id]
            ids = [i for i, _box in control] if question.multiple else [v for _label, v in control.options]
            assert ids == orders[question.id]
        reloaded = show(exercise.id, answers / trainee)
        assert [v for _label, v in reloaded.controls["hold"].options] == orders["hold"]
        shown[trainee] = orders
        # the first option shown for 'hold', wherever it is, is saved and graded by its id
        widget.controls["hold"].value = orders["hold"][0]
        right = question_points(exercise.questions[1], [orders["hold"][0]])
        assert check(exercise.id, answers / trainee) == round(right * exercise.points / exercise.max_points, 2)
    assert shown["ana"] != shown["ben"]
    capsys.readouterr()
