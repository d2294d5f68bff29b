"""A full disk during a save or an export: a clear error, and nothing already saved is lost.

The disk is a real 64 kB tmpfs mounted for the test (as root; skipped
otherwise) and filled up, so writes fail with ENOSPC as they would on a
trainee's full home folder. The tmpfs is always unmounted afterwards.
"""

from __future__ import annotations

import errno
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from course_lib.action_plan_export import write_exports
from course_lib.atomic import write_text_atomic
from course_lib.models import load_exercise
from course_lib.store import AnswerStore
from tests.synthetic import GOOD_BRAINSTORM, answer_for

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="mounting a small tmpfs needs root")


def _fill(folder: Path) -> None:
    """Take every free byte of the file system ``folder`` is on."""
    fd = os.open(folder / "filler", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        while True:
            os.write(fd, b"\0" * 1024)
    except OSError as exc:
        assert exc.errno == errno.ENOSPC
    finally:
        os.close(fd)
    with pytest.raises(OSError):
        (folder / "probe").write_bytes(b"x" * 4096)
    (folder / "probe").unlink(missing_ok=True)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    disk = tmp_path / "disk"
    disk.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(disk)], capture_output=True,
                          text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=True)


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*.tmp"))


def test_a_save_on_a_full_disk_fails_clearly_and_keeps_the_last_answer(small_disk):
    store = AnswerStore(small_disk / "answers")
    store.save("m1-brainstorm", GOOD_BRAINSTORM[:2])
    _fill(small_disk)
    with pytest.raises(OSError) as error:
        store.save("m1-brainstorm", GOOD_BRAINSTORM * 20)
    assert error.value.errno == errno.ENOSPC
    assert store.load("m1-brainstorm").answer == GOOD_BRAINSTORM[:2]  # the last saved answer, whole
    assert _leftovers(small_disk) == []
    # Room again: the next save works.
    (small_disk / "filler").unlink()
    store.save("m1-brainstorm", GOOD_BRAINSTORM)
    assert store.load("m1-brainstorm").answer == GOOD_BRAINSTORM


def test_the_widget_says_it_could_not_save_and_keeps_what_was_saved(small_disk):
    from course_lib.exercises import show

    answers = small_disk / "answers"
    widget = show("m1-brainstorm", answers)
    assert widget.add(GOOD_BRAINSTORM[0])
    _fill(small_disk)
    widget.add(GOOD_BRAINSTORM[1])
    assert "could not be saved" in widget.message.value and "No space left on device" in widget.message.value
    assert AnswerStore(answers).load("m1-brainstorm").answer == [GOOD_BRAINSTORM[0]]


def test_an_export_on_a_full_disk_fails_naming_the_file_and_keeps_the_earlier_export(small_disk):
    exercise = load_exercise("m8-action-plan")
    plan = answer_for(exercise, "good")
    md, html_file = write_exports(exercise, plan, small_disk / "export")
    before = md.read_bytes(), html_file.read_bytes()
    _fill(small_disk)
    bigger = {**plan, "notes": "Review progress every Friday with the team. " * 6}
    with pytest.raises(OSError) as error:
        write_exports(exercise, bigger, small_disk / "export")
    assert error.value.errno == errno.ENOSPC and "action-plan" in str(error.value)
    assert (md.read_bytes(), html_file.read_bytes()) == before  # the earlier export, whole
    assert _leftovers(small_disk) == []


def test_grades_and_report_files_are_replaced_whole_or_not_at_all(small_disk):
    # course export and course report write through write_text_atomic.
    target = small_disk / "grades.csv"
    write_text_atomic(target, "id,total\nann,5\n")
    _fill(small_disk)
    with pytest.raises(OSError) as error:
        write_text_atomic(target, "id,total\n" + "ann,5\n" * 5000)
    assert error.value.errno == errno.ENOSPC and "grades.csv" in str(error.value)
    assert target.read_text(encoding="utf-8") == "id,total\nann,5\n"
    assert _leftovers(small_disk) == []
