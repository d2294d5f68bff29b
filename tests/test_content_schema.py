"""The JSON Schema of content files: exported from the models, shipped, and as strict as the models."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import yaml
from jsonschema import Draft202012Validator

from course_lib.models import content_files, load_yaml
from course_lib.models.schema import SCHEMA_FILE, exercise_schema, schema_text

EXERCISE_FILES = [p for p in content_files() if "type" in load_yaml(p)]


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def test_the_shipped_schema_is_the_one_the_models_give():
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema_text(builtin_only=True), (
        f"{SCHEMA_FILE} is out of date: run `course schema --builtin -o {SCHEMA_FILE}`"
    )


@pytest.mark.parametrize("path", EXERCISE_FILES, ids=lambda p: p.stem)
def test_every_packaged_exercise_file_passes_the_schema(validator, path):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    problems = [f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(data)]
    assert problems == []


def test_the_schema_flags_what_loading_would_refuse(validator):
    data = load_yaml(next(p for p in EXERCISE_FILES if p.stem == "m1-brainstorm"))
    assert validator.is_valid(data)
    assert not validator.is_valid({**data, "colour": "red"})  # a field the model does not know
    assert not validator.is_valid({**data, "points": "five"})  # a field of the wrong kind
    assert not validator.is_valid({k: v for k, v in data.items() if k != "themes"})  # a required field missing
    assert not validator.is_valid({**data, "type": "crossword"})  # a type nobody registered


def test_course_schema_prints_it_outside_any_course_folder(tmp_path):
    done = subprocess.run([sys.executable, "-m", "course_lib.cli", "schema"], cwd=tmp_path,
                          capture_output=True, text=True, check=True)
    printed = json.loads(done.stdout)
    assert printed == exercise_schema()
    assert set(printed["discriminator"]["mapping"]) >= {"brainstorm", "choice", "roleplay", "written_reply"}
    written = tmp_path / "exercise.schema.json"
    subprocess.run([sys.executable, "-m", "course_lib.cli", "schema", "--builtin", "-o", str(written)],
                   cwd=tmp_path, capture_output=True, text=True, check=True)
    assert written.read_text(encoding="utf-8") == SCHEMA_FILE.read_text(encoding="utf-8")
