"""What a JupyterHub config and an nbgrader config add for the exchange service.

In ``deploy/jupyterhub_config.py`` (opt-in: ``COURSE_EXCHANGE_SERVICE=1``)::

    from course_lib.hub_exchange.hub import exchange_service
    exchange = exchange_service(names, port=..., store=..., user=grader_user, python=...)
    c.JupyterHub.services += exchange.services
    c.JupyterHub.custom_scopes = exchange.custom_scopes
    roles = merge_roles(roles, exchange.roles)                   # course_lib.live.hub_service.merge_roles
    c.Spawner.environment.update(exchange.spawner_environment)   # COURSE_EXCHANGE_URL

In an nbgrader config (the course's, the trainees'), :func:`use_exchange_service`
selects the plug-in classes of :mod:`.plugin` when the service is on.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Any, Protocol

from .plugin import SERVICE_URL_ENV
from .service import MANAGE_SCOPE, SUBMIT_SCOPE

__all__ = [
    "DEFAULT_PORT",
    "PLUGIN_CLASSES",
    "SERVICE_MODULE",
    "ExchangeNames",
    "ExchangeService",
    "exchange_service",
    "exchange_url",
    "use_exchange_service",
]

SERVICE_MODULE = "course_lib.hub_exchange.service"
DEFAULT_PORT = 10103
_PLUGIN = "course_lib.hub_exchange.plugin."
# ExchangeFactory trait -> class (nbgrader.exchange.ExchangeFactory's names).
PLUGIN_CLASSES = {
    "exchange": _PLUGIN + "HubExchange",
    "fetch_assignment": _PLUGIN + "HubFetchAssignment",
    "fetch_feedback": _PLUGIN + "HubFetchFeedback",
    "release_assignment": _PLUGIN + "HubReleaseAssignment",
    "release_feedback": _PLUGIN + "HubReleaseFeedback",
    "list": _PLUGIN + "HubList",
    "submit": _PLUGIN + "HubSubmit",
    "collect": _PLUGIN + "HubCollect",
}
# JupyterHub's default `server` role (a single-user server's own token); see course_lib.live.hub_service.
_SERVER_ROLE_SCOPES = ("users:activity!user", "access:servers!server")


class ExchangeNames(Protocol):
    """What is read from ``deploy/course_server.py`` (the module itself is passed)."""

    TRAINEES: str
    INSTRUCTORS: str
    GRADER_SERVICE: str
    EXCHANGE_SERVICE: str


@dataclass(frozen=True)
class ExchangeService:
    """The pieces a JupyterHub config adds for the exchange service."""

    services: list[dict[str, Any]]
    roles: list[dict[str, Any]]
    custom_scopes: dict[str, dict[str, str]]
    spawner_environment: dict[str, str] = field(default_factory=dict)


def exchange_url(names: ExchangeNames, *, ip: str = "127.0.0.1", port: int = DEFAULT_PORT) -> str:
    """The service's own URL with its prefix: where the plug-in sends requests."""
    return f"http://{ip}:{port}/services/{names.EXCHANGE_SERVICE}/"


def exchange_service(names: ExchangeNames, *, store: str, ip: str = "127.0.0.1", port: int = DEFAULT_PORT,
                     user: str | None = None, python: str = sys.executable,
                     bind_ip: str | None = None) -> ExchangeService:
    """Service entry, roles, custom scopes and servers' environment for the exchange service.

    ``store``: the service's private folder (created 0700 by the service's account, ``user``: the
    hub runs the service as that OS user; None runs it as the hub's own). ``ip``/``port``: its
    address in URLs; ``bind_ip`` where it listens when that differs (Kubernetes: ``ip="hub"``,
    ``bind_ip="0.0.0.0"``).
    """
    access = f"access:services!service={names.EXCHANGE_SERVICE}"
    environment = {"COURSE_EXCHANGE_STORE": store, **({"COURSE_SERVICE_IP": bind_ip} if bind_ip else {})}
    service: dict[str, Any] = {
        "name": names.EXCHANGE_SERVICE,
        "url": f"http://{ip}:{port}",
        "command": [python, "-m", SERVICE_MODULE],
        "environment": environment,
        "display": False,  # an API for nbgrader, nothing to open in a browser
    }
    if user:
        service["user"] = user
    roles = [
        {"name": "course-exchange-trainee", "description": "Fetch assignments, submit and fetch one's own feedback",
         "groups": [names.TRAINEES], "scopes": [access, SUBMIT_SCOPE]},
        {"name": "course-exchange-instructor", "description": "Release, collect and release feedback",
         "groups": [names.INSTRUCTORS], "services": [names.GRADER_SERVICE], "scopes": [access, MANAGE_SCOPE]},
        # A server's own token: what its owner holds of these, never more (JupyterHub intersects).
        {"name": "server", "scopes": [*_SERVER_ROLE_SCOPES, access, SUBMIT_SCOPE, MANAGE_SCOPE]},
    ]
    scopes = {
        SUBMIT_SCOPE: {"description": "Fetch released assignments, submit one's own work, fetch one's own feedback"},
        MANAGE_SCOPE: {"description": "Release assignments, collect every submission, release feedback"},
    }
    return ExchangeService([service], roles, scopes, {SERVICE_URL_ENV: exchange_url(names, ip=ip, port=port)})


def use_exchange_service(c: Any, url: str | None = None) -> None:
    """Select the exchange service's plug-in classes in nbgrader config ``c`` (and its URL, when given)."""
    c.Exchange.pop("root", None)  # the folder exchange's setting: unused here, and nbgrader would warn of it
    for trait, class_name in PLUGIN_CLASSES.items():
        setattr(c.ExchangeFactory, trait, class_name)
    if url:
        c.HubExchange.service_url = url
