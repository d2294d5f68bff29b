"""What a valid assignment id, trainee name, submission stamp or path inside an upload is.

Everything here is checked before it touches the file system: a name that
fails is refused with a message, never cleaned up into something else.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import PurePosixPath

__all__ = [
    "MAX_PATH_DEPTH",
    "MAX_PATH_LENGTH",
    "BadName",
    "check_assignment_id",
    "check_member_path",
    "check_stamp",
    "check_student_id",
    "nbgrader_timestamp",
    "new_stamp",
    "stamp_from_timestamp",
]

_ASSIGNMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
# Hub names (lower case; single sign-on may bring '.', '@'); never '/' or a leading '.'.
_STUDENT = re.compile(r"^[a-z0-9][a-z0-9_.@-]{0,63}$")
_STAMP = re.compile(r"^\d{8}T\d{6}\.\d{6}Z$")
_STAMP_FORMAT = "%Y%m%dT%H%M%S.%fZ"
NBGRADER_FORMAT = "%Y-%m-%d %H:%M:%S.%f %Z"  # nbgrader's default Exchange.timestamp_format
MAX_PATH_DEPTH = 16
MAX_PATH_LENGTH = 512


class BadName(ValueError):
    """A name or path that is refused; the message says which and why."""


def check_assignment_id(value: str) -> str:
    """``value`` if it is an assignment id (letters, digits, '_' and '-', at most 64), else BadName."""
    if not isinstance(value, str) or not _ASSIGNMENT.fullmatch(value):
        raise BadName(f"not an assignment id: {value!r} (letters, digits, '_' and '-' only)")
    return value


def check_student_id(value: str) -> str:
    """``value`` if it can be a hub user name here (no '/', no '..', no leading '.'), else BadName."""
    if not isinstance(value, str) or not _STUDENT.fullmatch(value) or ".." in value:
        raise BadName(f"not a trainee name: {value!r}")
    return value


def check_stamp(value: str) -> str:
    """``value`` if it is a submission stamp as the service makes them (``20250131T094500.123456Z``)."""
    if not isinstance(value, str) or not _STAMP.fullmatch(value):
        raise BadName(f"not a submission stamp: {value!r}")
    return value


def new_stamp(now: datetime | None = None) -> str:
    """A submission stamp for ``now`` (UTC): the service's clock, never the trainee's."""
    return (now or datetime.now(timezone.utc)).astimezone(timezone.utc).strftime(_STAMP_FORMAT)


def nbgrader_timestamp(stamp: str) -> str:
    """The stamp in nbgrader's own format (``2025-01-31 09:45:00.123456 UTC``), as timestamp.txt holds it."""
    moment = datetime.strptime(check_stamp(stamp), _STAMP_FORMAT).replace(tzinfo=timezone.utc)
    return moment.strftime(NBGRADER_FORMAT)


def stamp_from_timestamp(text: str) -> str:
    """The stamp of an nbgrader timestamp (timestamp.txt of a collected submission); BadName if unreadable."""
    cleaned = text.strip()
    cleaned = cleaned[:-4] if cleaned.endswith(" UTC") else cleaned
    try:
        moment = datetime.fromisoformat(cleaned)
    except ValueError:
        raise BadName(f"not a timestamp: {text!r}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return new_stamp(moment)


def check_member_path(name: str) -> PurePosixPath:
    """A relative path inside an upload, checked: no absolute path, no '..', '.', empty part, '\\' or NUL."""
    if not isinstance(name, str) or not name or len(name) > MAX_PATH_LENGTH:
        raise BadName(f"bad path in upload: {name!r}")
    if "\\" in name or "\0" in name or name.startswith("/"):
        raise BadName(f"bad path in upload: {name!r} (absolute, or a '\\' or NUL in it)")
    parts = name.rstrip("/").split("/")
    if any(part in ("", ".", "..") for part in parts):
        raise BadName(f"bad path in upload: {name!r} ('..', '.' or an empty part)")
    if len(parts) > MAX_PATH_DEPTH or any(len(part.encode()) > 255 for part in parts):
        raise BadName(f"bad path in upload: {name!r} (too deep or a part too long)")
    return PurePosixPath(*parts)
