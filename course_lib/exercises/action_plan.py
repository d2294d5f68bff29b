"""The action plan widget: behaviours (chosen or typed), first step, date, helper, notes, and Export.

Each part is saved as soon as the trainee leaves the field; Export writes
``action-plan.md`` and ``action-plan.html`` beside the notebook.
"""

from __future__ import annotations

import html
from datetime import date
from typing import Any

import ipywidgets as w

from ..action_plan_export import write_exports
from ..models.action_plan import ActionPlanExercise
from ..scoring.action_plan import empty_answer, parse_date
from ..store import AnswerStore
from .base import ExerciseView

__all__ = ["ActionPlanWidget"]


_WIDE = {"layout": w.Layout(width="100%"), "style": {"description_width": "12em"}}


class ActionPlanWidget(ExerciseView):
    """Fill in the plan; every accepted change saves the whole plan."""

    exercise: ActionPlanExercise

    def __init__(self, exercise: ActionPlanExercise, store: AnswerStore) -> None:
        q = exercise.questions
        self.behaviours = [
            w.Combobox(options=list(exercise.suggested_behaviours), ensure_option=False, continuous_update=False,
                       description=f"Behaviour {n}", placeholder="Choose from the list or type your own",
                       tooltip=q.behaviours, **_WIDE)
            for n in range(1, exercise.max_behaviours + 1)
        ]
        self.first_step = w.Textarea(description="First step", tooltip=q.first_step, placeholder=q.first_step,
                                     continuous_update=False, **_WIDE)
        self.date = w.DatePicker(description="Start date", tooltip=q.date, style={"description_width": "12em"})
        self.helper = w.Text(description="Who will help", tooltip=q.helper, placeholder=q.helper,
                             continuous_update=False, **_WIDE)
        self.notes = w.Textarea(description="Notes", tooltip=q.notes, placeholder=q.notes,
                                continuous_update=False, **_WIDE)
        self.export_button = w.Button(description="Export", icon="download",
                                      tooltip="Write action-plan.md and action-plan.html beside this notebook")
        self.export_output = w.HTML()
        self.export_button.on_click(lambda _button: self.export())
        body = [w.HTML(f"<b>{html.escape(q.behaviours)}</b>"), *self.behaviours,
                w.HTML(f"<b>{html.escape(q.first_step)}</b>"), self.first_step,
                w.HTML(f"<b>{html.escape(q.date)}</b>"), self.date,
                w.HTML(f"<b>{html.escape(q.helper)}</b>"), self.helper,
                w.HTML(f"<b>{html.escape(q.notes)}</b>"), self.notes,
                w.HBox([self.export_button, self.export_output])]
        super().__init__(exercise, store, body)
        self.answer: dict[str, Any] = self.load_saved() or empty_answer()
        self._loading = True
        self._show(self.answer)
        self._loading = False
        for control in [*self.behaviours, self.first_step, self.date, self.helper, self.notes]:
            control.observe(self._changed, names="value")

    def summary(self, answer: Any) -> str:
        filled = sum(bool(answer[k]) for k in ("behaviours", "first_step", "date", "helper"))
        return f"Action plan ({filled} of 4 parts filled in)"

    # -- actions -----------------------------------------------------------
    def export(self) -> tuple[Any, Any]:
        """Write the plan as Markdown and printable HTML beside the notebook, and show where."""
        folder = self.store.directory.parent
        paths = write_exports(self.exercise, self.answer, folder)
        links = " · ".join(
            f"<a href='{html.escape(p.name)}' target='_blank' rel='noopener'>{html.escape(p.name)}</a>"
            for p in paths
        )
        self.export_output.value = f"Exported: {links} <span>(in {html.escape(str(folder.resolve()))})</span>"
        self.message.value = "Open action-plan.html in a browser to print it or save it as PDF."
        return paths

    def _changed(self, change: dict) -> None:
        if self._loading:
            return
        problem = self._problem(change["owner"], change["new"])
        if problem:
            self.message.value = problem
            if change["owner"] is self.date:
                # Not put back: typing a year digit by digit passes through past dates (2, 20, 203...), and
                # resetting the field mid-typing lost the date a keyboard user was entering. A past date is
                # simply not saved (see _collect).
                return
            self._loading = True
            change["owner"].value = change["old"]  # put back what was there
            self._loading = False
            return
        self.answer = self._collect()
        self.save(self.answer, "Action plan saved.")

    # -- helpers -----------------------------------------------------------
    def _problem(self, control: w.Widget, value: Any) -> str | None:
        if control is self.date:
            if value is not None and value < date.today():
                return "Pick today or a later date: the plan is about what you will do next."
            return None
        if isinstance(value, str) and len(value) > self.exercise.max_chars:
            return f"Please keep each answer under {self.exercise.max_chars} characters (this one has {len(value)})."
        return None

    def _collect(self) -> dict[str, Any]:
        chosen = [" ".join(b.value.split()) for b in self.behaviours if b.value.strip()]
        return {
            "behaviours": list(dict.fromkeys(chosen)),  # the same behaviour twice counts once
            "first_step": self.first_step.value.strip(),
            "date": (self.answer["date"] if self._problem(self.date, self.date.value)
                     else self.date.value.isoformat() if self.date.value else ""),
            "helper": self.helper.value.strip(),
            "notes": self.notes.value.strip(),
        }

    def _show(self, answer: dict[str, Any]) -> None:
        for box, value in zip(self.behaviours, [*answer["behaviours"], *[""] * len(self.behaviours)], strict=False):
            box.value = value
        self.first_step.value = answer["first_step"]
        self.date.value = parse_date(answer["date"])
        self.helper.value = answer["helper"]
        self.notes.value = answer["notes"]
