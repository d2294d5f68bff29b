"""Limits a saved answer must keep to, checked when it is parsed.

A widget saves only what its exercise offers: so many entries of so many
characters, the exercise's own ids. An answers file beyond that was not
written by a widget; ``parse_answer`` refuses it (ValueError, so the exercise
scores 0 with the reason) before any scoring work is done, which keeps the
time to grade a file bounded whatever it holds. Called without the exercise
(the live board does), ``parse_answer`` falls back on the largest limits any
exercise of the type may have (the content models' own caps) and on
``MAX_IDS``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sized
from typing import Any

from ..models.base import ID_MAX_CHARS

__all__ = ["ID_MAX_CHARS", "MAX_IDS", "at_most", "check_ids", "id_mapping", "text_at_most"]

# Without the exercise: no exercise lists more questions, items, steps, statements or call steps.
MAX_IDS = 200


def at_most(values: Sized, limit: int, what: str) -> None:
    """ValueError when ``values`` has more than ``limit`` elements."""
    if len(values) > limit:
        raise ValueError(f"it has {len(values)} {what}; the exercise allows at most {limit}")


def check_ids(values: Iterable[Any], what: str) -> None:
    """ValueError unless every value is a string short enough to be an id of the exercise."""
    for value in values:
        if not isinstance(value, str):
            raise ValueError(f"a {what} must be text")
        if len(value) > ID_MAX_CHARS:
            raise ValueError(f"a {what} of {len(value)} characters is not one of the exercise's ids")


def id_mapping(raw: Any, value_type: type, limit: int, shape: str, counted: str, key_what: str) -> dict[str, Any]:
    """A saved ``{id: value}`` answer, checked; ``{}`` when nothing was saved (None).

    ValueError (``shape`` as the message) unless it maps strings to ``value_type``;
    then at most ``limit`` entries (``counted`` names them) and keys short enough to be ids.
    """
    if raw is None:
        return {}
    if not isinstance(raw, dict) or not all(
        isinstance(key, str) and isinstance(value, value_type) for key, value in raw.items()
    ):
        raise ValueError(shape)
    at_most(raw, limit, counted)
    check_ids(raw, key_what)
    return dict(raw)


def text_at_most(text: str, limit: int, what: str) -> None:
    """ValueError when ``text`` is longer than ``limit`` characters."""
    if len(text) > limit:
        raise ValueError(f"{what} has {len(text)} characters; the exercise allows at most {limit}")
