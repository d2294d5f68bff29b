"""The board's per-file index: a refresh opens only the answer files that changed since the last one."""

from __future__ import annotations

import pytest

from course_lib.live import entries
from course_lib.live.aggregate import ClassFolder, summarise
from course_lib.live.config import LiveConfig
from course_lib.live.publish import publish_answer
from course_lib.models import load_exercise

EXERCISE = "m1-brainstorm"


def publish(class_dir, n: int, text: str):
    return publish_answer(EXERCISE, "brainstorm", [text], LiveConfig(class_dir, f"t{n:02d}", f"Trainee {n}", "on"))


@pytest.fixture
def opened(monkeypatch):
    """The names of the answer files the board opens, in order."""
    names: list[str] = []
    real = entries.read_no_follow

    def counting(path, version, limit):
        names.append(str(path).rsplit("/", 1)[-1])
        return real(path, version, limit)

    monkeypatch.setattr(entries, "read_no_follow", counting)
    return names


def test_a_refresh_opens_only_the_files_that_changed(tmp_path, opened):
    for n in range(30):
        publish(tmp_path, n, f"Listen to caller number {n} carefully")
    folder = ClassFolder(tmp_path)
    first = summarise(EXERCISE, folder)
    assert first.participants == 30 and len(opened) == 30
    opened.clear()
    publish(tmp_path, 3, "Call back the customer when promised")  # re-published: a new file (new inode)
    publish(tmp_path, 30, "Thank every caller by name")  # a trainee who joins late
    second = summarise(EXERCISE, folder)
    assert sorted(opened) == ["t03.json", "t30.json"]
    assert second.participants == 31
    texts = {card.text for group in second.groups for card in group.cards}
    assert "Call back the customer when promised" in texts and "Listen to caller number 3 carefully" not in texts


def test_a_quiet_room_is_not_read_again_and_its_summary_is_reused(tmp_path, opened):
    for n in range(5):
        publish(tmp_path, n, f"Greet caller number {n} by name")
    folder = ClassFolder(tmp_path)
    exercise = load_exercise(EXERCISE)
    read = folder.read(exercise)
    summary = summarise(exercise, folder)
    opened.clear()
    assert folder.read(exercise) is read
    assert summarise(exercise, folder) is summary
    assert opened == []


def test_a_removed_file_leaves_the_board_and_new_content_reads_everything_again(tmp_path, opened):
    paths = [publish(tmp_path, n, f"Explain the next step to caller {n}") for n in range(4)]
    folder = ClassFolder(tmp_path)
    exercise = load_exercise(EXERCISE)
    assert summarise(exercise, folder).participants == 4
    paths[0].unlink()
    assert summarise(exercise, folder).participants == 3
    opened.clear()
    edited = exercise.model_copy(update={"title": "Customer service means (edited)"})  # content changed on disk
    summary = summarise(edited, folder)
    assert summary.participants == 3 and summary.exercise is edited
    assert sorted(opened) == ["t01.json", "t02.json", "t03.json"]
