"""The 'Customer Service means...' brainstorm widget.

A thin view: the exercise file supplies the text and limits, the answer store
keeps the entries, and every accepted change is saved at once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ipywidgets as w

from ..grading import parser_for
from ..live.publish import LESSON_FOLDER
from ..models.brainstorm import BrainstormExercise
from ..scoring.brainstorm import entry_problem
from ..store import AnswerStore, CorruptAnswersError
from .base import ExerciseView

__all__ = ["BrainstormWidget", "lesson_entries"]


def lesson_entries(exercise: BrainstormExercise, answers_dir: Path | str) -> list[str]:
    """The trainee's own entries from the lesson's live brainstorm, for the graded one.

    The lesson saves in ``notebooks/answers/`` of the course folder; a graded
    notebook lives below that same folder (``exercises/module1/`` in the
    project, ``module1/`` in a trainee's home after fetching), so the first
    ``notebooks/answers/`` found going up from ``answers_dir`` is the lesson's.
    Nothing (an empty list) when none is found or it cannot be read.
    """
    here = Path(answers_dir).resolve()
    if here.parent.name == LESSON_FOLDER:
        return []  # this is the lesson itself
    try:
        for folder in here.parents:
            lesson = folder / LESSON_FOLDER / here.name
            if lesson.is_dir():
                saved = AnswerStore(lesson).load(exercise.id, parse=parser_for(exercise), quarantine=False)
                return list(saved.answer) if saved else []
    except (OSError, CorruptAnswersError):  # a folder we may not read (the grader's sandbox), a damaged file
        pass
    return []


class BrainstormWidget(ExerciseView):
    """Add, edit and remove brainstorm entries; each change is saved immediately."""

    exercise: BrainstormExercise

    def __init__(self, exercise: BrainstormExercise, store: AnswerStore) -> None:
        # The typed text reaches the kernel only on Enter or when the field loses
        # focus (continuous_update=False), and that one message both carries the
        # whole text and adds it. Reacting to a separate "submit"/click message
        # instead loses the last keystrokes: ipywidgets may deliver it before
        # the final value (measured in a real browser with fast typing).
        # The label is the exercise's own sentence to finish ("Customer Service means..."), so a screen
        # reader says what the field is for, not just "New answer".
        self.entry = w.Text(
            placeholder=exercise.placeholder,
            description=exercise.title,
            tooltip="Type one behaviour, then press Enter or click Add",
            continuous_update=False,
            layout=w.Layout(width="100%"),
            style={"description_width": "initial"},
        )
        self.add_button = w.Button(
            description="Add", tooltip="Add this answer (or press Enter)", button_style="primary", icon="plus"
        )
        self.rows = w.VBox(layout=w.Layout(margin="0.5em 0"))
        self._row_widgets: list[tuple[w.Text, w.Button]] = []
        self._row_boxes: list[w.HBox] = []
        self._rendering = False  # True while rows are refilled: their value changes are not edits
        # The text last added from the field, until the trainee commits other text. A press of Add and the
        # field's own commit reach the kernel in either order (ipywidgets holds a model's update back while
        # its previous one is in flight, but sends a button's click at once), and a commit can arrive twice:
        # so Add with an empty field right after an add is the same press, not a slip.
        self._last_added: str | None = None
        self.add_button.on_click(lambda _button: self._add_clicked())
        self.entry.observe(self._entry_committed, names="value")
        # Offered once, while the graded brainstorm is empty: the ideas the trainee had in the lesson.
        self._from_lesson = lesson_entries(exercise, store.directory)
        self.lesson_button = w.Button(
            description=f"Use my {len(self._from_lesson)} ideas from the lesson",
            tooltip="Copy the answers you gave in the lesson's brainstorm here; you can edit or remove them",
            layout=w.Layout(width="auto", display="none"),
        )
        self.lesson_button.on_click(lambda _button: self.use_lesson_entries())
        super().__init__(exercise, store, [w.HBox([self.entry, self.add_button]), self.lesson_button, self.rows])
        self.items: list[str] = list(self.load_saved() or [])
        self._render()

    def summary(self, answer: Any) -> str:
        return f"{len(answer)} answer" + ("" if len(answer) == 1 else "s")

    # -- actions -----------------------------------------------------------
    def _entry_committed(self, change: dict) -> None:
        text = " ".join(change["new"].split())
        if not text:  # clearing the field after an add is not an entry; typed spaces are new typing
            if change["new"]:
                self._last_added = None
            return
        if text == self._last_added and self.items and self.items[-1] == text:
            self.entry.value = ""  # the same commit delivered again: it is in the list already
            return
        self._last_added = None
        self.add(text)

    def _add_clicked(self) -> None:
        # Clicking (or tabbing to) Add blurs the field, which sends and adds the text; the click itself
        # only retries text left in the field after a refusal. Either way the trainee types the next
        # answer there, so the keyboard focus goes back to the field.
        if self.entry.value.strip() or self._last_added is None:
            self.add(self.entry.value)
        self.entry.focus()

    def add(self, text: str) -> bool:
        """Add an entry; refuse empty, duplicate and overlong ones with a message."""
        problem = entry_problem(self.exercise, self.items, text)
        if problem:
            self.message.value = problem
            return False
        self.items.append(" ".join(text.split()))
        self._last_added = self.items[-1]
        self.entry.value = ""
        self._commit(f"Added answer {len(self.items)}.")
        return True

    def use_lesson_entries(self) -> int:
        """Add the lesson's entries (each checked like a typed one); return how many were added."""
        added = 0
        for text in self._from_lesson:
            if not entry_problem(self.exercise, self.items, text):  # the exercise's limits still hold
                self.items.append(" ".join(text.split()))
                added += 1
        self._from_lesson = []
        self._commit(f"Added {added} answer{'' if added == 1 else 's'} from the lesson: "
                     "edit or remove any of them as you like.")
        return added

    def edit(self, index: int, text: str) -> bool:
        """Replace entry ``index`` (0-based); a refused edit puts the old text back."""
        problem = entry_problem(self.exercise, self.items, text, editing=index)
        if problem:
            self.message.value = problem
            self._render()
            return False
        self.items[index] = " ".join(text.split())
        self._commit(f"Answer {index + 1} updated.")
        return True

    def remove(self, index: int) -> None:
        """Delete entry ``index`` (0-based)."""
        removed = self.items.pop(index)
        # Say what went, so a slip of the mouse costs nothing: the text can be added again.
        self._commit(f"Answer {index + 1} removed: \u201c{removed}\u201d. To bring it back, type it again.")
        # The keyboard focus goes to the answer now in its place (or to the empty field), not to the page.
        if self.items:
            self._row_widgets[min(index, len(self.items) - 1)][0].focus()
        else:
            self.entry.focus()

    # -- view --------------------------------------------------------------
    def _commit(self, note: str) -> None:
        self.save(list(self.items), note)
        self._render()

    def _render(self) -> None:
        # Rows are reused, not rebuilt: a rebuilt row would take the keyboard focus away from the
        # field a trainee just edited (the browser drops focus with the removed element).
        self._rendering = True
        try:
            while len(self._row_widgets) < len(self.items):
                self._row_widgets.append(self._row(len(self._row_widgets)))
                self._row_boxes.append(w.HBox(list(self._row_widgets[-1])))
            del self._row_widgets[len(self.items):], self._row_boxes[len(self.items):]
            for number, ((field, remove), text) in enumerate(zip(self._row_widgets, self.items, strict=True), 1):
                field.value = text
                remove.tooltip = f"Remove answer {number}: {text}"
        finally:
            self._rendering = False
        self.lesson_button.layout.display = "" if self._from_lesson and not self.items else "none"
        if list(self.rows.children) != self._row_boxes:  # the same boxes, so the same elements, stay put
            self.rows.children = list(self._row_boxes)

    def _row(self, index: int) -> tuple[w.Text, w.Button]:
        field = w.Text(
            description=f"Answer {index + 1}",
            continuous_update=False,  # save on Enter or when the field loses focus
            layout=w.Layout(width="100%"),
        )
        remove = w.Button(description="Remove", icon="trash")
        field.observe(lambda change: None if self._rendering else self.edit(index, change["new"]), names="value")
        remove.on_click(lambda _button: self.remove(index))
        return field, remove
