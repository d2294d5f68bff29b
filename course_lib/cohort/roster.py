"""Import the trainees' roster (ids, names, e-mail) into the gradebook.

The roster is a UTF-8 CSV file with a header row: ``id`` (required), then any
of ``first_name``, ``last_name`` and ``email``, e.g.::

    id,first_name,last_name,email
    alice,Alice,Ng,alice@example.org
    zoe,Zoë,"O'Brien, Jr",

Names may hold any Unicode except control characters. The whole file is checked
first; a mistake is reported with the file, the line and the column, and then
nothing is imported. Trainees already in the gradebook get the roster's names
(a column left out of the file leaves that field as it was).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

__all__ = ["COLUMNS", "RosterEntry", "RosterError", "import_roster", "read_roster"]

COLUMNS = ("id", "first_name", "last_name", "email")
# Ids become folder names (submitted/<id>/) and exchange file names (<id>+<assignment>+<time>).
_ID = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.@-]{0,99}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")


class RosterError(ValueError):
    """A roster file that cannot be imported; the message names the file, line and column."""


@dataclass(frozen=True)
class RosterEntry:
    id: str
    fields: dict[str, str]  # only the columns the file has, besides id
    line: int


def _decode(path: Path, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")  # spreadsheets often put a byte-order mark first
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise RosterError(
            f"{path}: line {line}: not UTF-8 text (byte {data[exc.start]:#04x}); save it as 'CSV UTF-8'"
        ) from None


def _check_text(path: Path, line: int, column: str, value: str) -> str:
    value = value.strip()
    if any(unicodedata.category(ch) == "Cc" for ch in value):
        raise RosterError(f"{path}: line {line}: column '{column}': contains a control character or a line break")
    if column == "id" and not _ID.match(value):
        reason = "is empty" if not value else f"{value!r} is not a usable id"
        raise RosterError(f"{path}: line {line}: column 'id': {reason} "
                          "(letters, digits, _ . @ - only, not starting with . or -)")
    if column == "email" and value and not _EMAIL.match(value):
        raise RosterError(f"{path}: line {line}: column 'email': {value!r} is not an e-mail address")
    return value


def read_roster(path: Path | str) -> list[RosterEntry]:
    """Every trainee of the roster file, checked; raises RosterError on the first mistake."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RosterError(f"{path}: cannot read the roster ({exc.strerror})") from None
    reader = csv.reader(io.StringIO(_decode(path, data), newline=""))
    try:
        header = [name.strip() for name in next(reader)]
    except StopIteration:
        raise RosterError(
            f"{path}: the file is empty; expected a header row such as 'id,first_name,last_name,email'"
        ) from None
    except csv.Error as exc:
        raise RosterError(f"{path}: line 1: {exc}") from None
    unknown = [name for name in header if name not in COLUMNS]
    if unknown or "id" not in header or len(set(header)) != len(header):
        problem = (f"unknown column {unknown[0]!r}" if unknown else
                   "no 'id' column" if "id" not in header else "a column appears twice")
        raise RosterError(f"{path}: line 1: {problem}; the columns are {', '.join(COLUMNS)} (id required)")
    entries: list[RosterEntry] = []
    seen: dict[str, int] = {}
    line = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise RosterError(f"{path}: line {line}: {exc}") from None
        if row and any(cell.strip() for cell in row):
            if len(row) != len(header):
                raise RosterError(f"{path}: line {line}: {len(row)} fields, but the header has {len(header)} "
                                  "(a name with a comma must be in double quotes)")
            values = {column: _check_text(path, line, column, cell) for column, cell in zip(header, row, strict=True)}
            student = values.pop("id")
            if student in seen:
                raise RosterError(f"{path}: line {line}: column 'id': {student!r} is already on line {seen[student]}")
            seen[student] = line
            entries.append(RosterEntry(student, values, line))
        line = reader.line_num + 1
    return entries


def import_roster(path: Path | str, db_url: str, course_id: str, lock: Path) -> list[RosterEntry]:
    """Check the whole roster, then add or update each trainee, holding the gradebook lock."""
    from nbgrader.api import Gradebook

    from ..grader.locking import gradebook_lock

    entries = read_roster(path)
    with gradebook_lock(lock), Gradebook(db_url, course_id) as gb:
        try:
            for entry in entries:
                gb.update_or_create_student(entry.id, **{k: (v or None) for k, v in entry.fields.items()})
        finally:
            gb.engine.dispose()
    return entries
