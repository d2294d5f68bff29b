"""A real JupyterHub with configurable-http-proxy on 127.0.0.1, running the live board and live-answers services.

The services, their roles and the trainees' server environment come from
:func:`course_lib.live.hub_service.hub_services` with the names of
``deploy/course_server.py``, exactly as ``deploy/jupyterhub_config.py`` adds
them. Everything else is the smallest hub that can run them: users log in with
one shared password (JupyterHub's test-only ``SharedPasswordAuthenticator``),
no single-user server is ever spawned (trainees' kernels are stood in for by
the real publishing client with each trainee's own hub token, made through the
hub's REST API), and the hub's state lives in a temporary folder.
"""

from __future__ import annotations

import http.client
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import textwrap
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from course_lib.live.hub_service import hub_services
from deploy import course_server as names
from tests.servers import free_port, log_text, running_server

REPO = Path(__file__).resolve().parents[2]
CHP = REPO / "deploy" / "node_modules" / ".bin" / "configurable-http-proxy"
TRAINEES = ("ann", "ben", "cat")
FACILITATOR = "fay"
INSTRUCTOR = "ian"
ADMIN_SERVICE = "board-test-admin"


def _require(condition: bool, what: str) -> None:
    if condition:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} is required in CI")
    pytest.skip(f"{what} is not installed")


def http_status(url: str | urllib.request.Request, timeout: float = 5) -> int | None:
    """The HTTP status ``url`` (or a prepared request) answers with (after redirects), or None when nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        exc.close()
        return exc.code
    except (urllib.error.URLError, http.client.HTTPException, OSError):
        return None


def answers_http(url: str) -> bool:
    """Whether anything answers HTTP at ``url`` (any status counts: the server is up)."""
    return http_status(url) is not None


@dataclass
class BoardHub:
    """The running hub, its services' addresses and an admin token for its REST API."""

    url: str  # the proxy's public address, http://127.0.0.1:PORT
    password: str
    admin_token: str
    class_dir: Path
    board_url: str  # the board through the proxy
    live_url: str  # COURSE_LIVE_URL as the hub sets it for trainees' servers
    live_port: int
    log: Path
    pid: int
    _tokens: dict[str, str] = field(default_factory=dict)

    def api(self, method: str, path: str, body: Any = None, token: str | None = None) -> tuple[int, Any]:
        """Call the hub's REST API; (status, parsed JSON or None)."""
        request = urllib.request.Request(
            f"{self.url}/hub/api/{path.lstrip('/')}", method=method,
            data=None if body is None else json.dumps(body).encode("utf-8"),
            headers={"Authorization": f"token {token or self.admin_token}", "Content-Type": "application/json"},
        )  # fmt: skip
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                raw = response.read()
                return response.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as exc:
            exc.close()
            return exc.code, None

    def token_for(self, user: str, scopes: list[str] | None = None) -> str:
        """A hub API token of ``user``: by default with the publishing scope a trainee's server token has.

        ``scopes=[]`` asks for a token with all its owner's permissions.
        """
        scopes = [f"access:services!service={names.LIVE_SERVICE}"] if scopes is None else scopes
        key = f"{user} {' '.join(scopes)}"
        if key not in self._tokens:
            body = {"note": "board test", "expires_in": 3600, **({"scopes": scopes} if scopes else {})}
            status, reply = self.api("POST", f"users/{quote(user, safe='')}/tokens", body)
            assert status == 201, f"the hub refused a token for {user}: {status}\n{self.log_text()}"
            self._tokens[key] = reply["token"]
        return self._tokens[key]

    def log_text(self) -> str:
        return log_text(self.log)

    def service_pid(self, module: str) -> int:
        """The process id of the hub-managed service running ``python -m <module>`` (a child of this hub)."""
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
                cmdline = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            if parent == self.pid and module.encode() in cmdline:
                return int(entry.name)
        raise AssertionError(f"no service process {module} under the hub (pid {self.pid})")


def _config(work: Path, ports: dict[str, int], password: str, admin_token: str, class_dir: Path,
            extra_users: int = 0) -> str:
    trainees = [*TRAINEES, *(f"t{n:04d}" for n in range(1, extra_users + 1))]
    users = [*trainees, FACILITATOR, INSTRUCTOR]
    return textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(REPO)!r})
        from deploy import course_server as names
        from course_lib.live.hub_service import hub_services, merge_roles

        c = get_config()  # noqa: F821
        c.JupyterHub.ip = "127.0.0.1"
        c.JupyterHub.port = {ports["public"]}
        c.JupyterHub.hub_ip = "127.0.0.1"
        c.JupyterHub.hub_port = {ports["hub"]}
        c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{ports["proxy_api"]}"
        c.ConfigurableHTTPProxy.command = [{str(CHP)!r}]
        c.JupyterHub.db_url = "sqlite:///{work / "jupyterhub.sqlite"}"
        c.JupyterHub.cookie_secret_file = {str(work / "cookie_secret")!r}
        c.JupyterHub.pid_file = {str(work / "jupyterhub.pid")!r}
        c.JupyterHub.authenticator_class = "shared-password"
        c.SharedPasswordAuthenticator.user_password = {password!r}
        c.Authenticator.allowed_users = set({users!r})
        c.JupyterHub.load_groups = {{
            names.TRAINEES: {{"users": {trainees!r}}},
            names.FACILITATORS: {{"users": [{FACILITATOR!r}]}},
            names.INSTRUCTORS: {{"users": [{INSTRUCTOR!r}]}},
        }}
        live = hub_services(names, board_port={ports["board"]}, live_port={ports["live"]},
                            class_dir={str(class_dir)!r}, python={sys.executable!r}, refresh_seconds=1)
        c.JupyterHub.services = [*live.services, {{"name": {ADMIN_SERVICE!r}, "api_token": {admin_token!r}}}]
        c.JupyterHub.load_roles = merge_roles(live.roles, [{{
            "name": "board-test-admin", "services": [{ADMIN_SERVICE!r}],
            "scopes": ["admin:users", "tokens", "list:services", "read:services", "admin:groups"],
        }}])
        c.Spawner.environment = live.spawner_environment
        """)


@contextmanager
def running_board_hub(work: Path, extra_users: int = 0) -> Iterator[BoardHub]:
    """Start the hub in ``work`` (config, state, class folder) and stop it, its services and proxy, afterwards.

    ``extra_users``: trainees ``t0001``... besides the named ones (for the benchmark).
    """
    class_dir = work / "class"
    ports = {name: free_port() for name in ("public", "hub", "proxy_api", "board", "live")}
    password, admin_token = secrets.token_urlsafe(16), secrets.token_hex(32)
    config = work / "jupyterhub_config.py"
    config.write_text(_config(work, ports, password, admin_token, class_dir, extra_users), encoding="utf-8")
    url = f"http://127.0.0.1:{ports['public']}"
    live_direct = f"http://127.0.0.1:{ports['live']}/services/{names.LIVE_SERVICE}/api/answers"

    def ready() -> bool:
        # The hub's API, the board through the proxy (it redirects to the login page) and the ingest (GET: 405).
        return (http_status(f"{url}/hub/api/") == 200 and http_status(f"{url}/services/{names.BOARD_SERVICE}/") == 200
                and http_status(live_direct) == 405)

    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    env.pop("COURSE_LIVE_URL", None)
    log = work / "jupyterhub.log"
    command = [sys.executable, "-m", "jupyterhub", "-f", str(config)]
    with running_server(command, cwd=work, env=env, log_path=log, ready=ready, name="JupyterHub",
                        timeout=120) as process:
        hub = BoardHub(url=url, password=password, admin_token=admin_token, class_dir=class_dir,
                       board_url=f"{url}/services/{names.BOARD_SERVICE}/",
                       live_url=hub_services(names, board_port=ports["board"], live_port=ports["live"])
                       .spawner_environment["COURSE_LIVE_URL"],
                       live_port=ports["live"], log=log, pid=process.pid)
        yield hub
        # SIGTERM (sent by running_server) lets the hub stop its services and the proxy.
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            pass  # running_server kills it


@pytest.fixture(scope="module")
def board_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BoardHub]:
    """The hub, started once per test module; stopped (with its services and proxy) afterwards."""
    _require(CHP.exists(), "configurable-http-proxy (npm ci --prefix deploy)")
    _require(shutil.which("node") is not None, "node")
    with running_board_hub(tmp_path_factory.mktemp("board-hub")) as hub:
        yield hub
