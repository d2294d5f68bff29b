"""Content files: valid ones load, malformed ones name the file and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from course_lib.models import (
    PACKAGED_CONTENT,
    ContentError,
    exercise_ids,
    load_exercise,
    load_exercise_as,
    load_exercise_file,
)
from course_lib.models.brainstorm import BrainstormExercise
from course_lib.models.true_false import TrueFalseExercise
from tests.conftest import content_variant

BRAINSTORM = PACKAGED_CONTENT / "module1" / "m1-brainstorm.yaml"


def _write_variant(tmp_path: Path, change) -> Path:
    return content_variant(tmp_path, "m1-brainstorm.yaml", change)


def test_every_packaged_exercise_loads():
    assert "m1-brainstorm" in exercise_ids()
    for exercise_id in exercise_ids():
        assert load_exercise(exercise_id).id == exercise_id


def test_brainstorm_content_is_usable():
    exercise = load_exercise("m1-brainstorm")
    assert isinstance(exercise, BrainstormExercise)
    assert len(exercise.themes) >= 8
    assert exercise.max_points == 10


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d.pop("prompt"), "field 'prompt'"),
        (lambda d: d["themes"][2].update(keywords=[]), "field 'themes.2.keywords'"),
        (lambda d: d["rubric"].update(min_words="three"), "field 'rubric.min_words'"),
        (lambda d: d.update(points=-1), "field 'points'"),
        (lambda d: d.update(pionts=5), "field 'pionts'"),
        (lambda d: d["feedback"].pop("too_short"), "field 'feedback.too_short'"),
        (lambda d: d["themes"].append(dict(d["themes"][0])), "theme ids must be unique"),
    ],
)
def test_malformed_file_names_file_and_field(tmp_path, change, field):
    path = _write_variant(tmp_path, change)
    with pytest.raises(ContentError) as error:
        load_exercise_file(path)
    assert str(path) in str(error.value)
    assert field in str(error.value)


def test_repeated_option_ids_name_the_question(tmp_path):
    def repeat_option(data: dict) -> None:
        options = data["questions"][0]["options"]
        options[1]["id"] = options[0]["id"]

    path = content_variant(tmp_path, "m4-etiquette-check.yaml", repeat_option)
    question = load_exercise("m4-etiquette-check").questions[0]
    with pytest.raises(ContentError) as error:
        load_exercise_file(path)
    assert f"question '{question.id}': option ids must be unique" in str(error.value)
    assert "{self.id}" not in str(error.value)


def test_an_exercise_of_another_type_than_needed_names_the_file():
    assert load_exercise_as("m1-brainstorm", BrainstormExercise).id == "m1-brainstorm"
    with pytest.raises(ContentError, match=r"m1-brainstorm\.yaml: field 'type': 'brainstorm'.*TrueFalseExercise"):
        load_exercise_as("m1-brainstorm", TrueFalseExercise)


def test_id_must_match_file_name(tmp_path):
    path = tmp_path / "other-name.yaml"
    path.write_text(BRAINSTORM.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(ContentError, match=r"other-name\.yaml: field 'id'"):
        load_exercise_file(path)


def test_broken_yaml_names_the_file(tmp_path):
    path = tmp_path / "m1-brainstorm.yaml"
    path.write_text("id: m1-brainstorm\nthemes: [unclosed\n", encoding="utf-8")
    with pytest.raises(ContentError, match="m1-brainstorm.yaml: not valid YAML"):
        load_exercise_file(path)


def test_unknown_type_names_the_field(tmp_path):
    path = _write_variant(tmp_path, lambda d: d.update(type="crossword"))
    with pytest.raises(ContentError, match="field 'type': unknown exercise type 'crossword'"):
        load_exercise_file(path)


def test_unknown_exercise_is_a_clear_error():
    with pytest.raises(ContentError, match="no content file 'nope.yaml'"):
        load_exercise("nope")


def test_organisation_folder_overrides_packaged_content(tmp_path, monkeypatch):
    _write_variant(tmp_path, lambda d: d.update(title="Our service means..."))
    monkeypatch.setenv("COURSE_CONTENT_PATH", str(tmp_path))
    assert load_exercise("m1-brainstorm").title == "Our service means..."
