"""Where live answers go, who the trainee is, and when publishing happens: the one place to configure it.

Environment variables (all optional; the defaults need no set-up on a laptop):

``COURSE_CLASS_DIR``
    The class folder that lesson answers are published to and the live board
    reads. Default: ``$XDG_DATA_HOME/customer-service-workbook/class``
    (``~/.local/share/customer-service-workbook/class``). On a shared server,
    point every trainee and the facilitator at one shared folder, set up once
    by the facilitator with ``course-board --init-class-dir --class-dir
    /srv/course-class`` (mode 1777 with its activity folders; see
    :mod:`course_lib.live.classdir`).
``COURSE_TRAINEE_ID``
    The trainee's id, used as the file name of their entries. Default:
    ``JUPYTERHUB_USER`` (on JupyterHub), else the operating-system user name.
    It is sanitized into a safe file name (see :func:`sanitize_trainee_id`).
    On a shared class folder it is not used: the entry is named after the OS
    user, the only name the board accepts there.
``COURSE_TRAINEE_NAME``
    The display name stored with each entry (the board hides names unless the
    facilitator switches them on). Default: the unsanitized trainee id.
``COURSE_PUBLISH``
    ``auto`` (default): publish from lesson notebooks only, i.e. notebooks in a
    folder named ``notebooks``; ``1``: publish from any notebook that is not a
    graded exercise; ``0``: never publish. Graded exercises are never published,
    whatever the setting (see :func:`course_lib.live.publish.is_graded_folder`).
``COURSE_BOARD_REFRESH``
    Seconds between two refreshes of the live board (default 3, at least 0.5).
``COURSE_LIVE_URL``
    Set by JupyterHub for trainees' servers on a course server: lesson answers
    are then sent to the hub's live-answers service with the server's hub
    token instead of written to a class folder (see
    :mod:`course_lib.live.hub_publish`).
"""

from __future__ import annotations

import getpass
import hashlib
import os
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "LiveConfig",
    "default_class_dir",
    "load_config",
    "sanitize_trainee_id",
]

APP_FOLDER = "customer-service-workbook"
PUBLISH_MODES = {"auto": "auto", "": "auto", "1": "on", "on": "on", "true": "on", "yes": "on",
                 "0": "off", "off": "off", "false": "off", "no": "off"}
MAX_ID_LENGTH = 64
DEFAULT_REFRESH = 3.0
_SAFE_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_UNSAFE_RUN = re.compile(r"[^a-z0-9_-]+")


def sanitize_trainee_id(raw: str) -> str:
    """A safe file-name slug for a trainee id; distinct ids give distinct slugs.

    Plain ids (lower-case letters, digits, ``_`` and ``-``, at most 64
    characters) are kept as they are. Anything else (slashes, dots, ``..``,
    NUL, upper case, accents, very long ids) is reduced to those characters
    and suffixed with a hash of the original, so ``../x`` and ``x`` never share
    a file and no slug can leave the class folder.
    """
    raw = str(raw)
    if _SAFE_ID.match(raw):
        return raw
    digest = hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()[:10]
    ascii_form = unicodedata.normalize("NFKD", raw).encode("ascii", "ignore").decode("ascii")
    stem = _UNSAFE_RUN.sub("-", ascii_form.casefold()).strip("-_")[: MAX_ID_LENGTH - len(digest) - 1]
    return f"{stem}-{digest}" if stem else f"trainee-{digest}"


def default_class_dir(environ: Mapping[str, str] | None = None) -> Path:
    """``$XDG_DATA_HOME/customer-service-workbook/class`` (``~/.local/share/...`` when unset)."""
    environ = os.environ if environ is None else environ
    data_home = environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data_home) / APP_FOLDER / "class"


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry, e.g. in some containers
        return f"uid-{os.getuid()}" if hasattr(os, "getuid") else "trainee"


@dataclass(frozen=True)
class LiveConfig:
    """The live-session settings in effect (see the module docstring)."""

    class_dir: Path
    trainee_id: str  # already sanitized: safe as a file name
    display_name: str
    publish: str  # "auto", "on" or "off"
    refresh_seconds: float = DEFAULT_REFRESH


def load_config(environ: Mapping[str, str] | None = None) -> LiveConfig:
    """Read the settings from ``environ`` (default: the process environment)."""
    environ = os.environ if environ is None else environ
    class_dir = environ.get("COURSE_CLASS_DIR", "").strip()
    raw_id = (
        environ.get("COURSE_TRAINEE_ID", "").strip() or environ.get("JUPYTERHUB_USER", "").strip() or _os_user()
    )
    mode = environ.get("COURSE_PUBLISH", "auto").strip().casefold()
    if mode not in PUBLISH_MODES:
        raise ValueError(f"COURSE_PUBLISH must be auto, 1 or 0, not {mode!r}")
    try:
        refresh = max(0.5, float(environ.get("COURSE_BOARD_REFRESH", "") or DEFAULT_REFRESH))
    except ValueError:
        raise ValueError("COURSE_BOARD_REFRESH must be a number of seconds") from None
    return LiveConfig(
        class_dir=Path(class_dir).expanduser() if class_dir else default_class_dir(environ),
        trainee_id=sanitize_trainee_id(raw_id),
        display_name=(environ.get("COURSE_TRAINEE_NAME", "").strip() or raw_id)[:80],
        publish=PUBLISH_MODES[mode],
        refresh_seconds=refresh,
    )
