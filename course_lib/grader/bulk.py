"""The bulk path: kernel-free grading whose gradebook rows are written a batch at a time (issue 21).

Phases 1 and 3 are ``BatchGrader``'s (nbgrader's copy, sanitizing and
restoring steps, ``TrustedWidgetScores``; the autograded notebook, markers and
feedback). Phase 2, the gradebook, is where nbgrader's steps spent most of a
kernel-free submission: ``BulkRows`` writes the same rows for the whole batch
in a few statements. Only a configuration whose saving steps the bulk path
knows is graded this way (``bulk_unsupported`` says why not otherwise, and
``course grade --nbgrader-steps`` always uses nbgrader's own steps).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from nbgrader.preprocessors import AssignLatePenalties, CheckCellMetadata, SaveAutoGrades
from traitlets.utils.importstring import import_item

from ..nbgrader_plugins import SaveAutoGradesWithReview
from .bulk_rows import BulkRows, SubmissionRows
from .kernel_free import BatchGrader, Prepared, _remove, _run, one_line
from .locking import gradebook_lock

__all__ = ["BulkGrader", "bulk_unsupported", "saving_steps"]

# Steps after SaveAutoGrades that touch only the notebook in memory.
_NOTEBOOK_ONLY = (CheckCellMetadata,)


def bulk_unsupported(steps: list) -> str | None:
    """Why the saving steps (``SaveAutoGrades`` onwards, classes or instances) cannot be replaced by
    ``BulkRows``; None if they can."""
    kinds = [step if isinstance(step, type) else type(step) for step in steps]
    for kind in kinds:
        if kind in (SaveAutoGrades, SaveAutoGradesWithReview, AssignLatePenalties):
            continue
        if not issubclass(kind, _NOTEBOOK_ONLY):
            return f"{kind.__name__} is configured after SaveAutoGrades"
    if not any(issubclass(kind, SaveAutoGrades) for kind in kinds):
        return "no SaveAutoGrades step is configured"
    return None


def saving_steps(steps: list) -> list:
    """The autograde steps from SaveAutoGrades on (classes; import strings resolved)."""
    loaded = [import_item(step) if isinstance(step, str) else step for step in steps]
    kinds = [step if isinstance(step, type) else type(step) for step in loaded]
    first = next((i for i, kind in enumerate(kinds) if issubclass(kind, SaveAutoGrades)), len(kinds))
    return kinds[first:]


class BulkGrader(BatchGrader):
    """``BatchGrader`` with phase 2 done by ``BulkRows``; build only where ``bulk_unsupported`` is None."""

    def __init__(self, app: Any, lock: Path, log: logging.Logger, exporter: Any = None) -> None:
        super().__init__(app, lock, log, exporter)
        reason = bulk_unsupported(self.from_save)
        if reason is not None:
            raise ValueError(f"the bulk path cannot replace the configured steps: {reason}")
        self.after_save = [s for s in self.from_save if isinstance(s, _NOTEBOOK_ONLY)]
        late = next((s for s in self.from_save if type(s) is AssignLatePenalties), None)
        late = late or AssignLatePenalties(parent=self.grader)
        late.init_plugin()
        review = any(type(s) is SaveAutoGradesWithReview for s in self.from_save)
        self.rows = BulkRows(self.gradebook, late, review=review)

    def _rows_of(self, item: Prepared) -> SubmissionRows:
        graded = {resources["unique_key"]: nb.cells for nb, resources in item.notebooks}
        notebooks = {name: graded.get(name) for name in self._known_notebooks(item.assignment)}
        return SubmissionRows(item.assignment, item.student,
                              self.coursedir.get_existing_timestamp(str(item.source)) or None,
                              notebooks, rows_only=item.error is not None)

    def record(self, items: list[Prepared]) -> None:
        """Phase 2: the batch's rows in one transaction; nbgrader's own steps, one by one, if that fails."""
        todo = [item for item in items if item.error is None or item.rows_only]
        if not todo:
            return
        with gradebook_lock(self.lock):
            try:
                self.rows.record([self._rows_of(item) for item in todo])
                self.gradebook.db.commit()
            except Exception:  # noqa: BLE001 - the slow path below names the submission that fails
                self.log.warning("Recording %d submissions at once failed: with nbgrader's steps instead", len(todo),
                                 exc_info=True)
                self.gradebook.db.rollback()
                super().record(items)
                return
        for item in todo:
            if item.error is not None:
                continue
            try:
                item.notebooks = [_run(self.after_save, nb, resources) for nb, resources in item.notebooks]
            except Exception as exc:  # noqa: BLE001 - as nbgrader: rows saved, the submission not graded
                item.error = one_line(exc)
                self.log.exception("Could not grade %s / %s", item.student, item.assignment)
                _remove(item.dest)
