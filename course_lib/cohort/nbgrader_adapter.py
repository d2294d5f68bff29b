"""The few nbgrader 0.9.6 internals ``course grade`` relies on, in one place.

- A converter's exporter keeps its preprocessors in ``_preprocessors``
  (wrapped so gradebook steps run under the lock).
- ``BaseConverter.init_assignment`` copies a submission's files with the
  module-level ``find_all_files`` and ``shutil.copy``, which follows links: a
  link to ``/etc/passwd`` would be copied as the file. :func:`regular_files_only`
  swaps in a ``find_all_files`` that lists regular files only (and never the
  grader's own marker), for the duration of one copy.

:func:`check_nbgrader` verifies these assumptions; a test calls it, so an
nbgrader upgrade that changes them fails loudly instead of silently
un-locking the gradebook or copying links again.
"""

from __future__ import annotations

import inspect
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import nbgrader.converters.base as converters_base
from nbconvert.exporters import Exporter

__all__ = ["check_nbgrader", "exporter_steps", "regular_files_only", "set_exporter_steps"]


def exporter_steps(exporter: Exporter) -> list:
    return list(exporter._preprocessors)


def set_exporter_steps(exporter: Exporter, steps: list) -> None:
    exporter._preprocessors = list(steps)


@contextmanager
def regular_files_only(excluded_prefixes: tuple[str, ...] = ()) -> Iterator[list[str]]:
    """Within the block, nbgrader copies only regular files (none named ``excluded_prefixes*``); yields the rest."""
    original = converters_base.find_all_files
    skipped: list[str] = []

    def find_regular_files(path: str, exclude: Any = None) -> list[str]:
        kept = []
        for name in original(path, exclude):
            mode = os.lstat(name).st_mode
            if stat.S_ISREG(mode) and not (excluded_prefixes and os.path.basename(name).startswith(excluded_prefixes)):
                kept.append(name)
            else:
                skipped.append(os.path.relpath(name, path))
        # Links to folders are not listed by os.walk at all; name them too.
        for folder, dirs, _ in os.walk(path):
            skipped.extend(os.path.relpath(os.path.join(folder, d), path) for d in dirs
                           if os.path.islink(os.path.join(folder, d)))
        return kept

    converters_base.find_all_files = find_regular_files
    try:
        yield skipped
    finally:
        converters_base.find_all_files = original


def check_nbgrader() -> None:
    """Raise AssertionError naming the first nbgrader internal that is not as this module expects."""
    source = inspect.getsource(converters_base.BaseConverter.init_assignment)
    assert "find_all_files(source" in source and "shutil.copy(" in source, (
        "nbgrader's BaseConverter.init_assignment no longer copies with find_all_files + shutil.copy: "
        "review course_lib/cohort/nbgrader_adapter.regular_files_only")
    assert callable(getattr(converters_base, "find_all_files", None)), "nbgrader.converters.base.find_all_files is gone"
    assert isinstance(Exporter()._preprocessors, list), "nbconvert's Exporter._preprocessors is not a list"
    assert "def init_destination" in inspect.getsource(converters_base.BaseConverter), (
        "nbgrader's BaseConverter.init_destination is gone: review _LockedAutograde")
