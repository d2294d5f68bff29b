"""The answer store: atomic saves, reload, and corrupt files moved aside, never lost."""

from __future__ import annotations

import glob
import json
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib.store import TMP_GRACE_SECONDS, AnswerStore, CorruptAnswersError


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


# -- answers are read only from regular files inside a real folder -------------
def _other_trainee(tmp_path):
    other = AnswerStore(tmp_path / "other" / "answers")
    other.save("m1-brainstorm", ["SECRET-OF-ANOTHER-TRAINEE listen to every word"])
    return other.path("m1-brainstorm")


@pytest.mark.parametrize("target", ["other", "passwd"])
def test_a_linked_answers_file_is_refused_never_followed(tmp_path, target):
    link_to = _other_trainee(tmp_path) if target == "other" else Path("/etc/passwd")
    store = AnswerStore(tmp_path / "mine" / "answers")
    store.directory.mkdir(parents=True)
    store.path("m1-brainstorm").symlink_to(link_to)
    before = link_to.read_bytes()
    with pytest.raises(CorruptAnswersError, match="symbolic link") as error:
        store.load("m1-brainstorm")
    assert "SECRET" not in str(error.value) and "root:" not in str(error.value)
    # the link itself was renamed aside; its target is untouched and was copied nowhere
    assert error.value.moved_to.is_symlink()
    assert link_to.read_bytes() == before
    assert not any(p.is_file() and not p.is_symlink() and p.suffix != ".lock"
                   for p in store.directory.iterdir())


def test_a_linked_answers_folder_is_refused(tmp_path):
    other = _other_trainee(tmp_path)
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "answers").symlink_to(other.parent)
    store = AnswerStore(tmp_path / "mine" / "answers")
    with pytest.raises(CorruptAnswersError, match="folder answers/ is a symbolic link") as error:
        store.load("m1-brainstorm")
    assert error.value.moved_to is None and "SECRET" not in str(error.value)
    assert other.is_file() and not other.is_symlink()  # nothing in the other trainee's folder moved
    with pytest.raises(OSError, match="symbolic link"):
        store.save("m1-brainstorm", ["written through a link"])
    assert "SECRET" in other.read_text(encoding="utf-8")


def test_a_named_pipe_is_refused_without_hanging(tmp_path):
    store = AnswerStore(tmp_path)
    os.mkfifo(store.path("m1-brainstorm"))
    with pytest.raises(CorruptAnswersError, match="not a regular file"):
        store.load("m1-brainstorm", quarantine=False)


# -- every unreadable file is a CorruptAnswersError, kept aside -----------------
def _record(saved_at='"2026-03-02T10:00:00+00:00"', answer='["listen to the customer"]') -> str:
    return f'{{"format": 1, "exercise": "m1-brainstorm", "saved_at": {saved_at}, "answer": {answer}}}'


UNREADABLE = {
    "latin-1": (_record(answer='["caf\u00e9 service"]').encode("latin-1"), "not UTF-8"),
    "utf-16": (_record().encode("utf-16"), "not UTF-8"),
    "utf-8 with BOM": (b"\xef\xbb\xbf" + _record().encode(), "not valid JSON"),
    "deep nesting": (_record(answer="[" * 100_000 + "]" * 100_000).encode(), "nested too deeply"),
    "year 1": (_record(saved_at='"0001-01-01T00:00:00+00:00"').encode(), "saved_at"),
    "year 9999": (_record(saved_at='"9999-12-31T23:59:59+00:00"').encode(), "saved_at"),
    "naive time": (_record(saved_at='"2026-03-02T10:00:00"').encode(), "no time zone"),
    "not a time": (_record(saved_at="17").encode(), "saved_at"),
    "huge number": (_record(answer="1e999").encode(), "too large"),
    "huge integer": (_record(answer="9" * 5000).encode(), "not valid JSON"),
    "NaN": (_record(answer="[NaN]").encode(), "NaN"),
    "too large": (_record(answer='["' + "x" * 1_100_000 + '"]').encode(), "too large"),
    "no answer": (b'{"format": 1, "exercise": "m1-brainstorm", "saved_at": "2026-03-02T10:00:00+00:00"}',
                  "no 'answer'"),
}


@pytest.mark.parametrize("case", sorted(UNREADABLE))
def test_every_unreadable_file_is_reported_and_kept_aside(tmp_path, case):
    content, reason = UNREADABLE[case]
    store = AnswerStore(tmp_path)
    store.path("m1-brainstorm").write_bytes(content)
    assert store.saved_at("m1-brainstorm") is None
    with pytest.raises(CorruptAnswersError, match=reason) as error:
        store.load("m1-brainstorm")
    assert error.value.moved_to.read_bytes() == content
    store.save("m1-brainstorm", ["a fresh answer"])
    assert store.load("m1-brainstorm").answer == ["a fresh answer"]
    assert error.value.moved_to.read_bytes() == content


def test_an_unreadable_file_on_disk_is_moved_aside_by_a_save_not_overwritten(tmp_path):
    store = AnswerStore(tmp_path)
    store.path("m1-brainstorm").write_bytes(b"\xff\xfe garbage")
    saved = store.save("m1-brainstorm", ["new"], replaces=None)
    assert saved.kept_aside.read_bytes() == b"\xff\xfe garbage"
    assert store.quarantined("m1-brainstorm") == [saved.kept_aside]


# -- temporary files left by a crash ---------------------------------------------
@pytest.mark.parametrize("operation", ["save", "load"])
def test_stale_temporary_files_are_removed_fresh_ones_kept(tmp_path, operation):
    store = AnswerStore(tmp_path)
    store.save("m1-brainstorm", ["an answer"])
    stale = tmp_path / ".m1-brainstorm.json.k3j2_x.tmp"
    fresh = tmp_path / ".m1-brainstorm.json.9sd8f_.tmp"  # a save in progress elsewhere
    other = tmp_path / ".m2-service-chain.json.aa.tmp"  # another exercise's: not this save's business
    for leftover in (stale, fresh, other):
        leftover.write_text('{"half": ', encoding="utf-8")
    old = time.time() - TMP_GRACE_SECONDS - 5
    os.utime(stale, (old, old))
    os.utime(other, (old, old))
    getattr(store, operation)("m1-brainstorm", *([["again"]] if operation == "save" else []))
    assert not stale.exists()
    assert fresh.exists() and other.exists()


# -- two processes saving one exercise at the same time ----------------------------
SAVES_PER_COPY = 250


def _copy_of_the_exercise(folder: str, name: str, start, results) -> None:
    """One copy of the exercise (a second tab, say): saves as fast as it can, as the widget does."""
    store = AnswerStore(folder)
    seen = store.saved_at("m1-brainstorm")
    log = []
    start.wait()
    for n in range(SAVES_PER_COPY):
        saved = store.save("m1-brainstorm", [f"{name} answer {n}"], replaces=seen)
        seen = saved.saved_at
        log.append(saved.kept_aside is not None)
    results.put((name, log))


def test_two_processes_saving_at_once_lose_no_answer(tmp_path):
    context = multiprocessing.get_context("spawn")
    start, results = context.Barrier(2), context.Queue()
    copies = [context.Process(target=_copy_of_the_exercise, args=(str(tmp_path), name, start, results))
              for name in ("first", "second")]
    for copy in copies:
        copy.start()
    logs = dict(results.get(timeout=300) for _ in copies)
    for copy in copies:
        copy.join(timeout=60)
        assert copy.exitcode == 0
    store = AnswerStore(tmp_path)
    kept = {store.load("m1-brainstorm").answer[0]}
    kept |= {json.loads(p.read_text(encoding="utf-8"))["answer"][0] for p in tmp_path.glob("*.superseded-*")}
    # An answer may vanish only when the same copy's next save had seen it (and so replaced it knowingly,
    # keeping nothing aside). Any other answer must still be on disk: the final file or a kept-aside copy.
    must_survive = {
        f"{name} answer {n}"
        for name, log in logs.items()
        for n in range(SAVES_PER_COPY)
        if n == SAVES_PER_COPY - 1 or log[n + 1]
    }
    lost = sorted(must_survive - kept)
    assert not lost, f"{len(lost)} answers lost, e.g. {lost[:5]}"
    assert any(any(log) for log in logs.values()), "the two copies never overlapped; the test proved nothing"


_NAME_PARTS = ["m1-quiz", "m1-quiz2", ".m1-quiz", ".json", ".corrupt-", "corrupt-", ".tmp", ".", "-", "*", "[x]", "1"]


_NAMES = st.lists(st.sampled_from(_NAME_PARTS), min_size=1, max_size=5).map("".join).filter(
    lambda name: name not in (".", ".."))


@settings(max_examples=150, deadline=None)
@given(names=st.sets(_NAMES, max_size=8))
def test_corrupt_and_leftover_files_are_found_by_the_names_glob_would_match(tmp_path_factory, names):
    folder = tmp_path_factory.mktemp("answers")
    old = time.time() - 2 * TMP_GRACE_SECONDS
    for name in names:
        (folder / name).write_text("{")
        os.utime(folder / name, (old, old))
    store = AnswerStore(folder)
    assert store.quarantined("m1-quiz") == sorted(folder.glob(f"{glob.escape('m1-quiz')}.json.corrupt-*"))
    leftovers = set(folder.glob(f".{glob.escape('m1-quiz')}.json.*.tmp"))
    store._remove_orphans("m1-quiz")  # an old temporary file of the exercise is removed, nothing else
    assert {folder / name for name in names} - set(folder.iterdir()) == leftovers
