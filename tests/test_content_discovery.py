"""Which files in a content folder are content, and what a bad one does to loading and to nbgrader's config.

An editor's lock file, a backup, a hidden copy or an unrelated YAML in a
COURSE_CONTENT_PATH folder once made nbgrader_config.py raise, and nbgrader
then skipped the whole config with a logged warning: autograde ran without the
trusted re-scoring. Here such files are ignored, a broken content file is an
error naming it, and the real config still loads with TrustedWidgetScores.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from course_lib.models import (
    PACKAGED_CONTENT,
    ContentError,
    content_ids,
    exercise_ids,
    load_exercise,
    pinned_content,
)
from tests.conftest import content_variant

from .nbgrader.course import BARE_PATH, make_course

SETTINGS_FILES = {"standards", "evaluation"}  # content, but not exercises: the standards, the pass marks
PACKAGED_IDS = sorted(p.stem for p in PACKAGED_CONTENT.rglob("*.yaml") if p.stem not in SETTINGS_FILES)


def add_editor_leftovers(folder: Path) -> None:
    """What editors and people leave beside content: none of it is content."""
    folder.mkdir(parents=True, exist_ok=True)
    # Emacs' lock file is a dangling symlink; reading it fails.
    os.symlink("trainer@laptop.4242:1700000000", folder / ".#m1-brainstorm.yaml")
    (folder / "m1-brainstorm.yaml~").write_text("type: [unclosed\n", encoding="utf-8")
    (folder / "#m1-brainstorm.yaml#").write_bytes(b"\xff\xfe garbage")
    (folder / ".m1-brainstorm.yaml.swp").write_bytes(b"\x00\x01")
    (folder / ".git").mkdir()
    (folder / ".git" / "m1-brainstorm.yaml").write_text("type: brainstorm\nid: wrong\n", encoding="utf-8")
    (folder / "Notes For Trainers.yaml").write_bytes("caf\xe9: [".encode("latin-1"))


def test_leftovers_of_editors_are_not_content(tmp_path, monkeypatch):
    add_editor_leftovers(tmp_path)
    (tmp_path / "checklist.yaml").write_text("- an unrelated list\n", encoding="utf-8")
    monkeypatch.setenv("COURSE_CONTENT_PATH", str(tmp_path))
    assert exercise_ids() == PACKAGED_IDS
    assert "checklist" in content_ids()  # named like content, read, but not an exercise
    assert load_exercise("m1-brainstorm").id == "m1-brainstorm"


def test_an_organisation_copy_is_found_beside_the_leftovers(tmp_path, monkeypatch):
    add_editor_leftovers(tmp_path)
    content_variant(tmp_path / "module1", "m1-brainstorm.yaml", lambda data: data.update(title="Our own brainstorm"))
    monkeypatch.setenv("COURSE_CONTENT_PATH", str(tmp_path))
    assert load_exercise("m1-brainstorm").title == "Our own brainstorm"


def test_a_latin1_content_file_is_an_error_naming_it(tmp_path, monkeypatch):
    bad = tmp_path / "m9-latin.yaml"
    bad.write_bytes("type: choice\nid: m9-latin\ntitle: Caf\xe9 service\n".encode("latin-1"))
    monkeypatch.setenv("COURSE_CONTENT_PATH", str(tmp_path))
    for load in (exercise_ids, lambda: load_exercise("m9-latin")):
        with pytest.raises(ContentError, match=r"m9-latin\.yaml: not UTF-8 text \(byte 0xe9"):
            load()


def test_a_broken_yaml_content_file_is_an_error_naming_it(tmp_path, monkeypatch):
    (tmp_path / "module1").mkdir()
    (tmp_path / "module1" / "m1-brainstorm.yaml").write_text("type: brainstorm\nthemes: [unclosed\n", encoding="utf-8")
    monkeypatch.setenv("COURSE_CONTENT_PATH", str(tmp_path))
    for load in (exercise_ids, lambda: load_exercise("m1-brainstorm")):
        with pytest.raises(ContentError, match=r"module1/m1-brainstorm\.yaml: not valid YAML"):
            load()


def test_pinned_content_is_walked_once_and_only_for_its_own_path(tmp_path, monkeypatch):
    """A grading run pins its frozen copy; any other content path, and the same one afterwards, sees edits at once."""
    frozen, other = tmp_path / "frozen", tmp_path / "other"
    content_variant(frozen / "module1", "m1-brainstorm.yaml", lambda data: data.update(title="Frozen brainstorm"))
    monkeypatch.setenv("COURSE_CONTENT_PATH", str(frozen))
    with pinned_content():
        before = exercise_ids()
        (frozen / "m1-added-mid-run.yaml").write_text("type: brainstorm\n", encoding="utf-8")
        assert exercise_ids() == before  # which files are exercises is decided once for the block
        content_variant(frozen, "m1-reaction.yaml", lambda data: data.update(title="Added mid-run"))
        assert load_exercise("m1-reaction").title != "Added mid-run"  # the pinned list: the packaged file
        assert load_exercise("m1-brainstorm").title == "Frozen brainstorm"
        monkeypatch.setenv("COURSE_CONTENT_PATH", str(other))  # e.g. a trainee's kernel: not pinned
        content_variant(other, "m1-brainstorm.yaml", lambda data: data.update(title="Edited elsewhere"))
        assert load_exercise("m1-brainstorm").title == "Edited elsewhere"
        monkeypatch.setenv("COURSE_CONTENT_PATH", str(frozen))
    assert load_exercise("m1-reaction").title == "Added mid-run"  # the block is over: walked again
    assert "m1-added-mid-run" in exercise_ids()


def autograde_config(course: Path, content: Path) -> subprocess.CompletedProcess:
    """Load the course's config exactly as ``nbgrader autograde`` does, in a fresh process; print the pipeline."""
    script = (
        "from nbgrader.apps import AutogradeApp\n"
        "app = AutogradeApp()\n"
        "app.initialize([])\n"
        "print([getattr(p, '__name__', p) for p in app.config.Autograde.autograde_preprocessors])\n"
    )
    return subprocess.run(
        [sys.executable, "-c", script], cwd=course, capture_output=True, text=True, timeout=120,
        env={**os.environ, "PATH": BARE_PATH, "COURSE_CONTENT_PATH": str(content)},
    )


@pytest.mark.nbgrader
def test_nbgrader_config_keeps_the_trusted_rescoring_with_bad_files_in_the_content_folder(tmp_path):
    (tmp_path / "course").mkdir()
    course = make_course(tmp_path / "course")
    content = tmp_path / "content"
    add_editor_leftovers(content)
    (content / "m9-latin.yaml").write_bytes("type: choice\ntitle: Caf\xe9\n".encode("latin-1"))
    (content / "m9-broken.yaml").write_text("type: [unclosed\n", encoding="utf-8")
    done = autograde_config(course, content)
    assert done.returncode == 0, done.stderr
    assert "Exception while loading config file" not in done.stderr
    assert "TrustedWidgetScores" in done.stdout


@pytest.mark.nbgrader
def test_the_course_command_refuses_when_nbgrader_config_fails(tmp_path):
    """Whatever makes nbgrader_config.py raise, no course step runs without it."""
    course = make_course(tmp_path)
    with open(course / "nbgrader_config.py", "a", encoding="utf-8") as config:
        config.write("from course_lib.models import ContentError\n"
                     "raise ContentError('/srv/content/m1-brainstorm.yaml: not valid YAML')\n")
    env = {**os.environ, "PATH": BARE_PATH}
    for args in (["grade", "module1"], ["export", "-o", "grades.csv"], ["release", "module1", "--exchange",
                                                                       str(tmp_path / "exchange")]):
        done = subprocess.run([sys.executable, "-m", "course_lib.cli", *args], cwd=course, env=env,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode != 0, (args, done.stdout, done.stderr)
        assert "m1-brainstorm.yaml: not valid YAML" in done.stderr, (args, done.stderr)
    assert not (course / "grades.csv").exists()
    assert not (course / "exercises").exists()  # generate_assignment never ran with a half config
