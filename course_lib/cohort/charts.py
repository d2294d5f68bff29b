"""The report's charts: matplotlib's object API (no pyplot, no global state), PNG data URIs."""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence

from matplotlib.figure import Figure

__all__ = ["bar_chart", "histogram", "png_data_uri"]

_COLOUR = "#3b6ea5"


def png_data_uri(fig: Figure) -> str:
    """The figure as ``data:image/png;base64,...`` for an ``<img src>``."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=96, bbox_inches="tight")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def histogram(percentages: Sequence[float], title: str) -> str:
    """Distribution of scores in percent, in 10-point bins."""
    fig = Figure(figsize=(5.5, 2.8))
    ax = fig.add_subplot()
    ax.hist(percentages, bins=range(0, 101, 10), color=_COLOUR, edgecolor="white")
    ax.set(title=title, xlabel="score (% of the module's points)", ylabel="trainees", xlim=(0, 100))
    ax.yaxis.get_major_locator().set_params(integer=True)
    return png_data_uri(fig)


def bar_chart(labels: Sequence[str], values: Sequence[float], title: str, xlabel: str,
              *, xmax: float | None = None) -> str:
    """Horizontal bars, first label at the top."""
    fig = Figure(figsize=(6, 0.45 * len(labels) + 1.2))
    ax = fig.add_subplot()
    positions = range(len(labels))
    ax.barh(positions, values, color=_COLOUR)
    ax.set_yticks(list(positions), labels=list(labels))
    ax.invert_yaxis()
    ax.set(title=title, xlabel=xlabel)
    if xmax is not None:
        ax.set_xlim(0, xmax)
    for y, value in zip(positions, values, strict=True):
        ax.annotate(f"{value:g}", (value, y), xytext=(3, 0), textcoords="offset points", va="center", fontsize=8)
    return png_data_uri(fig)
