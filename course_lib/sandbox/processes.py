"""Find and end every process that runs as one numeric user id.

A kernel's process group is not enough: trainee code can double-fork and call
``setsid`` to leave it. Every process of a sandbox user is ours to end, and
``/proc/<pid>/status`` names each process's real, effective and saved uids.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

__all__ = ["SandboxStillRunning", "kill_all", "processes_of"]

_PROC = Path("/proc")


class SandboxStillRunning(RuntimeError):
    """Processes of a sandbox user survived SIGKILL for longer than allowed."""


def _status(pid_dir: Path) -> dict[str, str]:
    fields = {}
    for line in (pid_dir / "status").read_text(encoding="utf-8", errors="replace").splitlines():
        key, _, value = line.partition(":")
        fields[key] = value.strip()
    return fields


def processes_of(uid: int) -> list[int]:
    """Live processes (zombies excluded: they run nothing) whose real, effective or saved uid is ``uid``."""
    found = []
    for pid_dir in _PROC.iterdir():
        if not pid_dir.name.isdigit():
            continue
        try:
            status = _status(pid_dir)
        except OSError:  # ended while we looked
            continue
        uids = {int(u) for u in status.get("Uid", "").split()[:3]}
        if uid in uids and not status.get("State", "").startswith(("Z", "X")):
            found.append(int(pid_dir.name))
    return found


def kill_all(uid: int, timeout: float = 10.0) -> int:
    """SIGKILL every process of ``uid`` until none is left; returns how many were killed.

    Looping matters: a process forking as fast as it can may create a child
    between the scan and the kill, but each round kills every process seen,
    and a process killed cannot fork again.
    """
    if uid == 0 or uid == os.geteuid():
        raise ValueError(f"refusing to kill every process of uid {uid}: it is not a sandbox user")
    killed = 0
    deadline = time.monotonic() + timeout
    while pids := processes_of(uid):
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
                killed += 1
            except ProcessLookupError:
                pass
        if time.monotonic() > deadline:
            raise SandboxStillRunning(f"processes of sandbox uid {uid} still running after {timeout} s: {pids}")
        time.sleep(0.02)
    return killed
