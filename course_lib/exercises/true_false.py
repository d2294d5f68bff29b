"""The self-assessment widget: a True/False choice per statement, saved on every change.

Progress shows as "12 of 25 answered"; once every statement is answered the
result band appears with a chart of strengths by theme.
"""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as w

from ..models.true_false import TrueFalseExercise
from ..scoring.true_false import band_for, true_count
from ..store import AnswerStore
from .base import ExerciseView

__all__ = ["TrueFalseWidget"]

CHOOSE = "choose..."


class TrueFalseWidget(ExerciseView):
    """One True/False drop-down per statement, labelled by the statement ("choose..." until answered).

    A native drop-down, not toggle buttons: its label, value and keys (arrows) reach a screen reader and
    a keyboard user as they are, where toggle buttons never said which one was pressed, or for what.
    """

    exercise: TrueFalseExercise

    def __init__(self, exercise: TrueFalseExercise, store: AnswerStore) -> None:
        self._loading = True  # no saves while saved answers are put back into the controls
        self.toggles: dict[str, w.Dropdown] = {}
        rows = []
        for number, statement in enumerate(exercise.statements, start=1):
            toggle = w.Dropdown(
                options=[(CHOOSE, None), ("True", True), ("False", False)],
                index=0,
                description=f"{number}. {statement.text}",  # shown as text, wrapped by EXERCISE_CSS
                tooltip="True: this describes me. False: not yet, or not always.",
                layout=w.Layout(width="100%", margin="0 0 0.4em 0"),
            )
            toggle.add_class("course-labelled")
            toggle.observe(lambda _change, n=number: self._changed(n), names="value")
            self.toggles[statement.id] = toggle
            rows.append(toggle)
        self.progress = w.Label()
        self.result = w.HTML()
        self.chart = w.HTML()
        super().__init__(exercise, store, [w.VBox(rows), self.progress, self.result, self.chart])
        saved = self.load_saved() or {}
        for statement_id, toggle in self.toggles.items():
            toggle.value = saved.get(statement_id)
        self.keep_unshown(saved or None, self.answer)  # statements the content no longer has
        self._loading = False
        self._render()

    def summary(self, answer: Any) -> str:
        return f"{self._answered(answer)} of {len(self.exercise.statements)} answers"

    @property
    def answer(self) -> dict[str, bool]:
        """The answer as the toggles show it now (unanswered statements left out)."""
        return {sid: toggle.value for sid, toggle in self.toggles.items() if toggle.value is not None}

    def _answered(self, answer: dict[str, bool]) -> int:
        return sum(statement.id in answer for statement in self.exercise.statements)

    def _changed(self, number: int) -> None:
        if self._loading:
            return
        self.save(self.answer, f"Statement {number} saved.")
        self._render()

    def _render(self) -> None:
        answer, total = self.answer, len(self.exercise.statements)
        answered = self._answered(answer)
        self.progress.value = f"{answered} of {total} answered"
        if answered < total:
            self.result.value = ""
            self.chart.value = ""
            return
        band = band_for(self.exercise, answer)
        self.result.value = (
            f"<p><b>{true_count(self.exercise, answer)} of {total} True: {html.escape(band.label)}.</b> "
            f"{html.escape(band.advice)}</p>"
        )
        self._draw_chart(answer)

    def _draw_chart(self, answer: dict[str, bool]) -> None:
        # Imported here: matplotlib is only needed once the assessment is complete.
        from ..figures import figure_data_uri
        from ..strengths_chart import self_assessment_alt, self_assessment_chart

        src = figure_data_uri(self_assessment_chart(self.exercise, answer), dpi=96)
        # An <img> with the numbers as alt text: JupyterLab shows a bare image/png output with no alt at all.
        alt = html.escape(self_assessment_alt(self.exercise, answer), quote=True)
        self.chart.value = f'<img src="{src}" alt="{alt}" style="max-width:100%">'
