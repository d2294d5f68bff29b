"""nbgrader's ``find_all_files`` with the same answer, without a directory listing per file and pattern.

nbgrader decides whether a file is ignored (``utils.is_ignored``) by globbing its folder once per ignore
pattern and looking for the file in the result: with the course's patterns that was a tenth of the CPU of
grading a submission without a kernel (copying it into autograded/, then into feedback/). The answer only
depends on the file's own name: ``glob`` of ``<folder>/<pattern>`` lists ``<folder>/<name>`` exactly when
the name matches the pattern (``fnmatch``), and a pattern that does not start with a dot does not match
a name that does (glob's hidden files). A path or pattern this reasoning does not cover (glob characters
in the folder, a ``/`` in the pattern) is decided by nbgrader's own function.
"""

from __future__ import annotations

import fnmatch
import glob
import os
from collections.abc import Sequence

from nbgrader import utils as nbgrader_utils

__all__ = ["find_all_files", "is_ignored"]


def _plain(pattern: str) -> bool:
    return bool(pattern) and os.sep not in pattern and (os.altsep is None or os.altsep not in pattern)


def is_ignored(filename: str, ignore_globs: Sequence[str] | None = None) -> bool:
    """``nbgrader.utils.is_ignored``'s answer for a path that exists."""
    if ignore_globs is None:
        return False
    folder, name = os.path.split(filename)
    if (not name or glob.has_magic(folder) or os.path.join(folder, name) != filename
            or not all(_plain(pattern) for pattern in ignore_globs)):
        return nbgrader_utils.is_ignored(filename, list(ignore_globs))
    for pattern in ignore_globs:
        if not glob.has_magic(pattern):
            if name == pattern:
                return True
        elif (pattern[0] == "." or name[0] != ".") and fnmatch.fnmatch(name, pattern):
            return True
    return False


def find_all_files(path: str, exclude: Sequence[str] | None = None,
                   folder_links: list[str] | None = None) -> list[str]:
    """``nbgrader.utils.find_all_files``: every file under ``path`` (walked as nbgrader walks it) that no
    ``exclude`` pattern ignores, nor any folder above it. ``folder_links`` gets every link to a folder met on
    the way, ignored or not (``os.walk`` lists them as folders and does not enter them)."""
    files: list[str] = []
    to_skip: list[str] = []
    for dirname, dirnames, filenames in os.walk(path):
        if folder_links is not None:
            folder_links.extend(os.path.join(dirname, name) for name in dirnames
                                if os.path.islink(os.path.join(dirname, name)))
        if is_ignored(dirname, exclude) or dirname in to_skip:
            to_skip.extend(os.path.join(dirname, name) for name in dirnames)
            continue
        for filename in filenames:
            fullpath = os.path.join(dirname, filename)
            if not is_ignored(fullpath, exclude):
                files.append(fullpath)
    return files
