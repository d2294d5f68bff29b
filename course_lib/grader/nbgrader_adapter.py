"""The few nbgrader 0.9.6 internals ``course grade`` relies on, in one place.

- A converter's exporter keeps its preprocessors in ``_preprocessors``
  (wrapped so gradebook steps run under the lock).
- The gradebook steps (``OverwriteCells``, ``OverwriteKernelspec``,
  ``SaveAutoGrades``, ``AssignLatePenalties``, ``GetGrades``) each open a new
  ``Gradebook`` (a new SQLAlchemy engine and session) per notebook through the
  name ``Gradebook`` of their module, and commit after every cell.
  :func:`shared_gradebook` points that name at one open gradebook for a
  batch, and :func:`deferred_commits` turns their commits into flushes so a
  batch of submissions is written in one transaction.
- ``CheckCellMetadata`` validates each cell's nbgrader metadata with
  ``jsonschema.validate`` (module ``nbgrader.nbgraderformat.common``), which
  checks the schema itself again on every call: a fifth of the kernel-free
  grading time. :func:`checked_schemas_once` gives that module a
  ``jsonschema`` whose ``validate`` checks each schema once and then raises
  the same best-matching error for the same instance.
- ``BaseConverter.init_assignment`` copies a submission's files with the
  module-level ``find_all_files`` and ``shutil.copy``, which follows links: a
  link to ``/etc/passwd`` would be copied as the file. :func:`regular_files_only`
  swaps in a ``find_all_files`` that lists regular files only (and never the
  grader's own marker), for the duration of one copy; it decides ignored files
  as ``nbgrader.utils.is_ignored`` does, without its glob per file
  (``file_listing.py``), and copies each with :func:`copy_regular_file`
  (``shutil.copy``'s result, without its dozen checks per file).

:func:`check_nbgrader` verifies these assumptions; a test calls it, so an
nbgrader upgrade that changes them fails loudly instead of silently
un-locking the gradebook or copying links again.
"""

from __future__ import annotations

import inspect
import json
import os
import shutil
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import jsonschema
import nbgrader.converters.base as converters_base
import nbgrader.nbgraderformat.common as nbgraderformat_common
import nbgrader.preprocessors.getgrades
import nbgrader.preprocessors.latesubmissions
import nbgrader.preprocessors.overwritecells
import nbgrader.preprocessors.overwritekernelspec
import nbgrader.preprocessors.saveautogrades
import nbgrader.utils as nbgrader_utils
from nbconvert.exporters import Exporter
from nbgrader.api import Gradebook

from .file_listing import find_all_files

__all__ = [
    "DeferredCommits", "check_nbgrader", "checked_schemas_once", "copy_regular_file", "deferred_commits",
    "exporter_steps", "regular_files_only", "set_exporter_steps", "shared_gradebook",
]

# The modules whose preprocessors open the gradebook by the module-level name ``Gradebook``.
GRADEBOOK_MODULES = (
    nbgrader.preprocessors.getgrades, nbgrader.preprocessors.latesubmissions,
    nbgrader.preprocessors.overwritecells, nbgrader.preprocessors.overwritekernelspec,
    nbgrader.preprocessors.saveautogrades,
)


class _Borrowed:
    """Stands for an open gradebook where a step would open its own: same methods, and leaving it closes nothing."""

    def __init__(self, gradebook: Gradebook) -> None:
        self._gradebook = gradebook

    def __enter__(self) -> Gradebook:
        return self._gradebook

    def __exit__(self, *exc: object) -> None:
        return None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._gradebook, name)


@contextmanager
def shared_gradebook(gradebook: Gradebook) -> Iterator[None]:
    """Within the block, nbgrader's gradebook steps use ``gradebook`` instead of opening one each."""
    saved = [(module, module.Gradebook) for module in GRADEBOOK_MODULES]
    for module, _ in saved:
        module.Gradebook = lambda *args, **kwargs: _Borrowed(gradebook)
    try:
        yield
    finally:
        for module, original in saved:
            module.Gradebook = original


class DeferredCommits:
    """The gradebook's session with ``commit`` as a flush; a ``rollback`` (nbgrader's reaction to an error) is kept."""

    def __init__(self, session: Any) -> None:
        self._session = session
        self.rolled_back = False

    def commit(self) -> None:
        self._session.flush()

    def rollback(self) -> None:
        self.rolled_back = True  # everything since the batch began is gone: the caller redoes it one by one
        self._session.rollback()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._session, name)


@contextmanager
def deferred_commits(gradebook: Gradebook) -> Iterator[DeferredCommits]:
    """Within the block every nbgrader commit on ``gradebook`` only flushes; the caller commits (or not) once."""
    session = gradebook.db
    deferred = DeferredCommits(session)
    gradebook.db = deferred
    try:
        yield deferred
    finally:
        gradebook.db = session


def exporter_steps(exporter: Exporter) -> list:
    return list(exporter._preprocessors)


def set_exporter_steps(exporter: Exporter, steps: list) -> None:
    exporter._preprocessors = list(steps)


class _OnceCheckedJsonschema:
    """``jsonschema`` for nbgrader's metadata checks: each schema checked once, instances as ``jsonschema.validate``.

    nbgrader loads its schema afresh for every notebook, so schemas are known by their canonical JSON. Every
    trainee's copy of a cell carries the same nbgrader metadata, so each distinct instance found valid is
    remembered (bounded); an invalid one is checked, and reported, every time.
    """

    def __init__(self) -> None:
        self._validators: dict[str, Any] = {}
        self._valid: set[tuple[str, str]] = set()
        # A schema object's canonical JSON, by identity (the object is held, so its id is not reused): a kept
        # validator (kept_steps.py) passes the same schema for every cell, and dumping it was most of a check.
        self._schema_json: dict[int, tuple[Any, str]] = {}

    def _canonical(self, schema: Any) -> str:
        known = self._schema_json.get(id(schema))
        if known is None or known[0] is not schema:
            if len(self._schema_json) >= 64:
                self._schema_json.clear()
            known = self._schema_json[id(schema)] = (schema, json.dumps(schema, sort_keys=True))
        return known[1]

    def validate(self, instance: Any, schema: Any, *args: Any, **kwargs: Any) -> None:
        if args or kwargs:
            jsonschema.validate(instance, schema, *args, **kwargs)
            return
        try:
            key = (self._canonical(schema), json.dumps(instance, sort_keys=True))
        except (TypeError, ValueError):  # not JSON: let jsonschema say what is wrong
            jsonschema.validate(instance, schema)
            return
        if key in self._valid:
            return
        validator = self._validators.get(key[0])
        if validator is None:
            cls = jsonschema.validators.validator_for(schema)
            cls.check_schema(schema)
            validator = self._validators[key[0]] = cls(schema)
        error = jsonschema.exceptions.best_match(validator.iter_errors(instance))
        if error is not None:
            raise error
        if len(self._valid) >= 10_000:
            self._valid.clear()
        self._valid.add(key)

    def __getattr__(self, name: str) -> Any:
        return getattr(jsonschema, name)


@contextmanager
def checked_schemas_once() -> Iterator[None]:
    """Within the block nbgrader's cell-metadata validation checks each schema only once."""
    original = nbgraderformat_common.jsonschema
    nbgraderformat_common.jsonschema = _OnceCheckedJsonschema()
    try:
        yield
    finally:
        nbgraderformat_common.jsonschema = original


def copy_regular_file(source: str, dest: str) -> None:
    """``shutil.copy(source, dest)`` for a regular file: the content and the permission bits.

    ``shutil.copy`` asks a dozen questions of both paths first (same file? a folder? a FIFO?); here the
    source is opened without following a link and must still be a regular file (OSError otherwise, as a
    file swapped for a link after the listing), and ``dest`` is a new name in a folder only the grader writes.
    """
    fd = os.open(source, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)  # a FIFO would block
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(f"{source} is not a regular file")
        out = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        try:
            # In blocks, as shutil: a large file handed in must not sit whole in a worker's memory.
            while block := os.read(fd, 1 << 20):
                view = memoryview(block)
                while view:
                    view = view[os.write(out, view):]
            os.fchmod(out, stat.S_IMODE(info.st_mode))
        finally:
            os.close(out)
    finally:
        os.close(fd)


class _ShutilCopyingRegularFiles:
    """``shutil`` as nbgrader's converters module sees it, with ``copy`` for regular files only."""

    copy = staticmethod(copy_regular_file)

    def __getattr__(self, name: str) -> Any:
        return getattr(shutil, name)


@contextmanager
def regular_files_only(excluded_prefixes: tuple[str, ...] = ()) -> Iterator[list[str]]:
    """Within the block, nbgrader copies only regular files (none named ``excluded_prefixes*``); yields the rest."""
    original, original_shutil = converters_base.find_all_files, converters_base.shutil
    skipped: list[str] = []

    def find_regular_files(path: str, exclude: Any = None) -> list[str]:
        kept = []
        folder_links: list[str] = []
        for name in find_all_files(path, exclude, folder_links):
            mode = os.lstat(name).st_mode
            if stat.S_ISREG(mode) and not (excluded_prefixes and os.path.basename(name).startswith(excluded_prefixes)):
                kept.append(name)
            else:
                skipped.append(os.path.relpath(name, path))
        # Links to folders are not listed as files at all; name them too.
        skipped.extend(os.path.relpath(link, path) for link in folder_links)
        return kept

    converters_base.find_all_files = find_regular_files
    converters_base.shutil = _ShutilCopyingRegularFiles()
    try:
        yield skipped
    finally:
        converters_base.find_all_files, converters_base.shutil = original, original_shutil


def check_nbgrader() -> None:
    """Raise AssertionError naming the first nbgrader internal that is not as this module expects."""
    source = inspect.getsource(converters_base.BaseConverter.init_assignment)
    assert "find_all_files(source" in source and "shutil.copy(" in source, (
        "nbgrader's BaseConverter.init_assignment no longer copies with find_all_files + shutil.copy: "
        "review course_lib/cohort/nbgrader_adapter.regular_files_only")
    assert callable(getattr(converters_base, "find_all_files", None)), "nbgrader.converters.base.find_all_files is gone"
    assert getattr(converters_base, "shutil", None) is shutil, "nbgrader.converters.base no longer imports shutil"
    assert "glob.glob(os.path.join(dirname, expr))" in inspect.getsource(nbgrader_utils.is_ignored), (
        "nbgrader.utils.is_ignored no longer globs each pattern in the file's folder: review file_listing.py")
    assert isinstance(Exporter()._preprocessors, list), "nbconvert's Exporter._preprocessors is not a list"
    assert "def init_destination" in inspect.getsource(converters_base.BaseConverter), (
        "nbgrader's BaseConverter.init_destination is gone: review _LockedAutograde")
    from nbgrader.nbgraderformat import MetadataValidator
    from nbgrader.nbgraderformat.v3 import MetadataValidatorV3
    assert MetadataValidator is MetadataValidatorV3 and "Duplicate grade id" in inspect.getsource(
        MetadataValidatorV3.validate_nb), "nbgrader's metadata check is no longer V3's: review kept_steps.py"
    assert "jsonschema.validate(" in inspect.getsource(nbgraderformat_common), (
        "nbgrader.nbgraderformat.common no longer validates with jsonschema.validate: review checked_schemas_once")
    for module in GRADEBOOK_MODULES:
        assert getattr(module, "Gradebook", None) is Gradebook and "Gradebook(" in inspect.getsource(module), (
            f"{module.__name__} no longer opens the gradebook as Gradebook(...): review shared_gradebook")
    assert "self.db.commit()" in inspect.getsource(Gradebook.update_or_create_submission), (
        "nbgrader's Gradebook no longer commits through self.db: review deferred_commits")
