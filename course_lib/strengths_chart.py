"""Charts for trainees, drawn with matplotlib's object-oriented API.

No pyplot: figures are built with ``matplotlib.figure.Figure`` directly, so
there is no global state, no GUI backend and nothing left open between calls.
Grading code never imports this module.
"""

from __future__ import annotations

import textwrap

from matplotlib.figure import Figure

from .check_html import Figure as FeedbackFigure
from .figures import figure_png
from .grading import Graded
from .models.true_false import TrueFalseExercise
from .scoring.true_false import theme_strengths

__all__ = ["self_assessment_alt", "self_assessment_chart", "self_check_figures"]


def self_assessment_chart(exercise: TrueFalseExercise, answer: dict[str, bool]) -> Figure:
    """Horizontal bars: the share of each theme's statements answered True ("3 of 4" on each bar)."""
    strengths = theme_strengths(exercise, answer)
    labels = [textwrap.fill(label, 28) for label in strengths]
    shares = [true / total if total else 0.0 for true, total in strengths.values()]
    figure = Figure(figsize=(7, 0.6 * len(labels) + 1.2), layout="constrained")
    axes = figure.add_subplot()
    positions = range(len(labels))
    bars = axes.barh(positions, shares, color="#2a7ab0")
    axes.bar_label(bars, labels=[f"{true} of {total}" for true, total in strengths.values()], padding=4)
    axes.set_yticks(list(positions), labels=labels)
    axes.invert_yaxis()  # first theme at the top, as in the exercise
    axes.set_xlim(0, 1.15)
    axes.set_xticks([0, 0.25, 0.5, 0.75, 1], labels=["0%", "25%", "50%", "75%", "100%"])
    axes.set_xlabel("Statements answered True")
    axes.set_title("Your strengths by theme")
    axes.spines[["top", "right"]].set_visible(False)
    return figure


def self_assessment_alt(exercise: TrueFalseExercise, answer: dict[str, bool]) -> str:
    """The chart's numbers as text, for a screen reader (and anyone who cannot see the bars)."""
    return "Your strengths by theme (statements answered True): " + "; ".join(
        f"{label}: {true} of {total}" for label, (true, total) in theme_strengths(exercise, answer).items()
    )


def self_check_figures(graded: Graded) -> list[FeedbackFigure]:
    """The self-check's chart of a self-assessment (the type's ``figures``), once every statement is answered."""
    exercise, answer = graded.exercise, graded.saved.answer if graded.saved else {}
    if not isinstance(exercise, TrueFalseExercise) or not all(s.id in answer for s in exercise.statements):
        return []
    return [FeedbackFigure(figure_png(self_assessment_chart(exercise, answer), dpi=96),
                           self_assessment_alt(exercise, answer))]
