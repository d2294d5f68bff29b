"""Fixtures for the real-browser tests: a throwaway JupyterLab server and headless Chromium.

The server runs on 127.0.0.1 with a random token in a temporary copy of the
exercise folder, with its own config, runtime, settings and IPython dirs, so the
tests never touch the repository or the user's Jupyter setup. Lab extensions and
kernels are still found in ``sys.prefix/share/jupyter``.
"""

from __future__ import annotations

import http.client
import json
import os
import secrets
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.servers import log_text, running_server

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS_DIR = REPO_ROOT / "test-artifacts"
SERVER_START_TIMEOUT = 90  # seconds; a cold JupyterLab start is slow on a small machine
# The browser and page fixtures live in tests/conftest.py: one Playwright per session.
from tests.conftest import CHROMIUM_ARGS  # noqa: E402,F401  (re-exported for scripts)


@dataclass(frozen=True)
class LabServer:
    url: str  # http://127.0.0.1:PORT (no trailing slash)
    token: str
    root: Path  # the server's root_dir: a temporary copy of the exercise folder
    log: Path

    def lab_url(self, path: str) -> str:
        return f"{self.url}/lab/tree/{path}?token={self.token}"

    def log_text(self) -> str:
        return log_text(self.log)


def _server_answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, http.client.HTTPException, ConnectionError, TimeoutError, OSError):
        return False


def _lab_url(runtime_dir: Path) -> str | None:
    """The URL the server reports in its runtime file, once it is listening."""
    for info in runtime_dir.glob("jpserver-*.json"):
        try:
            return json.loads(info.read_text(encoding="utf-8"))["url"].rstrip("/")
        except (ValueError, KeyError, OSError):
            return None  # still being written
    return None


def _quiet_lab_settings(settings_dir: Path) -> None:
    """User settings that keep JupyterLab offline and free of first-run toasts."""
    notification = settings_dir / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    notification.parent.mkdir(parents=True, exist_ok=True)
    notification.write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}), encoding="utf-8")


def start_lab(exercise_dir: Path, work: Path) -> Iterator[LabServer]:
    """Copy ``exercise_dir`` into ``work/root``, serve it with JupyterLab, stop it afterwards."""
    root = work / "root"
    shutil.copytree(exercise_dir, root)
    config_dir, runtime_dir, ipython_dir = work / "jupyter-config", work / "jupyter-runtime", work / "ipython"
    notary_dir = work / "jupyter-notary"
    settings_dir, workspaces_dir = config_dir / "lab" / "user-settings", config_dir / "lab" / "workspaces"
    for folder in (config_dir, runtime_dir, ipython_dir, workspaces_dir, notary_dir):
        folder.mkdir(parents=True, exist_ok=True)
    _quiet_lab_settings(settings_dir)

    env = os.environ.copy()
    venv_bin = str(Path(sys.executable).parent)
    env["PATH"] = venv_bin + os.pathsep + env.get("PATH", "")
    # Isolate config and runtime only: JUPYTER_DATA_DIR stays default so the lab
    # extensions and kernelspec in sys.prefix/share/jupyter are still found.
    env["JUPYTER_CONFIG_DIR"] = str(config_dir)
    env["JUPYTER_RUNTIME_DIR"] = str(runtime_dir)
    env["IPYTHONDIR"] = str(ipython_dir)
    env.pop("JUPYTER_TOKEN", None)
    env["PYTHONUNBUFFERED"] = "1"

    token = secrets.token_hex(16)
    # Port 0: the server binds a free port itself and reports it in its runtime
    # file. Picking a "free" port here first raced with kernels of other tests.
    command = [
        sys.executable, "-m", "jupyter", "lab",
        "--no-browser", "--allow-root", "--ip=127.0.0.1", "--port=0",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        "--ServerApp.open_browser=False",
        "--ServerApp.terminals_enabled=False",
        "--LabApp.news_url=",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.extension_manager=readonly",
        f"--LabApp.user_settings_dir={settings_dir}",
        f"--LabApp.workspaces_dir={workspaces_dir}",
        # notebook signatures go to the temp dir, not ~/.local/share/jupyter
        f"--NotebookNotary.data_dir={notary_dir}",
    ]  # fmt: skip
    log_path = work / "jupyter-lab.log"

    def ready() -> bool:
        url = _lab_url(runtime_dir)
        return url is not None and _server_answers(f"{url}/api/status?token={token}")

    with running_server(command, cwd=root, env=env, log_path=log_path, name="JupyterLab",
                        ready=ready, timeout=SERVER_START_TIMEOUT):
        yield LabServer(url=_lab_url(runtime_dir), token=token, root=root, log=log_path)


@pytest.fixture(scope="module")
def module1_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    """JupyterLab serving a temporary copy of exercises/module1/."""
    yield from start_lab(REPO_ROOT / "exercises" / "module1", tmp_path_factory.mktemp("module1-lab"))


@pytest.fixture(scope="session")
def graded_course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A course where trainee 'good' and trainee 'hostile' submitted every assignment.

    Real nbgrader: generate_assignment, autograde, generate_feedback. 'good' has
    good synthetic answers and a Markdown reflection; 'hostile' has hostile
    answers, script in every reflection and in its name; a third trainee exists
    only in the gradebook, with an id built to run script.
    """
    from nbgrader.api import Gradebook

    from tests.browser.page_checks import GOOD_WRITTEN, HOSTILE_ID, HOSTILE_NAME, HOSTILE_WRITTEN
    from tests.nbgrader.course import ASSIGNMENTS, make_course, nbgrader, submit_synthetic

    course = make_course(tmp_path_factory.mktemp("graded-course"))
    # "*": one nbgrader process for all assignments (each start costs seconds).
    nbgrader(course, "generate_assignment", "*", "--force")
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        gb.update_or_create_student("good", first_name="Sam", last_name="Okafor")
        gb.update_or_create_student("hostile", first_name=HOSTILE_NAME, last_name=HOSTILE_NAME)
        gb.update_or_create_student(HOSTILE_ID)
    for assignment in ASSIGNMENTS:
        submit_synthetic(course, "good", assignment, "good", GOOD_WRITTEN)
        submit_synthetic(course, "hostile", assignment, "hostile", HOSTILE_WRITTEN)
    nbgrader(course, "autograde", "*")
    nbgrader(course, "generate_feedback", "*")
    return course


@pytest.fixture(scope="session")
def report(graded_course: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The cohort report of ``graded_course``, made by the real ``course report`` command."""
    target = tmp_path_factory.mktemp("report") / "report.html"
    course_command = Path(sys.executable).with_name("course")
    done = subprocess.run([str(course_command), "report", "-o", str(target)], cwd=graded_course,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return target
