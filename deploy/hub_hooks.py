"""What the hub does per user before a server starts (the role's Jupyter config and the lessons), and at its start.

Kept out of jupyterhub_config.py so it can be read and tested on its own.
"""

from __future__ import annotations

import os
import pwd
import signal
import subprocess
from collections.abc import Iterable
from pathlib import Path

from course_lib.live.publish import LESSON_FOLDER
from deploy.course_server import FACILITATORS, INSTRUCTORS
from deploy.server_layout import Layout

__all__ = ["STAFF_GROUPS", "copy_lessons", "restore_interrupt", "role_config", "set_role_environment"]

STAFF_GROUPS = frozenset({INSTRUCTORS, FACILITATORS})


def role_config(groups: Iterable[str], where: Layout) -> Path:
    """The Jupyter config folder for a user in ``groups``: staff's, or else the trainees' (the safe default)."""
    return where.role_config("staff" if STAFF_GROUPS & set(groups) else "trainees")


def set_role_environment(spawner, where: Layout) -> None:
    """Point the server's Jupyter at its role's config (nbgrader settings, which extensions are on).

    A new dict: the configured ``Spawner.environment`` is shared by every spawner.
    """
    groups = [group.name for group in spawner.user.groups]
    spawner.environment = {**spawner.environment, "JUPYTER_CONFIG_PATH": str(role_config(groups, where))}


def copy_lessons(username: str, where: Layout) -> None:
    """Copy the installed lessons into the user's ``~/notebooks`` the first time (theirs to edit after).

    The folder must be called ``notebooks`` (``course_lib.live.publish.LESSON_FOLDER``): lesson answers
    are published to the live board only from there, and the graded brainstorm finds the lesson's
    entries in ``notebooks/answers``.

    The copy runs as the user (``runuser``), not as the hub's root: a link the user put in their
    own home can then lead nowhere they could not write anyway.
    """
    target = Path(pwd.getpwnam(username).pw_dir) / LESSON_FOLDER
    if os.path.lexists(target) or not where.lessons.is_dir():
        return
    subprocess.run(["runuser", "-u", username, "--", "cp", "-R", "--no-preserve=mode,ownership",
                    f"{where.lessons}/.", str(target)], check=True, timeout=60)


def restore_interrupt() -> bool:
    """Give SIGINT its default (KeyboardInterrupt) back if this process was started with it ignored; True if it was.

    JupyterHub stops each managed service in turn with SIGINT, waits ``Spawner.interrupt_timeout`` (30 s in
    JupyterHub 6) for it to exit, and only then sends SIGTERM. An ignored signal stays ignored across fork and exec,
    and the hub starts its services before it installs its own SIGINT handler: a hub started with SIGINT ignored
    (in the background of a shell script, which ignores SIGINT for background jobs, as the CI runner is) handed
    that on to every service. Formgrader (Jupyter Server handles SIGINT itself only on a terminal) and the idle
    culler then ignored the hub's SIGINT, and stopping the hub took 30 s per service. Called by
    jupyterhub_config.py, before any service starts.
    """
    if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
        return False
    signal.signal(signal.SIGINT, signal.default_int_handler)
    return True
