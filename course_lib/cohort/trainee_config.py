"""The nbgrader config for trainees: where the exchange is and which course they take.

Trainees run nbgrader (JupyterLab's Assignments tab, ``nbgrader fetch_assignment``,
``submit``, ``fetch_feedback``) in their own home folder, where the course's
nbgrader_config.py is not read. Without ``Exchange.root`` and
``CourseDirectory.course_id`` they look in nbgrader's default exchange
(/usr/local/share/nbgrader/exchange) and fail with "Unwritable directory".
``course trainee-config`` writes this small file to a folder every trainee's
Jupyter reads (``/etc/jupyter`` by default; ``jupyter --paths`` lists them). It
holds nothing of the instructor's (no gradebook, no source folder, no plug-ins).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["DEFAULT_PATH", "MARKER", "render", "write_trainee_config"]

DEFAULT_PATH = Path("/etc/jupyter/nbgrader_config.py")
# First line of every file written here; a file without it is someone else's and is not replaced.
MARKER = "# nbgrader settings for trainees, written by `course trainee-config`."


def render(exchange_root: str, course_id: str) -> str:
    """The file's text; values are written as Python literals (repr), never pasted in as code."""
    return f'''{MARKER}
# Rewrite it with that command (in the course folder) rather than by hand.
c = get_config()  # noqa: F821 - provided by traitlets when this file is loaded

# The folder where the instructor releases assignments and trainees submit.
c.Exchange.root = {exchange_root!r}
c.CourseDirectory.course_id = {course_id!r}

# On JupyterHub each trainee's submissions are filed under their hub name,
# even when every trainee's server runs as one operating-system user.
import os  # noqa: E402

if os.environ.get("JUPYTERHUB_USER"):
    c.CourseDirectory.student_id = os.environ["JUPYTERHUB_USER"]
'''


def write_trainee_config(path: Path | str, exchange_root: str, course_id: str, force: bool = False) -> Path:
    """Write the trainees' config to ``path`` (readable by everyone), atomically.

    Refuses (``FileExistsError``) to replace a file that this command did not
    write, unless ``force``: an administrator's own settings would be lost.
    """
    path = Path(path)
    if not exchange_root or not course_id:
        raise ValueError("the trainees' config needs an exchange folder and a course id")
    if path.exists() and not force:
        with open(path, encoding="utf-8", errors="replace") as existing:
            first = existing.readline().rstrip("\n")
        if first != MARKER:
            raise FileExistsError(f"{path} exists and was not written by `course trainee-config`; "
                                  "add its settings by hand, or use --force to replace it")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".nbgrader_config.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(render(exchange_root, course_id))
        os.chmod(tmp, 0o644)  # every trainee's Jupyter reads it
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
