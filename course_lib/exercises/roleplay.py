"""The telephone role-play widget: the call so far, the caller's line, one button per reply.

Every reply is saved at once. "Start the call again" begins a new attempt and
keeps the earlier ones (up to ``MAX_ATTEMPTS``); the attempt that counts is the
best unless the trainee picks another in "Attempt that counts", and the
widget says which one it is. The organisation's numbers come from
standards.yaml. Replies are shown in an order of their own per trainee and
step, so the best reply is not always in the same place.
"""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as w

from ..display_order import display_order, trainee_identity
from ..models.roleplay import RoleplayExercise
from ..scoring.roleplay import (
    MAX_ATTEMPTS,
    attempt_scores,
    counted,
    counted_line,
    drop_to_limit,
    empty_answer,
    render,
    transcript,
    walk,
)
from ..store import AnswerStore
from .base import ExerciseView

__all__ = ["BEST", "RoleplayWidget"]

BEST = -1  # the picker's value for "my best attempt" (a saved ``chosen`` of None)

# Long replies must wrap inside their buttons instead of being cut off.
_STYLE = (
    "<style>.course-roleplay .course-reply{white-space:normal;height:auto;min-height:2.2em;"
    "text-align:left;padding:0.3em 0.8em;line-height:1.4}</style>"
)


class RoleplayWidget(ExerciseView):
    """Pick a reply at each step of the call; every attempt is saved after every step."""

    exercise: RoleplayExercise

    def __init__(self, exercise: RoleplayExercise, store: AnswerStore) -> None:
        self.standards = exercise.organisation_standards
        self.identity = trainee_identity(store.directory.parent)
        self.attempt_info = w.HTML()
        self.call = w.HTML(layout=w.Layout(margin="0.5em 0"))
        self.caller_line = w.HTML()
        self.choices = w.VBox(layout=w.Layout(margin="0.3em 0"))
        self.restart_button = w.Button(
            description="Start the call again",
            tooltip="Start a new attempt at the call; your earlier attempts are kept",
            icon="refresh",
            layout=w.Layout(width="auto"),  # the default width cut the label off
        )
        self.restart_button.on_click(lambda _button: self.restart())
        self.counts_picker = w.Dropdown(
            description="Attempt that counts",
            style={"description_width": "initial"},
            layout=w.Layout(width="auto", max_width="100%"),
        )
        self.counts_picker.observe(self._picked, names="value")
        body = [w.HTML(_STYLE), self.attempt_info, self.call, self.caller_line, self.choices,
                w.HBox([self.restart_button, self.counts_picker], layout=w.Layout(flex_flow="row wrap"))]
        super().__init__(exercise, store, body)
        self._picking = False
        self.answer: dict[str, Any] = self.load_saved() or empty_answer()
        self._render()

    @property
    def current(self) -> dict[str, list[dict[str, str]]]:
        """The attempt being played: always the last one."""
        return self.answer["attempts"][-1]

    def summary(self, answer: Any) -> str:
        played = len(attempt_scores(self.exercise, answer, self.standards))
        return f"{played} attempt{'' if played == 1 else 's'} at the call"

    # -- actions -----------------------------------------------------------
    def choose(self, choice_id: str) -> None:
        """Give reply ``choice_id`` at the current step of the attempt being played."""
        result = walk(self.exercise, self.current)
        current = result.current
        if current is None or choice_id not in {c.id for c in current.choices}:
            self.message.value = "That reply is not available at this point of the call."
            return
        fitting = [{"node": step.node.id, "choice": step.choice.id} for step in result.steps]
        attempt = {"path": [*fitting, {"node": current.id, "choice": choice_id}]}
        if result.problem:
            # A saved call that no longer fits the content is kept as it was; play on in a new attempt.
            grown = {"attempts": [*self.answer["attempts"], attempt], "chosen": self.answer["chosen"]}
            self.answer, _dropped = drop_to_limit(self.exercise, grown, MAX_ATTEMPTS, self.standards)
        else:
            self.answer = {"attempts": [*self.answer["attempts"][:-1], attempt], "chosen": self.answer["chosen"]}
        ended = walk(self.exercise, attempt).ended
        self.save(self.answer, self._render_text(self.exercise.call_ended) if ended else "Reply saved.")
        self._render()
        self._focus_next()

    def restart(self) -> None:
        """Start a new attempt from the first ring; earlier attempts are kept."""
        if not self.current["path"]:
            self.message.value = "This attempt has not started yet: pick your first reply."
            return
        grown = {"attempts": [*self.answer["attempts"], {"path": []}], "chosen": self.answer["chosen"]}
        self.answer, dropped = drop_to_limit(self.exercise, grown, MAX_ATTEMPTS, self.standards)
        note = "A new attempt starts from the first ring; your earlier attempts are kept."
        if dropped:
            gone = "; ".join(d.describe(len(self.exercise.standards)) for d in dropped)
            note += (f" Only {MAX_ATTEMPTS} attempts are kept, so the oldest that does not count was removed"
                     f" ({gone}); later attempts are numbered from 1 again.")
        self.save(self.answer, note)
        self._render()
        self._focus_next()

    def _focus_next(self) -> None:
        # The reply buttons were just redrawn and the browser dropped the keyboard focus with the old
        # ones: give it to the next step's first reply, or to "Start the call again" when the call is over.
        (self.choices.children[0] if self.choices.children else self.restart_button).focus()

    def count_attempt(self, index: int | None) -> None:
        """Make attempt ``index`` (0-based) the one that counts; None: the best one."""
        if index is not None and not any(s.index == index for s in attempt_scores(self.exercise, self.answer)):
            self.message.value = "Only an attempt with at least one reply can count."
            self._render()
            return
        self.answer = {"attempts": self.answer["attempts"], "chosen": index}
        self.save(self.answer, counted_line(self.exercise, self.answer, self.standards))
        self._render()

    def _picked(self, change: dict) -> None:
        if not self._picking:
            self.count_attempt(None if change["new"] == BEST else change["new"])

    # -- view --------------------------------------------------------------
    def _render_text(self, text: str) -> str:
        return render(self.exercise, text, self.standards)

    def _render(self) -> None:
        self._render_attempts()
        result = walk(self.exercise, self.current)
        if result.problem:
            self.message.value = result.problem
        lines = transcript(self.exercise, self.current, self.standards)
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
        shown = display_order(result.current.choices, lambda c: c.id, self.exercise.id, result.current.id,
                              identity=self.identity)
        for number, choice in enumerate(shown, start=1):
            text = self._render_text(choice.text)
            button = w.Button(description=text, tooltip=f"Reply {number}: {text}",
                              layout=w.Layout(width="100%", height="auto"))
            button.add_class("course-reply")
            button.on_click(lambda _button, choice_id=choice.id: self.choose(choice_id))
            buttons.append(button)
        self.choices.children = buttons

    def _render_attempts(self) -> None:
        """The line saying which attempt is played and which counts, and the picker's options."""
        scores = attempt_scores(self.exercise, self.answer, self.standards)
        counts = counted(self.exercise, self.answer, self.standards)
        playing = len(self.answer["attempts"])
        if not self.current["path"]:
            now = f"Attempt {playing}: not started yet." if playing > 1 else ""
        elif counts == playing - 1:
            now = ""  # the counted line says it
        else:
            now = f"You are playing attempt {playing} of {len(scores)}."
        line = counted_line(self.exercise, self.answer, self.standards) if scores else ""
        parts = [f"<b>{html.escape(line)}</b>" if line else "", html.escape(now)]
        self.attempt_info.value = f"<p class='course-attempts'>{' '.join(p for p in parts if p)}</p>"
        maximum = len(self.exercise.standards)
        best = next((s for s in scores if s.index == counted(self.exercise, {**self.answer, "chosen": None})), None)
        options = [(f"My best attempt (now attempt {best.index + 1})" if best else "My best attempt", BEST)]
        options += [(s.describe(maximum), s.index) for s in scores]
        self._picking = True  # setting options and value must not save anything
        try:
            self.counts_picker.options = options
            chosen = self.answer["chosen"]
            self.counts_picker.value = chosen if chosen in {value for _label, value in options} else BEST
        finally:
            self._picking = False
        self.counts_picker.layout.display = "flex" if len(scores) > 1 else "none"
