"""CPU seconds of a command and everything it starts, even what it never waits for.

``getrusage(RUSAGE_CHILDREN)`` counts only processes that were waited for. The course runs nbgrader's
kernels in a sandbox (``unshare --pid --fork --kill-child``) that nbgrader ends with SIGKILL: the kernel is
never waited for by anyone above it, so its CPU (its start, the notebook's code) is missing from rusage.
A control group counts every process put in it and every process they start, however they end. As root on
Linux, ``TreeCpu`` makes one per command (cgroup v1 ``cpuacct`` or cgroup v2) and falls back to rusage,
saying so, where it cannot.
"""

from __future__ import annotations

import os
import resource
import time
from pathlib import Path

__all__ = ["TreeCpu"]

_V1 = Path("/sys/fs/cgroup/cpuacct")
_V2 = Path("/sys/fs/cgroup")


def _rusage_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


class TreeCpu:
    """Measure one command: pass ``preexec`` to ``subprocess.Popen``, call ``seconds()`` once it has ended."""

    def __init__(self) -> None:
        self.group: Path | None = None
        self.usage_file = ""
        name = f"benchmark-{os.getpid()}-{time.monotonic_ns()}"
        for parent, usage in ((_V1, "cpuacct.usage"), (_V2, "cpu.stat")):
            if (parent / usage).exists() and os.access(parent, os.W_OK):
                try:
                    (parent / name).mkdir()
                except OSError:
                    continue
                self.group, self.usage_file = parent / name, usage
                break
        self.measure = "control group (every process the command started)" if self.group else \
            "rusage (processes not waited for, such as sandboxed kernels, are missing)"
        self._before = _rusage_children()

    def preexec(self) -> None:
        """Runs in the child before exec: join the control group (its descendants follow)."""
        if self.group is not None:
            (self.group / "cgroup.procs").write_text(str(os.getpid()))

    def _group_seconds(self) -> float:
        assert self.group is not None
        text = (self.group / self.usage_file).read_text()
        if self.usage_file == "cpuacct.usage":
            return int(text) / 1e9
        return int(dict(line.split() for line in text.splitlines())["usage_usec"]) / 1e6

    def seconds(self) -> float:
        """CPU seconds (user + system) of the command's whole tree; removes the control group."""
        if self.group is None:
            return _rusage_children() - self._before
        deadline = time.monotonic() + 10  # killed processes leave the group a moment after the command ends
        while (self.group / "cgroup.procs").read_text().strip() and time.monotonic() < deadline:
            time.sleep(0.05)
        seconds = self._group_seconds()
        try:
            self.group.rmdir()
        except OSError:
            pass  # a process outlived the command: the group stays, named for this benchmark
        return seconds
