"""The facilitator's live board: a widget app served by Voilà (see ``course-board``).

It shows, per activity in the class folder, how many trainees took part and
the room's answers (brainstorm flip chart and theme chart, self-assessment
bands, knowledge-check distribution). A daemon thread refreshes it every few
seconds and runs the countdown; the thread stops when the board is closed,
when :meth:`LiveBoard.stop` is called, or with the kernel process.
"""

from __future__ import annotations

import atexit
import threading
import time
from datetime import datetime
from html import escape
from pathlib import Path

import ipywidgets as w

from .aggregate import BrainstormSummary, ClassFolder, Summary, load_activity, summarise
from .config import load_config
from .projector import PROJECTOR_CSS
from .render import chart_img, notes_html, render

__all__ = ["LiveBoard", "show_board"]

ALL_OPTION = ("(choose an activity)", "")


class LiveBoard(w.VBox):
    """Activity picker, counts, flip chart, charts, names toggle, hide/show entries, countdown timer."""

    def __init__(
        self, class_dir: Path | str | None = None, refresh_seconds: float | None = None, autostart: bool = True
    ) -> None:
        config = load_config()
        self.folder = ClassFolder(class_dir if class_dir is not None else config.class_dir)
        self.refresh_seconds = refresh_seconds if refresh_seconds is not None else config.refresh_seconds
        self._lock = threading.RLock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._deadline: float | None = None
        self._summary: Summary | None = None

        self.picker = w.Dropdown(options=[ALL_OPTION], description="Activity", tooltip="Which activity to show")
        self.refresh_button = w.Button(description="Refresh now", icon="refresh", tooltip="Read the class folder now")
        self.show_names = w.Checkbox(value=False, description="Show names", tooltip="Show who wrote each entry")
        self.reveal = w.Checkbox(value=False, description="Show right answers", tooltip="Mark the right options")
        self.projector = w.Checkbox(value=False, description="Projector mode", tooltip="Large type, high contrast")
        self.projector_style = w.HTML("")
        self.headline = w.HTML()
        self.updated = w.Label()
        self.body = w.HTML()
        # An HTML <img> rather than an Image widget: only an <img> of our own can carry alt text
        # (ipywidgets' Image has no alt, and a tooltip on it breaks its view).
        self.chart = w.HTML(layout=w.Layout(width="44em", max_width="100%", display="none"))
        self.notes = w.HTML()
        self.entry_picker = w.Dropdown(options=[], description="Entry", tooltip="A flip-chart entry to hide")
        self.hide_button = w.Button(description="Hide entry", icon="eye-slash", tooltip="Hide the chosen entry")
        self.hidden_picker = w.Dropdown(options=[], description="Hidden", tooltip="Entries you hid")
        self.unhide_button = w.Button(description="Show again", icon="eye", tooltip="Show the chosen hidden entry")
        self.minutes = w.BoundedIntText(value=5, min=1, max=180, description="Minutes", tooltip="Countdown length")
        self.timer_button = w.Button(description="Start timer", icon="play", tooltip="Start or stop the countdown")
        self.timer_label = w.Label("", layout=w.Layout(min_width="10em"))
        self.timer_label.add_class("course-board-timer")

        self._updating = False  # True while the board itself changes the picker's options
        for control in (self.picker, self.show_names, self.reveal):
            control.observe(lambda _c: None if self._updating else self.refresh(), names="value")
        self.projector.observe(lambda _c: self._set_projector(), names="value")
        self.refresh_button.on_click(lambda _b: self.refresh())
        self.hide_button.on_click(lambda _b: self._hide(True))
        self.unhide_button.on_click(lambda _b: self._hide(False))
        self.timer_button.on_click(lambda _b: self.toggle_timer())

        self.hide_row = w.HBox([self.entry_picker, self.hide_button, self.hidden_picker, self.unhide_button])
        super().__init__([
            self.projector_style,
            w.HBox([self.picker, self.refresh_button, self.updated]),
            w.HBox([self.show_names, self.reveal, self.projector]),
            w.HBox([self.minutes, self.timer_button, self.timer_label]),
            self.headline,
            self.body,
            self.chart,
            self.hide_row,
            self.notes,
        ])  # fmt: skip
        self.add_class("course-live-board")
        self.refresh()
        if autostart:
            self.start()

    # -- refreshing --------------------------------------------------------
    def _activity_options(self) -> list[tuple[str, str]]:
        options = [ALL_OPTION]
        for exercise_id in self.folder.activities():
            exercise = load_activity(exercise_id)
            if exercise is not None:
                options.append((f"{exercise.title} ({exercise_id})", exercise_id))
        return options

    def refresh(self) -> None:
        """Re-read the class folder and redraw; problems become a note, never an exception."""
        with self._lock:
            try:
                self._refresh()
            except Exception as exc:  # the board must keep running in front of the room
                self.notes.value = f'<p class="course-board-notes">Refresh failed: {escape(repr(exc))}</p>'

    def _refresh(self) -> None:
        options = self._activity_options()
        if options != list(self.picker.options):
            current = self.picker.value
            values = [value for _label, value in options]
            self._updating = True
            try:
                self.picker.options = options
                # Keep the facilitator's choice; otherwise show the first activity found.
                self.picker.value = current if current in values and current else values[min(1, len(values) - 1)]
            finally:
                self._updating = False
        self.updated.value = f"Updated {datetime.now():%H:%M:%S}"
        exercise_id = self.picker.value
        if not exercise_id:
            self._summary = None
            self.headline.value = f"<p>No activity yet in {escape(str(self.folder.class_dir))}.</p>"
            self.body.value = ""
            self.notes.value = notes_html(self.folder.folder_problems())
            self.chart.layout.display = "none"
            self.hide_row.layout.display = "none"
            return
        summary = summarise(load_activity(exercise_id) or exercise_id, self.folder)
        self._summary = summary
        shown = render(summary, show_names=self.show_names.value, reveal=self.reveal.value,
                       projector=self.projector.value)
        self.headline.value = f'<h2 class="course-board-headline">{escape(shown.headline)}</h2>'
        self.body.value = shown.html
        if shown.chart:
            self.chart.value = chart_img(shown.chart, shown.chart_alt)
            self.chart.layout.display = ""
        else:
            self.chart.layout.display = "none"
        # Problems with the class folder itself (a trainee blocking an activity) show whatever is picked.
        self.notes.value = notes_html(self.folder.folder_problems()) + shown.notes_html
        self._update_hide_controls(summary)

    def _update_hide_controls(self, summary: Summary) -> None:
        if not isinstance(summary, BrainstormSummary):
            self.hide_row.layout.display = "none"
            return
        self.hide_row.layout.display = ""
        cards = sorted((card for group in summary.groups for card in group.cards), key=lambda c: c.text.casefold())
        # Dropdown labels are plain text in the browser: trainee text is never parsed as HTML here.
        entries = [(card.text[:80], card.key) for card in cards]
        hidden = sorted(((text[:80], key) for key, text in summary.hidden.items()), key=lambda o: o[0].casefold())
        for picker, options in ((self.entry_picker, entries), (self.hidden_picker, hidden)):
            if options != list(picker.options):
                current = picker.value
                picker.options = options
                # A Dropdown given new options selects nothing; keep the choice or take the first.
                keys = [key for _label, key in options]
                picker.value = current if current in keys else (keys[0] if keys else None)

    def _hide(self, hide: bool) -> None:
        picker = self.entry_picker if hide else self.hidden_picker
        key, exercise_id = picker.value, self.picker.value
        if not key or not exercise_id:
            return
        label = next((label for label, value in picker.options if value == key), "")
        try:
            self.folder.set_hidden(exercise_id, key, label, hide)
        except OSError as exc:
            self.notes.value = f'<p class="course-board-notes">Could not save the hidden list: {escape(str(exc))}</p>'
            return
        self.refresh()

    def _set_projector(self) -> None:
        self.projector_style.value = PROJECTOR_CSS if self.projector.value else ""
        self.chart.layout.width = "100%" if self.projector.value else "44em"
        self.refresh()

    # -- countdown ---------------------------------------------------------
    def toggle_timer(self) -> None:
        """Start a countdown of ``minutes`` or stop the running one."""
        if self._deadline is None:
            self._deadline = time.monotonic() + 60 * self.minutes.value
            self.timer_button.description, self.timer_button.icon = "Stop timer", "stop"
        else:
            self._deadline = None
            self.timer_button.description, self.timer_button.icon = "Start timer", "play"
            self.timer_label.value = "Timer stopped"
        self._tick()

    def _tick(self) -> None:
        if self._deadline is None:
            return
        left = self._deadline - time.monotonic()
        if left <= 0:
            self.timer_label.value = "Time is up!"
            self._deadline = None
            self.timer_button.description, self.timer_button.icon = "Start timer", "play"
        else:
            whole = int(left + 0.999)
            self.timer_label.value = f"{whole // 60:02d}:{whole % 60:02d} left"

    # -- background thread -------------------------------------------------
    def start(self) -> None:
        """Start refreshing every ``refresh_seconds`` (and ticking the timer every second)."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="course-live-board", daemon=True)
        self._thread.start()
        atexit.register(self.stop)

    def stop(self) -> None:
        """Stop the background refresh (the kernel exiting stops it too: the thread is a daemon)."""
        self._stop.set()

    def close(self) -> None:
        self.stop()
        super().close()

    def _run(self) -> None:
        last = time.monotonic()
        while not self._stop.wait(min(1.0, self.refresh_seconds)):
            if self.comm is None:  # the widget was closed: nothing left to update
                break
            with self._lock:
                self._tick()
            if time.monotonic() - last >= self.refresh_seconds:
                last = time.monotonic()
                self.refresh()


def show_board(class_dir: Path | str | None = None) -> LiveBoard:
    """The live board for the configured class folder (``COURSE_CLASS_DIR``)."""
    return LiveBoard(class_dir)
