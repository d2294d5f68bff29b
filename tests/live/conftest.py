"""Fixtures for the live-board tests: the board served by its real start command (Voilà).

The browser and page fixtures come from tests/conftest.py (Debian
chromium, only 127.0.0.1/localhost reachable, a screenshot per test).
"""

from __future__ import annotations

import os
import secrets
import socket
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.servers import free_port, log_text, running_server

SERVER_START_TIMEOUT = 90  # seconds


@dataclass(frozen=True)
class BoardServer:
    url: str  # http://127.0.0.1:PORT/?token=...
    class_dir: Path
    log: Path

    def log_text(self) -> str:
        return log_text(self.log)


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
    port, token = free_port(), secrets.token_hex(16)
    command = [sys.executable, "-m", "course_lib.live.serve", "--class-dir", str(class_dir),
               "--port", str(port), "--token", token, "--refresh", "1"]
    log_path = tmp_path / "voila.log"
    server = BoardServer(f"http://127.0.0.1:{port}/?token={token}", class_dir, log_path)
    with running_server(command, cwd=tmp_path, env=env, log_path=log_path, name="the board server",
                        ready=lambda: _port_open(port), timeout=SERVER_START_TIMEOUT):
        yield server
