"""What there is to grade: submissions as plain tuples, found with one listing per trainee.

Kept apart from the rest of the engine so that the re-run check (``early_check``) imports nothing heavy.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

__all__ = ["Task", "find_submissions"]


class Task(NamedTuple):
    """One trainee's submission of one assignment (a tuple: a cohort's 110,000 sort and hash at C speed)."""

    assignment: str
    student: str


def find_submissions(course_root: Path | str, submitted_dir: str, assignments: Iterable[str],
                     students: Iterable[str] | None = None, part: tuple[int, int] | None = None) -> list[Task]:
    """Every ``<submitted>/<student>/<assignment>/`` folder (optionally only some students; ``part`` (k, n): only
    the trainees in part k of n, parts split by a hash of the name).

    One ``scandir`` per trainee, not one pattern per assignment: a re-run lists every submission of the
    cohort (110,000 for 10,000 trainees x 11) before it checks what changed.
    """
    wanted = set(students) if students else None
    names = set(assignments)
    tasks = []
    try:
        with os.scandir(Path(course_root) / submitted_dir) as found:
            trainees = [e for e in found
                        if (wanted is None or e.name in wanted) and (part is None or _in_part(e.name, part))]
    except FileNotFoundError:
        return []
    for trainee in trainees:
        if not trainee.is_dir():
            continue
        with os.scandir(trainee.path) as entries:
            tasks += [Task(e.name, trainee.name) for e in entries if e.name in names and e.is_dir()]
    return sorted(tasks)


def _in_part(name: str, part: tuple[int, int]) -> bool:
    return zlib.crc32(name.encode("utf-8", "surrogateescape")) % part[1] == part[0]
