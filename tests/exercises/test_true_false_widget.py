"""The self-assessment widget without a browser: answer, watch progress, see the result and chart."""

from __future__ import annotations

import base64
import re

import pytest

from course_lib import show
from course_lib.models import load_exercise

from .conftest import saved_answer


def saved(folder):
    return saved_answer(folder, "m7-self-assessment")


@pytest.fixture(scope="module")
def statement_ids():
    return [s.id for s in load_exercise("m7-self-assessment").statements]


def answer_all(widget, statement_ids, true_count):
    for n, statement_id in enumerate(statement_ids):
        widget.toggles[statement_id].value = n < true_count


def test_starts_unanswered_and_saves_every_choice(answers, statement_ids):
    widget = show("m7-self-assessment", answers)
    assert all(toggle.value is None for toggle in widget.toggles.values())
    assert widget.progress.value == "0 of 25 answered"
    widget.toggles[statement_ids[0]].value = True
    widget.toggles[statement_ids[1]].value = False
    assert saved(answers) == {statement_ids[0]: True, statement_ids[1]: False}
    assert widget.progress.value == "2 of 25 answered"
    assert widget.message.value == "Statement 2 saved."
    assert widget.status.value.startswith("2 of 25 answers saved ")


def test_no_result_or_chart_until_every_statement_is_answered(answers, statement_ids):
    widget = show("m7-self-assessment", answers)
    for statement_id in statement_ids[:24]:
        widget.toggles[statement_id].value = True
    assert widget.progress.value == "24 of 25 answered"
    assert widget.result.value == "" and widget.chart.value == ""


def test_complete_answers_show_band_advice_and_chart(answers, statement_ids):
    widget = show("m7-self-assessment", answers)
    answer_all(widget, statement_ids, 21)
    assert widget.progress.value == "25 of 25 answered"
    assert "21 of 25 True: Consistently delighting customers." in widget.result.value
    image = re.fullmatch(r'<img src="data:image/png;base64,([^"]+)" alt="([^"]+)"[^>]*>', widget.chart.value)
    png, alt = image.groups()
    assert base64.b64decode(png).startswith(b"\x89PNG")
    assert "Working with colleagues: 4 of 4" in alt  # the numbers as text, for a screen reader
    widget.toggles[statement_ids[0]].value = False  # the result follows a change of mind
    assert "20 of 25 True" in widget.result.value


def test_answers_and_result_come_back_when_shown_again(answers, statement_ids):
    answer_all(show("m7-self-assessment", answers), statement_ids, 10)
    again = show("m7-self-assessment", answers)
    assert [again.toggles[i].value for i in statement_ids[:11]] == [True] * 10 + [False]
    assert "Extra coaching needed" in again.result.value
    assert again.chart.value.startswith("<img ")


def test_controls_are_labelled(answers, statement_ids):
    widget = show("m7-self-assessment", answers)
    toggle = widget.toggles[statement_ids[2]]
    statement = widget.exercise.statements[2].text
    assert toggle.description == f"3. {statement}"  # the statement names its control, not "Statement 3"
    assert [label for label, _value in toggle.options] == ["choose...", "True", "False"]
    assert toggle.value is None and toggle.tooltip


def test_chart_is_a_pyplot_free_figure_with_one_bar_per_theme(statement_ids):
    import subprocess
    import sys

    from matplotlib.figure import Figure

    from course_lib.strengths_chart import self_assessment_chart

    exercise = load_exercise("m7-self-assessment")
    figure = self_assessment_chart(exercise, {i: True for i in statement_ids[:4]})
    assert isinstance(figure, Figure)
    (axes,) = figure.axes
    assert [round(bar.get_width(), 2) for bar in axes.patches] == [1.0, 0, 0, 0, 0, 0]
    assert [tick.get_text() for tick in axes.get_yticklabels()][0] == "Working with colleagues"
    probe = (
        "import sys, course_lib.strengths_chart, course_lib.grading\n"
        "for t in ('choice', 'classify', 'order', 'true_false'): __import__('course_lib.scoring.' + t)\n"
        "print('pyplot' if 'matplotlib.pyplot' in sys.modules else 'clean')"
    )
    assert subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True).stdout.strip() == "clean"
