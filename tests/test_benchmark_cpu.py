"""The benchmarks' CPU meter counts a process nobody waits for (as a sandboxed kernel ended by SIGKILL is)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from benchmarks.tree_cpu import TreeCpu

# The command starts a child that burns about 0.6 s of CPU, then exits without waiting for it: the child is
# re-parented and reaped by someone else, so rusage never sees its CPU.
ORPHAN = (
    "import subprocess, sys\n"
    "subprocess.Popen([sys.executable, '-c', "
    "'import time\\nend = time.process_time() + 0.6\\nwhile time.process_time() < end: pass'])\n"
)


def test_cpu_of_a_process_never_waited_for_is_counted() -> None:
    meter = TreeCpu()
    if meter.group is None:
        pytest.skip("no writable control group here (needs root on Linux): the meter falls back to rusage")
    proc = subprocess.Popen([sys.executable, "-c", ORPHAN], preexec_fn=meter.preexec)
    proc.wait()
    seconds = meter.seconds()
    assert seconds >= 0.6
    assert not meter.group.exists()

