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


_OS_ACCOUNT_ID = '''
# Each trainee's submissions are filed under their operating-system account,
# read from the process itself: not from JUPYTERHUB_USER, USER or anything
# else a trainee can set in a terminal. (`course collect` refuses a submission
# whose folder is owned by someone other than the trainee it names.)
import os  # noqa: E402
import pwd  # noqa: E402

c.CourseDirectory.student_id = pwd.getpwuid(os.getuid()).pw_name
'''

_SHARED_ACCOUNT_ID = '''
# Every trainee's server runs as one operating-system account here, so the
# account cannot tell them apart: submissions are filed under the hub name.
# A trainee can change that variable in a terminal, and collect cannot check
# owners (check_owner is off), so use this only where trainees cannot reach
# a terminal, or use an exchange service that checks the hub's identity.
import os  # noqa: E402

if os.environ.get("JUPYTERHUB_USER"):
    c.CourseDirectory.student_id = os.environ["JUPYTERHUB_USER"]
'''

_EXCHANGE_SERVICE = '''
# On a course hub that runs the exchange service, the hub sets COURSE_EXCHANGE_URL in every
# server: nbgrader then fetches, submits and fetches feedback through it, and the service takes
# the trainee's name from the server's hub token (the student id above is not used).
if os.environ.get("COURSE_EXCHANGE_URL"):
    from course_lib.hub_exchange.hub import use_exchange_service  # noqa: E402

    use_exchange_service(c, os.environ["COURSE_EXCHANGE_URL"])
'''


def render(exchange_root: str, course_id: str, shared_account: bool = False) -> str:
    """The file's text; values are written as Python literals (repr), never pasted in as code.

    ``shared_account``: every trainee runs as one OS account (tests, some containers), so the id comes
    from the hub's name for the trainee; otherwise it is the OS account the trainee's process runs as.
    """
    identity = _SHARED_ACCOUNT_ID if shared_account else _OS_ACCOUNT_ID
    return f'''{MARKER}
# Rewrite it with that command (in the course folder) rather than by hand.
c = get_config()  # noqa: F821 - provided by traitlets when this file is loaded

# The folder where the instructor releases assignments and trainees submit.
c.Exchange.root = {exchange_root!r}
c.CourseDirectory.course_id = {course_id!r}
{identity}{_EXCHANGE_SERVICE}'''


def write_trainee_config(path: Path | str, exchange_root: str, course_id: str, force: bool = False,
                         shared_account: bool = False) -> Path:
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
            handle.write(render(exchange_root, course_id, shared_account))
        os.chmod(tmp, 0o644)  # every trainee's Jupyter reads it
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
