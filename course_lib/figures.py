"""A matplotlib figure as PNG bytes, and PNG bytes as a ``data:`` URI for an ``<img src>``.

The one place figures become images: the self-check's chart, the start page's
progress chart, the live board and the cohort report all go through here.
matplotlib itself is not imported (the figure comes from the caller), so the
grading path can import this module freely.
"""

from __future__ import annotations

import base64
import io
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover - for type checkers only
    from matplotlib.axis import Axis
    from matplotlib.figure import Figure

__all__ = ["figure_data_uri", "figure_png", "png_data_uri", "whole_number_ticks"]


def figure_png(figure: Figure, **savefig: Any) -> bytes:
    """The figure as PNG bytes (``savefig`` options such as ``dpi`` pass through)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", **savefig)
    return buffer.getvalue()


def png_data_uri(png: bytes) -> str:
    """``data:image/png;base64,...`` for an ``<img src>``."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def figure_data_uri(figure: Figure, **savefig: Any) -> str:
    """The figure as a PNG ``data:`` URI (``savefig`` options pass through)."""
    return png_data_uri(figure_png(figure, **savefig))


def whole_number_ticks(axis: Axis) -> None:
    """Ticks only at whole numbers on ``axis`` (it counts trainees or entries), with matplotlib's usual spacing."""
    from matplotlib.ticker import MaxNLocator  # the caller is drawing, so matplotlib is loaded already

    locator = axis.get_major_locator()
    if isinstance(locator, MaxNLocator):  # matplotlib's default AutoLocator is one
        locator.set_params(integer=True)
