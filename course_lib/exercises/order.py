"""The order widget: move steps up and down; every move saves the whole order.

The steps start in the exercise's fixed shuffled order. Nothing is saved until
the trainee moves a step or clicks 'Save this order' (for a trainee who thinks
the order shown is already right), so an untouched exercise reads as not done.
"""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as w

from ..models.order import OrderExercise
from ..store import AnswerStore
from .base import ExerciseView

__all__ = ["OrderWidget"]


class OrderWidget(ExerciseView):
    """One row per position: the step's text with Up and Down buttons."""

    exercise: OrderExercise

    def __init__(self, exercise: OrderExercise, store: AnswerStore) -> None:
        self.labels: list[w.HTML] = []
        self.up_buttons: list[w.Button] = []
        self.down_buttons: list[w.Button] = []
        rows = []
        for position in range(len(exercise.steps)):
            label = w.HTML(layout=w.Layout(flex="1 1 auto"))  # wraps, unlike a Label
            # Named "Up"/"Down" in words: an icon alone gives a screen reader nothing to say (the icon is a
            # private-use glyph and the title is only a description). The tooltip, set with the step's text
            # in _render, says which step moves: "Move step 3 up: <the step>".
            up = w.Button(description="Up", icon="arrow-up", layout=w.Layout(width="auto"))
            down = w.Button(description="Down", icon="arrow-down", layout=w.Layout(width="auto"))
            up.on_click(lambda _button, p=position: self.move(p, -1))
            down.on_click(lambda _button, p=position: self.move(p, +1))
            self.labels.append(label)
            self.up_buttons.append(up)
            self.down_buttons.append(down)
            rows.append(w.HBox([up, down, label], layout=w.Layout(align_items="center")))
        self.save_button = w.Button(
            description="Save this order", tooltip="Save the order shown, as it is now", icon="check"
        )
        self.save_button.on_click(lambda _button: self._commit("Order saved."))
        super().__init__(exercise, store, [w.VBox(rows), self.save_button])
        saved = self.load_saved()
        if saved and sorted(saved) == sorted(exercise.correct_order):
            self.order = list(saved)
        else:
            self.order = exercise.initial_order
            self.keep_unshown(saved, self.order)  # a saved order of other steps: kept in a copy
        self._render()

    def summary(self, answer: Any) -> str:
        return f"Order of {len(answer)} steps"

    def move(self, position: int, offset: int) -> bool:
        """Move the step at ``position`` (0-based) by ``offset`` places and save; False at either end."""
        target = position + offset
        if not 0 <= target < len(self.order):
            return False
        self.order[position], self.order[target] = self.order[target], self.order[position]
        self._commit(f"Moved step {position + 1} {'up' if offset < 0 else 'down'} to place {target + 1}.")
        # Focus follows the step, so pressing Enter again moves it on; at either end (where that button
        # is now disabled and the browser would drop focus) it goes to the step's other button.
        buttons = (self.up_buttons, self.down_buttons) if offset < 0 else (self.down_buttons, self.up_buttons)
        (buttons[1] if buttons[0][target].disabled else buttons[0])[target].focus()
        return True

    def _commit(self, note: str) -> None:
        self.save(list(self.order), note)
        self._render()

    def _render(self) -> None:
        last = len(self.order) - 1
        for position, step_id in enumerate(self.order):
            step = self.exercise.step(step_id)
            text = step.text if step else step_id
            self.labels[position].value = html.escape(f"{position + 1}. {text}")
            self.up_buttons[position].tooltip = f"Move step {position + 1} up: {text}"
            self.down_buttons[position].tooltip = f"Move step {position + 1} down: {text}"
            self.up_buttons[position].disabled = position == 0
            self.down_buttons[position].disabled = position == last
