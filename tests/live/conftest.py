"""Fixtures for the live-board tests: the board served by its real start command (Voilà).

The browser and page fixtures come from tests/conftest.py (Debian
chromium, only 127.0.0.1/localhost reachable, a screenshot per test).
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.browser.conftest import _free_port

SERVER_START_TIMEOUT = 90  # seconds


@dataclass(frozen=True)
class BoardServer:
    url: str  # http://127.0.0.1:PORT/?token=...
    class_dir: Path
    log: Path

    def log_text(self) -> str:
        try:
            return self.log.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "(no server log)"


def _port_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture
def board_server(tmp_path: Path) -> Iterator[BoardServer]:
    """``python -m course_lib.live.serve`` on a free port with a random token, over a temporary class folder."""
    class_dir = tmp_path / "class"
    class_dir.mkdir()
    env = os.environ.copy()
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    for name, folder in (("JUPYTER_CONFIG_DIR", "jupyter-config"), ("JUPYTER_RUNTIME_DIR", "jupyter-runtime"),
                         ("IPYTHONDIR", "ipython")):
        (tmp_path / folder).mkdir()
        env[name] = str(tmp_path / folder)
    env.pop("JUPYTER_TOKEN", None)
    env["PYTHONUNBUFFERED"] = "1"
    port, token = _free_port(), secrets.token_hex(16)
    command = [sys.executable, "-m", "course_lib.live.serve", "--class-dir", str(class_dir),
               "--port", str(port), "--token", token, "--refresh", "1"]
    log_path = tmp_path / "voila.log"
    server = BoardServer(f"http://127.0.0.1:{port}/?token={token}", class_dir, log_path)
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, cwd=tmp_path, env=env, stdin=subprocess.DEVNULL, stdout=log,
                                   stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while not _port_open(port):
            if process.poll() is not None:
                pytest.fail(f"the board server exited with {process.returncode}:\n{server.log_text()}")
            if time.monotonic() > deadline:
                pytest.fail(f"the board server did not listen within {SERVER_START_TIMEOUT}s:\n{server.log_text()}")
            time.sleep(0.25)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=20)
