"""Submissions in jobs for the worker pool, and the pool itself: a worker that dies costs only its jobs;
SIGTERM or Ctrl-C stops every worker cleanly."""

from __future__ import annotations

import multiprocessing
import signal
import sys
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

from .paths import GradingPath
from .progress_bar import ProgressBar
from .summary import Outcome, Task
from .worker import grade_batch, init_worker

__all__ = ["BATCH_SIZE", "Job", "Stopped", "batches", "grade_in_pool", "jobs_for", "stop_on_signals"]


class Stopped(Exception):
    """SIGTERM reached ``course grade``."""


@contextmanager
def stop_on_signals() -> Any:
    """SIGTERM raises Stopped in the grading loop (Ctrl-C raises KeyboardInterrupt); yields what stopped it."""
    stopped: list[str] = []
    if threading.current_thread() is not threading.main_thread():
        yield stopped
        return

    def on_term(signum: int, frame: Any) -> None:
        raise Stopped("SIGTERM")

    before = signal.signal(signal.SIGTERM, on_term)
    try:
        yield stopped
    finally:
        signal.signal(signal.SIGTERM, before)


# At most this many submissions per batch: big enough that a transaction and the set-up are shared,
# small enough that every worker gets several batches and memory stays small.
BATCH_SIZE = 100


@dataclass(frozen=True)
class Job:
    """Submissions one worker call grades: executed one at a time, or a kernel-free batch (or, for
    ``course feedback``, a batch whose feedback is written again)."""

    tasks: tuple[Task, ...]
    batch: bool
    feedback_only: bool = False


def jobs_for(tasks: Sequence[Task], paths: dict[str, GradingPath], workers: int) -> list[Job]:
    executed = [Job((t,), False) for t in tasks if not paths[t.assignment].kernel_free]
    free = [t for t in tasks if paths[t.assignment].kernel_free]
    return executed + batches(free, workers)


def batches(tasks: Sequence[Task], workers: int, feedback_only: bool = False) -> list[Job]:
    """``tasks`` in batches of at most BATCH_SIZE, at least four per worker when there are enough."""
    size = max(1, min(BATCH_SIZE, -(-len(tasks) // (4 * workers))))
    return [Job(tuple(tasks[i:i + size]), True, feedback_only) for i in range(0, len(tasks), size)]


def run_job(job: Job, force: bool, feedback: bool) -> list[Outcome]:
    if job.feedback_only:
        from .feedback import feedback_batch  # feedback.py imports this module

        return feedback_batch(job.tasks)
    if job.batch:
        return grade_batch(job.tasks, force, feedback)
    from .executed import grade_one  # nbgrader's converters: only where a notebook runs

    return [grade_one(task, force, feedback) for task in job.tasks]


def grade_in_pool(jobs: list[Job], workers: int, initargs: tuple, force: bool, feedback: bool,
                   bar: ProgressBar, stopped: list[str]) -> list[Outcome]:
    """Grade in ``workers`` processes; a worker that dies costs only the submissions it was grading."""
    context = multiprocessing.get_context("fork" if sys.platform != "win32" else "spawn")
    outcomes: list[Outcome] = []
    attempts: dict[Task, int] = {}
    tasks = [task for job in jobs for task in job.tasks]
    pending = jobs
    while pending:
        retry: list[Job] = []
        pool = ProcessPoolExecutor(workers, mp_context=context, initializer=init_worker, initargs=initargs)
        futures: dict[Future, Job] = {}
        try:
            futures = {pool.submit(run_job, job, force, feedback): job for job in pending}
            for future in as_completed(futures):
                job = futures[future]
                try:
                    done = future.result()
                except BrokenProcessPool:
                    done = []
                    for task in job.tasks:
                        attempts[task] = attempts.get(task, 0) + 1
                        if attempts[task] < 2:
                            retry.append(replace(job, tasks=(task,)))  # maybe only a bystander: once more, alone
                        else:
                            done.append(Outcome(task, "failed",
                                                error="the grading process died (out of memory or killed?)"))
                for outcome in done:
                    outcomes.append(outcome)
                    bar.update(failed=outcome.status == "failed")
        except (Stopped, KeyboardInterrupt) as stop:
            _stop_workers(pool)
            done = {o.task for o in outcomes}
            why = str(stop) or "SIGINT"
            stopped.append(why)
            outcomes += [Outcome(t, "failed", error=f"not graded: course grade was stopped ({why})")
                         for t in tasks if t not in done]
            return outcomes
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
        pending = retry
    return outcomes


def _stop_workers(pool: ProcessPoolExecutor, grace: float = 30.0) -> None:
    """SIGTERM every worker (each ends its kernel and cleans up), then SIGKILL those still there after ``grace``."""
    pool.shutdown(wait=False, cancel_futures=True)
    children = multiprocessing.active_children()
    for child in children:
        child.terminate()
    deadline = time.monotonic() + grace
    for child in children:
        child.join(max(0.0, deadline - time.monotonic()))
        if child.is_alive():
            child.kill()
            child.join()
