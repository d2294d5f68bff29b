"""The end-of-module reaction survey: a 1-5 drop-down per rating and one line of free text, saved on change.

Anonymous where it is shown: the board and the report summarise the room, never an entry's author.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from ..models.reaction import RATING_SCALE, ReactionExercise
from ..scoring.reaction import empty_answer
from ..store import AnswerStore
from .base import ExerciseView

__all__ = ["ReactionWidget"]

CHOOSE = "choose..."


class ReactionWidget(ExerciseView):
    """Native drop-downs (their label and value reach a screen reader), then a text box."""

    exercise: ReactionExercise

    def __init__(self, exercise: ReactionExercise, store: AnswerStore) -> None:
        self._loading = True
        self.ratings: dict[str, w.Dropdown] = {}
        for rating in exercise.ratings:
            options = [(CHOOSE, None)] + [
                (f"{n} ({rating.low})" if n == 1 else f"{n} ({rating.high})" if n == 5 else str(n), n)
                for n in RATING_SCALE
            ]
            dropdown = w.Dropdown(options=options, value=None, description=rating.text,
                                  layout=w.Layout(width="100%", margin="0 0 0.4em 0"))
            dropdown.add_class("course-labelled")
            dropdown.observe(self._changed, names="value")
            self.ratings[rating.id] = dropdown
        self.text = w.Textarea(description=exercise.free_text, placeholder="One or two sentences",
                               continuous_update=False, layout=w.Layout(width="100%"),
                               style={"description_width": "initial"})
        self.text.observe(self._changed, names="value")
        super().__init__(exercise, store, [*self.ratings.values(), self.text])
        saved = self.load_saved() or empty_answer()
        for rating_id, dropdown in self.ratings.items():
            dropdown.value = saved["ratings"].get(rating_id)
        self.text.value = saved["text"]
        self._loading = False

    def summary(self, answer: Any) -> str:
        return f"Feedback ({len(answer['ratings'])} of {len(self.exercise.ratings)} ratings)"

    @property
    def answer(self) -> dict[str, Any]:
        return {"ratings": {rid: d.value for rid, d in self.ratings.items() if d.value is not None},
                "text": self.text.value.strip()}

    def _changed(self, change: dict) -> None:
        if self._loading:
            return
        if change["owner"] is self.text and len(change["new"]) > self.exercise.max_chars:
            self.message.value = (f"Please keep it under {self.exercise.max_chars} characters "
                                  f"(this has {len(change['new'])}).")
            return
        self.save(self.answer, "Thank you: your feedback is saved.")
