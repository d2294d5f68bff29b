"""Run a plain nbgrader command for the course, the way an instructor would type it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

__all__ = ["nbgrader_env", "run_nbgrader"]


def nbgrader_env() -> dict[str, str]:
    """This environment with this interpreter's bin/ first on PATH.

    nbgrader runs ``alembic`` by name when it creates gradebook.db; the
    project's config already fixes PATH, and this keeps child processes safe
    even with another nbgrader_config.py.
    """
    bindir = str(Path(sys.executable).parent)
    path = os.environ.get("PATH", "")
    if bindir not in path.split(os.pathsep):
        path = bindir + os.pathsep + path
    return {**os.environ, "PATH": path}


def run_nbgrader(course_dir: Path | str, args: Sequence[str]) -> int:
    """``nbgrader <args>`` in ``course_dir``; its output goes straight to the terminal. Returns its exit status."""
    print("$ nbgrader " + " ".join(args), file=sys.stderr, flush=True)
    done = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course_dir, env=nbgrader_env())
    return done.returncode
