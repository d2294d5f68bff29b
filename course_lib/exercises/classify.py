"""The classify widget: one labelled drop-down per item, saved on every change."""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from ..models.classify import ClassifyExercise
from ..store import AnswerStore
from .base import ExerciseView

__all__ = ["CHOOSE", "ClassifyWidget"]

CHOOSE = "choose..."


class ClassifyWidget(ExerciseView):
    """Each item gets a drop-down of the groups, starting at 'choose...'."""

    exercise: ClassifyExercise

    def __init__(self, exercise: ClassifyExercise, store: AnswerStore) -> None:
        self._loading = True  # no saves while saved answers are put back into the controls
        options = [(CHOOSE, None), *((group.label, group.id) for group in exercise.groups)]
        self.dropdowns: dict[str, w.Dropdown] = {}
        rows = []
        for number, item in enumerate(exercise.items, start=1):
            # The item's own text is the drop-down's label (rendered as text, wrapped by EXERCISE_CSS), so a
            # screen reader names the drop-down after the item, not "Item 3".
            dropdown = w.Dropdown(
                options=options,
                index=0,  # "choose...": value None, shown as a real option (value=None would show a blank)
                description=f"{number}. {item.text}",
                tooltip=f"Group for item {number}",
                layout=w.Layout(width="100%"),
            )
            dropdown.add_class("course-labelled")
            dropdown.observe(lambda _change, n=number: self._changed(n), names="value")
            self.dropdowns[item.id] = dropdown
            rows.append(dropdown)
        super().__init__(exercise, store, [w.VBox(rows)])
        saved = self.load_saved() or {}
        known = {group.id for group in exercise.groups}
        for item_id, dropdown in self.dropdowns.items():
            if saved.get(item_id) in known:
                dropdown.value = saved[item_id]
        self.keep_unshown(saved or None, self.answer)  # items or groups the content no longer has
        self._loading = False

    def summary(self, answer: Any) -> str:
        return f"{len(answer)} of {len(self.exercise.items)} items placed"

    @property
    def answer(self) -> dict[str, str]:
        """The answer as the drop-downs show it now (unplaced items left out)."""
        return {item_id: d.value for item_id, d in self.dropdowns.items() if d.value is not None}

    def _changed(self, number: int) -> None:
        if not self._loading:
            self.save(self.answer, f"Item {number} saved.")
