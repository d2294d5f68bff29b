"""A class folder shared by several OS users: no-follow writes, identity by file owner, the facilitator's set-up.

The race test runs as any user. The others act as several real OS users
(temporary ones, created with useradd and always deleted): they need root and
are skipped without it, never in CI.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from course_lib.live.aggregate import ClassFolder, summarise
from course_lib.live.classdir import init_class_dir, lesson_activity_ids
from course_lib.live.config import LiveConfig
from course_lib.live.publish import PublishError, publish_answer
from course_lib.live.render import render
from course_lib.live.serve import main as board_main
from course_lib.models import load_exercise

from .shared_users import REPO_ROOT, open_base, os_users, remove_tree, swapping

PUBLISHES = 3000  # the old code lost the race within 1,000 publishes in 4 of 6 rounds
LESSON_IDS = lesson_activity_ids(REPO_ROOT / "notebooks")


@pytest.fixture
def base():
    folder = open_base()
    yield folder
    remove_tree(folder)


def mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def test_swapping_the_activity_folder_for_a_link_never_changes_the_linked_folder(base):
    victim = base / "victim-private"
    victim.mkdir()
    victim.chmod(0o700)
    class_dir = base / "class"
    class_dir.mkdir()
    class_dir.chmod(0o1777)
    config = LiveConfig(class_dir, "ann", "Ann", "on")
    outcomes: dict[str, int] = {}
    with swapping(class_dir / "m1-brainstorm", victim):
        for _ in range(PUBLISHES):
            try:
                publish_answer("m1-brainstorm", "brainstorm", ["Listen to the whole question"], config)
                outcome = "published"
            except PublishError as exc:
                outcome = "refused: link" if "symbolic link" in str(exc) else f"refused: {exc}"
            except FileNotFoundError:
                outcome = "folder removed meanwhile"
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
            assert mode(victim) == 0o700, outcomes
    assert list(victim.iterdir()) == []  # nothing was written through the link either
    assert outcomes.get("refused: link", 0) > 0, outcomes  # the race really happened
    assert set(outcomes) <= {"published", "refused: link", "folder removed meanwhile"}, outcomes


def test_lesson_activities_are_the_lessons_show_calls():
    assert "m1-brainstorm" in LESSON_IDS and "m2-practice-standards" in LESSON_IDS
    # the self-assessment is personal and graded: never on the board; the reaction surveys are
    assert "m7-self-assessment" not in LESSON_IDS
    assert {f"m{module}-reaction" for module in range(1, 8)} <= set(LESSON_IDS)


@pytest.mark.parametrize("folder_mode", [0o755, 0o775])  # 0o775: umask 002 with a per-user group
def test_on_one_machine_the_class_folder_keeps_the_chosen_trainee_ids(tmp_path, folder_mode):
    (tmp_path / "class").mkdir()
    (tmp_path / "class").chmod(folder_mode)
    for trainee in ("ann", "ben"):
        publish_answer("m1-brainstorm", "brainstorm", ["Listen to the whole question"],
                       LiveConfig(tmp_path / "class", trainee, trainee.title(), "on"))
    read = ClassFolder(tmp_path / "class").read(load_exercise("m1-brainstorm"))
    assert [e.trainee for e in read.entries] == ["ann", "ben"] and read.rejected == 0
    assert [e.name for e in read.entries] == ["Ann", "Ben"]
    assert mode(tmp_path / "class" / "m1-brainstorm") == folder_mode  # as open as the class folder, no more


# -- several OS users (root only) ---------------------------------------------------
PUBLISH = """
    import os, sys
    from course_lib.live.config import load_config
    from course_lib.live.publish import publish_answer, PublishError
    try:
        path = publish_answer("{exercise}", "brainstorm", {answer!r}, load_config())
        print("published", path)
    except PublishError as exc:
        print("refused", exc)
"""


def publish_as(user, class_dir: Path, answer: list[str], exercise: str = "m1-brainstorm", **env: str) -> str:
    code = PUBLISH.format(exercise=exercise, answer=answer)
    return user.run(code, {"COURSE_CLASS_DIR": str(class_dir), **env}).stdout.strip()


def shared_class_dir(base: Path) -> Path:
    class_dir = base / "class"
    assert init_class_dir(class_dir, LESSON_IDS, shared=True) == []  # the facilitator (root) sets it up
    return class_dir


def test_a_trainee_publishes_under_their_os_user_name_whatever_they_claim(base):
    with os_users("ann") as users:
        ann = users["ann"]
        class_dir = shared_class_dir(base)
        out = publish_as(ann, class_dir, ["Listen to the whole question"], COURSE_TRAINEE_ID="ben",
                         COURSE_TRAINEE_NAME="Ben the boss")
        entry = class_dir / "m1-brainstorm" / f"{ann.name}.json"
        assert out == f"published {entry}"
        assert os.lstat(entry).st_uid == ann.uid and not (class_dir / "m1-brainstorm" / "ben.json").exists()
        read = ClassFolder(class_dir).read(load_exercise("m1-brainstorm"))
        # The board names the entry after the OS user, not after what the trainee typed.
        assert [(e.trainee, e.name) for e in read.entries] == [(ann.name, "Trainee Ann")]


def test_an_entry_pre_created_by_another_user_is_refused_and_rejected(base):
    with os_users("ann", "mal") as users:
        ann, mal = users["ann"], users["mal"]
        class_dir = shared_class_dir(base)
        forged = {"format": 1, "exercise": "m1-brainstorm", "type": "brainstorm", "trainee": ann.name,
                  "name": "Ann", "saved_at": "2026-01-01T00:00:00+00:00", "answer": ["Shout at every caller"]}
        mal.run(f"""
            import json
            with open({str(class_dir / "m1-brainstorm" / f"{ann.name}.json")!r}, "w") as f:
                json.dump({forged!r}, f)
        """)
        out = publish_as(ann, class_dir, ["Listen to the whole question"])
        assert out.startswith("refused ") and f"belongs to another user ({mal.name})" in out
        assert "ask the facilitator to remove it" in out
        summary = summarise("m1-brainstorm", ClassFolder(class_dir))
        assert summary.participants == 0 and summary.groups == ()
        shown = render(summary)
        assert "Shout" not in shown.html
        assert "Rejected: 1 entry not written by the trainee they name." in shown.notes_html


def test_fifty_invented_ids_from_one_user_count_as_one_trainee_at_most(base):
    with os_users("ann", "mal") as users:
        ann, mal = users["ann"], users["mal"]
        class_dir = shared_class_dir(base)
        publish_as(ann, class_dir, ["Listen to the whole question"])
        # Through the publisher, a made-up COURSE_TRAINEE_ID still lands in mal's own entry.
        for n in range(3):
            assert publish_as(mal, class_dir, [f"Invented entry number {n} here"],
                              COURSE_TRAINEE_ID=f"fake{n}").endswith(f"/{mal.name}.json")
        # Written by hand, 50 entries under invented ids.
        mal.run(f"""
            import json
            for n in range(50):
                record = {{"format": 1, "exercise": "m1-brainstorm", "type": "brainstorm", "trainee": f"fake{{n}}",
                           "name": f"Fake {{n}}", "saved_at": "", "answer": [f"Invented entry number {{n}} here"]}}
                with open({str(class_dir / "m1-brainstorm")!r} + f"/fake{{n}}.json", "w") as f:
                    json.dump(record, f)
        """)
        summary = summarise("m1-brainstorm", ClassFolder(class_dir))
        # ann, and mal's one entry under mal's own name; none of the 50 invented ids.
        assert summary.participants == 2
        names = {name for group in summary.groups for card in group.cards for name in card.names}
        assert names == {"Trainee Ann", "Trainee Mal"}
        assert "Rejected: 50 entries not written by the trainee they name." in summary.notes
        assert len(list((class_dir / "m1-brainstorm").glob("fake*.json"))) == 50


def test_a_trainee_cannot_block_or_empty_an_activity_the_facilitator_set_up(base):
    with os_users("ann", "mal") as users:
        ann, mal = users["ann"], users["mal"]
        class_dir = shared_class_dir(base)
        folder = class_dir / "m2-practice-standards"
        assert os.lstat(folder).st_uid == 0 and mode(folder) == 0o1777
        publish_as(ann, class_dir, ["Listen to the whole question"])
        out = mal.run(f"""
            import os, shutil
            results = []
            folder, entry = {str(folder)!r}, {str(class_dir / "m1-brainstorm" / f"{ann.name}.json")!r}
            for action in (lambda: os.rmdir(folder), lambda: os.rename(folder, folder + "-x"),
                           lambda: os.unlink(entry)):
                try:
                    action()
                    results.append("done")
                except PermissionError:
                    results.append("denied")
            print(*results)
        """).stdout.split()
        assert out == ["denied", "denied", "denied"]
        assert publish_as(ann, class_dir, ["Greet every caller"], exercise="m2-practice-standards").startswith(
            "published")


def test_a_trainee_created_folder_closed_to_others_is_reported(base):
    with os_users("ann", "mal") as users:
        ann, mal = users["ann"], users["mal"]
        class_dir = base / "class"
        init_class_dir(class_dir, [], shared=True)  # the class folder only: the trainee gets there first
        mal.run(f"import os; os.mkdir({str(class_dir / 'm1-brainstorm')!r}, 0o755)")
        out = publish_as(ann, class_dir, ["Listen to the whole question"])
        assert out.startswith("refused ") and f"the activity folder m1-brainstorm belongs to {mal.name}" in out
        assert "course-board --init-class-dir" in out
        problems = ClassFolder(class_dir).folder_problems()
        assert problems == (f"The activity folder m1-brainstorm was created by {mal.name} and others cannot add "
                            "to it: remove it and run course-board --init-class-dir.",)
        # The facilitator's set-up says which folder it could not take over.
        assert init_class_dir(class_dir, ["m1-brainstorm"], shared=True) == [
            f"m1-brainstorm belongs to {mal.name}, not to you: remove it (as root) and run this again"]


def test_course_board_init_class_dir_sets_up_every_lesson_activity(base, capsys):
    class_dir = base / "class"
    board_main(["--init-class-dir", "--class-dir", str(class_dir), "--lessons", str(REPO_ROOT / "notebooks")])
    assert f"{len(LESSON_IDS)} activity folders" in capsys.readouterr().out
    assert mode(class_dir) == 0o1777
    assert sorted(p.name for p in class_dir.iterdir()) == LESSON_IDS
    assert {mode(class_dir / i) for i in LESSON_IDS} == {0o1777}


def test_the_board_sets_up_activity_folders_when_it_starts_on_a_shared_folder(base, monkeypatch, capsys):
    class_dir = base / "class"
    class_dir.mkdir()
    class_dir.chmod(0o1777)  # made shared by the admin, activity folders not yet there

    class Started(Exception):
        pass

    def execve(path, args, env):  # stop where the board would become the Voilà server
        raise Started(env["COURSE_CLASS_DIR"])

    monkeypatch.setattr("course_lib.live.serve.os.execve", execve)
    with pytest.raises(Started, match=str(class_dir)):
        board_main(["--class-dir", str(class_dir), "--lessons", str(REPO_ROOT / "notebooks")])
    assert sorted(p.name for p in class_dir.iterdir()) == LESSON_IDS
    assert {mode(class_dir / i) for i in LESSON_IDS} == {0o1777}
    assert "Open http://127.0.0.1:" in capsys.readouterr().out
