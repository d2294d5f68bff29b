"""Typed, validated course content loaded from YAML files.

Every exercise lives in ``<content dir>/**/<exercise-id>.yaml``. A file that
does not match the schema raises :class:`ContentError` naming the file and the
field, e.g. ``m1-brainstorm.yaml: field 'themes.2.keywords': ...``.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, model_validator

__all__ = [
    "BrainstormExercise",
    "ContentError",
    "Exercise",
    "Theme",
    "content_dirs",
    "exercise_ids",
    "find_exercise_file",
    "load_exercise",
    "load_exercise_file",
]

PACKAGED_CONTENT = Path(__file__).parent / "content"
CONTENT_PATH_ENV = "COURSE_CONTENT_PATH"
ExerciseId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=60)]
Text = Annotated[str, Field(min_length=1)]


class ContentError(ValueError):
    """A content file is missing or does not match its schema."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Theme(_Strict):
    """A theme of good service, recognised by its keywords."""

    id: ExerciseId
    label: Text
    keywords: Annotated[list[Text], Field(min_length=1)]
    suggestion: Text


class BrainstormLimits(_Strict):
    max_items: Annotated[int, Field(ge=1, le=100)] = 12
    max_chars: Annotated[int, Field(ge=10, le=1000)] = 200


class BrainstormRubric(_Strict):
    min_words: Annotated[int, Field(ge=1, le=20)] = 3
    near_duplicate_similarity: Annotated[float, Field(gt=0, le=1)] = 0.6
    points_per_behaviour: Annotated[float, Field(gt=0)] = 1
    max_behaviour_points: Annotated[float, Field(gt=0)] = 5
    points_per_theme: Annotated[float, Field(gt=0)] = 1
    max_theme_points: Annotated[float, Field(gt=0)] = 5


class BrainstormFeedback(_Strict):
    no_answers: Text
    too_short: Text
    near_duplicate: Text
    all_themes: Text


class BrainstormExercise(_Strict):
    """'Customer Service means...': list behaviours, scored on substance and themes."""

    id: ExerciseId
    type: Literal["brainstorm"]
    title: Text
    prompt: Text
    points: Annotated[float, Field(gt=0)] = Field(
        description="Points of the nbgrader cell that grades this exercise."
    )
    placeholder: str = ""
    examples: list[Text] = []
    limits: BrainstormLimits = BrainstormLimits()
    rubric: BrainstormRubric = BrainstormRubric()
    themes: Annotated[list[Theme], Field(min_length=1)]
    feedback: BrainstormFeedback

    @model_validator(mode="after")
    def _unique_theme_ids(self) -> BrainstormExercise:
        ids = [theme.id for theme in self.themes]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"theme ids must be unique, repeated: {', '.join(duplicates)}")
        return self

    @property
    def max_points(self) -> float:
        """Raw rubric maximum, before scaling to the cell's points."""
        return self.rubric.max_behaviour_points + self.rubric.max_theme_points


# New exercise types join here as a Union discriminated by ``type``.
Exercise = BrainstormExercise
_EXERCISE_ADAPTER: TypeAdapter[Exercise] = TypeAdapter(Exercise)


def _describe(error: ValidationError) -> str:
    parts = []
    for item in error.errors():
        field = ".".join(str(p) for p in item["loc"]) or "(top level)"
        parts.append(f"field '{field}': {item['msg']}")
    return "; ".join(parts)


def load_exercise_file(path: Path | str) -> Exercise:
    """Load and validate one exercise file; errors name the file and the field."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ContentError(f"{path}: cannot read content file ({exc.strerror})") from exc
    except yaml.YAMLError as exc:
        raise ContentError(f"{path}: not valid YAML ({exc})") from exc
    if not isinstance(data, dict):
        raise ContentError(f"{path}: expected a mapping of fields at the top level")
    try:
        exercise = _EXERCISE_ADAPTER.validate_python(data)
    except ValidationError as exc:
        raise ContentError(f"{path}: {_describe(exc)}") from None
    if exercise.id != path.stem:
        raise ContentError(f"{path}: field 'id': '{exercise.id}' must match the file name")
    return exercise


def content_dirs() -> list[Path]:
    """Content folders, first match wins: $COURSE_CONTENT_PATH entries, then packaged."""
    extra = [Path(p) for p in os.environ.get(CONTENT_PATH_ENV, "").split(os.pathsep) if p]
    return [*extra, PACKAGED_CONTENT]


def exercise_ids() -> list[str]:
    """Every exercise id that has a content file."""
    return sorted({p.stem for folder in content_dirs() for p in folder.rglob("*.yaml")})


def find_exercise_file(exercise_id: str) -> Path | None:
    """The content file for ``exercise_id``, or None when no folder has one."""
    for folder in content_dirs():
        for candidate in sorted(folder.rglob(f"{exercise_id}.yaml")):
            return candidate
    return None


@lru_cache(maxsize=128)
def _load_cached(path: str, mtime_ns: int) -> Exercise:
    return load_exercise_file(path)


def load_exercise(exercise_id: str) -> Exercise:
    """The validated exercise ``exercise_id`` (cached until its file changes)."""
    path = find_exercise_file(exercise_id)
    if path is None:
        folders = ", ".join(str(d) for d in content_dirs())
        raise ContentError(f"no content file '{exercise_id}.yaml' in {folders}")
    return _load_cached(str(path), path.stat().st_mtime_ns)
