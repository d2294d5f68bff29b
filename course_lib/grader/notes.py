"""What the grading summary says about a graded submission besides its score."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from nbformat import NotebookNode

from ..models import exercise_ids
from ..nbgrader_cells import graded_exercise_id, needs_review
from ..store import DEFAULT_ANSWERS_DIR, AnswerStore

__all__ = ["TO_MARK", "submission_notes"]

# Starts the note of an answer the scorer sent to the trainer; the grading summary counts these.
TO_MARK = "to mark in Formgrader"


def submission_notes(notebooks: Iterable[NotebookNode], folder: Path, timeout: Any) -> list[str]:
    """Problems visible in graded notebooks: cells stopped by the time limit, missing or unreadable answers.

    ``folder`` is the autograded submission (its ``answers/`` folder is the one that was scored).
    """
    notes: list[str] = []
    known = exercise_ids()
    answers = AnswerStore(folder / DEFAULT_ANSWERS_DIR)
    for nb in notebooks:
        for cell in nb.cells:
            if any(o.get("ename") == "CellTimeoutError" for o in cell.get("outputs", [])):
                notes.append(f"a cell ran past the time limit ({timeout} s) and was stopped")
            grade_id = graded_exercise_id(cell, known)
            if grade_id is None:
                continue
            if reason := needs_review(cell):
                notes.append(f"{TO_MARK}: {grade_id} ({reason})")
            if answers.quarantined(grade_id):
                notes.append(f"saved answers for {grade_id} could not be read (scored 0)")
            elif not answers.path(grade_id).is_file():
                notes.append(f"no saved answers for {grade_id} (scored 0)")
    return notes
