"""A tiny exercise type added from outside course_lib: match each left item to its right partner.

The worked example of docs/authors/exercise-types.md. This folder is put on
``PYTHONPATH``; ``course_match_pairs-0.1.dist-info/entry_points.txt`` beside it
advertises ``MATCH_PAIRS`` in the ``course_lib.exercise_types`` group, as a
real plug-in package's ``pyproject.toml`` would once installed.
"""

from course_lib.types import ExerciseType

__all__ = ["MATCH_PAIRS"]

MATCH_PAIRS = ExerciseType(
    name="match_pairs",
    model="course_match_pairs.model:MatchPairsExercise",
    scoring="course_match_pairs.scoring",
    view="course_match_pairs.widget:MatchPairsWidget",
)
