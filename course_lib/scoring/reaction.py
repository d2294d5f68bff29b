"""The reaction survey is not graded: parsing keeps the widget's limits, the "score" only thanks the trainee.

Answer shape: ``{"ratings": {rating_id: 1..5}, "text": "..."}``; a rating not given is left out.
"""

from __future__ import annotations

from typing import Any

from ..models.reaction import RATING_SCALE, ReactionExercise
from .limits import MAX_IDS, at_most, check_ids, text_at_most
from .result import Result

__all__ = ["empty_answer", "parse_answer", "score"]

_MAX_TEXT = 2000


def empty_answer() -> dict[str, Any]:
    return {"ratings": {}, "text": ""}


def parse_answer(raw: Any, exercise: ReactionExercise | None = None) -> dict[str, Any]:
    """The canonical answer (None: nothing saved); anything else is corrupt."""
    if raw is None:
        return empty_answer()
    if not isinstance(raw, dict) or set(raw) - {"ratings", "text"}:
        raise ValueError("a reaction answer must be a mapping with 'ratings' and 'text'")
    ratings, text = raw.get("ratings", {}), raw.get("text", "")
    if not isinstance(ratings, dict) or not isinstance(text, str):
        raise ValueError("'ratings' must map rating ids to 1-5 and 'text' must be text")
    at_most(ratings, len(exercise.ratings) if exercise else MAX_IDS, "ratings")
    check_ids(ratings, "rating id")
    for rating_id, value in ratings.items():
        if type(value) is not int or value not in RATING_SCALE:
            raise ValueError(f"rating {rating_id!r} must be a whole number from 1 to 5")
    text_at_most(text, exercise.max_chars if exercise else _MAX_TEXT, "'text'")
    return {"ratings": dict(ratings), "text": text.strip()}


def score(exercise: ReactionExercise, answer: dict[str, Any]) -> Result:
    """0 of 0: feedback is thanks and a reminder that it is anonymous."""
    given = [r for r in exercise.ratings if r.id in answer["ratings"]]
    answer_lines = [f"  {r.text}: {answer['ratings'][r.id]} of 5" for r in given]
    if answer["text"]:
        answer_lines.append(f"  {exercise.free_text} {answer['text']}")
    answer_lines.insert(0, "Your feedback:" if answer_lines else "Your feedback: nothing saved yet")
    lines = ["Thank you. This survey is not graded, and the board and the report show the room's answers "
             "together, never who gave them."]
    if len(given) < len(exercise.ratings):
        lines.append(f"{len(exercise.ratings) - len(given)} rating(s) still open.")
    return Result(0.0, 0.0, tuple(lines), tuple(answer_lines))
