"""Start a test server as a subprocess, wait until it is ready, always stop it."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

__all__ = ["free_port", "log_text", "running_server"]


def free_port() -> int:
    """A port that was free a moment ago (prefer letting the server pick with port 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def log_text(path: Path) -> str:
    """A server's log, for a failure message."""
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "(no server log)"


@contextmanager
def running_server(
    command: list[str], *, cwd: Path, env: dict[str, str], log_path: Path, ready: Callable[[], bool],
    name: str, timeout: float = 90,
) -> Iterator[subprocess.Popen]:
    """Run ``command`` with output to ``log_path`` until ``ready()``; fail with the log if it never is."""
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=log,
                                   stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + timeout
        while not ready():
            if process.poll() is not None:
                pytest.fail(f"{name} exited with {process.returncode}:\n{log_text(log_path)}")
            if time.monotonic() > deadline:
                pytest.fail(f"{name} was not ready within {timeout:g}s:\n{log_text(log_path)}")
            time.sleep(0.25)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=20)
