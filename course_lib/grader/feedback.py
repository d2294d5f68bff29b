"""``course feedback``: every graded submission's feedback written again from the gradebook, on all cores.

After hand grading in Formgrader the feedback pages must be written again so
that they show the instructor's scores and comments. ``nbgrader
generate_feedback`` does that in one process, opening the gradebook and
compiling the page template for every trainee: hours for a company-sized
cohort. This runs the same steps (``GenerateFeedback``'s copy, its
preprocessors and the course's exporter, see ``BatchGrader.write_feedback``)
in batches on every core, like kernel-free grading: no notebook runs, the
gradebook is only read.

A submission whose grading did not finish, or whose files changed since it
was graded, gets no feedback and is named in the summary: its feedback would
not match what the trainee handed in.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TextIO

from ..sandbox import frozen_content, protect_course_files
from .cohort import default_workers, find_submissions, fresh_log, working_dir
from .configuration import check_gradebook
from .gradebook_indexes import ensure_gradebook_indexes
from .jobs import batches, grade_in_pool, stop_on_signals
from .kernel_free import BatchGrader, one_line
from .locking import course_lock, gradebook_lock, lock_path_for
from .progress_bar import ProgressBar
from .summary import GradeSummary, Outcome, Task
from .worker import STATE, flush_log, make_app

__all__ = ["feedback_batch", "feedback_cohort"]

def feedback_cohort(
    course_dir: Path | str,
    assignments: Sequence[str],
    *,
    students: Iterable[str] | None = None,
    workers: int | None = None,
    nbgrader_args: Sequence[str] = (),
    stream: TextIO | None = None,
) -> GradeSummary:
    """Write the feedback of every graded submission of ``assignments`` in ``course_dir`` again."""
    started = time.monotonic()
    waiting = lambda text: print(text, file=stream or sys.stderr, flush=True)  # noqa: E731
    with course_lock(Path(course_dir).resolve(), on_wait=waiting), working_dir(Path(course_dir).resolve()):
        app = make_app(list(nbgrader_args))
        lock = lock_path_for(app.coursedir.db_url, app.coursedir.root)
        check_gradebook(app, assignments, lock)
        with gradebook_lock(lock):
            ensure_gradebook_indexes(app.coursedir.db_url)  # each page reads scores: else a table scan each
        protect_course_files(app.coursedir, app.log)
        tasks = sorted(find_submissions(app.coursedir.root, app.coursedir.autograded_directory, assignments,
                                        students))
        STATE.update(app=app, lock=lock, paths={})
        workers = max(1, min(workers or default_workers() // 2, len(tasks) or 1))  # all CPU: one per core
        log_file = fresh_log(app)
        jobs = batches(tasks, workers, feedback_only=True)
        with frozen_content(), stop_on_signals() as stopped:
            bar = ProgressBar(len(tasks), "feedback ", stream=stream)
            bar.start()
            outcomes = grade_in_pool(jobs, workers, ([*nbgrader_args], str(log_file)), False, True, bar, stopped)
        protect_course_files(app.coursedir, app.log)  # feedback/ may be new
    return GradeSummary(sorted(outcomes, key=lambda o: o.task), workers, time.monotonic() - started,
                        stopped=stopped[0] if stopped else None, feedback_only=True)


def feedback_batch(tasks: Sequence[Task]) -> list[Outcome]:
    """In a worker: the feedback of each submission of ``tasks`` written again."""
    app, lock = STATE["app"], STATE["lock"]
    if "batch" not in STATE:  # built once per worker, after the fork
        STATE["batch"] = BatchGrader(app, lock, app.log)
    batch: BatchGrader = STATE["batch"]
    outcomes = []
    try:
        batch.start()
        batch.read_feedback_rows([(task.assignment, task.student) for task in tasks])
        for task in tasks:
            started = time.monotonic()
            outcome = Outcome(task, "graded")
            try:
                batch.rewrite_feedback(task.assignment, task.student)
            except Exception as exc:  # noqa: BLE001 - one submission must never stop the others
                app.log.exception("Could not write the feedback of %s / %s", task.student, task.assignment)
                outcome.status, outcome.error = "failed", one_line(exc)
            outcome.seconds = time.monotonic() - started
            outcomes.append(outcome)
        return outcomes
    except KeyboardInterrupt:
        flush_log()
        os._exit(128 + signal.SIGTERM)  # stopped: leave at once, as grading does
    finally:
        flush_log()
