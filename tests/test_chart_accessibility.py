"""Charts a trainee, facilitator or instructor sees: contrast measured, and their numbers given as text.

WCAG 2.1 AA: graphics need 3:1 against what is next to them (1.4.11), text
4.5:1 (1.4.3). Bars are measured in the rendered PNG (the colour most pixels
have after the background); text colours are read from the figure that was
drawn, against its background. The board's charts are measured in projector
mode too.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.text import Text
from PIL import Image

from course_lib.cohort import charts as report_charts
from course_lib.figures import figure_png
from course_lib.live.aggregate import BandSummary, BrainstormSummary
from course_lib.live.render import bar_chart_png, render
from course_lib.models import load_exercise
from course_lib.strengths_chart import self_assessment_alt, self_assessment_chart

GRAPHICS, TEXT = 3.0, 4.5
THEMES = ("Listening", "Following up", "Ownership", "Timeliness")
COUNTS = (7, 3, 5, 1)


def luminance(rgb: tuple[float, float, float]) -> float:
    """WCAG relative luminance of an sRGB colour (components 0..1)."""
    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[float, float, float], b: tuple[float, float, float]) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_contrast_formula_matches_known_pairs() -> None:
    assert contrast((0, 0, 0), (1, 1, 1)) == pytest.approx(21.0)
    assert contrast(to_rgb("#767676"), (1, 1, 1)) == pytest.approx(4.54, abs=0.01)  # the classic AA grey


@contextmanager
def drawn_figures() -> Iterator[list[Figure]]:
    """Every Figure saved while the block runs (the chart functions return only bytes or a data URI)."""
    figures: list[Figure] = []
    original = Figure.savefig

    def spy(self: Figure, *args, **kwargs):
        figures.append(self)
        return original(self, *args, **kwargs)

    Figure.savefig = spy
    try:
        yield figures
    finally:
        Figure.savefig = original


def bar_and_background(png: bytes) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """The background (most pixels) and the bars (most pixels after it) of a rendered chart."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    colours = Counter({colour: n for n, colour in image.getcolors(maxcolors=image.width * image.height)})
    (background, _), (bar, count) = colours.most_common(2)
    assert count > 0.01 * image.width * image.height, "no colour big enough to be the bars"
    return tuple(c / 255 for c in bar), tuple(c / 255 for c in background)


def text_contrasts(figure: Figure) -> list[tuple[str, float]]:
    """(text, contrast against the figure's background) for every visible, non-empty text."""
    background = to_rgb(figure.get_facecolor())
    return [(t.get_text(), contrast(to_rgb(t.get_color()), background))
            for t in figure.findobj(Text) if t.get_visible() and t.get_text().strip()]


def _cohort_bars() -> bytes:
    import base64

    uri = report_charts.bar_chart(list(THEMES), list(COUNTS), "Themes covered", "% of trainees", xmax=100)
    return base64.b64decode(uri.split(",", 1)[1])


def _cohort_histogram() -> bytes:
    import base64

    uri = report_charts.histogram([10, 45, 55, 60, 72, 90, 100], "module1: 7 trainee(s)")
    return base64.b64decode(uri.split(",", 1)[1])


def _self_assessment() -> bytes:
    exercise = load_exercise("m7-self-assessment")
    answer = {s.id: n % 3 != 0 for n, s in enumerate(exercise.statements)}
    return figure_png(self_assessment_chart(exercise, answer), dpi=96)


def _cohort_before_after() -> bytes:
    import base64

    uri = report_charts.paired_bars(list(THEMES), [40, 55, None, 20], [80, 60, 90, None], "Before and after",
                                    "% right", ("before", "after"), xmax=100)
    return base64.b64decode(uri.split(",", 1)[1])


CHARTS: dict[str, Callable[[], bytes]] = {
    "report-before-after": _cohort_before_after,
    "board": lambda: bar_chart_png("Entries per theme (a)", THEMES, COUNTS, False),
    "board-projector": lambda: bar_chart_png("Entries per theme (b)", THEMES, COUNTS, True),
    "report-bars": _cohort_bars,
    "report-histogram": _cohort_histogram,
    "self-assessment": _self_assessment,
}


@pytest.mark.parametrize("name", CHARTS)
def test_chart_bars_and_text_have_enough_contrast(name: str) -> None:
    with drawn_figures() as figures:
        png = CHARTS[name]()
    bar, background = bar_and_background(png)
    ratio = contrast(bar, background)
    print(f"{name}: bars {ratio:.2f}:1 against the background")
    assert ratio >= GRAPHICS, f"{name}: bars only {ratio:.2f}:1"
    (figure,) = figures
    # Bars drawn as patches: every one, not only the commonest colour.
    axes_background = to_rgb(figure.axes[0].get_facecolor())
    for patch in figure.axes[0].findobj(Rectangle):
        if patch is figure.axes[0].patch or patch.get_width() == 0 or not patch.get_visible():
            continue
        assert contrast(to_rgb(patch.get_facecolor()), axes_background) >= GRAPHICS, name
    texts = text_contrasts(figure)
    assert texts, "a chart with no text at all"
    weakest = min(texts, key=lambda pair: pair[1])
    print(f"{name}: weakest text {weakest[1]:.2f}:1 ({weakest[0]!r})")
    assert weakest[1] >= TEXT, f"{name}: text {weakest[0]!r} only {weakest[1]:.2f}:1"


# -- text alternatives: the numbers, for a screen reader --------------------------
def test_board_chart_has_its_numbers_as_text() -> None:
    brainstorm = load_exercise("m1-brainstorm")
    shown = render(BrainstormSummary(brainstorm, 4, (), tuple(zip(THEMES, COUNTS, strict=True)), {}, ()))
    assert shown.chart is not None
    for theme, count in zip(THEMES, COUNTS, strict=True):
        assert f"{theme}: {count}" in shown.chart_alt
    bands = load_exercise("m7-self-assessment")
    shown = render(BandSummary(bands, 3, (("Top band", 2), ("Middle band", 1)), 0, ()), projector=True)
    assert "Top band: 2" in shown.chart_alt and "Middle band: 1" in shown.chart_alt


def test_report_charts_have_their_numbers_as_text() -> None:
    text = report_charts.bars_text("Share of the cohort that submitted each module", ["module1", "module2"],
                                   [100, 50], "%")
    assert text == "Share of the cohort that submitted each module: module1 100%; module2 50%."
    text = report_charts.histogram_text([5, 95, 100, 42.5], "module1: 4 trainee(s)")
    assert text == "module1: 4 trainee(s). Trainees per score band: 0-10%: 1; 40-50%: 1; 90-100%: 2."


def test_self_assessment_chart_has_its_numbers_as_text() -> None:
    from course_lib.scoring.true_false import theme_strengths

    exercise = load_exercise("m7-self-assessment")
    answer = {s.id: n % 2 == 0 for n, s in enumerate(exercise.statements)}
    alt = self_assessment_alt(exercise, answer)
    for theme, (true, total) in theme_strengths(exercise, answer).items():
        assert f"{theme}: {true} of {total}" in alt
