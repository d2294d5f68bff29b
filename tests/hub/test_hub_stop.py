"""Stopping the course hub: every service it manages exits when the hub stops it, however the hub was started.

JupyterHub stops its managed services one after another: SIGINT, up to ``Spawner.interrupt_timeout`` (30 s) for
the service to exit, and only then SIGTERM. The CI runner is started in the background of a shell script, so it
and everything it starts (pytest, the hub) had SIGINT ignored; the hub handed that on to the services it started,
and Formgrader and the idle culler ignored the hub's SIGINT: stopping took 30 s for each (66 s for the five), the
harness killed the hub after 30 s, and the services left were ended by SIGKILL. deploy/hub_hooks.py's
``restore_interrupt`` (called by deploy/jupyterhub_config.py) gives SIGINT its default back before any service
starts. The hub here runs all five services (Formgrader, idle culler, live board, live answers, exchange).
"""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from deploy.course_server import (
    BOARD_SERVICE,
    EXCHANGE_SERVICE,
    FACILITATORS,
    GRADER_SERVICE,
    INSTRUCTORS,
    LIVE_SERVICE,
    TRAINEES,
)
from tests.hub.conftest import _require_hub
from tests.hub.course_hub import REPO, CourseHub, course_hub, hub_services
from tests.servers import log_text

ROSTER = {TRAINEES: ["ana"], INSTRUCTORS: ["ines"], FACILITATORS: ["fay"]}
SERVICES = {GRADER_SERVICE, "idle-culler", BOARD_SERVICE, LIVE_SERVICE, EXCHANGE_SERVICE}
OURS = (BOARD_SERVICE, LIVE_SERVICE, EXCHANGE_SERVICE)  # course_lib.live.hub_app.serve() logs how it stops
# A liveness bound, not a speed check: CourseHub.stop() kills a hub still stopping after this long. The stop takes
# about 2 s; it took 66 s when two services ignored SIGINT.
STOP_GRACE = 30


def _ignores_sigint(pid: int) -> bool:
    status = Path(f"/proc/{pid}/status").read_text()
    ignored = int(next(line for line in status.splitlines() if line.startswith("SigIgn:")).split()[1], 16)
    return bool(ignored & 1 << (signal.SIGINT - 1))


def _services(hub: CourseHub) -> dict[str, int]:
    """Service name -> pid of the services this hub runs."""
    return hub_services(hub.port + 2)


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_restore_interrupt_gives_sigint_back_to_what_the_hub_starts() -> None:
    """No hub: a process started with SIGINT ignored, as the hub config does, then a child of it (as a service)."""
    code = textwrap.dedent("""
        import signal, subprocess, sys
        from deploy.hub_hooks import restore_interrupt
        print(restore_interrupt(), restore_interrupt())
        sys.stdout.flush()
        subprocess.run([sys.executable, "-c", "import signal; print(signal.getsignal(signal.SIGINT))"])
    """)
    for ignored in (True, False):
        # Set either way: CI itself may run with SIGINT ignored, which the child would otherwise inherit.
        disposition = signal.SIG_IGN if ignored else signal.SIG_DFL
        done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60,
                              preexec_fn=lambda d=disposition: signal.signal(signal.SIGINT, d))
        assert done.returncode == 0, done.stderr
        first, child = done.stdout.splitlines()
        assert first == ("True False" if ignored else "False False")
        assert child == str(signal.default_int_handler)  # KeyboardInterrupt, as in any Python started normally


@pytest.fixture(scope="module")
def hub() -> Iterator[CourseHub]:
    """A course hub with every service, started with SIGINT ignored (as the CI runner starts everything)."""
    _require_hub()
    with course_hub(ROSTER, start=False, environment={"COURSE_EXCHANGE_SERVICE": "1",
                                                      "COURSE_EXCHANGE_STORE": "{base}/exchange-service"}) as made:
        made.start(interrupt_ignored=True)
        yield made


def test_no_service_ignores_sigint_when_the_hub_was_started_so(hub: CourseHub) -> None:
    services = _services(hub)
    assert set(services) == SERVICES
    assert {name for name, pid in services.items() if _ignores_sigint(pid)} == set()


def test_sigterm_stops_the_hub_and_every_service(hub: CourseHub) -> None:
    """The hub stops each service with its first signal (SIGINT) and exits by itself, with status 0 (runs last)."""
    services = _services(hub)
    assert set(services) == SERVICES
    assert hub.process is not None
    hub.process.send_signal(signal.SIGTERM)
    try:
        status = hub.process.wait(timeout=STOP_GRACE)
    except subprocess.TimeoutExpired:
        pytest.fail(f"the hub was still stopping its services {STOP_GRACE} s after SIGTERM "
                    f"(still running: {sorted(n for n, pid in services.items() if _alive(pid))}):\n"
                    f"{log_text(hub.log)[-6000:]}")
    log = log_text(hub.log)
    assert status == 0, log[-6000:]
    assert [name for name, pid in services.items() if _alive(pid)] == []
    shutdown = log[log.rindex("Received signal SIGTERM"):]
    for name in OURS:  # their shutdown handler ran on the hub's SIGINT and they stopped (no SIGTERM was needed)
        assert f"{name} stopping on SIGINT" in shutdown and f"{name} stopped" in shutdown, shutdown
    assert "never died" not in shutdown, shutdown
