"""Run a plain nbgrader command for the course, the way an instructor would type it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

__all__ = ["RAISE_CONFIG_ERRORS", "ConfigLoadError", "config_failure", "nbgrader_env", "run_nbgrader"]

# traitlets reads this when it is imported: with "1", an exception in
# nbgrader_config.py stops nbgrader instead of being logged and skipped.
RAISE_CONFIG_ERRORS = "TRAITLETS_APPLICATION_RAISE_CONFIG_FILE_ERROR"


class ConfigLoadError(ValueError):
    """nbgrader_config.py raised an exception, so nbgrader would run without the course's settings."""


def config_failure(course_dir: Path | str, error: BaseException) -> ConfigLoadError:
    """The error to show when the course's nbgrader_config.py cannot be loaded."""
    return ConfigLoadError(
        f"{Path(course_dir) / 'nbgrader_config.py'} failed to load ({type(error).__name__}: {error}). "
        "Plain nbgrader would log this and carry on without the course's settings (no trusted re-scoring "
        "of widget answers), so nothing was done; fix the error and run the command again."
    )


def nbgrader_env() -> dict[str, str]:
    """This environment with this interpreter's bin/ first on PATH, and config errors fatal.

    nbgrader runs ``alembic`` by name when it creates gradebook.db; the
    project's config already fixes PATH, and this keeps child processes safe
    even with another nbgrader_config.py. Without ``RAISE_CONFIG_ERRORS``,
    nbgrader logs an exception in nbgrader_config.py and goes on with its
    defaults, e.g. autograding without the course's plug-ins.
    """
    bindir = str(Path(sys.executable).parent)
    path = os.environ.get("PATH", "")
    if bindir not in path.split(os.pathsep):
        path = bindir + os.pathsep + path
    return {**os.environ, "PATH": path, RAISE_CONFIG_ERRORS: "1"}


def run_nbgrader(course_dir: Path | str, args: Sequence[str]) -> int:
    """``nbgrader <args>`` in ``course_dir``; its output goes straight to the terminal. Returns its exit status."""
    print("$ nbgrader " + " ".join(args), file=sys.stderr, flush=True)
    done = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course_dir, env=nbgrader_env())
    return done.returncode
