"""A real course server for tests and benchmarks: deploy/install.sh, OS users, the hub on loopback.

Everything lives in one folder under /tmp (traversable by the test users, unlike pytest's
0700 tmp folders): the hub's state, the exchange, the class folder and the users' homes.
The system-wide environment (/opt/customer-service-course by default, COURSE_PREFIX) is built
once by deploy/install.sh and reused across runs, like .venv. :func:`course_hub` removes the
users (and every process they still run), the grader account and the folder afterwards.
"""

from __future__ import annotations

import json
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from course_lib.sandbox.processes import kill_all
from tests.conftest import ARTIFACTS_DIR
from tests.servers import log_text

__all__ = ["PREFIX", "REPO", "CourseHub", "HubUser", "course_hub", "hub_unavailable"]

REPO = Path(__file__).resolve().parents[2]
PREFIX = Path(os.environ.get("COURSE_PREFIX", "/opt/customer-service-course"))
HUB_START_TIMEOUT = 240  # seconds: a restart re-checks every running server, slow on a loaded 2-core machine


def hub_unavailable() -> str | None:
    """Why a course server cannot run here (None when it can)."""
    if os.geteuid() != 0:
        return "the course server tests need root (they create OS users and run the hub as root)"
    for tool in ("node", "npm", "useradd", "userdel", "chpasswd", "runuser"):
        if not shutil.which(tool):
            return f"{tool} is not installed"
    if not Path("/usr/bin/python3").exists():
        return "Debian's /usr/bin/python3 (the system-wide environment's interpreter) is missing"
    return None


@dataclass(frozen=True)
class HubUser:
    name: str
    password: str
    group: str

    @property
    def home(self) -> Path:
        return Path(pwd.getpwnam(self.name).pw_dir)


def _ports_free(first: int, count: int) -> bool:
    for port in range(first, first + count):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                return False
    return True


def _port_block(count: int = 7) -> int:
    for _ in range(200):
        first = 20000 + secrets.randbelow(20000)
        if _ports_free(first, count):
            return first
    raise RuntimeError("no block of free ports on 127.0.0.1")


@dataclass
class CourseHub:
    """A running (or stopped) course server and its users."""

    base: Path
    env: dict[str, str]
    port: int
    admin_token: str
    grader_user: str
    users: dict[str, HubUser] = field(default_factory=dict)
    process: subprocess.Popen | None = None
    # OS users the hub made itself (single sign-on: at first login); removed with the others
    created_os_users: set[str] = field(default_factory=set)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def state(self) -> Path:
        return Path(self.env["COURSE_HUB_STATE"])

    @property
    def exchange(self) -> Path:
        return Path(self.env["COURSE_EXCHANGE_DIR"])

    @property
    def log(self) -> Path:
        return self.base / "hub.log"

    @property
    def course_dir(self) -> Path:
        from deploy.course_server import COURSE_ID

        return Path(pwd.getpwnam(self.grader_user).pw_dir) / COURSE_ID

    def in_group(self, group: str) -> list[HubUser]:
        return [user for user in self.users.values() if user.group == group]

    # -- the hub process ------------------------------------------------------------------------
    def api(self, method: str, path: str, body: dict | None = None, token: str | None = None) -> tuple[int, object]:
        """Call the hub's REST API (``path`` after /hub/api); return (status, parsed JSON or text)."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"{self.url}/hub/api{path}", data=data, method=method,
                                         headers={"Authorization": f"token {token or self.admin_token}"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                text = response.read().decode()
                status = response.status
        except urllib.error.HTTPError as exc:
            text, status = exc.read().decode(errors="replace"), exc.code
        try:
            return status, json.loads(text) if text else None
        except ValueError:
            return status, text

    def _ready(self) -> bool:
        try:
            return self.api("GET", "/")[0] == 200
        except OSError:
            return False

    def start(self, *, interrupt_ignored: bool = False) -> None:
        """Start the hub and wait until its API answers.

        ``interrupt_ignored``: start it with SIGINT ignored, as a shell script starts a command in the background
        (the CI runner is started so, and so is everything it runs).
        """
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [str(PREFIX / "bin" / "jupyterhub"), "-f", str(REPO / "deploy" / "jupyterhub_config.py")],
                cwd=self.state, env=self.env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                preexec_fn=_ignore_interrupt if interrupt_ignored else None,
            )
        deadline = time.monotonic() + HUB_START_TIMEOUT
        while not self._ready():
            if self.process.poll() is not None:
                raise RuntimeError(f"the hub exited with {self.process.returncode}:\n{log_text(self.log)[-8000:]}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"the hub was not ready in {HUB_START_TIMEOUT}s:\n{log_text(self.log)}")
            time.sleep(0.25)

    def stop(self) -> None:
        """Stop the hub (and the proxy it started); users' servers keep running (cleanup_servers=False)."""
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=30)
        self.process = None
        # A hub killed while it was still stopping its services never stopped its proxy either: end it, or it
        # outlives the test run holding its ports.
        _end_orphaned_proxy(self.port)
        # A hub killed while it was still stopping its services (SIGINT, then a wait, for each) leaves them
        # running with its old API token: after a restart the old live board kept the port, the new one could
        # not bind, and the facilitator's OAuth callback failed ("client secret mismatch"). End them.
        _end_orphaned_services(self.port + 2)
        # The hub signals its proxy and exits without waiting for it: a restart that starts the next
        # proxy while the old one still holds the port fails with EADDRINUSE. Wait for the ports.
        deadline = time.monotonic() + 30
        while not _ports_free(self.port, 3) and time.monotonic() < deadline:
            time.sleep(0.2)

    def restart(self) -> None:
        self.stop()
        self.start()

    def wait_for_server(self, name: str, timeout: float = 150) -> None:
        """Start ``name``'s server through the API (if not running) and wait until it is ready."""
        self.api("POST", f"/users/{name}/server")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status, user = self.api("GET", f"/users/{name}")
            server = (user or {}).get("servers", {}).get("", {}) if status == 200 else {}
            if server.get("ready"):
                return
            time.sleep(0.5)
        raise RuntimeError(f"{name}'s server was not ready in {timeout:g}s:\n{log_text(self.log)[-6000:]}")

    # -- as an OS user --------------------------------------------------------------------------
    def run_as(self, user: str, *command: str, cwd: Path | None = None, timeout: float = 600,
               env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        """``command`` as OS user ``user`` (runuser), with the system-wide environment first on PATH."""
        path = f"{PREFIX / 'bin'}:/usr/local/bin:/usr/bin:/bin"
        # An ordinary login shell: nothing of the hub's (no COURSE_EXCHANGE), so the course folder's own
        # settings must be enough.
        environment = ["env", "-i", f"PATH={path}", f"HOME={pwd.getpwnam(user).pw_dir}", "LANG=C.UTF-8",
                       *(f"{k}={v}" for k, v in (env or {}).items())]
        return subprocess.run(["runuser", "-u", user, "--", *environment, *command], cwd=cwd,
                              capture_output=True, text=True, timeout=timeout)


def _ignore_interrupt() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _add_os_user(name: str, home: Path, password: str) -> None:
    subprocess.run(["useradd", "--create-home", "--home-dir", str(home), "--user-group", "--shell", "/bin/bash",
                    "--key", "HOME_MODE=0700", name], check=True, capture_output=True)
    subprocess.run(["chpasswd"], input=f"{name}:{password}\n", text=True, check=True, capture_output=True)


def process_environments() -> Iterator[tuple[int, dict[str, str]]]:
    """(pid, environment) of every process whose environment can be read (all of them, as root)."""
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            items = (proc / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        yield int(proc.name), dict(item.decode(errors="replace").split("=", 1) for item in items if b"=" in item)


def hub_services(hub_api_port: int) -> dict[str, int]:
    """Service name -> pid of the services a hub runs (by the hub API URL in their environment). Services only
    (JUPYTERHUB_SERVICE_NAME): trainees' servers have the hub's URL too, and outlive it."""
    prefix = f"http://127.0.0.1:{hub_api_port}/"
    return {env["JUPYTERHUB_SERVICE_NAME"]: pid for pid, env in process_environments()
            if "JUPYTERHUB_SERVICE_NAME" in env and env.get("JUPYTERHUB_API_URL", "").startswith(prefix)}


def _end_orphaned_services(hub_api_port: int) -> None:
    """End hub services (the root-run idle culler) left running by a hub that exited without cleaning up."""
    for pid in hub_services(hub_api_port).values():
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:  # gone meanwhile
            continue


def _end_orphaned_proxy(port: int) -> None:
    """End the configurable-http-proxy a hub on ``port`` started, if it outlived the hub."""
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            argv = (proc / "cmdline").read_bytes().split(b"\0")
            options = {argv[i]: argv[i + 1] for i in range(len(argv) - 1) if argv[i] in (b"--port", b"--api-port")}
            if any(b"configurable-http-proxy" in arg for arg in argv) and options == {
                    b"--port": str(port).encode(), b"--api-port": str(port + 1).encode()}:
                os.kill(int(proc.name), signal.SIGKILL)
        except (OSError, ProcessLookupError):
            continue


def _remove_os_user(name: str) -> None:
    try:
        uid = pwd.getpwnam(name).pw_uid
    except KeyError:
        return
    kill_all(uid)
    subprocess.run(["userdel", "--remove", name], capture_output=True)


@contextmanager
def course_hub(roster: dict[str, list[str]], *, start: bool = True,
               environment: dict[str, str] | None = None) -> Iterator[CourseHub]:
    """Install (or reuse) the system-wide course, create the users of ``roster``, run the hub.

    ``roster``: group -> short names; each becomes an OS user ``<prefix><name>`` with a
    random password (unique per run, so nothing clashes with real accounts). With ``start=False``
    a test can add to ``hub.env`` (single sign-on's COURSE_OIDC_*) before ``hub.start()``.
    ``environment``: more settings for deploy/install.sh and the hub (COURSE_EXCHANGE_SERVICE=1);
    a path in it may name ``{base}``, the run's folder.
    """
    tag = "cs" + secrets.token_hex(3)
    base = Path(tempfile.mkdtemp(prefix="course-hub-", dir="/tmp"))
    base.chmod(0o755)  # the users' homes are inside; each home itself is 0700
    (base / "home").mkdir(mode=0o755)
    port = _port_block()
    admin_token = secrets.token_hex(24)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "COURSE_", "PYTEST", "VIRTUAL_ENV"))}
    env.update({
        "PATH": f"{PREFIX / 'bin'}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        "COURSE_PREFIX": str(PREFIX),
        "COURSE_HUB_STATE": str(base / "state"),
        "COURSE_EXCHANGE_DIR": str(base / "exchange"),
        "COURSE_CLASS_DIR": str(base / "live"),
        "COURSE_GRADER_USER": f"{tag}-grader",
        "COURSE_HUB_PORT": str(port),
        "COURSE_HUB_ADMIN_TOKEN": admin_token,
        "COURSE_IDLE_TIMEOUT": "3600",
    })
    env.update({key: value.replace("{base}", str(base)) for key, value in (environment or {}).items()})
    hub = CourseHub(base=base, env=env, port=port, admin_token=admin_token, grader_user=f"{tag}-grader")
    try:
        done = subprocess.run(["bash", str(REPO / "deploy" / "install.sh")], env=env, capture_output=True,
                              text=True, timeout=1200)
        if done.returncode:
            raise RuntimeError(f"deploy/install.sh failed:\n{done.stdout}\n{done.stderr}")
        for group, names in roster.items():
            for short in names:
                user = HubUser(f"{tag}-{short}", secrets.token_urlsafe(12), group)
                _add_os_user(user.name, base / "home" / user.name, user.password)
                hub.users[short] = user
        groups = {group: [u.name for u in hub.users.values() if u.group == group] for group in roster}
        hub.state.joinpath("roster.yaml").write_text(yaml.safe_dump(groups), encoding="utf-8")
        if start:
            hub.start()
        yield hub
    finally:
        # The servers are not stopped through the hub (up to 10 s each): every process of each test
        # user, server and kernels included, is killed when the user is removed below.
        hub.stop()
        _end_orphaned_services(port + 2)
        if hub.log.exists():  # kept for a failure's post-mortem (test-artifacts/ is not committed)
            ARTIFACTS_DIR.mkdir(exist_ok=True)
            # One file per hub (several run in a session), so a later hub's log never hides an earlier failure.
            shutil.copyfile(hub.log, ARTIFACTS_DIR / f"course-hub-{tag}.log")
        for name in sorted({user.name for user in hub.users.values()} | hub.created_os_users):
            _remove_os_user(name)
        _remove_os_user(hub.grader_user)
        shutil.rmtree(base, ignore_errors=True)
