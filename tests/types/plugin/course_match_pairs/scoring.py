"""Pure scoring of match pairs: the answer maps each pair id to the pair id whose right item was chosen."""

from __future__ import annotations

from typing import Any

from course_lib.scoring import Result

from .model import MatchPairsExercise

__all__ = ["parse_answer", "score"]


def parse_answer(raw: Any, exercise: MatchPairsExercise | None = None) -> dict[str, str]:
    """``{pair id: chosen pair id}`` (None: nothing saved); ids the exercise does not have are left out."""
    if raw is None:
        return {}
    if not isinstance(raw, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in raw.items()):
        raise ValueError("a match-pairs answer must map pair ids to pair ids")
    known = {pair.id for pair in exercise.pairs} if exercise else None
    return {k: v for k, v in raw.items() if known is None or (k in known and v in known)}


def score(exercise: MatchPairsExercise, answer: dict[str, str]) -> Result:
    """One raw point per left item matched to its own right item."""
    right = [pair for pair in exercise.pairs if answer.get(pair.id) == pair.id]
    lines = [f"Pairs matched: {len(right)} of {len(exercise.pairs)}"]
    lines += [f"  ✓ {pair.left} — {pair.right}" for pair in right]
    rights = {pair.id: pair.right for pair in exercise.pairs}
    shown = [f"  {pair.left} → {rights[answer[pair.id]]}" for pair in exercise.pairs if pair.id in answer]
    return Result(float(len(right)), exercise.max_points, tuple(lines), ("Your matches:", *shown))
