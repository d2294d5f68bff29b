"""Shared fixtures: the repository root and a clean content path for each test."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _packaged_content_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests see the packaged content unless they set COURSE_CONTENT_PATH themselves."""
    monkeypatch.delenv("COURSE_CONTENT_PATH", raising=False)


@pytest.fixture
def repo_root() -> Path:
    return ROOT
