"""The telephone role-play widget: the call so far, the caller's line, one button per reply.

Every reply is saved at once as the whole path taken; "Start the call again"
clears it. The organisation's numbers come from standards.yaml.
"""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as w

from ..models.roleplay import RoleplayExercise
from ..scoring.roleplay import empty_answer, render, transcript, walk
from ..standards import load_standards
from ..store import AnswerStore
from .base import ExerciseView

__all__ = ["RoleplayWidget"]

VIEW = "RoleplayWidget"

# Long replies must wrap inside their buttons instead of being cut off.
_STYLE = (
    "<style>.course-roleplay .course-reply{white-space:normal;height:auto;min-height:2.2em;"
    "text-align:left;padding:0.3em 0.8em;line-height:1.4}</style>"
)


class RoleplayWidget(ExerciseView):
    """Pick a reply at each step of the call; the path is saved after every step."""

    exercise: RoleplayExercise

    def __init__(self, exercise: RoleplayExercise, store: AnswerStore) -> None:
        self.standards = load_standards()
        self.call = w.HTML(layout=w.Layout(margin="0.5em 0"))
        self.caller_line = w.HTML()
        self.choices = w.VBox(layout=w.Layout(margin="0.3em 0"))
        self.restart_button = w.Button(
            description="Start the call again", tooltip="Clear your replies and take the call from the start",
            icon="refresh",
        )
        self.restart_button.on_click(lambda _button: self.restart())
        body = [w.HTML(_STYLE), self.call, self.caller_line, self.choices, self.restart_button]
        super().__init__(exercise, store, body)
        self.answer: dict[str, list[dict[str, str]]] = self.load_saved() or empty_answer()
        self._render()

    def summary(self, answer: Any) -> str:
        steps = len(answer["path"])
        ended = steps and walk(self.exercise, answer).ended
        return f"Call with {steps} repl{'y' if steps == 1 else 'ies'}" + (" (ended)" if ended else "")

    # -- actions -----------------------------------------------------------
    def choose(self, choice_id: str) -> None:
        """Give reply ``choice_id`` at the current step."""
        current = walk(self.exercise, self.answer).current
        if current is None or choice_id not in {c.id for c in current.choices}:
            self.message.value = "That reply is not available at this point of the call."
            return
        self.answer = {"path": [*self.answer["path"], {"node": current.id, "choice": choice_id}]}
        ended = walk(self.exercise, self.answer).ended
        self.save(self.answer, self._render_text(self.exercise.call_ended) if ended else "Reply saved.")
        self._render()

    def restart(self) -> None:
        """Clear the path and take the call from the start."""
        self.answer = empty_answer()
        self.save(self.answer, "The call starts again from the first ring.")
        self._render()

    # -- view --------------------------------------------------------------
    def _render_text(self, text: str) -> str:
        return render(self.exercise, text, self.standards)

    def _render(self) -> None:
        result = walk(self.exercise, self.answer)
        if result.problem:
            self.message.value = result.problem
        lines = transcript(self.exercise, self.answer, self.standards)
        rows = "".join(
            f"<p class='course-line course-{speaker.lower()}'><b>{html.escape(speaker)}:</b> {html.escape(text)}</p>"
            for speaker, text in lines
        )
        self.call.value = f"<div class='course-call'>{rows}</div>" if rows else ""
        if result.current is None:
            self.caller_line.value = f"<p><i>{html.escape(self._render_text(self.exercise.call_ended))}</i></p>"
            self.choices.children = []
            return
        caller = html.escape(self._render_text(result.current.caller))
        self.caller_line.value = f"<p class='course-line course-caller'><b>Caller:</b> {caller}</p><p>Your reply:</p>"
        buttons = []
        for number, choice in enumerate(result.current.choices, start=1):
            text = self._render_text(choice.text)
            button = w.Button(description=text, tooltip=f"Reply {number}: {text}",
                              layout=w.Layout(width="100%", height="auto"))
            button.add_class("course-reply")
            button.on_click(lambda _button, choice_id=choice.id: self.choose(choice_id))
            buttons.append(button)
        self.choices.children = buttons
