"""The knowledge-check widget: radio buttons for single choice, check boxes for multiple.

Every change is saved at once with the whole answer, so a re-run, a kernel
restart or the grader sees exactly what the trainee last picked. Options are
shown in an order of their own per trainee and question (see
``course_lib.display_order``), so always picking the first one is a guess like
any other; the answer holds option ids, so the order never affects the score.
"""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as w

from ..display_order import display_order, trainee_identity
from ..models.choice import ChoiceExercise, ChoiceOption, ChoiceQuestion
from ..store import AnswerStore
from .base import ExerciseView

__all__ = ["ChoiceWidget", "options_shown"]

# Option texts are sentences: let check-box and radio labels wrap instead of being cut with an ellipsis.
WRAP_OPTIONS_CSS = """<style>
.course-choice .widget-checkbox, .course-choice .jupyter-widget-checkbox { height: auto; }
.course-choice .widget-checkbox label, .course-choice .jupyter-widget-checkbox label,
.course-choice .widget-radio-box label, .course-choice .jupyter-widget-radio-box label {
  white-space: normal; overflow: visible; height: auto; line-height: 1.4; margin-bottom: 0.3em;
}
</style>"""


def _as_sets(answer: dict[str, list[str]] | None) -> dict[str, frozenset[str]] | None:
    return None if answer is None else {question: frozenset(picked) for question, picked in answer.items()}


def options_shown(exercise: ChoiceExercise, question: ChoiceQuestion, identity: str) -> list[ChoiceOption]:
    """The question's options in the order the trainee ``identity`` sees them."""
    return display_order(question.options, lambda o: o.id, exercise.id, question.id, identity=identity)


class ChoiceWidget(ExerciseView):
    """One block per question; picking or unpicking an option saves the answer."""

    exercise: ChoiceExercise

    def __init__(self, exercise: ChoiceExercise, store: AnswerStore) -> None:
        self._loading = True  # no saves while saved answers are put back into the controls
        self.exercise, self.identity = exercise, trainee_identity(store.directory.parent)
        self.controls: dict[str, w.RadioButtons | list[tuple[str, w.Checkbox]]] = {}
        blocks = [self._block(n, question) for n, question in enumerate(exercise.questions, start=1)]
        super().__init__(exercise, store, [w.HTML(WRAP_OPTIONS_CSS), *blocks])
        saved = self.load_saved()
        self._show(saved or {})
        # Picks of options the questions no longer have cannot be shown: keep them in a copy.
        self.keep_unshown(_as_sets(saved), _as_sets(self.answer) if saved is not None else None)
        self._loading = False

    def summary(self, answer: Any) -> str:
        return f"{len(answer)} of {len(self.exercise.questions)} questions answered"

    @property
    def answer(self) -> dict[str, list[str]]:
        """The answer as the controls show it now (unanswered questions left out)."""
        answer = {}
        for question in self.exercise.questions:
            control = self.controls[question.id]
            if isinstance(control, list):
                ticked = {option_id for option_id, box in control if box.value}
                picked = [o.id for o in question.options if o.id in ticked]  # content order, whatever is shown
            else:
                picked = [control.value] if control.value is not None else []
            if picked:
                answer[question.id] = picked
        return answer

    # -- view --------------------------------------------------------------
    def _block(self, number: int, question: ChoiceQuestion) -> w.VBox:
        kind = "choose all that apply" if question.multiple else "choose one"
        heading = w.HTML(f"<p><b>{number}. {html.escape(question.text)}</b> <i>({kind})</i></p>")
        if question.multiple:
            boxes = []
            for option in options_shown(self.exercise, question, self.identity):
                box = w.Checkbox(
                    value=False, description=option.text, indent=False, layout=w.Layout(width="auto")
                )
                box.observe(lambda _change, n=number: self._changed(n), names="value")
                boxes.append((option.id, box))
            self.controls[question.id] = boxes
            return w.VBox([heading, *(box for _id, box in boxes)], layout=w.Layout(margin="0 0 0.8em 0"))
        radio = w.RadioButtons(
            options=[(option.text, option.id) for option in options_shown(self.exercise, question, self.identity)],
            value=None,
            # No "Question 1" label: the heading above gives the question, and each radio is named by its option.
            description="",
            tooltip=question.text,
            layout=w.Layout(width="auto"),
            style={"description_width": "initial"},
        )
        radio.observe(lambda _change, n=number: self._changed(n), names="value")
        self.controls[question.id] = radio
        return w.VBox([heading, radio], layout=w.Layout(margin="0 0 0.8em 0"))

    def _show(self, answer: dict[str, list[str]]) -> None:
        for question in self.exercise.questions:
            picked = answer.get(question.id, [])
            control = self.controls[question.id]
            if isinstance(control, list):
                for option_id, box in control:
                    box.value = option_id in picked
            else:
                known = [option_id for option_id in picked if question.option(option_id)]
                control.value = known[0] if len(known) == 1 else None

    def _changed(self, number: int) -> None:
        if not self._loading:
            self.save(self.answer, f"Answer to question {number} saved.")
