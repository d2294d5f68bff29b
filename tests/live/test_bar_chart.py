"""The board's bar chart: a kept figure redrawn with new counts gives the same PNG as a new figure."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from course_lib.live import bar_chart
from course_lib.live.bar_chart import _BarChart, bar_chart_png, draw_bar_chart

LABELS = ("Listening", "Understanding needs", "Following up", "Going the extra mile")
COUNTS = st.tuples(*[st.integers(min_value=0, max_value=20_000)] * len(LABELS))


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(first=COUNTS, second=COUNTS, projector=st.booleans())
def test_a_redrawn_chart_is_the_chart_a_new_figure_draws(first, second, projector):
    draw_bar_chart("Entries per theme", LABELS, first, projector)  # the kept figure last showed other counts
    redrawn = draw_bar_chart("Entries per theme", LABELS, second, projector)
    assert redrawn == _BarChart("Entries per theme", LABELS, projector).png(second)


def test_few_figures_are_kept_and_the_same_data_is_drawn_once():
    for n in range(bar_chart.MAX_KEPT_FIGURES + 3):
        draw_bar_chart(f"Chart {n}", ("a", "b"), (n, 1))
    assert len(bar_chart._kept) == bar_chart.MAX_KEPT_FIGURES
    assert bar_chart_png("Same", ("a",), (2,)) is bar_chart_png("Same", ("a",), (2,))
