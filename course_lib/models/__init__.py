"""Typed, validated course content loaded from YAML files.

Every exercise lives in ``<content dir>/**/<exercise-id>.yaml`` and names its
``type``; the model for type ``t`` is the one :mod:`course_lib.types` registers. A file
that does not match its schema raises :class:`ContentError` naming the file and
the field, e.g. ``m1-brainstorm.yaml: field 'themes.2.keywords': ...``.

Only files named like an id (``m1-brainstorm.yaml``, ``standards.yaml``) outside
hidden folders are content. Anything else an editor or a person leaves in a
content folder (a lock file ``.#m1-brainstorm.yaml``, a backup
``m1-brainstorm.yaml~``, ``Notes.yaml``) is never read, so it cannot break
loading; a content file that is not UTF-8 or not valid YAML is an error that
names it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import ValidationError

from ..types import UnknownTypeError, exercise_type
from .base import ExerciseBase

__all__ = [
    "PACKAGED_CONTENT",
    "STANDARDS_FILE",
    "ContentError",
    "ExerciseBase",
    "content_dirs",
    "describe_validation_error",
    "content_files",
    "content_ids",
    "exercise_ids",
    "find_content_file",
    "find_exercise_file",
    "load_exercise",
    "load_exercise_as",
    "load_exercise_file",
    "load_yaml",
    "model_for",
    "pinned_content",
]

PACKAGED_CONTENT = Path(__file__).resolve().parent.parent / "content"
CONTENT_PATH_ENV = "COURSE_CONTENT_PATH"
STANDARDS_FILE = "standards.yaml"  # the organisation's standards (models/standards.py), not an exercise
_TYPE_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
# The file name of a content file: an id as ExerciseId allows it, then ".yaml".
_CONTENT_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*\.yaml$")


class ContentError(ValueError):
    """A content file is missing or does not match its schema."""


def describe_validation_error(error: ValidationError) -> str:
    """pydantic's errors as "field 'a.b': message" parts."""
    parts = []
    for item in error.errors():
        field = ".".join(str(p) for p in item["loc"]) or "(top level)"
        parts.append(f"field '{field}': {item['msg']}")
    return "; ".join(parts)


# libyaml's safe loader when PyYAML has it (the wheels do): the same data, ~10x faster than the pure-Python
# one, which cost `course grade` most of a second reading the content before any grading.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read_yaml(path: Path) -> Any:
    """A YAML file's data; unreadable, non-UTF-8 and invalid files raise ContentError naming the file."""
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_SAFE_LOADER)
    except OSError as exc:
        raise ContentError(f"{path}: cannot read content file ({exc.strerror})") from exc
    except UnicodeDecodeError as exc:
        raise ContentError(
            f"{path}: not UTF-8 text (byte {exc.object[exc.start]:#04x} at position {exc.start}); save it as UTF-8"
        ) from None
    except yaml.YAMLError as exc:
        raise ContentError(f"{path}: not valid YAML ({exc})") from exc
    return data


def load_yaml(path: Path | str) -> dict[str, Any]:
    """A YAML file's top-level mapping; errors name the file."""
    path = Path(path)
    data = _read_yaml(path)
    if not isinstance(data, dict):
        raise ContentError(f"{path}: expected a mapping of fields at the top level")
    return data


def model_for(type_name: Any, path: Path | str = "") -> type[ExerciseBase]:
    """The content model class of exercise type ``type_name``."""
    if not isinstance(type_name, str) or not _TYPE_NAME.match(type_name):
        raise ContentError(f"{path}: field 'type': expected an exercise type name, got {type_name!r}")
    try:
        found = exercise_type(type_name)
    except UnknownTypeError as exc:
        raise ContentError(f"{path}: field 'type': {exc}") from None
    return found.load_model()


def load_exercise_file(path: Path | str) -> ExerciseBase:
    """Load and validate one exercise file; errors name the file and the field."""
    path = Path(path)
    data = load_yaml(path)
    model = model_for(data.get("type"), path)
    try:
        exercise = model.model_validate(data)
    except ValidationError as exc:
        raise ContentError(f"{path}: {describe_validation_error(exc)}") from None
    if exercise.id != path.stem:
        raise ContentError(f"{path}: field 'id': '{exercise.id}' must match the file name")
    return exercise


def content_dirs() -> list[Path]:
    """Content folders, first match wins: $COURSE_CONTENT_PATH entries, then packaged."""
    return list(_dirs_for(os.environ.get(CONTENT_PATH_ENV, "")))


@lru_cache(maxsize=16)
def _dirs_for(setting: str) -> tuple[Path, ...]:
    # Made once per value of the setting: a grading run asks for the folders for every exercise it scores.
    return (*(Path(p) for p in setting.split(os.pathsep) if p), PACKAGED_CONTENT)


@lru_cache(maxsize=16)
def _pin_key(setting: str) -> tuple[str, ...]:
    return tuple(str(folder) for folder in _dirs_for(setting))


def _content_path_key() -> tuple[str, ...]:
    """The content path in force, as ``_PINNED`` knows it."""
    return _pin_key(os.environ.get(CONTENT_PATH_ENV, ""))


def _content_files_in(folder: Path) -> list[Path]:
    """The content files under ``folder``: id-named ``*.yaml`` files outside hidden folders, sorted."""
    found = []
    for path in folder.rglob("*.yaml"):
        relative = path.relative_to(folder)
        if _CONTENT_NAME.match(path.name) and not any(p.startswith(".") for p in relative.parts[:-1]):
            found.append(path)
    return sorted(found)


# The content files of a content path nobody changes for a while (see pinned_content), by that path.
_PINNED: dict[tuple[str, ...], tuple[Path, ...]] = {}


@contextmanager
def pinned_content() -> Iterator[None]:
    """Within the block, the content path's folders are walked once: for content frozen for the block.

    A grading run grades from a private copy of the content (``sandbox.frozen_content``) and looked the
    folders up again for every exercise of every submission (a seventh of the kernel-free grading time).
    Only the content path in force when the block starts is pinned: another path (a test's, a trainee's
    kernel) is walked as before, so an edited or new content file is seen there at once.
    """
    key = _content_path_key()
    _PINNED[key] = tuple(content_files())
    try:
        yield
    finally:
        _PINNED.pop(key, None)
        _exercise_ids_among.cache_clear()
        _load_pinned.cache_clear()


def _pinned_files() -> tuple[Path, ...] | None:
    """The content files pinned for the content path in force (see pinned_content), or None."""
    return _PINNED.get(_content_path_key()) if _PINNED else None


def content_files() -> list[Path]:
    """Every content file in use: the first one of each name along the content path."""
    pinned = _pinned_files()
    if pinned is not None:
        return list(pinned)
    chosen: dict[str, Path] = {}
    for folder in content_dirs():
        for path in _content_files_in(folder):
            chosen.setdefault(path.name, path)
    return sorted(chosen.values(), key=lambda p: p.name)


def content_ids() -> list[str]:
    """The id (file name stem) of every content file, without reading any file."""
    return [path.stem for path in content_files()]


def find_content_file(name: str) -> Path | None:
    """The content file named ``name`` (e.g. ``standards.yaml``) that is in use, or None."""
    return next((path for path in content_files() if path.name == name), None)


def exercise_ids() -> list[str]:
    """Every exercise id: content files holding a mapping with a ``type`` field.

    A content file that cannot be read as UTF-8 YAML raises ContentError naming it.
    """
    pinned = _pinned_files()
    if pinned is not None:  # nobody changes pinned content: which files are exercises is decided once
        return list(_exercise_ids_among(pinned))
    return [path.stem for path in content_files() if _is_exercise(str(path), path.stat().st_mtime_ns)]


@lru_cache(maxsize=8)
def _exercise_ids_among(files: tuple[Path, ...]) -> tuple[str, ...]:
    return tuple(path.stem for path in files if _is_exercise(str(path), path.stat().st_mtime_ns))


@lru_cache(maxsize=256)
def _is_exercise(path: str, mtime_ns: int) -> bool:
    data = _read_yaml(Path(path))
    return isinstance(data, dict) and "type" in data


def find_exercise_file(exercise_id: str) -> Path | None:
    """The content file for ``exercise_id``, or None when no folder has one."""
    return find_content_file(f"{exercise_id}.yaml")


@lru_cache(maxsize=256)
def _load_cached(path: str, mtime_ns: int, standards: tuple[str, int] | None) -> ExerciseBase:
    # ``standards`` is only part of the key: a role-play is validated against (and keeps) the standards in use.
    return load_exercise_file(path)


def load_exercise(exercise_id: str) -> ExerciseBase:
    """The validated exercise ``exercise_id`` (cached until its file or the standards file changes)."""
    pinned = _pinned_files()
    if pinned is not None:  # nobody changes pinned content: each exercise is looked up once
        return _load_pinned(pinned, exercise_id)
    return _load(content_files(), exercise_id)


@lru_cache(maxsize=512)
def _load_pinned(files: tuple[Path, ...], exercise_id: str) -> ExerciseBase:
    return _load(files, exercise_id)


def _load(content: Iterable[Path], exercise_id: str) -> ExerciseBase:
    files = {path.name: path for path in content}
    path = files.get(f"{exercise_id}.yaml")
    if path is None:
        folders = ", ".join(str(d) for d in content_dirs())
        raise ContentError(f"no content file '{exercise_id}.yaml' in {folders}")
    standards = files.get(STANDARDS_FILE)
    version = (str(standards), standards.stat().st_mtime_ns) if standards else None
    return _load_cached(str(path), path.stat().st_mtime_ns, version)


_Model = TypeVar("_Model", bound=ExerciseBase)


def load_exercise_as(exercise_id: str, model: type[_Model]) -> _Model:
    """:func:`load_exercise`, for code that needs one type of exercise (e.g. the report's brainstorm section).

    Content of another type is a :class:`ContentError` naming the file, not an AttributeError later on.
    """
    exercise = load_exercise(exercise_id)
    if not isinstance(exercise, model):
        path = find_exercise_file(exercise_id)
        raise ContentError(f"{path}: field 'type': '{exercise.type}', but this exercise must be of the type "
                           f"whose model is {model.__name__}")
    return exercise
