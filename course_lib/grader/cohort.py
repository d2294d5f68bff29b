"""``course grade``: autograde (and give feedback on) every submission of a cohort, on all cores.

What ``course grade module1`` does is ``nbgrader autograde module1`` followed by
``nbgrader generate_feedback module1``, with the same configuration (the
project's ``nbgrader_config.py``, so ``TrustedWidgetScores`` re-scores widget
answers and feedback is sanitized), but with the submissions spread over a
small pool of worker processes (``jobs.py``, ``worker.py``). An assignment
whose graded cells are all widget checks runs no kernel (``paths.py``,
``kernel_free.py``); the others run nbgrader's converters one submission at a
time (``executed.py``). The package docstring says why this shape.

Robustness: each submission is graded on its own; whatever goes wrong with
one (a notebook that is not valid JSON, a kernel that dies, even a worker
process that is killed) is recorded and named in the closing summary while
the others go on. A re-run skips what is already graded (unless the
submission or the course's inputs changed, or ``--force``) and retries what
failed. Before anything runs, a configuration that would let trainees change
grades is refused (``configuration.py``).
"""

from __future__ import annotations

import gc
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any, TextIO

import nbformat
from nbgrader.apps import AutogradeApp

from ..models import content_files
from ..sandbox import frozen_content, protect_course_files
from .bulk import bulk_unsupported, saving_steps
from .configuration import check_configuration, check_gradebook, confinement_text
from .early_check import EarlyCheck
from .gradebook_indexes import ensure_gradebook_indexes
from .jobs import grade_in_pool, jobs_for, stop_on_signals
from .kernel_free import warm_up
from .locking import course_lock, gradebook_lock, lock_path_for
from .markers import course_inputs
from .paths import choose_paths
from .progress_bar import ProgressBar
from .shards import Shard
from .summary import LOG_NAME, GradeSummary
from .task import Task, find_submissions
from .unchanged import EarlyAnswers, record_index, unchanged_tasks
from .worker import STATE, make_app

__all__ = ["default_workers", "find_submissions", "grade_cohort"]


def default_workers() -> int:
    """Two grading processes per core this process may use (see the module docstring)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    return 2 * cores



@contextmanager
def working_dir(folder: Path) -> Any:
    before = Path.cwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(before)



def grade_cohort(
    course_dir: Path | str,
    assignments: Sequence[str],
    *,
    students: Iterable[str] | None = None,
    workers: int | None = None,
    force: bool = False,
    feedback: bool = True,
    timeout: int | None = None,
    nbgrader_args: Sequence[str] = (),
    stream: TextIO | None = None,
    execute: bool = False,
    nbgrader_steps: bool = False,
    shard: Shard | None = None,
    early: EarlyCheck | None = None,
) -> GradeSummary:
    """Grade every submission of ``assignments`` in ``course_dir``; see the module docstring.

    ``execute`` runs every notebook in a kernel even where the kernel-free path would give the same grades;
    ``nbgrader_steps`` grades kernel-free assignments with nbgrader's own saving steps instead of the bulk path;
    ``shard`` grades only that shard's trainees (``shards.py``); ``early``: the checkers ``early_check`` started,
    which hold the course lock for this run.
    """
    started = time.monotonic()
    argv = [*nbgrader_args, *([f"--Execute.timeout={timeout}"] if timeout else [])]
    # A second run in the same course waits here (and says so) until the first has finished.
    waiting = lambda text: print(text, file=stream or sys.stderr, flush=True)  # noqa: E731
    shard_lock = shard.lock_name if shard else None
    locked = nullcontext() if early is not None else course_lock(Path(course_dir).resolve(), on_wait=waiting,
                                                                 shard_lock=shard_lock)
    with locked, working_dir(Path(course_dir).resolve()), long_lived_objects() as settled:
        app = make_app(argv)
        settled()  # the imports and the configuration
        lock = lock_path_for(app.coursedir.db_url, app.coursedir.root)
        check_configuration(app, probe_kernel=False)  # refuse a bad configuration before touching anything
        check_gradebook(app, assignments, lock)
        with gradebook_lock(lock):
            ensure_gradebook_indexes(app.coursedir.db_url)  # else every score is a table scan: quadratic
            paths = choose_paths(app.coursedir.db_url, app.coursedir.course_id, assignments, execute)
        executed = not all(path.kernel_free for path in paths.values())
        runner = check_configuration(app, probe_kernel=executed)
        protect_course_files(app.coursedir, app.log)
        bulk = _bulk_path(app, nbgrader_steps)
        STATE.update(app=app, lock=lock, paths=paths, bulk=bulk is None, exporter=None)
        log_file = fresh_log(app)
        # Content is read once, before any kernel runs; the forked workers inherit it.
        with frozen_content(), stop_on_signals() as stopped:
            inputs = {a: _course_inputs(app, a) for a in assignments}
            STATE.update(inputs=inputs)
            if early is not None and early.running and not executed:
                # While the checkers work, what the workers would each do first: load the reply model, and
                # make a feedback exporter that has rendered each assignment's lesson once.
                _preload_reply_model(app, list(assignments))
                STATE.update(exporter=warm_up(app, assignments))
            tasks, cohort_size, answers = _submissions(app, assignments, students, shard, early)
            settled()
            # Without kernels the work is all CPU: one process per core; kernels wait, so two per core then.
            workers = max(1, min(workers or default_workers() // (1 if executed else 2), len(tasks) or 1))
            index = shard.index_name if shard else ""
            check = unchanged_tasks(app.coursedir, tasks, inputs, feedback, workers, index, force=force,
                                    early=answers)
            settled()  # the index: one entry per submission, kept to the end
            skipped = check.unchanged
            todo = check.changed  # in the order of tasks: sorted
            bar = ProgressBar(len(todo), "grading ", stream=stream)
            bar.start()
            jobs = jobs_for(todo, paths, workers)
            _preload_reply_model(app, sorted({t.assignment for t in todo}))
            # Even one worker is a separate process: the instructor's process never runs a trainee's kernel.
            graded = grade_in_pool(jobs, workers, (argv, str(log_file)), force, feedback, bar, stopped)
            record_index(app.coursedir, check, [o.task for o in graded if o.status != "failed"], inputs, feedback)
        protect_course_files(app.coursedir, app.log)  # feedback/ (and the others) may be new
    return GradeSummary(sorted(graded, key=lambda o: o.task), workers, time.monotonic() - started,
                        confinement=confinement_text(runner, executed), stopped=stopped[0] if stopped else None,
                        paths=[paths[a] for a in assignments],
                        shard=None if shard is None else f"{str(shard).capitalize()}: {len(tasks)} of the "
                                                         f"cohort's {cohort_size} submission(s).",
                        saving=None if executed and not any(p.kernel_free for p in paths.values()) else
                        "Gradebook rows of kernel-free assignments: " + (bulk or "written in bulk (the same rows as "
                                                                          "nbgrader's steps, a batch at a time)"),
                        skipped=skipped)


def _submissions(app: AutogradeApp, assignments: Sequence[str], students: Iterable[str] | None,
                 shard: Shard | None, early: EarlyCheck | None) -> tuple[list[Task], int, EarlyAnswers | None]:
    """The submissions to grade, how many the whole cohort has, and the early checkers' answers for them (if
    they listed the same submissions)."""
    submitted = os.path.join(app.coursedir.root, app.coursedir.submitted_directory)
    found = early.collect() if early is not None and early.lists(submitted, assignments, students) else None
    listed = found[0] if found else find_submissions(app.coursedir.root, app.coursedir.submitted_directory,
                                                     assignments, students)
    tasks = listed if shard is None else [task for task in listed if shard.owns(task.student)]
    answers = early.answers(tasks, *found) if early is not None and found else None
    return tasks, len(listed), answers


@contextmanager
def long_lived_objects() -> Iterator[Callable[[], None]]:
    """For the block, the call it gives hands every object made so far to ``gc.freeze``; at its end they return.

    A run's imports, its 110,000 tasks and their index entries live to the end, and each full collection
    walked them all again: 1.1-1.3 s of a 5.6-7 s re-run of 10,000 trainees x 11 (measured; and in forked
    workers a collection's writes copy the pages they share with the parent). Frozen objects are never
    collected, so only long-lived ones are frozen, and ``gc.unfreeze`` gives them back afterwards.
    """
    try:
        yield gc.freeze
    finally:
        gc.unfreeze()


def fresh_log(app: AutogradeApp) -> Path:
    """This run's log file, empty and private (it holds trainees' output)."""
    log_file = Path(app.coursedir.root) / LOG_NAME
    log_file.unlink(missing_ok=True)
    os.close(os.open(log_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    return log_file


def _preload_reply_model(app: AutogradeApp, assignments: list[str]) -> None:
    """Load the written-reply model in the parent when an assignment to grade has a written reply, so the
    forked workers share its weights (copy-on-write) instead of each loading its own."""
    from ..models import load_exercise
    from ..models.written_reply import WrittenReplyExercise
    from ..nbgrader_cells import graded_exercise_id
    from ..scoring import sentence_model

    if sentence_model.is_loaded():
        return
    for assignment in assignments:
        source = Path(app.coursedir.format_path(app.coursedir.source_directory, ".", assignment))
        for path in source.glob("*.ipynb"):
            cells = nbformat.read(path, as_version=4).cells
            ids = [i for cell in cells if (i := graded_exercise_id(cell)) is not None]
            replies = [e for e in map(load_exercise, ids) if isinstance(e, WrittenReplyExercise)]
            if replies:
                from ..scoring.reply_reading import preload

                preload(replies[0])
                return


def _course_inputs(app: AutogradeApp, assignment: str) -> str:
    """What every grade of ``assignment`` depends on besides the submission: source, content, configuration."""
    root = Path(app.coursedir.root)
    source = Path(app.coursedir.format_path(app.coursedir.source_directory, ".", assignment))
    return course_inputs([source, root / "nbgrader_config.py", *content_files()])


def _bulk_path(app: AutogradeApp, nbgrader_steps: bool) -> str | None:
    """None when kernel-free submissions' rows are written in bulk; otherwise why nbgrader's steps write them."""
    if nbgrader_steps:
        return "nbgrader's own steps (--nbgrader-steps)"
    from nbgrader.converters import Autograde

    reason = bulk_unsupported(saving_steps(Autograde(coursedir=app.coursedir, parent=app).autograde_preprocessors))
    return None if reason is None else f"nbgrader's own steps ({reason}, which the bulk path does not know)"
