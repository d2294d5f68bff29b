"""Grading under a fault: a kernel that dies at start is started again before the notebook fails.

A real kernelspec whose first starts exit at once (as a kernel lost on a busy
machine does: "Kernel died before replying to kernel_info"), then runs
ipykernel. ``ConfinedExecute`` (the grader's Execute step) runs a notebook with
it: with up to ``start_retries`` deaths the notebook is executed and its output
is there; with more, the error is raised (and the submission reported failed).
A kernel that dies while running the trainee's code is never started again.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient.exceptions import DeadKernelError

from course_lib.sandbox import ConfinedExecute

FLAKY = """
import os, runpy, sys
counter, deaths = sys.argv[1], int(sys.argv[2])
with open(counter, "a") as log:
    log.write("start\\n")
with open(counter) as log:
    starts = len(log.readlines())
if starts <= deaths:
    os._exit(1)  # dies before replying to kernel_info
sys.argv = [sys.argv[0], *sys.argv[3:]]
runpy.run_module("ipykernel_launcher", run_name="__main__")
"""


@pytest.fixture
def flaky_kernel(tmp_path, monkeypatch):
    """Make a kernelspec 'flaky' whose first ``deaths`` starts die; returns a function (deaths) -> counter file."""
    script = tmp_path / "flaky.py"
    script.write_text(FLAKY, encoding="utf-8")
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "share"))

    def make(deaths: int) -> Path:
        counter = tmp_path / "starts.log"
        spec = tmp_path / "share" / "kernels" / "flaky"
        spec.mkdir(parents=True, exist_ok=True)
        argv = [sys.executable, str(script), str(counter), str(deaths), "-f", "{connection_file}"]
        (spec / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": "flaky", "language": "python"}),
                                          encoding="utf-8")
        return counter

    return make


def _run(tmp_path: Path, source: str, retries: int = 2) -> nbformat.NotebookNode:
    work = tmp_path / "submission"
    work.mkdir(exist_ok=True)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
    step = ConfinedExecute(confine="copy", kernel_name="flaky", timeout=60, startup_timeout=60,
                           start_retries=retries)
    nb, _ = step.preprocess(nb, {"metadata": {"path": str(work)}})
    return nb


def _starts(counter: Path) -> int:
    return len(counter.read_text(encoding="utf-8").splitlines())


def test_a_kernel_that_dies_twice_at_start_is_started_again_and_the_notebook_runs(tmp_path, flaky_kernel):
    counter = flaky_kernel(deaths=2)
    nb = _run(tmp_path, "print(6 * 7)")
    assert nb.cells[0].outputs[0]["text"] == "42\n"
    assert _starts(counter) == 3


def test_a_kernel_that_keeps_dying_at_start_fails_the_notebook_after_the_retries(tmp_path, flaky_kernel):
    counter = flaky_kernel(deaths=99)
    with pytest.raises(RuntimeError, match="Kernel died before replying to kernel_info"):
        _run(tmp_path, "print(6 * 7)", retries=1)
    assert _starts(counter) == 2


def test_a_kernel_killed_by_the_notebook_is_not_started_again(tmp_path, flaky_kernel):
    counter = flaky_kernel(deaths=0)
    with pytest.raises(DeadKernelError):
        _run(tmp_path, "import os\nos._exit(3)")
    assert _starts(counter) == 1
