"""The board's horizontal bar chart as PNG, redrawn in place when only the counts change.

Building a matplotlib figure costs more than drawing it: most of a redraw
went into creating axes, ticks and their labels again. So one figure is kept
per (title, labels, projector) and only its bars, count labels and x limits
change for new counts; the PNG is the same as a freshly built figure's (a
test compares them). Charts use the object-oriented API (``Figure`` + Agg
canvas, no pyplot state), and the PNG of the same data is cached.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from functools import lru_cache

from ..figures import figure_png, whole_number_ticks

__all__ = ["bar_chart_png", "draw_bar_chart", "forget_charts"]

MAX_KEPT_FIGURES = 8  # figures kept for redrawing: a board shows a few activities, each in two modes
_lock = threading.Lock()  # a figure is redrawn by one thread at a time
_kept: OrderedDict[tuple[str, tuple[str, ...], bool], _BarChart] = OrderedDict()


class _BarChart:
    """A figure with one bar and one count label per label, ready to take new counts."""

    def __init__(self, title: str, labels: tuple[str, ...], projector: bool) -> None:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        size = 16 if projector else 10
        height = max(2.0, 0.45 * len(labels) + 1.0) * (1.4 if projector else 1.0)
        self.figure = Figure(figsize=(9 if projector else 7, height), dpi=80)  # sharp enough; 36% fewer pixels
        FigureCanvasAgg(self.figure)
        self.axes = axes = self.figure.add_subplot()
        positions = list(range(len(labels)))
        self.bars = axes.barh(positions, [0] * len(labels), color="#1f3f7a" if projector else "#2a5db0")
        axes.set_yticks(positions, labels=list(labels), fontsize=size)
        axes.invert_yaxis()  # first label at the top, as in the content file
        axes.set_title(title, fontsize=size + 2)
        axes.tick_params(axis="x", labelsize=size)
        whole_number_ticks(axes.xaxis)
        self.texts = [axes.text(0, position, " 0", va="center", fontsize=size) for position in positions]
        axes.spines[["top", "right"]].set_visible(False)
        # Fixed margins instead of tight_layout(): a third of the refresh time went into measuring text.
        longest = max((len(label) for label in labels), default=10)
        self.figure.subplots_adjust(left=min(0.5, 0.06 + 0.011 * longest * size / 10), right=0.94,
                                    top=1 - 0.5 / height, bottom=0.35 / height * (1.4 if projector else 1.0))

    def png(self, counts: tuple[int, ...]) -> bytes:
        for bar, text, count in zip(self.bars, self.texts, counts, strict=True):
            bar.set_width(count)
            text.set_x(count)
            text.set_text(f" {count}")
        self.axes.relim()  # the x limits follow the counts as when the bars were first drawn
        self.axes.autoscale_view()
        return figure_png(self.figure)


def draw_bar_chart(title: str, labels: tuple[str, ...], counts: tuple[int, ...], projector: bool = False) -> bytes:
    """The chart as PNG bytes, always drawn (no data cache); a figure for these labels is reused if kept."""
    key = (title, labels, projector)
    with _lock:
        chart = _kept.pop(key, None) or _BarChart(title, labels, projector)
        _kept[key] = chart  # most recently used last
        while len(_kept) > MAX_KEPT_FIGURES:
            _kept.popitem(last=False)
        return chart.png(counts)


@lru_cache(maxsize=64)
def bar_chart_png(title: str, labels: tuple[str, ...], counts: tuple[int, ...], projector: bool = False) -> bytes:
    """A horizontal bar chart as PNG bytes (cached: same data, same picture)."""
    return draw_bar_chart(title, labels, counts, projector)


def forget_charts() -> None:
    """Drop every cached PNG and kept figure (as a board process that has just started)."""
    bar_chart_png.cache_clear()
    with _lock:
        _kept.clear()
