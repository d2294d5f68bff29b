"""Scoring of the classify exercise.

Rule: one raw point for each item placed in its right group; nothing for an
item left unplaced or placed wrongly. Feedback goes item by item: for each
placed item, whether it is right and why it belongs where it does.
"""

from __future__ import annotations

from typing import Any

from ..models.classify import ClassifyExercise
from .limits import MAX_IDS, check_ids, id_mapping
from .result import Result

__all__ = ["parse_answer", "score"]


def parse_answer(raw: Any, exercise: ClassifyExercise | None = None) -> dict[str, str]:
    """``{item_id: group_id}`` (None: nothing saved); anything else is corrupt.

    No more items than the exercise has, and ids no longer than an id can be.
    """
    placed = id_mapping(
        raw,
        str,
        len(exercise.items) if exercise else MAX_IDS,
        "a classify answer must map item ids to group ids",
        "placed items",
        "item id",
    )
    check_ids(placed.values(), "group id")
    return {item_id: group_id for item_id, group_id in placed.items() if group_id}


def score(exercise: ClassifyExercise, answer: dict[str, str]) -> Result:
    """Points, maximum and per-item feedback for a classify answer."""
    right = sum(answer.get(item.id) == item.group for item in exercise.items)
    placed = sum(item.id in answer for item in exercise.items)
    lines = [f"You placed {placed} of {len(exercise.items)} items; {right} in the right group."]
    answer_lines = ["Your answers:"] if answer else ["Your answers: none"]
    for number, item in enumerate(exercise.items, start=1):
        chosen = answer.get(item.id)
        if chosen is None:
            lines.append(f"  – {number}. {item.text}: not placed yet.")
            continue
        label = exercise.group_label(chosen)
        answer_lines.append(f"  {number}. {item.text} -> {label}")
        if chosen == item.group:
            lines.append(f"  ✓ {number}. {item.text}: {label}. {item.feedback}")
        else:
            lines.append(f"  ✗ {number}. {item.text}: not {label}. {item.feedback}")
    return Result(float(right), exercise.max_points, tuple(lines), tuple(answer_lines))
