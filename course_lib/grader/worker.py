"""A grading worker process: the course's nbgrader app, its log, and a kernel-free batch.

The parent loads nbgrader and the course configuration once and then forks
the workers, which inherit both (``STATE``); each worker grades many
submissions in process.
"""

from __future__ import annotations

import logging
import logging.handlers
import multiprocessing.util
import os
import signal
import time
import warnings
from collections.abc import Sequence
from typing import Any

from nbgrader.apps import AutogradeApp
from sqlalchemy.exc import SAWarning

from .bulk import BulkGrader
from .kernel_free import BatchGrader
from .locking import lock_path_for
from .nbgrader_adapter import checked_schemas_once
from .summary import Outcome, Task

__all__ = ["LOG_BUFFER", "STATE", "flush_log", "grade_batch", "init_worker", "make_app"]

# The worker's state: set in the parent before forking (inherited), or by init_worker.
STATE: dict[str, Any] = {}
LOG_BUFFER = 1000  # log records held before they are written


def make_app(argv: Sequence[str]) -> AutogradeApp:
    """nbgrader's autograde app with the course configuration (from the current folder) and ``argv``."""
    app = AutogradeApp()
    app.initialize(list(argv))
    # The parent prints progress and a summary; nbgrader's own log still goes to its log file.
    for handler in list(app.log.handlers):
        if type(handler) is logging.StreamHandler:
            app.log.removeHandler(handler)
    return app


def init_worker(argv: Sequence[str], log_file: str) -> None:
    if "app" not in STATE:  # spawned rather than forked
        app = make_app(argv)
        STATE.update(app=app, lock=lock_path_for(app.coursedir.db_url, app.coursedir.root))
    # Kernels inherit this process's stderr (their start-up chatter) and nbgrader logs every step:
    # both go to the log file, so the instructor's terminal shows the progress bar and the summary.
    fd = os.open(log_file, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    os.dup2(fd, 2)
    os.close(fd)
    to_file = logging.FileHandler(log_file)
    to_file.setFormatter(logging.Formatter(f"[%(levelname)s {os.getpid()}] %(message)s"))
    # nbgrader logs several lines a submission: written a batch at a time, not one write each. An error goes
    # out at once, with the lines before it; the rest at the end of each batch and on exit. (Not at each
    # warning: nbgrader warns of a changed checksum for every check cell with hidden tests, a write each.)
    handler = logging.handlers.MemoryHandler(LOG_BUFFER, flushLevel=logging.ERROR, target=to_file)
    multiprocessing.util.Finalize(handler, handler.flush, exitpriority=10)
    STATE["log_handler"] = handler
    STATE["app"].log.addHandler(handler)
    STATE["app"].log.setLevel(logging.INFO)
    # A record's caller (a frame walk) and thread and process names were looked up for each of nbgrader's
    # lines, about 1% of a submission's CPU; this log shows level, pid and message only (the logging HOWTO's
    # "Optimization": these switches are logging's own, and this process is a grading worker's alone).
    logging._srcfile = None
    logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False
    warnings.simplefilter("ignore", SAWarning)  # nbgrader 0.9.6's own, harmless on every new submission
    # Stopping (SIGTERM from the parent, Ctrl-C): KeyboardInterrupt unwinds nbgrader, which removes the
    # half-made autograded folder, and ConfinedExecute, which ends the kernel and deletes its workspace.
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, _interrupt)


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt(signal.Signals(signum).name)


def flush_log() -> None:
    """Write out the log records this worker still holds."""
    handler = STATE.get("log_handler")
    if handler is not None:
        handler.flush()




def grade_batch(tasks: Sequence[Task], force: bool, feedback: bool) -> list[Outcome]:
    """Grade submissions of kernel-free assignments in this process, one gradebook transaction a batch
    (kernel_free.py; bulk.py unless ``course grade --nbgrader-steps``)."""
    app, lock = STATE["app"], STATE["lock"]
    if "batch" not in STATE:  # built once per worker, after the fork: its gradebook connection is its own
        kind = BulkGrader if STATE.get("bulk") else BatchGrader
        STATE["batch"] = kind(app, lock, app.log, STATE.pop("exporter", None))  # warm_up's, if the parent made one
    batch: BatchGrader = STATE["batch"]
    inputs: dict[str, str] = STATE.get("inputs", {})
    timeout = app.config.Execute.get("timeout", "the")
    try:
        with checked_schemas_once():
            batch.start()
            items = [batch.prepare(task.assignment, task.student) for task in tasks]
            batch.record(items)
            if feedback:
                batch.read_feedback_rows([(item.assignment, item.student) for item in items if item.error is None])
            for item in items:
                batch.finish(item, inputs.get(item.assignment, ""), feedback, timeout)
        outcomes = []
        for item in items:
            outcome = Outcome(Task(item.assignment, item.student), "graded" if item.error is None else "failed",
                              error=item.error, seconds=time.monotonic() - item.started)
            outcome.notes = item.notes
            outcomes.append(outcome)
        return outcomes
    except KeyboardInterrupt:
        flush_log()
        os._exit(128 + signal.SIGTERM)  # as in grade_one: stopped, leave at once
    finally:
        flush_log()


