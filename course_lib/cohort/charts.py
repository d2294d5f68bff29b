"""The report's charts: matplotlib's object API (no pyplot, no global state), PNG data URIs.

Each chart has a text twin (``bars_text``, ``histogram_text``) giving its numbers, for the ``alt``
of its image: a screen reader says what the bars show, not only what the chart is about.
"""

from __future__ import annotations

from collections.abc import Sequence

from matplotlib.figure import Figure

from ..figures import figure_data_uri, whole_number_ticks

__all__ = ["BAR_COLOUR", "SECOND_COLOUR", "bar_chart", "bars_text", "histogram", "histogram_text", "paired_bars",
           "paired_text", "png_data_uri"]

BAR_COLOUR = "#3b6ea5"  # 5.3:1 against white: well above the 3:1 that WCAG 1.4.11 asks of graphics


def png_data_uri(fig: Figure) -> str:
    """The figure as ``data:image/png;base64,...`` for an ``<img src>``."""
    return figure_data_uri(fig, dpi=96, bbox_inches="tight")


def bars_text(title: str, labels: Sequence[str], values: Sequence[float], unit: str = "") -> str:
    """A bar chart's numbers in words: "<title>: A 40%; B 75%."."""
    bars = "; ".join(f"{label} {value:g}{unit}" for label, value in zip(labels, values, strict=True))
    return f"{title}: {bars or 'no data'}."


def histogram_text(percentages: Sequence[float], title: str) -> str:
    """A histogram's numbers in words: how many trainees scored in each 10-point band that has any."""
    counts = [0] * 10
    for value in percentages:
        counts[min(int(value // 10), 9)] += 1  # 100% goes in the top band, as in the chart
    bands = "; ".join(f"{10 * i}-{10 * i + 10}%: {n}" for i, n in enumerate(counts) if n)
    return f"{title}. Trainees per score band: {bands or 'none'}."


def histogram(percentages: Sequence[float], title: str) -> str:
    """Distribution of scores in percent, in 10-point bins."""
    fig = Figure(figsize=(5.5, 2.8))
    ax = fig.add_subplot()
    ax.hist(percentages, bins=range(0, 101, 10), color=BAR_COLOUR, edgecolor="white")
    ax.set(title=title, xlabel="score (% of the module's points)", ylabel="trainees", xlim=(0, 100))
    whole_number_ticks(ax.yaxis)
    return png_data_uri(fig)


def bar_chart(labels: Sequence[str], values: Sequence[float], title: str, xlabel: str,
              *, xmax: float | None = None) -> str:
    """Horizontal bars, first label at the top."""
    fig = Figure(figsize=(6, 0.45 * len(labels) + 1.2))
    ax = fig.add_subplot()
    positions = range(len(labels))
    ax.barh(positions, values, color=BAR_COLOUR)
    ax.set_yticks(list(positions), labels=list(labels))
    ax.invert_yaxis()
    ax.set(title=title, xlabel=xlabel)
    if xmax is not None:
        ax.set_xlim(0, xmax)
    for y, value in zip(positions, values, strict=True):
        ax.annotate(f"{value:g}", (value, y), xytext=(3, 0), textcoords="offset points", va="center", fontsize=8)
    return png_data_uri(fig)


SECOND_COLOUR = "#8a4b08"  # 7.2:1 against white; hatched as well, so the two series differ without colour


def paired_text(title: str, labels: Sequence[str], first: Sequence[float | None], second: Sequence[float | None],
                names: tuple[str, str], unit: str = "") -> str:
    """Two series' numbers in words: "<title>: A before 40%, after 75%; ..."."""
    def show(value: float | None) -> str:
        return "no data" if value is None else f"{value:g}{unit}"

    bars = "; ".join(f"{label} {names[0]} {show(a)}, {names[1]} {show(b)}"
                     for label, a, b in zip(labels, first, second, strict=True))
    return f"{title}: {bars or 'no data'}."


def paired_bars(labels: Sequence[str], first: Sequence[float | None], second: Sequence[float | None], title: str,
                xlabel: str, names: tuple[str, str], *, xmax: float | None = None) -> str:
    """Two horizontal bars per label (e.g. before and after), first label at the top; None draws no bar."""
    fig = Figure(figsize=(6.5, 0.7 * len(labels) + 1.5))
    ax = fig.add_subplot()
    height = 0.38
    for offset, values, colour, hatch, name in ((-height / 2, first, BAR_COLOUR, "", names[0]),
                                                (height / 2, second, SECOND_COLOUR, "//", names[1])):
        ys = [i + offset for i in range(len(labels))]
        widths = [v or 0 for v in values]
        ax.barh(ys, widths, height=height, color=colour, hatch=hatch, edgecolor="white", label=name)
        for y, value in zip(ys, values, strict=True):
            if value is not None:
                ax.annotate(f"{value:g}", (value, y), xytext=(3, 0), textcoords="offset points", va="center",
                            fontsize=8)
    ax.set_yticks(list(range(len(labels))), labels=list(labels))
    ax.invert_yaxis()
    ax.set(title=title, xlabel=xlabel)
    if xmax is not None:
        ax.set_xlim(0, xmax * 1.08)
    ax.legend(loc="lower right", fontsize=8)
    return png_data_uri(fig)
