"""The match-pairs widget: one drop-down of right items per left item, saved on every change."""

from __future__ import annotations

import ipywidgets as w

from course_lib.exercises import ExerciseView
from course_lib.store import AnswerStore

from .model import MatchPairsExercise

__all__ = ["MatchPairsWidget"]


class MatchPairsWidget(ExerciseView):
    """Each left item gets a drop-down of the right items, starting at 'choose...'."""

    exercise: MatchPairsExercise

    def __init__(self, exercise: MatchPairsExercise, store: AnswerStore) -> None:
        self._loading = True
        options = [("choose...", None), *sorted((pair.right, pair.id) for pair in exercise.pairs)]
        self.dropdowns = {pair.id: w.Dropdown(options=options, index=0, description=pair.left)
                          for pair in exercise.pairs}
        for dropdown in self.dropdowns.values():
            dropdown.observe(lambda _change: self._changed(), names="value")
        super().__init__(exercise, store, list(self.dropdowns.values()))
        for pair_id, chosen in (self.load_saved() or {}).items():
            self.dropdowns[pair_id].value = chosen
        self._loading = False

    @property
    def answer(self) -> dict[str, str]:
        return {pair_id: d.value for pair_id, d in self.dropdowns.items() if d.value is not None}

    def _changed(self) -> None:
        if not self._loading:
            self.save(self.answer, "Match saved.")
