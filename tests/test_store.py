"""The answer store: atomic saves, reload, and corrupt files moved aside, never lost."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from course_lib.store import AnswerStore, CorruptAnswersError


def test_save_then_load_round_trip(tmp_path):
    store = AnswerStore(tmp_path / "answers")
    saved = store.save("m1-brainstorm", ["listen first", "Zoë's café <b>"])
    loaded = store.load("m1-brainstorm")
    assert loaded.answer == ["listen first", "Zoë's café <b>"]
    assert loaded.saved_at == saved.saved_at
    assert store.path("m1-brainstorm") == tmp_path / "answers" / "m1-brainstorm.json"


def test_nothing_saved_yet_is_none(tmp_path):
    assert AnswerStore(tmp_path).load("m1-brainstorm") is None


@pytest.mark.parametrize(
    "content",
    ["{not json", "[1, 2]", '{"format": 99, "exercise": "m1-brainstorm"}',
     '{"format": 1, "exercise": "another", "saved_at": "2026-01-01T00:00:00+00:00", "answer": []}'],
)
def test_corrupt_file_is_moved_aside_and_explained(tmp_path, content):
    store = AnswerStore(tmp_path)
    store.path("m1-brainstorm").write_text(content, encoding="utf-8")
    with pytest.raises(CorruptAnswersError) as error:
        store.load("m1-brainstorm")
    moved = error.value.moved_to
    assert moved is not None and moved.read_text(encoding="utf-8") == content
    assert moved.name in str(error.value) and "could not be read" in str(error.value)
    # the next save starts a fresh file and leaves the quarantined copy alone
    store.save("m1-brainstorm", ["a new answer here"])
    assert moved.read_text(encoding="utf-8") == content
    assert store.load("m1-brainstorm").answer == ["a new answer here"]


def test_answer_of_the_wrong_shape_is_quarantined_too(tmp_path):
    store = AnswerStore(tmp_path)
    store.save("m1-brainstorm", {"not": "a list"})

    def parse(raw):
        if not isinstance(raw, list):
            raise ValueError("expected a list")
        return raw

    with pytest.raises(CorruptAnswersError, match="expected a list"):
        store.load("m1-brainstorm", parse=parse)
    assert not store.path("m1-brainstorm").exists()
    assert len(list(tmp_path.glob("m1-brainstorm.json.corrupt-*"))) == 1


def test_grader_can_read_without_moving_files(tmp_path):
    store = AnswerStore(tmp_path)
    store.path("m1-brainstorm").write_text("garbage", encoding="utf-8")
    with pytest.raises(CorruptAnswersError):
        store.load("m1-brainstorm", quarantine=False)
    assert store.path("m1-brainstorm").read_text(encoding="utf-8") == "garbage"


WRITER = """
import sys
from course_lib.store import AnswerStore
store = AnswerStore(sys.argv[1])
n = 0
while True:
    n += 1
    store.save("m1-brainstorm", [f"version {n}"] + ["x" * 2000] * 50)
    if n == 1:
        print("ready", flush=True)
"""


@pytest.mark.parametrize("delay", [0.05, 0.13, 0.31])
def test_writer_killed_mid_save_leaves_a_complete_answer(tmp_path, delay):
    store = AnswerStore(tmp_path)
    store.save("m1-brainstorm", ["version 0"])
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(tmp_path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert writer.stdout.readline().strip() == "ready"
        time.sleep(delay)  # land the kill somewhere inside a later save
        os.kill(writer.pid, signal.SIGKILL)
    finally:
        writer.wait()
        writer.stdout.close()
    loaded = store.load("m1-brainstorm")
    assert loaded.answer[0].startswith("version ")
    assert len(loaded.answer) == 51
    json.loads(store.path("m1-brainstorm").read_text(encoding="utf-8"))


def test_a_save_over_an_answer_it_did_not_see_keeps_that_answer(tmp_path):
    store = AnswerStore(tmp_path)
    first = store.save("m1-brainstorm", ["mine"], replaces=None)
    assert first.kept_aside is None
    again = store.save("m1-brainstorm", ["mine, edited"], replaces=first.saved_at)
    assert again.kept_aside is None  # it replaced exactly what it had seen
    stale = store.save("m1-brainstorm", ["from an old copy"], replaces=first.saved_at)
    assert json.loads(stale.kept_aside.read_text(encoding="utf-8"))["answer"] == ["mine, edited"]
    assert store.load("m1-brainstorm").answer == ["from an old copy"]
