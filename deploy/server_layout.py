"""Where a course server keeps things, read from the environment with the defaults of course_server.

The hub config, ``server_setup.py``, ``grade.sh`` and the tests all take their paths from
:func:`layout`, so a test (or a second course on one machine) moves them with environment
variables instead of editing files:

======================  ======================================  ==========================================
variable                default                                 what
======================  ======================================  ==========================================
COURSE_PREFIX           /opt/customer-service-course            the system-wide environment (install.sh)
COURSE_HUB_STATE        /srv/jupyterhub                         hub database, cookie secret, roster.yaml
COURSE_HUB_ROSTER       $COURSE_HUB_STATE/roster.yaml           who is a trainee, instructor, facilitator
COURSE_EXCHANGE_DIR     course_server.EXCHANGE_DIR              the nbgrader exchange
COURSE_GRADER_USER      course_server.GRADER_USER               OS account owning the course folder
COURSE_CLASS_DIR        course_server.CLASS_DIR                 live answers (the board's class folder)
COURSE_EXCHANGE_SERVICE 0                                       1: the exchange service replaces the
                                                                exchange folder (course_lib/hub_exchange)
COURSE_EXCHANGE_STORE   course_server.EXCHANGE_STORE            the exchange service's private folder
COURSE_HUB_IP / _PORT   127.0.0.1 / 8000                        where the proxy listens (public side); the
                                                                next six ports: proxy API, hub API,
                                                                formgrader, board, live answers, exchange
======================  ======================================  ==========================================
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from deploy.course_server import CLASS_DIR, COURSE_ID, EXCHANGE_DIR, EXCHANGE_STORE, GRADER_USER

__all__ = ["USERNAME_PATTERN", "Layout", "layout"]

# One name is the hub user, the OS user, the home folder and the nbgrader student id: allow only
# what useradd accepts without --badname and what is safe in a path (no '/', '.', space or '..').
USERNAME_PATTERN = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")


@dataclass(frozen=True)
class Layout:
    """The course server's paths and accounts."""

    prefix: Path
    state: Path
    roster: Path
    exchange: Path
    grader_user: str
    class_dir: Path
    ip: str
    port: int
    exchange_service: bool = False
    exchange_store: Path = Path(EXCHANGE_STORE)

    @property
    def bin(self) -> Path:
        return self.prefix / "bin"

    @property
    def proxy_api_port(self) -> int:
        return self.port + 1

    @property
    def hub_api_port(self) -> int:
        return self.port + 2

    @property
    def formgrader_port(self) -> int:
        return self.port + 3

    @property
    def board_port(self) -> int:
        return self.port + 4

    @property
    def live_port(self) -> int:
        return self.port + 5

    @property
    def exchange_port(self) -> int:
        return self.port + 6

    @property
    def lessons(self) -> Path:
        """The lessons as installed (read-only); each user's server gets a copy in ~/notebooks."""
        return self.prefix / "share" / "customer-service-course" / "lessons"

    @property
    def roles_dir(self) -> Path:
        """Per-role Jupyter config folders that spawners put on JUPYTER_CONFIG_PATH."""
        return self.prefix / "etc" / "course-roles"

    def role_config(self, role: str) -> Path:
        return self.roles_dir / role

    @property
    def grader_home(self) -> Path:
        import pwd

        return Path(pwd.getpwnam(self.grader_user).pw_dir)

    @property
    def course_dir(self) -> Path:
        """The instructors' course folder (nbgrader's multi-user set-up: in the grader account's home)."""
        return self.grader_home / COURSE_ID


def layout(environ: dict[str, str] | None = None) -> Layout:
    """The layout from ``environ`` (default ``os.environ``)."""
    env = os.environ if environ is None else environ
    state = Path(env.get("COURSE_HUB_STATE", "/srv/jupyterhub"))
    return Layout(
        prefix=Path(env.get("COURSE_PREFIX", "/opt/customer-service-course")),
        state=state,
        roster=Path(env.get("COURSE_HUB_ROSTER", str(state / "roster.yaml"))),
        exchange=Path(env.get("COURSE_EXCHANGE_DIR", EXCHANGE_DIR)),
        grader_user=env.get("COURSE_GRADER_USER", GRADER_USER),
        class_dir=Path(env.get("COURSE_CLASS_DIR", CLASS_DIR)),
        ip=env.get("COURSE_HUB_IP", "127.0.0.1"),
        port=int(env.get("COURSE_HUB_PORT", "8000")),
        exchange_service=env.get("COURSE_EXCHANGE_SERVICE", "0").strip().lower() in ("1", "true", "yes", "on"),
        exchange_store=Path(env.get("COURSE_EXCHANGE_STORE", EXCHANGE_STORE)),
    )
