"""The course server's roster: who is a trainee, an instructor or a facilitator.

``roster.yaml`` (in the hub's state folder) lists hub user names per group::

    trainees: [alice, bob]
    instructors: [ines]
    facilitators: [fran]

Each name is also the trainee's OS user and nbgrader student id, so a name that is not a safe
user name (spaces, capitals, accents, '/', '..') is refused with the file, the group and the
entry named; the hub does not start with it.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from deploy.course_server import FACILITATORS, INSTRUCTORS, TRAINEES
from deploy.server_layout import USERNAME_PATTERN

__all__ = ["GROUPS", "RosterError", "load_roster"]

GROUPS = (TRAINEES, INSTRUCTORS, FACILITATORS)


class RosterError(ValueError):
    """The roster file cannot be used; the message names the file and the entry."""


def load_roster(path: Path | str) -> dict[str, list[str]]:
    """Group name -> user names, every group present (maybe empty), every name checked."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise RosterError(f"{path}: cannot read the roster: {exc}") from exc
    if not isinstance(data, dict):
        raise RosterError(f"{path}: expected a mapping of group -> list of user names")
    unknown = sorted(set(map(str, data)) - set(GROUPS))
    if unknown:
        raise RosterError(f"{path}: unknown group(s) {', '.join(unknown)}; the groups are {', '.join(GROUPS)}")
    roster: dict[str, list[str]] = {}
    for group in GROUPS:
        names = data.get(group) or []
        if not isinstance(names, list):
            raise RosterError(f"{path}: {group}: expected a list of user names")
        for index, name in enumerate(names):
            if not isinstance(name, str) or not USERNAME_PATTERN.fullmatch(name):
                raise RosterError(
                    f"{path}: {group}[{index}]: {name!r} is not a valid user name: use lowercase letters a-z, "
                    "digits, '-' or '_', starting with a letter, at most 32 characters (it is also the OS user "
                    "and the nbgrader id)"
                )
        roster[group] = list(dict.fromkeys(names))
    return roster
