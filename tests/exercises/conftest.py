"""Shared by the widget tests: a fresh answers folder, and ways to look at what was saved and shown."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import ipywidgets as w
import pytest


@pytest.fixture
def answers(tmp_path: Path) -> Path:
    """The answers folder a widget saves into (not created until the first save)."""
    return tmp_path / "answers"


def saved_answer(folder: Path, exercise_id: str) -> Any:
    """The answer part of ``folder/<exercise_id>.json``, read from disk."""
    return json.loads((folder / f"{exercise_id}.json").read_text(encoding="utf-8"))["answer"]


def html_values(widget: w.Widget) -> list[str]:
    """Every HTML string the widget tree renders."""
    found = [widget.value] if isinstance(widget, w.HTML) else []
    for child in getattr(widget, "children", ()):
        found += html_values(child)
    return found
