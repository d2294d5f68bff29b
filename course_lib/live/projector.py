"""Projector mode: large type and high contrast for widgets and charts in a room.

In a lesson, run ``projector_mode()`` (and ``projector_mode(False)`` to undo).
It shows a ``<style>`` element through one IPython display id, so switching
off empties every copy of it, and it enlarges matplotlib's fonts and lines for
charts drawn afterwards. The live board uses :data:`PROJECTOR_CSS` in its own
toggle. Slides (RISE) inherit the same styles.
"""

from __future__ import annotations

from typing import Any

__all__ = ["PROJECTOR_CSS", "is_on", "projector_mode"]

DISPLAY_ID = "course-projector-mode"

PROJECTOR_CSS = """<style class="course-projector">
:root {
  --jp-content-font-size1: 24px;
  --jp-ui-font-size1: 20px;
  --jp-code-font-size: 20px;
  --jp-widgets-font-size: 22px;
  --jp-widgets-inline-height: 44px;
  /* Widths grow with the type (em of the widget's own font): with a fixed 300px box and a wide
     label, a dropdown or text box was squeezed to nothing and checkbox labels disappeared. */
  --jp-widgets-inline-label-width: 6em;
  --jp-widgets-inline-width: 22em;
  --jp-widgets-inline-width-short: 11em;
  --jp-widgets-inline-width-tiny: 5em;
  --jp-content-font-color1: #000;
  --jp-ui-font-color1: #000;
  --jp-widgets-color: #000;
  --jp-widgets-label-color: #000;
  --jp-widgets-input-border-color: #000;
  --jp-widgets-input-border-width: 2px;
}
.jp-RenderedHTMLCommon, .jp-OutputArea-output, .jupyter-widgets, .widget-label, .widget-html-content,
.voila-body, body.theme-light {
  font-size: 24px; color: #000; line-height: 1.4;
}
.jupyter-widgets button, .widget-button, .widget-toggle-button {
  font-size: 22px; font-weight: bold; border: 2px solid #000;
}
/* Controls keep their size and wrap onto the next line instead of overlapping or leaving the screen. */
.widget-hbox { flex-wrap: wrap; row-gap: 6px; }
.widget-inline-hbox { max-width: 100%; }
.widget-checkbox { width: auto; margin-right: 1em; }
.widget-checkbox input[type="checkbox"] { width: 24px; height: 24px; }
.widget-button { width: auto; min-width: var(--jp-widgets-inline-width-tiny); padding: 0 0.7em; }
.widget-text input, .widget-textarea textarea, .widget-dropdown select { font-size: 22px; border: 2px solid #000; }
.jp-OutputArea-output img, .widget-image { max-width: 100%; filter: contrast(1.15); }
.course-board-card { font-size: 1.2em; border: 2px solid #000; }
.course-board-theme { border-width: 3px; background: #fff; }
:focus-visible { outline: 4px solid #c05a00 !important; outline-offset: 2px; }
</style>"""

# Keyed by Any: matplotlib types rcParams keys as a Literal of every known setting.
_CHART_RC: dict[Any, float] = {
    "font.size": 18,
    "axes.titlesize": 22,
    "axes.labelsize": 20,
    "xtick.labelsize": 18,
    "ytick.labelsize": 18,
    "legend.fontsize": 18,
    "lines.linewidth": 3.0,
    "axes.linewidth": 2.0,
}
_state: dict[str, Any] = {"on": False, "saved_rc": None}


def is_on() -> bool:
    """Whether projector mode was switched on in this kernel."""
    return bool(_state["on"])


def _apply_chart_style(on: bool) -> None:
    import matplotlib

    if on and _state["saved_rc"] is None:
        _state["saved_rc"] = {key: matplotlib.rcParams[key] for key in _CHART_RC}
        matplotlib.rcParams.update(_CHART_RC)
    elif not on and _state["saved_rc"] is not None:
        matplotlib.rcParams.update(_state["saved_rc"])
        _state["saved_rc"] = None


def projector_mode(on: bool = True) -> None:
    """Switch projector mode on (large type, high contrast) or off for this notebook and its charts."""
    from IPython.display import HTML, display, update_display

    _state["on"] = bool(on)
    _apply_chart_style(bool(on))
    style = HTML(PROJECTOR_CSS if on else "")
    update_display(style, display_id=DISPLAY_ID)  # earlier copies follow the new state
    display(style, display_id=DISPLAY_ID)
