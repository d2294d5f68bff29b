"""Self-assessment: scored on completion; band and per-theme strengths once complete."""

from __future__ import annotations

import pytest

from course_lib.models import load_exercise
from course_lib.scoring.true_false import band_for, parse_answer, score, theme_strengths


@pytest.fixture(scope="module")
def exercise():
    return load_exercise("m7-self-assessment")


def answer_with(exercise, true_count, answered=None):
    """The first ``true_count`` statements True, the rest False, only ``answered`` of them answered."""
    statements = exercise.statements[: len(exercise.statements) if answered is None else answered]
    return {s.id: n < true_count for n, s in enumerate(statements)}


def test_score_is_completion_not_right_answers(exercise):
    all_true, all_false = answer_with(exercise, 25), answer_with(exercise, 0)
    assert score(exercise, all_true).points == score(exercise, all_false).points == 25 == exercise.max_points
    assert score(exercise, answer_with(exercise, 12, answered=12)).points == 12
    assert score(exercise, {}).points == 0


@pytest.mark.parametrize(
    ("true_count", "label"),
    [
        (25, "Consistently delighting customers"),
        (20, "Consistently delighting customers"),
        (19, "On the way, with room to improve"),
        (15, "On the way, with room to improve"),
        (14, "Extra coaching needed"),
        (0, "Extra coaching needed"),
    ],
)
def test_bands_match_the_curriculum(exercise, true_count, label):
    assert band_for(exercise, answer_with(exercise, true_count)).label == label


def test_band_counts_unanswered_as_not_true(exercise):
    assert band_for(exercise, answer_with(exercise, 20, answered=20)).label == "Consistently delighting customers"
    assert band_for(exercise, {}).label == "Extra coaching needed"


def test_theme_strengths_count_true_answers_per_theme(exercise):
    strengths = theme_strengths(exercise, answer_with(exercise, 4))  # the four colleague statements come first
    assert list(strengths)[0] == "Working with colleagues"
    assert strengths["Working with colleagues"] == (4, 4)
    assert strengths["Owning the problem"] == (0, 4)
    assert sum(total for _true, total in strengths.values()) == 25


def test_band_and_advice_appear_only_when_complete(exercise):
    partial = "\n".join(score(exercise, answer_with(exercise, 10, answered=23)).feedback)
    assert "You answered 23 of 25 statements." in partial
    assert "Still to answer: statement 24, 25." in partial
    assert "Extra coaching" not in partial
    complete = "\n".join(score(exercise, answer_with(exercise, 17)).feedback)
    assert "You marked 17 of 25 statements True: On the way, with room to improve." in complete
    assert "practise it this week" in complete  # the band's advice
    assert "  Working with colleagues: 4 of 4" in complete


def test_answer_lines_show_each_answer(exercise):
    lines = score(exercise, answer_with(exercise, 1, answered=2)).answer_lines
    assert lines[0] == "Your answers:"
    assert lines[1].startswith("  1. True   I treat the colleagues")
    assert lines[2].startswith("  2. False  When a colleague hands a case over")
    assert score(exercise, {}).answer_lines == ("Your answers: none",)


def test_parse_answer_keeps_the_canonical_shape():
    assert parse_answer(None) == {}
    assert parse_answer({"a": True, "b": False}) == {"a": True, "b": False}


@pytest.mark.parametrize("raw", [[True], {"a": "true"}, {"a": 1}, {"a": None}, "yes"])
def test_answers_of_the_wrong_shape_are_rejected(raw):
    with pytest.raises(ValueError):
        parse_answer(raw)


def test_scoring_imports_no_widgets_and_no_matplotlib():
    import subprocess
    import sys

    probe = (
        "import sys\n"
        "for t in ('choice', 'classify', 'order', 'true_false'): __import__('course_lib.scoring.' + t)\n"
        "print(sorted(m for m in ('ipywidgets', 'matplotlib') if m in sys.modules))"
    )
    assert subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True).stdout.strip() == "[]"
