"""``course`` leaves without tearing the interpreter down (``cli.run``), yet nothing it has to say is lost."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import tomllib

ROOT = Path(__file__).resolve().parents[2]

# The command as the console script runs it, plus an exit handler that prints (into the stdout buffer).
COMMAND = """
import atexit, sys
from course_lib import cli
atexit.register(lambda: print("said at exit"))
sys.argv = ["course", *sys.argv[1:]]
cli.run()
"""


def _course(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", COMMAND, *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300)


def test_the_console_script_is_run():
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    assert scripts["course"] == "course_lib.cli:run"


def test_all_output_and_the_exit_handlers_output_arrive(tmp_path):
    done = _course(tmp_path, "schema")
    assert done.returncode == 0, done.stderr
    schema, _, rest = done.stdout.rpartition("}")
    assert json.loads(schema + "}")["discriminator"]["mapping"]  # the whole schema, through the pipe
    assert rest.strip() == "said at exit"


def test_the_exit_status_is_the_commands(tmp_path):
    (tmp_path / "nbgrader_config.py").write_text("c = get_config()  # noqa\n", encoding="utf-8")
    done = _course(tmp_path, "grade")
    assert done.returncode == 2
    assert "name an assignment" in done.stderr
    assert done.stdout.strip() == "said at exit"
