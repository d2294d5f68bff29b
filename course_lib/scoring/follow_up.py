"""Scoring of the 30-day follow-up: on completion, never on whether a commitment was kept.

Answer shape: ``{"plan_date": "YYYY-MM-DD" or "", "commitments": [{"behaviour", "outcome", "happened",
"obstacle"}], "next_step": "..."}``. ``commitments`` are the behaviours of the trainee's saved action plan,
copied in when the follow-up is first saved, so the follow-up stands on its own at grading time.
A commitment is reviewed once it has an outcome and a note of what happened or what got in the way;
the score is the share of commitments reviewed (honesty about a commitment not kept scores the same).
"""

from __future__ import annotations

from typing import Any

from ..models.follow_up import MAX_COMMITMENTS, FollowUpExercise
from .free_text import not_own_words
from .limits import at_most, check_ids, text_at_most
from .result import Result

__all__ = ["COMMITMENT_FIELDS", "empty_answer", "is_reviewed", "kept_count", "parse_answer", "score"]

COMMITMENT_FIELDS = ("behaviour", "outcome", "happened", "obstacle")
_MAX_CHARS_CAP = 2000


def empty_answer() -> dict[str, Any]:
    return {"plan_date": "", "commitments": [], "next_step": ""}


def parse_answer(raw: Any, exercise: FollowUpExercise | None = None) -> dict[str, Any]:
    """The canonical answer (None: nothing saved); anything else is corrupt."""
    if raw is None:
        return empty_answer()
    if not isinstance(raw, dict) or set(raw) - {"plan_date", "commitments", "next_step"}:
        raise ValueError("a follow-up must be a mapping with 'plan_date', 'commitments' and 'next_step'")
    limit = exercise.max_chars if exercise else _MAX_CHARS_CAP
    answer = empty_answer()
    for field in ("plan_date", "next_step"):
        value = raw.get(field, "")
        if not isinstance(value, str):
            raise ValueError(f"'{field}' must be text")
        text_at_most(value, limit, f"'{field}'")
        answer[field] = value.strip()
    commitments = raw.get("commitments", [])
    if not isinstance(commitments, list):
        raise ValueError("'commitments' must be a list")
    at_most(commitments, MAX_COMMITMENTS, "commitments")
    for number, item in enumerate(commitments, start=1):
        if not isinstance(item, dict) or set(item) - set(COMMITMENT_FIELDS) or not all(
                isinstance(item.get(f, ""), str) for f in COMMITMENT_FIELDS):
            raise ValueError(f"commitment {number} must map {', '.join(COMMITMENT_FIELDS)} to text")
        for field in COMMITMENT_FIELDS:
            text_at_most(item.get(field, ""), limit, f"commitment {number} '{field}'")
        if item.get("outcome"):
            check_ids([item["outcome"]], "outcome id")
        answer["commitments"].append({f: item.get(f, "").strip() for f in COMMITMENT_FIELDS})
    return answer


def is_reviewed(exercise: FollowUpExercise, commitment: dict[str, str]) -> bool:
    """An outcome the exercise knows, and a note of the trainee's own on what happened or what got in the way
    (a run of words or the question copied back is not one)."""
    asked = [exercise.questions.happened, exercise.questions.obstacle, commitment["behaviour"]]
    notes = [t for t in (commitment["happened"], commitment["obstacle"]) if t and not not_own_words(t, asked)]
    return exercise.outcome(commitment["outcome"]) is not None and bool(notes)


def kept_count(exercise: FollowUpExercise, answer: dict[str, Any]) -> int:
    """Commitments whose outcome counts as kept."""
    return sum(bool((o := exercise.outcome(c["outcome"])) and o.kept) for c in answer["commitments"])


def score(exercise: FollowUpExercise, answer: dict[str, Any]) -> Result:
    """The share of commitments reviewed, as raw points out of ``MAX_COMMITMENTS``."""
    commitments = answer["commitments"]
    if not commitments:
        return Result(0.0, exercise.max_points, (
            "No commitments yet: this follow-up reviews your saved action plan. Fill in the action plan "
            "first (or ask your trainer where it is saved), then run this notebook again.",),
            ("Your follow-up: nothing saved yet",))
    answer_lines = ["Your follow-up:"]
    lines = []
    for number, c in enumerate(commitments, start=1):
        outcome = exercise.outcome(c["outcome"])
        answer_lines.append(f"  {number}. {c['behaviour']}: {outcome.label if outcome else '(no answer yet)'}")
        if c["happened"]:
            answer_lines.append(f"     What happened: {c['happened']}")
        if c["obstacle"]:
            answer_lines.append(f"     What got in the way: {c['obstacle']}")
        lines.append(f"✓ Commitment {number} reviewed." if is_reviewed(exercise, c) else
                     f"✗ Commitment {number}: {exercise.questions.done} Then say what happened or what got "
                     "in the way.")
    if answer["next_step"]:
        answer_lines.append(f"  Next step: {answer['next_step']}")
    reviewed = sum(is_reviewed(exercise, c) for c in commitments)
    lines.insert(0, f"You reviewed {reviewed} of {len(commitments)} commitment(s) and kept "
                    f"{kept_count(exercise, answer)}. Scored on completion: an honest 'not yet' counts the same.")
    return Result(exercise.max_points * reviewed / len(commitments), exercise.max_points, tuple(lines),
                  tuple(answer_lines))
