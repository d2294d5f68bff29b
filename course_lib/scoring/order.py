"""Scoring of the order exercise (put the steps in order).

Rule (partial credit for near-correct orders): compare every pair of steps.
The share earned is Kendall's tau, floored at 0::

    (pairs in the right relative order - pairs the wrong way round) / all pairs

so the right order earns 1, swapping two neighbours among seven steps earns
19/21 (about 0.90), a random order earns about 0 on average and the reversed
order earns 0. Feedback names the steps that are out of place: those outside a
longest run of steps already in the right relative order, i.e. the fewest
steps the trainee would have to move, with the direction each should go and
why it comes where it does.
"""

from __future__ import annotations

from bisect import bisect_left
from typing import Any

from ..models.order import OrderExercise, kendall_tau
from .limits import MAX_IDS, at_most, check_ids
from .result import Result

__all__ = ["out_of_place", "parse_answer", "score", "share"]


def parse_answer(raw: Any, exercise: OrderExercise | None = None) -> list[str]:
    """The trainee's order as step ids (None: nothing saved); anything else is corrupt.

    No more steps than the exercise has, and ids no longer than an id can be.
    """
    if raw is None:
        return []
    if not isinstance(raw, list) or not all(isinstance(step, str) for step in raw):
        raise ValueError("an order answer must be a list of step ids")
    at_most(raw, len(exercise.steps) if exercise else MAX_IDS, "steps")
    check_ids(raw, "step id")
    if len(set(raw)) != len(raw):
        raise ValueError("an order answer must not list a step twice")
    return list(raw)


def _complete(exercise: OrderExercise, order: list[str]) -> bool:
    return sorted(order) == sorted(exercise.correct_order)


def share(exercise: OrderExercise, order: list[str]) -> float:
    """0..1 earned by ``order`` under the rule above; 0 unless it lists every step once."""
    if not _complete(exercise, order):
        return 0.0
    return max(0.0, kendall_tau(order, exercise.correct_order))


def out_of_place(exercise: OrderExercise, order: list[str]) -> list[str]:
    """The fewest steps (ids, in the trainee's order) that must move to make ``order`` right."""
    rank = {step: index for index, step in enumerate(exercise.correct_order)}
    ranks = [rank[step] for step in order]
    # Longest increasing subsequence of ranks (patience sorting), keeping links to rebuild it.
    tails: list[int] = []  # tails[k]: index in `ranks` ending the best run of length k+1
    links: list[int | None] = [None] * len(ranks)
    for index, value in enumerate(ranks):
        k = bisect_left([ranks[t] for t in tails], value)
        links[index] = tails[k - 1] if k else None
        if k == len(tails):
            tails.append(index)
        else:
            tails[k] = index
    keep: set[int] = set()
    cursor = tails[-1] if tails else None
    while cursor is not None:
        keep.add(cursor)
        cursor = links[cursor]
    return [step for index, step in enumerate(order) if index not in keep]


def score(exercise: OrderExercise, order: list[str]) -> Result:
    """Points (the share earned), maximum and feedback naming the steps out of place."""
    steps = len(exercise.steps)
    if not order:
        return Result(0.0, exercise.max_points, (
            "No order saved yet. Move the steps into order above (or click 'Save this order'), "
            "then run this cell again.",), ("Your order: none",))
    answer_lines = ("Your order:", *(
        f"  {n}. {step.text if (step := exercise.step(i)) else i}" for n, i in enumerate(order, start=1)))
    if not _complete(exercise, order):
        return Result(0.0, exercise.max_points, (
            "Your saved order does not list the steps of this exercise (the exercise may have changed). "
            "Move any step to save your order again.",), answer_lines)
    earned = share(exercise, order)
    pairs = steps * (steps - 1) // 2
    agree = round((kendall_tau(order, exercise.correct_order) + 1) * pairs / 2)
    lines = [f"{agree} of {pairs} pairs of steps are the right way round: {earned:.0%} of the credit."]
    misplaced = out_of_place(exercise, order)
    if not misplaced:
        lines.append(f"All {steps} steps are in the right order. Well done.")
        return Result(earned, exercise.max_points, tuple(lines), answer_lines)
    lines.append(f"Steps to move ({len(misplaced)}); the others are already in the right order among themselves:")
    rank = {step_id: index for index, step_id in enumerate(exercise.correct_order)}
    for step_id in misplaced:
        step = exercise.step(step_id)
        assert step is not None  # _complete() checked every id
        # Earlier if a step that stays put comes before it but belongs after it.
        before = order[: order.index(step_id)]
        late = any(rank[other] > rank[step_id] for other in before if other not in misplaced)
        direction = "earlier" if late else "later"
        lines.append(f"  ✗ {step.text}: it belongs {direction}." + (f" {step.why}" if step.why else ""))
    return Result(earned, exercise.max_points, tuple(lines), answer_lines)
