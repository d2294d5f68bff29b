"""The 'Customer Service means...' brainstorm widget.

A thin view: the exercise file supplies the text and limits, the answer store
keeps the entries, and every accepted change is saved at once.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import ipywidgets as w

from ..model import BrainstormExercise, load_exercise
from ..scoring.brainstorm import entry_problem, parse_answer
from ..store import DEFAULT_ANSWERS_DIR, AnswerStore, CorruptAnswersError

__all__ = ["BrainstormWidget", "brainstorm"]


def _on_enter(text: w.Text, callback: Any) -> None:
    """Call ``callback()`` when Enter is pressed in ``text``.

    The front end sends a 'submit' message on Enter; listening for it directly
    avoids ``Text.on_submit``, which ipywidgets 8 deprecates.
    """

    def handle(_widget: Any, content: dict, _buffers: Any) -> None:
        if content.get("event") == "submit":
            callback()

    text.on_msg(handle)


class BrainstormWidget(w.VBox):
    """Add, edit and remove brainstorm entries; each change is saved immediately."""

    def __init__(self, exercise: BrainstormExercise, store: AnswerStore) -> None:
        self.exercise, self.store = exercise, store
        self.items: list[str] = []
        self.entry = w.Text(
            placeholder=exercise.placeholder,
            description="New answer",
            tooltip="Type one behaviour, then press Enter or click Add",
            layout=w.Layout(width="100%"),
            style={"description_width": "initial"},
        )
        self.add_button = w.Button(
            description="Add", tooltip="Add this answer (or press Enter)", button_style="primary", icon="plus"
        )
        self.rows = w.VBox(layout=w.Layout(margin="0.5em 0"))
        self.message = w.Label(layout=w.Layout(min_height="1.5em"))
        self.status = w.Label()
        self.add_button.on_click(lambda _button: self.add(self.entry.value))
        _on_enter(self.entry, lambda: self.add(self.entry.value))
        header = w.HTML(
            f"<h3>{html.escape(exercise.title)}</h3><p>{html.escape(exercise.prompt)}</p>"
        )
        super().__init__(
            [header, w.HBox([self.entry, self.add_button]), self.message, self.rows, self.status],
            layout=w.Layout(max_width="60em"),
        )
        self.add_class("course-brainstorm")
        self._load()

    # -- actions -----------------------------------------------------------
    def add(self, text: str) -> bool:
        """Add an entry; refuse empty, duplicate and overlong ones with a message."""
        problem = entry_problem(self.exercise, self.items, text)
        if problem:
            self.message.value = problem
            return False
        self.items.append(" ".join(text.split()))
        self.entry.value = ""
        self._save(f"Added answer {len(self.items)}.")
        return True

    def edit(self, index: int, text: str) -> bool:
        """Replace entry ``index`` (0-based); a refused edit puts the old text back."""
        problem = entry_problem(self.exercise, self.items, text, editing=index)
        if problem:
            self.message.value = problem
            self._render()
            return False
        self.items[index] = " ".join(text.split())
        self._save(f"Answer {index + 1} updated.")
        return True

    def remove(self, index: int) -> None:
        """Delete entry ``index`` (0-based)."""
        del self.items[index]
        self._save(f"Answer {index + 1} removed.")

    # -- store -------------------------------------------------------------
    def _load(self) -> None:
        try:
            saved = self.store.load(self.exercise.id, parse=parse_answer)
        except CorruptAnswersError as exc:
            saved = None
            self.message.value = str(exc)
        self.items = list(saved.answer) if saved else []
        self._render()
        self._show_status(saved.describe_time() if saved else None)

    def _save(self, note: str) -> None:
        saved = self.store.save(self.exercise.id, list(self.items))
        self.message.value = note
        self._render()
        self._show_status(saved.describe_time())

    def _show_status(self, time: str | None) -> None:
        count = len(self.items)
        if time is None:
            self.status.value = "No answers saved yet."
        else:
            noun = "answer" if count == 1 else "answers"
            self.status.value = f"{count} {noun} saved {time}"

    def _render(self) -> None:
        self.rows.children = [self._row(i, text) for i, text in enumerate(self.items)]

    def _row(self, index: int, text: str) -> w.HBox:
        field = w.Text(
            value=text,
            description=f"Answer {index + 1}",
            continuous_update=False,  # save on Enter or when the field loses focus
            layout=w.Layout(width="100%"),
        )
        remove = w.Button(description="Remove", tooltip=f"Remove answer {index + 1}", icon="trash")
        field.observe(lambda change: self.edit(index, change["new"]), names="value")
        remove.on_click(lambda _button: self.remove(index))
        return w.HBox([field, remove])


def brainstorm(exercise_id: str, answers_dir: Path | str = DEFAULT_ANSWERS_DIR) -> BrainstormWidget:
    """Show the brainstorm ``exercise_id``; answers are saved in ``answers_dir``."""
    exercise = load_exercise(exercise_id)
    if not isinstance(exercise, BrainstormExercise):
        raise TypeError(f"{exercise_id} is a {exercise.type} exercise, not a brainstorm")
    return BrainstormWidget(exercise, AnswerStore(answers_dir))
