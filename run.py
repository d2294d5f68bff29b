#!/usr/bin/env python3
"""Set up the course's environment and start it, or test it.

    python3 run.py start     # set up, then open the course in JupyterLab
    python3 run.py test      # set up, then run every test (pytest args may follow)

Setting up means: a virtual environment in .venv with the project installed
(``pip install -e .[test]``), redone only when pyproject.toml changes. Every
command then runs with .venv/bin first on PATH, so tools that nbgrader calls
by name (alembic) are found.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".installed-from"


def _python() -> Path:
    return BIN / ("python.exe" if os.name == "nt" else "python")


def setup() -> dict[str, str]:
    """Create .venv and install the project if pyproject.toml changed; return the env to use."""
    if not _python().exists():
        print("Creating .venv ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if not STAMP.exists() or STAMP.read_text().strip() != wanted:
        print("Installing the course and its tools into .venv (first run takes a few minutes) ...", flush=True)
        pip = [str(_python()), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
        subprocess.run([*pip, "--upgrade", "pip"], check=True)
        subprocess.run([*pip, "-e", f"{ROOT}[test]"], check=True)
        # An editable install skips data files: link the course's lab extension (widgets in RISE slides).
        subprocess.run([str(_python()), "-m", "course_lib.live.rise"], check=True)
        # ... and the course's JupyterLab defaults (no Jupyter news question over the first exercise).
        subprocess.run([str(_python()), "-m", "course_lib.lab_defaults"], check=True)
        STAMP.write_text(wanted)
    env = dict(os.environ)
    env["PATH"] = str(BIN) + os.pathsep + env.get("PATH", "")
    env["VIRTUAL_ENV"] = str(VENV)
    return env


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"start", "test", "setup"}:
        print(__doc__)
        return 2
    env = setup()
    command, rest = argv[0], argv[1:]
    if command == "setup":
        return 0
    if command == "start":
        lab = [str(_python()), "-m", "jupyter", "lab", "notebooks/00_start.ipynb", *rest]
        return subprocess.run(lab, cwd=ROOT, env=env).returncode
    return subprocess.run([str(_python()), "-m", "pytest", *rest], cwd=ROOT, env=env).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
