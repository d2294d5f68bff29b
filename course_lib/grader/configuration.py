"""Checks before grading: a configuration that keeps trainees away from grades, a gradebook that knows
the assignments, and how trainees' code ran (for the summary)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from pathlib import Path

from nbconvert.preprocessors import ExecutePreprocessor
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.apps import AutogradeApp
from nbgrader.converters import Autograde
from nbgrader.preprocessors import SaveAutoGrades
from traitlets.utils.importstring import import_item

from ..nbgrader_plugins import TrustedWidgetScores
from ..sandbox import ConfinedExecute, SandboxError, probe
from ..sandbox.folder import remove_stale
from ..sandbox.processes import kill_all
from .locking import gradebook_lock
from .summary import GradingRefused

__all__ = ["check_configuration", "check_gradebook", "confinement_text"]


def check_gradebook(app: AutogradeApp, assignments: Iterable[str], lock: Path) -> None:
    """Create the gradebook if needed (before any fork) and check it knows every assignment."""
    with gradebook_lock(lock):
        gb = Gradebook(app.coursedir.db_url, app.coursedir.course_id)
        try:
            for assignment in assignments:
                try:
                    gb.find_assignment(assignment)
                except MissingEntry:
                    raise SystemExit(
                        f"The gradebook has no assignment {assignment!r}: run `course release {assignment}` "
                        f"(or `nbgrader generate_assignment {assignment}`) first."
                    ) from None
        finally:
            gb.close()
            gb.engine.dispose()  # no open SQLite connection may cross a fork


def _autograde_steps(app: AutogradeApp) -> list:
    steps = Autograde(coursedir=app.coursedir, parent=app).autograde_preprocessors
    return [import_item(step) if isinstance(step, str) else step for step in steps]


def check_configuration(app: AutogradeApp, probe_kernel: bool = True) -> ConfinedExecute:
    """Refuse a configuration that would let trainees' code or answers change grades; returns the Execute step.

    The loaded ``Autograde.autograde_preprocessors`` must run notebooks with
    ConfinedExecute (no other execute step), then re-score with
    TrustedWidgetScores, then save with SaveAutoGrades; and (``probe_kernel``:
    some notebook will run) a confined kernel must be able to start here.
    """
    steps = _autograde_steps(app)

    def first(kind: type) -> int | None:
        return next((i for i, step in enumerate(steps) if isinstance(step, type) and issubclass(step, kind)), None)

    confined, trusted, save = first(ConfinedExecute), first(TrustedWidgetScores), first(SaveAutoGrades)
    unconfined = [step.__name__ for step in steps if isinstance(step, type)
                  and issubclass(step, ExecutePreprocessor) and not issubclass(step, ConfinedExecute)]
    problems = []
    if confined is None or unconfined:
        problems.append("trainees' code would run unconfined (use course_lib.sandbox.ConfinedExecute instead of "
                        f"{', '.join(unconfined) or 'Execute'})")
    if trusted is None:
        problems.append("TrustedWidgetScores (course_lib.nbgrader_plugins) is missing: widget scores would be "
                        "taken from the trainee's own kernel")
    elif (confined is not None and trusted < confined) or (save is not None and save < trusted):
        problems.append("TrustedWidgetScores must come after ConfinedExecute and before SaveAutoGrades")
    if problems:
        where = Path(app.coursedir.root) / "nbgrader_config.py"
        raise GradingRefused(
            f"refusing to grade: in the loaded configuration ({where}) Autograde.autograde_preprocessors "
            f"is {[getattr(s, '__name__', s) for s in steps]}: " + "; ".join(problems)
            + ". Did nbgrader_config.py fail to load? nbgrader prints why above."
        )
    execute = ConfinedExecute(parent=app, config=app.config)
    if not probe_kernel:
        return execute
    try:
        confinement = execute.confinement()
        version = probe(confinement)
        if confinement.uid is not None:
            kill_all(confinement.uid)
        if version.split(".")[:2] != [str(n) for n in sys.version_info[:2]]:
            raise SandboxError(f"a confined kernel starts Python {version}, not the grader's "
                               f"{sys.version.split()[0]}: the sandbox user cannot read this Python's own files "
                               f"({sys.base_prefix}); make them readable by other users")
    except SandboxError as exc:
        raise GradingRefused(f"refusing to grade: {exc}") from None
    execute.log.info("A confined kernel starts (Python %s, %s)", version, confinement.describe())
    if version != sys.version.split()[0]:
        execute.log.warning("Confined kernels run Python %s, the grader %s (the sandbox user cannot read %s)",
                            version, sys.version.split()[0], sys.base_prefix)
    for folder in remove_stale(execute.work_dir or None):
        execute.log.warning("Removed %s, left by a grading process that was killed", folder)
    return execute


def confinement_text(execute: ConfinedExecute, executed: bool = True) -> str:
    """One plain sentence on how trainees' code ran, for the closing summary."""
    if not executed:
        return "No trainee's code ran: every assignment was graded without a kernel."
    if execute.mode() == "user":
        return (f"Trainees' code ran confined: as a fresh sandbox user per notebook, {execute.where()}, "
                "in a throw-away copy of the submission.")
    return (f"WARNING: trainees' code ran as your own user ({os.environ.get('USER') or os.getuid()}), "
            f"{execute.where()}, in a throw-away copy: it could change any file you can, the gradebook "
            "included. Grade untrusted cohorts on the server as root.")


