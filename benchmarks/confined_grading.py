"""Benchmark: what confining trainees' code costs per submission.

    .venv/bin/python benchmarks/confined_grading.py --runs 10
    .venv/bin/python benchmarks/confined_grading.py --runs 10 --cohort 8   # also end to end

1. Executes the released module 1 notebook (with a saved brainstorm) ``--runs``
   times in this process with each execute step, in turn so that machine load
   hits all of them alike: nbgrader's own ``Execute`` (unconfined),
   ``ConfinedExecute`` in ``copy`` mode (throw-away copy + namespaces, as the
   grader's user) and, as root, in ``user`` mode (a fresh uid per notebook
   as well). Prints median and mean seconds per notebook side by side.
2. With ``--cohort N``: grades N trainees with ``course grade`` (2 workers,
   no feedback) in ``user`` and in ``copy`` mode, twice each, alternated,
   and prints the better seconds per submission. (``course grade`` refuses
   to run unconfined.)

It prints figures and makes no assertion about time.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nbgrader.preprocessors import Execute  # noqa: E402
from traitlets.config import Config  # noqa: E402

from course_lib.sandbox import ConfinedExecute  # noqa: E402
from course_lib.store import AnswerStore  # noqa: E402
from tests.nbgrader.course import make_course, nbgrader, submit  # noqa: E402
from tests.synthetic import GOOD_BRAINSTORM  # noqa: E402


def executors() -> dict[str, object]:
    config = Config()
    config.Execute.timeout = 120
    config.Execute.shutdown_kernel = "immediate"
    found = {"unconfined (Execute)": Execute(config=config)}
    copy = Config(config)
    copy.ConfinedExecute.confine = "copy"
    found["copy (ConfinedExecute)"] = ConfinedExecute(config=copy)
    if os.geteuid() == 0:
        user = Config(config)
        user.ConfinedExecute.confine = "user"
        found["user (ConfinedExecute)"] = ConfinedExecute(config=user)
    return found


def per_notebook(runs: int) -> dict[str, list[float]]:
    folder = Path(tempfile.mkdtemp(prefix="confined-bench-"))
    try:
        shutil.copy(ROOT / "exercises" / "module1" / "module1.ipynb", folder)
        AnswerStore(folder / "answers").save("m1-brainstorm", GOOD_BRAINSTORM)
        source = nbformat.read(folder / "module1.ipynb", as_version=4)
        steps = executors()
        times: dict[str, list[float]] = {name: [] for name in steps}
        for _ in range(runs):
            for name, step in steps.items():
                nb = nbformat.from_dict(source)
                started = time.perf_counter()
                step.preprocess(nb, {"metadata": {"path": str(folder)}})
                times[name].append(time.perf_counter() - started)
        return times
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def cohort(trainees: int) -> dict[str, float]:
    top = Path(tempfile.mkdtemp(prefix="confined-bench-course-"))
    try:
        course = make_course(top)
        nbgrader(course, "generate_assignment", "module1", "--force")
        for n in range(trainees):
            folder, _ = submit(course, f"t{n:03d}")
            AnswerStore(folder / "answers").save("m1-brainstorm", GOOD_BRAINSTORM[: 1 + n % 6])
        modes = ["user", "copy"] if os.geteuid() == 0 else ["copy"]
        result: dict[str, float] = {}
        for mode in modes * 2:  # alternated, best of two: the first run also fills the gradebook
            cmd = [sys.executable, "-m", "course_lib.cli", "grade", "module1", "--no-feedback", "--force",
                   "--workers", "2", f"--ConfinedExecute.confine={mode}"]
            started = time.perf_counter()
            done = subprocess.run(cmd, cwd=course, capture_output=True, text=True)
            if done.returncode != 0:
                raise SystemExit(f"course grade failed:\n{done.stdout}\n{done.stderr}")
            result[mode] = min(result.get(mode, float("inf")), (time.perf_counter() - started) / trainees)
        return result
    finally:
        shutil.rmtree(top, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="notebook executions per execute step")
    parser.add_argument("--cohort", type=int, default=0, help="also grade this many trainees end to end")
    args = parser.parse_args()
    times = per_notebook(args.runs)
    base = statistics.median(times["unconfined (Execute)"])
    print(f"one notebook (module 1), {args.runs} runs each, {os.cpu_count()} cores:")
    print(f"  {'execute step':<26}{'median s':>10}{'mean s':>10}{'vs unconfined':>15}")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"  {name:<26}{median:>10.2f}{statistics.mean(values):>10.2f}{median / base:>14.2f}x")
    if args.cohort:
        per_submission = cohort(args.cohort)
        print(f"course grade, {args.cohort} trainees, 2 workers, no feedback (process start included, best of 2):")
        for mode, seconds in per_submission.items():
            print(f"  confine={mode:<6}{seconds:>8.2f} s per submission")


if __name__ == "__main__":
    main()
