"""Keep renderings of repeated text: a cohort's pages repeat the same lesson cells.

A grading worker writes thousands of feedback pages whose lesson Markdown and
code are the same for every trainee; rendering and sanitizing each distinct
text once per process is most of what made a page slow. Bounded by count and
by text length (a trainee's huge answer is rendered, never kept), so memory
stays flat however large the cohort.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["KEPT_RENDERINGS", "LONGEST_KEPT", "kept_renderings"]

KEPT_RENDERINGS = 4096  # distinct texts kept per function (the course has a few hundred lesson cells)
LONGEST_KEPT = 20_000  # characters; longer texts are rendered every time

Result = TypeVar("Result")


def kept_renderings(render: Callable[..., Result]) -> Callable[..., Result]:
    """``render(str(text), *hashable)`` with results kept for texts up to ``LONGEST_KEPT`` characters.

    The text is passed on as a plain ``str`` (a ``Markup`` or a template value is converted first).
    """
    cached = functools.lru_cache(maxsize=KEPT_RENDERINGS)(render)

    @functools.wraps(render)
    def call(text: object, *rest: Any) -> Result:
        text = str(text)
        return cached(text, *rest) if len(text) <= LONGEST_KEPT else render(text, *rest)

    call.cache_info = cached.cache_info  # type: ignore[attr-defined]
    return call
