"""What every exercise widget shares: header, message line, saved status, store I/O."""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as w

from ..grading import parser_for
from ..live.publish import publish_saved
from ..models import ExerciseBase
from ..store import AnswerStore, CorruptAnswersError, SavedAnswer

__all__ = ["EXERCISE_CSS", "ExerciseView"]

# Shared by every exercise widget. A control whose label is the content's own text (an item to sort, a
# statement to answer) gets the class "course-labelled": its label wraps instead of being cut short with
# an ellipsis, and stays the control's accessible name. Every control shows a clear keyboard focus ring.
EXERCISE_CSS = """<style>
.course-exercise .course-labelled { width: 100%; height: auto; align-items: center; flex-wrap: wrap; }
.course-exercise .course-labelled > .widget-label { flex: 1 1 20em; width: auto; max-width: none; height: auto;
  white-space: normal; overflow: visible; text-overflow: clip; text-align: left; line-height: 1.4;
  padding: 0.2em 1em 0.2em 0; }
.course-exercise .course-labelled > select { flex: 0 0 14em; max-width: 100%; }
.course-exercise :focus-visible { outline: 3px solid #1a4f9c; outline-offset: 2px; }
</style>"""


class ExerciseView(w.VBox):
    """Base of the exercise widgets.

    Subclasses build their controls, pass them as ``body``, call
    :meth:`load_saved` once, and call :meth:`save` with the whole answer after
    every accepted change. Trainee text is only ever shown in Text/Label
    widgets, which render it as text, never as HTML.
    """

    def __init__(self, exercise: ExerciseBase, store: AnswerStore, body: list[w.Widget]) -> None:
        self.exercise, self.store = exercise, store
        self.message = w.Label(layout=w.Layout(min_height="1.5em"))
        self.status = w.Label()
        header = w.HTML(f"{EXERCISE_CSS}<h3>{html.escape(exercise.title)}</h3><p>{html.escape(exercise.prompt)}</p>")
        super().__init__([header, *body, self.message, self.status], layout=w.Layout(max_width="60em"))
        self.add_class("course-exercise")
        self.add_class(f"course-{exercise.type.replace('_', '-')}")

    def load_saved(self) -> Any | None:
        """The saved answer (already parsed), or None; a corrupt file is reported, kept aside."""
        try:
            saved = self.store.load(self.exercise.id, parse=parser_for(self.exercise))
        except CorruptAnswersError as exc:
            saved = None
            self.message.value = str(exc)
        self._seen = saved.saved_at if saved else None
        self._show_status(saved)
        return saved.answer if saved else None

    def keep_unshown(self, saved: Any, shown: Any) -> None:
        """Call after showing ``saved``: if the controls hold less (``shown`` differs), the next save first
        copies the saved file aside, so what the widget could not show is not silently lost."""
        self._unshown = saved is not None and saved != shown
        if self._unshown:
            self.message.value = ("Part of your saved answer does not fit this exercise any more (its content "
                                  "has changed). Your next change will save what you see; the earlier answer "
                                  "will be kept in a copy.")

    def save(self, answer: Any, note: str) -> SavedAnswer | None:
        """Save the whole answer at once and say so (None: it could not be saved, and the message says why)."""
        # Another copy of this exercise (the cell shown twice, a second tab) may
        # have saved since this view loaded: the store then keeps that answer aside.
        kept = self.store.keep_copy(self.exercise.id) if getattr(self, "_unshown", False) else None
        try:
            saved = self.store.save(self.exercise.id, answer, replaces=getattr(self, "_seen", None))
        except OSError as exc:  # e.g. a full disk, or an answers folder that is a link
            self.message.value = f"Your answer could not be saved: {exc.strerror or exc}. Ask your instructor."
            return None
        self._seen = saved.saved_at
        self._unshown = False
        if kept:
            note += f" Your earlier answer, which did not fit this exercise any more, was kept in {kept.name}."
        if saved.kept_aside:
            note += (f" Another copy of this exercise had saved different answers since you opened it;"
                     f" they were kept in {saved.kept_aside.name}.")
        # Lesson answers also go to the class folder for the live board (a no-op when publishing is off).
        problem = publish_saved(self.exercise, self.store.directory, saved.answer, saved.saved_at)
        self.message.value = f"{note} {problem}" if problem else note
        self._show_status(saved)
        return saved

    def summary(self, answer: Any) -> str:
        """How the status line describes a saved answer, e.g. '3 answers'."""
        return "Answer"

    def _show_status(self, saved: SavedAnswer | None) -> None:
        if saved is None:
            self.status.value = "Nothing saved yet."
        else:
            self.status.value = f"{self.summary(saved.answer)} saved {saved.describe_time()}"
