"""Publishing lesson answers to the class folder: ids, ownership, atomic writes, when it happens."""

from __future__ import annotations

import getpass
import json
import os
from pathlib import Path

import pytest

from course_lib import show
from course_lib.live import publish as publish_module
from course_lib.live.config import LiveConfig, default_class_dir, load_config, sanitize_trainee_id
from course_lib.live.publish import PublishError, entry_path, publish_answer, should_publish

HOSTILE_IDS = ["../x", "../../etc/passwd", "a/b", "/abs", "..", ".", ".hidden", "a\x00b", "x" * 500, "Alice",
               "élodie", "a b", "", "-", "con", "a\\b", "trainee-1/../../y"]


def config(tmp_path: Path, trainee: str = "alice", name: str = "Alice A.", mode: str = "on") -> LiveConfig:
    return LiveConfig(class_dir=tmp_path / "class", trainee_id=sanitize_trainee_id(trainee), display_name=name,
                      publish=mode)


# -- ids -----------------------------------------------------------------
@pytest.mark.parametrize("raw", HOSTILE_IDS)
def test_hostile_ids_become_safe_file_names_inside_the_class_folder(tmp_path, raw):
    slug = sanitize_trainee_id(raw)
    assert slug and len(slug) <= 64
    assert "/" not in slug and "\\" not in slug and "\x00" not in slug and not slug.startswith(".")
    path = entry_path(tmp_path, "m1-brainstorm", raw)
    assert path.resolve().parent == (tmp_path / "m1-brainstorm").resolve()


def test_plain_ids_are_kept_and_distinct_ids_never_share_a_file():
    assert sanitize_trainee_id("alice") == "alice"
    assert sanitize_trainee_id("trainee_07-b") == "trainee_07-b"
    raws = [*HOSTILE_IDS, "x", "a-b", "alice", "a_b", "y"]
    assert len({sanitize_trainee_id(raw) for raw in raws}) == len(raws)
    assert sanitize_trainee_id("x" * 500) != sanitize_trainee_id("x" * 501)


def test_an_exercise_id_cannot_escape_the_class_folder(tmp_path):
    with pytest.raises(PublishError):
        entry_path(tmp_path, "../elsewhere", "alice")


# -- configuration -------------------------------------------------------------
def test_config_defaults_need_no_set_up(monkeypatch):
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    cfg = load_config({})
    assert cfg.class_dir == Path.home() / ".local" / "share" / "customer-service-workbook" / "class"
    assert cfg.trainee_id == sanitize_trainee_id(getpass.getuser())
    assert cfg.publish == "auto"
    assert cfg.refresh_seconds == 3.0
    assert default_class_dir({"XDG_DATA_HOME": "/data"}) == Path("/data/customer-service-workbook/class")


def test_config_reads_the_environment():
    cfg = load_config({"COURSE_CLASS_DIR": "/srv/class", "JUPYTERHUB_USER": "../bob", "COURSE_PUBLISH": "0",
                       "COURSE_BOARD_REFRESH": "1"})
    assert cfg.class_dir == Path("/srv/class")
    assert cfg.trainee_id == sanitize_trainee_id("../bob") and "/" not in cfg.trainee_id
    assert cfg.display_name == "../bob"
    assert cfg.publish == "off" and cfg.refresh_seconds == 1.0
    explicit = load_config({"JUPYTERHUB_USER": "bob", "COURSE_TRAINEE_ID": "carol", "COURSE_TRAINEE_NAME": "Carol C"})
    assert (explicit.trainee_id, explicit.display_name) == ("carol", "Carol C")
    with pytest.raises(ValueError, match="COURSE_PUBLISH"):
        load_config({"COURSE_PUBLISH": "sometimes"})


def test_publishing_happens_in_lessons_only_and_never_for_graded_work(tmp_path):
    lesson = tmp_path / "course" / "notebooks" / "answers"
    other = tmp_path / "course" / "practice" / "answers"
    graded = tmp_path / "course" / "exercises" / "module1" / "answers"
    collected = tmp_path / "course" / "autograded" / "alice" / "module1" / "answers"
    auto, on, off = (config(tmp_path, mode=m) for m in ("auto", "on", "off"))
    assert should_publish(lesson, auto) and not should_publish(lesson, off)
    assert not should_publish(other, auto) and should_publish(other, on)
    assert not should_publish(graded, on) and not should_publish(collected, on)
    # A fetched assignment lives anywhere, but its notebook carries nbgrader metadata.
    notebook = tmp_path / "module1" / "module1.ipynb"
    notebook.parent.mkdir()
    notebook.write_text(json.dumps({"cells": [{"cell_type": "code", "metadata": {"nbgrader": {"grade": True}}}]}))
    assert not should_publish(notebook.parent / "answers", on, notebook)
    assert should_publish(notebook.parent / "answers", on, tmp_path / "missing.ipynb")


# -- writing -------------------------------------------------------------------
def read(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def test_each_trainee_writes_only_their_own_entry(tmp_path):
    alice, bob = config(tmp_path, "alice", "Alice"), config(tmp_path, "bob", "Bob")
    a_path = publish_answer("m1-brainstorm", "brainstorm", ["Listen to the whole question"], alice)
    b_path = publish_answer("m1-brainstorm", "brainstorm", ["Call back when promised"], bob)
    assert a_path == tmp_path / "class" / "m1-brainstorm" / "alice.json"
    before = b_path.read_bytes()
    publish_answer("m1-brainstorm", "brainstorm", ["Listen", "Thank the customer by name"], alice)
    assert b_path.read_bytes() == before
    record = read(a_path)
    assert record["answer"] == ["Listen", "Thank the customer by name"]
    assert (record["trainee"], record["name"], record["type"], record["format"]) == ("alice", "Alice", "brainstorm", 1)
    # A hostile id still lands in the exercise folder, under its own slug, not over anyone else's file.
    sneaky = publish_answer("m1-brainstorm", "brainstorm", ["x y z"], config(tmp_path, "../m1-brainstorm/bob"))
    assert sneaky.parent == a_path.parent and sneaky.name != "bob.json"
    assert b_path.read_bytes() == before
    assert sorted(p.name for p in a_path.parent.iterdir()) == sorted(["alice.json", "bob.json", sneaky.name])
    assert oct(a_path.stat().st_mode & 0o777) == oct(0o644)  # the facilitator can read it


def test_a_symlink_in_place_of_an_entry_or_folder_is_refused(tmp_path):
    alice = config(tmp_path, "alice")
    victim = tmp_path / "victim.json"
    victim.write_text("keep me")
    folder = tmp_path / "class" / "m1-brainstorm"
    folder.mkdir(parents=True)
    (folder / "alice.json").symlink_to(victim)
    with pytest.raises(PublishError, match="symbolic link"):
        publish_answer("m1-brainstorm", "brainstorm", ["a b c"], alice)
    assert victim.read_text() == "keep me"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "class" / "m2-chain-check").symlink_to(elsewhere)
    with pytest.raises(PublishError, match="symbolic link"):
        publish_answer("m2-chain-check", "choice", {"q1": ["a"]}, alice)
    assert list(elsewhere.iterdir()) == []


def test_a_failed_write_leaves_the_previous_entry_whole_and_no_temporary_file(tmp_path, monkeypatch):
    alice = config(tmp_path, "alice")
    path = publish_answer("m1-brainstorm", "brainstorm", ["first answer here"], alice)

    def crash(*_args, **_kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(publish_module.os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        publish_answer("m1-brainstorm", "brainstorm", ["second answer here"], alice)
    assert read(path)["answer"] == ["first answer here"]
    assert [p.name for p in path.parent.iterdir()] == ["alice.json"]


# -- the widget hook -------------------------------------------------------------
@pytest.fixture
def class_env(tmp_path, monkeypatch):
    class_dir = tmp_path / "class"
    monkeypatch.setenv("COURSE_CLASS_DIR", str(class_dir))
    monkeypatch.setenv("COURSE_TRAINEE_ID", "dana")
    monkeypatch.delenv("COURSE_PUBLISH", raising=False)
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    return class_dir


def test_a_lesson_widget_publishes_every_save(tmp_path, class_env):
    widget = show("m1-brainstorm", tmp_path / "notebooks" / "answers")
    widget.entry.value = "Listen to the whole question"
    entry = class_env / "m1-brainstorm" / "dana.json"
    assert read(entry)["answer"] == ["Listen to the whole question"]
    widget.remove(0)
    assert read(entry)["answer"] == []
    assert widget.message.value.startswith("Answer 1 removed: \u201cListen to the whole question\u201d")


def test_a_graded_widget_never_publishes(tmp_path, class_env, monkeypatch):
    monkeypatch.setenv("COURSE_PUBLISH", "1")
    widget = show("m1-brainstorm", tmp_path / "exercises" / "module1" / "answers")
    widget.entry.value = "Listen to the whole question"
    assert (tmp_path / "exercises" / "module1" / "answers" / "m1-brainstorm.json").exists()
    assert not class_env.exists()


def test_a_publishing_failure_keeps_the_local_save_and_says_so(tmp_path, class_env):
    class_env.parent.mkdir(parents=True, exist_ok=True)
    class_env.write_text("a file where the class folder should be")
    widget = show("m1-brainstorm", tmp_path / "notebooks" / "answers")
    widget.entry.value = "Listen to the whole question"
    assert read(tmp_path / "notebooks" / "answers" / "m1-brainstorm.json")["answer"] == ["Listen to the whole question"]
    assert widget.message.value.startswith("Added answer 1. (Saved here, but not shared with the class board")
    assert widget.status.value.startswith("1 answer saved")


@pytest.mark.skipif(not hasattr(os, "getuid") or os.getuid() != 0, reason="needs root to create another user's file")
def test_an_entry_owned_by_another_user_is_not_replaced(tmp_path):
    alice = config(tmp_path, "alice")
    path = publish_answer("m1-brainstorm", "brainstorm", ["theirs to keep"], alice)
    os.chown(path, 12345, 12345)
    with pytest.raises(PublishError, match="another user"):
        publish_answer("m1-brainstorm", "brainstorm", ["mine now"], alice)
    assert read(path)["answer"] == ["theirs to keep"]
