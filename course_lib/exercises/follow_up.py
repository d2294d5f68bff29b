"""The 30-day follow-up widget: the trainee's saved action plan, one review block per commitment, Export.

On first use the behaviours of the saved plan (see ``evaluation.followup.find_saved_plan``) are copied
into the follow-up's own answer, so what was reviewed stays with it; later runs show the saved review.
"""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as w

from ..evaluation.followup import find_saved_plan, plan_folders, write_exports
from ..models.follow_up import FollowUpExercise
from ..scoring.follow_up import empty_answer
from ..store import AnswerStore
from .base import ExerciseView

__all__ = ["FollowUpWidget"]

CHOOSE = "choose..."
_WIDE = {"layout": w.Layout(width="100%"), "style": {"description_width": "initial"}}


class FollowUpWidget(ExerciseView):
    """A block per commitment (outcome, what happened, what got in the way), the next step, and Export."""

    exercise: FollowUpExercise

    def __init__(self, exercise: FollowUpExercise, store: AnswerStore) -> None:
        self._loading = True
        folder = store.directory.parent
        saved = None
        self.plan_source = w.HTML()
        self.blocks = w.VBox()
        self.next_step = w.Textarea(description=exercise.questions.next_step, continuous_update=False, **_WIDE)
        self.export_button = w.Button(description="Export", icon="download",
                                      tooltip="Write follow-up-plan.md and follow-up-plan.html beside this notebook")
        self.export_output = w.HTML()
        self.export_button.on_click(lambda _button: self.export())
        super().__init__(exercise, store, [self.plan_source, self.blocks, self.next_step,
                                           w.HBox([self.export_button, self.export_output])])
        saved = self.load_saved()
        self.answer: dict[str, Any] = saved or empty_answer()
        if not self.answer["commitments"]:
            self._take_plan(folder)
            if self.answer["commitments"]:
                # Saved at once: the check, and the grader, review these commitments even before a first answer.
                self.save(self.answer, "Your action plan's commitments are copied into this follow-up.")
        else:
            self.plan_source.value = "<p>Your review so far (your action plan's commitments):</p>"
        self._build()
        self._loading = False

    def summary(self, answer: Any) -> str:
        done = sum(bool(c["outcome"]) for c in answer["commitments"])
        return f"Follow-up ({done} of {len(answer['commitments'])} commitments reviewed)"

    def _take_plan(self, folder: Any) -> None:
        found = find_saved_plan(self.exercise, folder)
        if found is None:
            looked = ", ".join(html.escape(str(p)) for p in plan_folders(self.exercise, folder))
            self.plan_source.value = (
                "<p><b>No saved action plan found.</b> Fill in the action plan first, or copy its "
                f"<code>answers/{html.escape(self.exercise.plan_exercise)}.json</code> into one of: {looked}. "
                "Then run this cell again.</p>")
            return
        answers, plan = found
        self.answer = {"plan_date": plan.answer["date"], "next_step": "",
                       "commitments": [{"behaviour": b, "outcome": "", "happened": "", "obstacle": ""}
                                       for b in plan.answer["behaviours"]]}
        self.plan_source.value = (
            f"<p>Your action plan, saved {html.escape(plan.saved_at.astimezone().strftime('%Y-%m-%d'))} "
            f"(from <code>{html.escape(str(answers))}</code>): {len(plan.answer['behaviours'])} "
            "commitment(s).</p>")

    def _build(self) -> None:
        q, limit = self.exercise.questions, self.exercise.max_chars
        blocks, self.controls = [], []
        options = [(CHOOSE, "")] + [(o.label, o.id) for o in self.exercise.outcomes]
        for number, c in enumerate(self.answer["commitments"], start=1):
            outcome = w.Dropdown(options=options, value=c["outcome"] if self.exercise.outcome(c["outcome"]) else "",
                                 description=q.done, **_WIDE)
            happened = w.Textarea(value=c["happened"], description=q.happened, continuous_update=False, **_WIDE)
            obstacle = w.Textarea(value=c["obstacle"], description=q.obstacle, continuous_update=False, **_WIDE)
            for control in (outcome, happened, obstacle):
                control.observe(self._changed, names="value")
            self.controls.append((outcome, happened, obstacle))
            # The behaviour is the trainee's own text: escaped.
            heading = w.HTML(f"<h4>{number}. {html.escape(c['behaviour'])}</h4>")
            blocks.append(w.VBox([heading, outcome, happened, obstacle], layout=w.Layout(margin="0 0 1em 0")))
        self.blocks.children = blocks
        self.next_step.value = self.answer["next_step"]
        self.next_step.observe(self._changed, names="value")
        self.max_chars = limit

    def _changed(self, change: dict) -> None:
        if self._loading:
            return
        if isinstance(change["new"], str) and len(change["new"]) > self.exercise.max_chars:
            self.message.value = f"Please keep each answer under {self.exercise.max_chars} characters."
            return
        for c, (outcome, happened, obstacle) in zip(self.answer["commitments"], self.controls, strict=True):
            c.update(outcome=outcome.value, happened=happened.value.strip(), obstacle=obstacle.value.strip())
        self.answer["next_step"] = self.next_step.value.strip()
        self.save(self.answer, "Follow-up saved.")

    def export(self) -> tuple[Any, Any]:
        """Write the reviewed plan beside the notebook and show where."""
        folder = self.store.directory.parent
        paths = write_exports(self.exercise, self.answer, folder)
        links = " · ".join(f"<a href='{html.escape(p.name)}' target='_blank' rel='noopener'>{html.escape(p.name)}</a>"
                           for p in paths)
        self.export_output.value = f"Exported: {links}"
        self.message.value = "Open follow-up-plan.html in a browser to print it or save it as PDF."
        return paths
