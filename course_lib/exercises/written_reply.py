"""The written reply widget: the customer's message, a labelled text area, a word counter and Save.

Saving is explicit (the trainee decides when a draft is ready); a note says so
while the text differs from what was last saved.

The text area sends its text when it loses focus (``continuous_update=False``),
not keystroke by keystroke. Why: ipywidgets holds a model's update back while
its previous one is in flight but sends a button's click at once, so with
per-keystroke updates a quick Tab and Space on "Save reply" reached the kernel
before the last words did and saved a truncated reply. Leaving the box (by Tab
or by clicking Save) sends the whole text in one message, ahead of the click.
"""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as w

from ..models.written_reply import WrittenReplyExercise
from ..scoring.written_reply import empty_answer, word_count
from ..store import AnswerStore
from .base import ExerciseView

__all__ = ["WrittenReplyWidget"]


class WrittenReplyWidget(ExerciseView):
    """Write a reply; "Save reply" saves the whole text."""

    exercise: WrittenReplyExercise

    def __init__(self, exercise: WrittenReplyExercise, store: AnswerStore) -> None:
        scenario = html.escape(exercise.scenario)
        self.scenario = w.HTML(
            f"<p><b>The customer's message:</b></p>"
            f"<blockquote style='white-space:pre-wrap;border-left:3px solid #999;padding-left:0.8em'>{scenario}"
            "</blockquote>"
        )
        self.text = w.Textarea(
            placeholder=exercise.placeholder,
            description="Your reply",
            continuous_update=False,
            tooltip="Write the reply you would send, then click Save reply",
            layout=w.Layout(width="100%", height="14em"),
            style={"description_width": "initial"},
        )
        self.words = w.Label()
        self.unsaved = w.Label()
        self.save_button = w.Button(description="Save reply", tooltip="Save your reply", button_style="primary",
                                    icon="save")
        self.save_button.on_click(lambda _button: self.save_reply())
        self.text.observe(lambda _change: self._update_counts(), names="value")
        controls = w.HBox([self.save_button, self.words, self.unsaved])
        super().__init__(exercise, store, [self.scenario, self.text, controls])
        self.saved_text = (self.load_saved() or empty_answer())["text"]
        self.text.value = self.saved_text
        self._update_counts()

    def summary(self, answer: Any) -> str:
        return f"Reply of {word_count(answer['text'])} words"

    def save_reply(self) -> None:
        """Save the text as it is now."""
        text = self.text.value
        if len(text) > self.exercise.length.max_chars:
            # Not saved: the grader refuses a longer reply. The text stays in the box to be shortened.
            self.message.value = (f"Your reply has {len(text)} characters; please keep it under "
                                  f"{self.exercise.length.max_chars}. It was not saved.")
            return
        note = "Reply saved."
        if not text.strip():
            note = "Saved an empty reply."
            # Emptying the box and saving must not silently lose a reply: keep the saved one in a copy.
            kept = self.store.keep_copy(self.exercise.id) if self.saved_text.strip() else None
            if kept:
                note += f" Your previous reply was kept in {kept.name}; open it to copy the text back."
        if self.save({"text": text}, note) is None:
            return
        self.saved_text = text
        self._update_counts()

    def _update_counts(self) -> None:
        limits = self.exercise.length
        self.words.value = f"{word_count(self.text.value)} words (aim for {limits.min_words}-{limits.max_words})"
        self.unsaved.value = "Unsaved changes: click Save reply." if self.text.value != self.saved_text else ""
