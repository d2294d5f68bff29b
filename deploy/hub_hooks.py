"""What the hub does per user before a server starts: the role's Jupyter config and the lessons.

Kept out of jupyterhub_config.py so it can be read and tested on its own.
"""

from __future__ import annotations

import os
import pwd
import subprocess
from collections.abc import Iterable
from pathlib import Path

from course_lib.live.publish import LESSON_FOLDER
from deploy.course_server import FACILITATORS, INSTRUCTORS
from deploy.server_layout import Layout

__all__ = ["STAFF_GROUPS", "copy_lessons", "role_config", "set_role_environment"]

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
