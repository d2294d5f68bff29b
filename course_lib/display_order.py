"""The order in which a trainee sees a question's options: different per trainee and question, stable.

A trainee who always picks the first option must not score above chance, so
options are not shown in the content file's order. The order is a pure
function of the trainee's identity and the question (no state, no random
draw), so it is the same after a reload, a kernel restart or at grading.
Answers store option ids, never positions, so scoring does not depend on it.
"""

from __future__ import annotations

import getpass
import hashlib
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

__all__ = ["display_order", "trainee_identity"]

T = TypeVar("T")


def trainee_identity(folder: Path | str | None = None) -> str:
    """Who is working: ``JUPYTERHUB_USER``, else the owner of ``folder`` (the notebook's), else the OS user."""
    hub_user = os.environ.get("JUPYTERHUB_USER", "").strip()
    if hub_user:
        return hub_user
    if folder is not None:
        try:
            import pwd

            return pwd.getpwuid(Path(folder).stat().st_uid).pw_name
        except (ImportError, OSError, KeyError):  # no such folder yet, no pwd (Windows), uid without a name
            pass
    try:
        return getpass.getuser()
    except (OSError, KeyError, ImportError):
        return ""


def display_order(items: Sequence[T], key: Callable[[T], str], *scope: str, identity: str) -> list[T]:
    """``items`` in the order shown to ``identity`` for the question named by ``scope``.

    Each item is ranked by a hash of identity, scope and its own id (``key``),
    which gives every ordering equal weight across trainees and is unrelated
    between questions.
    """
    def rank(item: T) -> bytes:
        text = "\0".join((identity, *scope, key(item)))
        return hashlib.sha256(text.encode("utf-8")).digest()

    return sorted(items, key=rank)
