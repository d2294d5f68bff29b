"""Gather a class folder into what the live board shows. Pure: no widgets, no matplotlib.

The pieces live in small modules; this one joins them and keeps the names
the board (and its tests) import:

* :mod:`course_lib.live.entries`: reading the class folder through a per-file
  index (only new or changed answer files are opened);
* :mod:`course_lib.live.hidden`: the facilitator's hidden brainstorm cards;
* :mod:`course_lib.live.summaries`: one summary per exercise type, found
  through the registry (:mod:`course_lib.types`): brainstorm -> distinct
  entries grouped by theme and theme counts; true_false (self-assessment) ->
  band counts only, never names; choice -> how often each option was picked;
  classify -> how often each item was put in each group, the most-confused
  items first; any other type -> a head count.

:func:`summarise` reuses its last summary of an activity while the folder's
entries (and the hidden list) are unchanged, so a refresh of a quiet room of
10,000 costs a listing and one stat per file.
"""

from __future__ import annotations

from ..models import ContentError, ExerciseBase, load_exercise
from ..scoring.brainstorm import room_verdicts
from ..types import exercise_type
from .entries import ClassEntries, ClassFolder, Entry
from .hidden import HIDDEN_FILE
from .summaries import OtherSummary, Summary, took_part
from .summaries.brainstorm import NO_THEME, BrainstormSummary, Card, ThemeGroup, card_key
from .summaries.choice import ChoiceSummary, OptionCount, QuestionCount
from .summaries.classify import ClassifySummary, ItemSort
from .summaries.true_false import BandSummary

__all__ = [
    "HIDDEN_FILE",
    "NO_THEME",
    "BandSummary",
    "BrainstormSummary",
    "Card",
    "ChoiceSummary",
    "ClassEntries",
    "ClassFolder",
    "ClassifySummary",
    "Entry",
    "ItemSort",
    "OptionCount",
    "OtherSummary",
    "QuestionCount",
    "Summary",
    "ThemeGroup",
    "brainstorm_themes",
    "card_key",
    "load_activity",
    "summarise",
]

# The board's brainstorm judgement is the scorer's (kept under its old name for callers of this module).
brainstorm_themes = room_verdicts

def summarise(exercise: ExerciseBase | str, folder: ClassFolder) -> Summary:
    """What the board shows for one activity (see the module docstring)."""
    if isinstance(exercise, str):
        exercise = load_exercise(exercise)
    try:
        board = exercise_type(exercise.type).load_board()
        read = folder.read(exercise)
    except (LookupError, ImportError, AttributeError) as exc:  # e.g. a type whose pieces are not there yet
        return OtherSummary(exercise, 0, (f"This activity cannot be shown yet ({exc}).",))
    if board is None:
        return OtherSummary(exercise, sum(took_part(e) for e in read.entries), read.notes)
    hidden = folder.hidden(exercise.id)
    basis = (exercise, read, tuple(hidden.items()))
    last = folder.summaries.get(exercise.id)
    if last is not None and last[0][0] is exercise and last[0][1] is read and last[0][2] == basis[2]:
        return last[1]  # the same entries (the same object: nothing changed on disk) and the same hidden list
    summary: Summary = board.summarise(exercise, read, folder)
    folder.summaries[exercise.id] = (basis, summary)
    return summary


def load_activity(exercise_id: str) -> ExerciseBase | None:
    """The exercise of a class-folder activity, or None when no content file matches it."""
    try:
        return load_exercise(exercise_id)
    except ContentError:
        return None
