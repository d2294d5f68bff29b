"""The service's private folder: releases, timestamped submissions per trainee, feedback."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from course_lib.hub_exchange.archive import ArchiveError, pack, unpack
from course_lib.hub_exchange.names import BadName
from course_lib.hub_exchange.store import ExchangeStore, NotFound


def _folder(tmp_path: Path, name: str, files: dict[str, str]) -> bytes:
    folder = tmp_path / name
    for path, text in files.items():
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_text(text, encoding="utf-8")
    return pack(folder)


def test_store_is_private_and_keeps_every_submission_apart(tmp_path: Path) -> None:
    store = ExchangeStore(tmp_path / "store")
    assert stat.S_IMODE((tmp_path / "store").stat().st_mode) == 0o700
    with pytest.raises(NotFound):
        store.submit("module1", "ana", _folder(tmp_path, "early", {"module1.ipynb": "{}"}))
    store.release("module1", _folder(tmp_path, "release", {"module1.ipynb": "{}", "extra.ipynb": "{}"}))
    with pytest.raises(FileExistsError):
        store.release("module1", _folder(tmp_path, "again", {"module1.ipynb": "{}"}))
    assert store.releases() == [{"assignment_id": "module1", "notebooks": ["extra", "module1"]}]

    forged = {"module1.ipynb": "ana", "timestamp.txt": "1999-01-01 00:00:00.000000 UTC",
              "submission_secret.txt": "mine"}
    stamp_a, missing = store.submit("module1", "ana", _folder(tmp_path, "ana", forged))
    assert missing == ["extra"]
    stamp_b, _ = store.submit("module1", "ben", _folder(tmp_path, "ben", {"module1.ipynb": "ben"}))
    stamp_a2, _ = store.submit("module1", "ana", _folder(tmp_path, "ana2", {"module1.ipynb": "ana again"}))
    assert stamp_a2 > stamp_a
    assert [s.stamp for s in store.submissions("module1", "ana")] == [stamp_a, stamp_a2]
    assert [s.student_id for s in store.submissions("module1")] == ["ana", "ana", "ben"]

    unpack(store.submission_archive("module1", "ana", stamp_a), tmp_path / "collected")
    # The service's clock, never the trainee's timestamp.txt; the trainee's secret is not kept.
    assert (tmp_path / "collected" / "timestamp.txt").read_text(encoding="utf-8") != forged["timestamp.txt"]
    assert not (tmp_path / "collected" / "submission_secret.txt").exists()
    assert (tmp_path / "collected" / "module1.ipynb").read_text(encoding="utf-8") == "ana"
    for path in (tmp_path / "store").rglob("*"):
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path

    with pytest.raises(NotFound):
        store.feedback_archive("module1", "ben", stamp_b)
    store.put_feedback("module1", "ben", stamp_b, _folder(tmp_path, "fb", {"module1.html": "<p>ben</p>"}))
    (ben,) = store.submissions("module1", "ben")
    assert set(ben.feedback) == {"module1"}
    with pytest.raises(NotFound):
        store.put_feedback("module1", "ben", stamp_a, _folder(tmp_path, "fb2", {"module1.html": "x"}))
    with pytest.raises(BadName):
        store.submission_archive("module1", "../ana", stamp_a)
    with pytest.raises(ArchiveError):
        store.submit("module1", "ana", b"garbage")
    assert list((tmp_path / "store" / "tmp").iterdir()) == []


def test_force_replaces_a_release_whole(tmp_path: Path) -> None:
    store = ExchangeStore(tmp_path / "store")
    store.release("m", _folder(tmp_path, "one", {"a.ipynb": "1", "old.txt": "x"}))
    store.release("m", _folder(tmp_path, "two", {"a.ipynb": "2"}), force=True)
    unpack(store.release_archive("m"), tmp_path / "out")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a.ipynb"]
    store.unrelease("m")
    assert store.releases() == []
