"""The live board and the live-answers ingest as JupyterHub services: what a hub config adds.

Two hub-managed services, both small Tornado apps run by the hub:

* ``BOARD_SERVICE`` (:mod:`course_lib.live.hub_board`): the facilitators' board,
  behind hub OAuth. Only users whose groups carry
  ``access:services!service=<BOARD_SERVICE>`` (instructors and facilitators)
  get past the hub's OAuth step; anyone else gets 403. No token in a URL.
* ``LIVE_SERVICE`` (:mod:`course_lib.live.hub_ingest`): trainees' kernels POST
  their lesson answers here with their server's own hub API token
  (``JUPYTERHUB_API_TOKEN``). The service asks the hub whose token it is and
  files the answer under that user name, in a class folder only the services'
  OS user can read (mode 0700).

Trainees' servers switch to hub publishing through the spawner environment
returned here (``COURSE_LIVE_URL``; see :mod:`course_lib.live.hub_publish`).

How ``deploy/jupyterhub_config.py`` includes it (``course_lib`` is installed in
the hub's Python; ``deploy/course_server.py`` is the single source of the names
and is passed in, so ``course_lib`` never imports ``deploy/``)::

    import sys, pathlib
    sys.path.insert(0, str(pathlib.Path(__file__).parent))
    import course_server
    from course_lib.live.hub_service import hub_services, merge_roles

    live = hub_services(course_server)           # ports/user/class folder: see the arguments
    c.JupyterHub.services = [*c.JupyterHub.services, *live.services]   # or just live.services
    c.JupyterHub.load_roles = merge_roles(my_roles, live.roles)      # merges a `server` role by name
    c.Spawner.environment.update(live.spawner_environment)

``merge_roles`` unions the scopes, groups, users and services of roles with
the same name, so a config that defines its own ``server`` role keeps it.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

__all__ = [
    "BOARD_MODULE",
    "DEFAULT_BOARD_PORT",
    "DEFAULT_LIVE_PORT",
    "INGEST_MODULE",
    "SERVER_ROLE_SCOPES",
    "CourseServerNames",
    "HubServices",
    "hub_services",
    "live_url",
    "merge_roles",
]

BOARD_MODULE = "course_lib.live.hub_board"
INGEST_MODULE = "course_lib.live.hub_ingest"
DEFAULT_BOARD_PORT = 10101
DEFAULT_LIVE_PORT = 10102
# JupyterHub's default `server` role (the scopes of a single-user server's own token), which the
# live-answers scope is added to: a trainee's kernel publishes with that token.
SERVER_ROLE_SCOPES = ("users:activity!user", "access:servers!server")


class CourseServerNames(Protocol):
    """What is read from ``deploy/course_server.py`` (the module itself is passed)."""

    TRAINEES: str
    INSTRUCTORS: str
    FACILITATORS: str
    BOARD_SERVICE: str
    LIVE_SERVICE: str
    CLASS_DIR: str


@dataclass(frozen=True)
class HubServices:
    """The pieces a JupyterHub config adds for the live board and the live-answers ingest."""

    services: list[dict[str, Any]]  # entries for c.JupyterHub.services
    roles: list[dict[str, Any]]  # additions to c.JupyterHub.load_roles (merge with merge_roles)
    spawner_environment: dict[str, str] = field(default_factory=dict)  # for c.Spawner.environment


def live_url(names: CourseServerNames, *, ip: str = "127.0.0.1", port: int = DEFAULT_LIVE_PORT) -> str:
    """Where trainees' kernels POST answers: the live-answers service's own URL and prefix."""
    return f"http://{ip}:{port}/services/{names.LIVE_SERVICE}/"


def hub_services(
    names: CourseServerNames,
    *,
    ip: str = "127.0.0.1",
    board_port: int = DEFAULT_BOARD_PORT,
    live_port: int = DEFAULT_LIVE_PORT,
    class_dir: str | None = None,
    user: str | None = None,
    python: str = sys.executable,
    refresh_seconds: float = 3.0,
    bind_ip: str | None = None,
    extra_environment: Mapping[str, str] | None = None,
) -> HubServices:
    """Services, roles and trainee-server environment for the board and the ingest.

    ``names``: the ``deploy/course_server`` module (or any object with its
    names). ``class_dir`` defaults to ``names.CLASS_DIR``. ``user``: the OS
    user the hub runs both services as (it owns the class folder; the hub must
    run as root to switch); None runs them as the hub's own user. ``python``:
    the interpreter that has ``course_lib`` (the hub's own by default).
    ``ip`` is the services' address in their URLs; ``bind_ip`` the address
    they listen on when that differs (Kubernetes: ``ip="hub"``, the hub's
    Service name, and ``bind_ip="0.0.0.0"``).
    """
    folder = class_dir or names.CLASS_DIR
    environment = {"COURSE_CLASS_DIR": folder, "COURSE_BOARD_REFRESH": f"{refresh_seconds:g}",
                   **({"COURSE_SERVICE_IP": bind_ip} if bind_ip else {}), **(extra_environment or {})}
    common: dict[str, Any] = {"environment": environment}
    if user:
        common["user"] = user
    services = [
        {
            "name": names.BOARD_SERVICE,
            "url": f"http://{ip}:{board_port}",
            "command": [python, "-m", BOARD_MODULE],
            "display": True,  # listed in the hub's Services menu for those who may open it
            "oauth_no_confirm": True,  # hub-managed and trusted: no "authorize" page for facilitators
            **common,
        },
        {
            "name": names.LIVE_SERVICE,
            "url": f"http://{ip}:{live_port}",
            "command": [python, "-m", INGEST_MODULE],
            "display": False,  # an API for kernels, nothing to open in a browser
            **common,
        },
    ]
    roles = [
        {
            "name": "course-live-board",
            "description": "Open the facilitators' live board",
            "groups": [names.INSTRUCTORS, names.FACILITATORS],
            "scopes": [f"access:services!service={names.BOARD_SERVICE}"],
        },
        {
            "name": "course-live-answers",
            "description": "Publish one's own lesson answers to the live board",
            "groups": [names.TRAINEES],
            "scopes": [f"access:services!service={names.LIVE_SERVICE}"],
        },
        {
            # A trainee's server token: its default scopes plus publishing. A token never holds more
            # than its owner, so only members of the trainees group can actually publish.
            "name": "server",
            "scopes": [*SERVER_ROLE_SCOPES, f"access:services!service={names.LIVE_SERVICE}"],
        },
    ]
    env = {"COURSE_LIVE_URL": live_url(names, ip=ip, port=live_port)}
    return HubServices(services, roles, env)


def merge_roles(*role_lists: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One list of roles: roles with the same name are merged (scopes, groups, users, services unioned)."""
    merged: dict[str, dict[str, Any]] = {}
    for roles in role_lists:
        for role in roles:
            current = merged.setdefault(role["name"], {"name": role["name"]})
            for key, value in role.items():
                if key in ("scopes", "groups", "users", "services"):
                    current[key] = list(dict.fromkeys([*current.get(key, []), *value]))
                elif key != "name":
                    current.setdefault(key, value)
    return list(merged.values())
