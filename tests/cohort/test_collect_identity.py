"""A trainee cannot hand in work as another trainee: real OS accounts, the real exchange, `course collect`.

As on the one-machine course server, each trainee is an operating-system
account with their own home, and the trainees' nbgrader config is the one
`course trainee-config` writes. Mallory first sets ``JUPYTERHUB_USER``,
``USER`` and ``LOGNAME`` to Alice's name in her own environment (the config
must ignore them), then names Alice outright on nbgrader's command line.
Collect must file Alice's own work as Alice's, refuse Mallory's forgery, and
say so.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from course_lib.store import AnswerStore

from ..live.shared_users import OsUser, open_base, os_users, remove_tree
from ..nbgrader.course import BARE_PATH, make_course

pytestmark = pytest.mark.nbgrader

ALICE_ANSWERS = ["Listen to the whole question", "Call back when I promised"]
MALLORY_ANSWERS = ["be kind"]


def run_course(course: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "course_lib.cli", *args], cwd=course, capture_output=True,
                          text=True, env={**os.environ, "PATH": BARE_PATH}, timeout=300)


def as_trainee(user: OsUser, home: Path, config_dir: Path, *args: str, env: dict[str, str] | None = None) -> str:
    """``nbgrader ARGS`` typed by ``user`` in their home folder; their output, or the test fails."""
    environment = {"PATH": BARE_PATH, "HOME": str(home), "JUPYTER_CONFIG_PATH": str(config_dir),
                   "USER": user.name, "LOGNAME": user.name, **(env or {})}
    done = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=home, env=environment, user=user.uid,
                          group=user.gid, extra_groups=[], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{user.name}: nbgrader {' '.join(args)}\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


def save_answers(user: OsUser, folder: Path, answers: list[str]) -> None:
    """The brainstorm's answers file, written as the trainee's widget writes it (owned by the trainee)."""
    AnswerStore(folder / "answers").save("m1-brainstorm", answers)
    for path in [folder / "answers", *(folder / "answers").iterdir()]:
        os.chown(path, user.uid, user.gid)


def inbound_names(exchange: Path) -> list[str]:
    return sorted(p.name.split("+")[0] for p in (exchange / "customer-service" / "inbound").iterdir())


@pytest.fixture(scope="module")
def forged():
    base = open_base()
    try:
        with os_users("alice", "mallory") as users:
            course = base / "course"
            course.mkdir()
            make_course(course)
            exchange, config_dir = base / "exchange", base / "jupyter-config"
            exchange.mkdir()
            assert run_course(course, "trainee-config", "-o", str(config_dir / "nbgrader_config.py"),
                              "--exchange", str(exchange)).returncode == 0
            released = run_course(course, "release", "module1", "--exchange", str(exchange))
            assert released.returncode == 0, released.stderr
            homes = {}
            for short, user in users.items():
                homes[short] = base / f"home-{short}"
                homes[short].mkdir()
                os.chown(homes[short], user.uid, user.gid)
                as_trainee(user, homes[short], config_dir, "fetch_assignment", "module1")
            alice, mallory = users["alice"], users["mallory"]
            save_answers(alice, homes["alice"] / "module1", ALICE_ANSWERS)
            as_trainee(alice, homes["alice"], config_dir, "submit", "module1")
            save_answers(mallory, homes["mallory"] / "module1", MALLORY_ANSWERS)
            pretend = {"JUPYTERHUB_USER": alice.name, "USER": alice.name, "LOGNAME": alice.name}
            as_trainee(mallory, homes["mallory"], config_dir, "submit", "module1", env=pretend)
            after_env_trick = inbound_names(exchange)
            as_trainee(mallory, homes["mallory"], config_dir, "submit", "module1",
                       f"--CourseDirectory.student_id={alice.name}")
            collected = run_course(course, "collect", "module1", "--exchange", str(exchange))
            yield {"users": users, "course": course, "after_env_trick": after_env_trick,
                   "collected": collected}
    finally:
        remove_tree(base)


def collected_answers(course: Path, student: str) -> list[str]:
    return AnswerStore(course / "submitted" / student / "module1" / "answers").load("m1-brainstorm").answer


def test_the_trainee_id_comes_from_the_account_not_the_environment(forged):
    alice, mallory = forged["users"]["alice"], forged["users"]["mallory"]
    assert forged["after_env_trick"] == sorted([alice.name, mallory.name])


def test_a_submission_in_another_trainees_name_is_refused_and_named(forged):
    alice, mallory = forged["users"]["alice"], forged["users"]["mallory"]
    done = forged["collected"]
    assert done.returncode == 0, done.stderr
    log = done.stdout + done.stderr
    assert "Refused 1 submission(s) made in another trainee's name" in log
    assert f"names {alice.name} but was submitted by {mallory.name}" in log


def test_each_trainee_keeps_their_own_work(forged):
    alice, mallory = forged["users"]["alice"], forged["users"]["mallory"]
    assert collected_answers(forged["course"], alice.name) == ALICE_ANSWERS
    assert collected_answers(forged["course"], mallory.name) == MALLORY_ANSWERS
    assert sorted(p.name for p in (forged["course"] / "submitted").iterdir()) == sorted([alice.name, mallory.name])

