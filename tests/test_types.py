"""The exercise-type registry: every type's pieces are where it says, and lookups go through it."""

from __future__ import annotations

import subprocess
import sys

import pytest

from course_lib import types
from course_lib.models import ContentError, ExerciseBase, content_files, load_exercise_file, load_yaml
from course_lib.types import BUILTIN_TYPES, ExerciseType, UnknownTypeError, exercise_type, register


@pytest.mark.parametrize("name", sorted(BUILTIN_TYPES))
def test_every_registered_piece_resolves_to_what_its_layer_expects(name):
    from course_lib.exercises import ExerciseView

    found = exercise_type(name)
    model = found.load_model()
    assert issubclass(model, ExerciseBase)
    assert model.model_fields["type"].annotation.__args__ == (name,)  # Literal["<name>"]
    scoring = found.load_scoring()
    assert callable(scoring.parse_answer) and callable(scoring.score)
    assert issubclass(found.load_view(), ExerciseView)
    board = found.load_board()
    assert board is None or callable(board.summarise)
    assert (found.render is None) == (board is None)


def test_every_content_file_type_is_registered():
    used = {load_yaml(path).get("type") for path in content_files()} - {None}
    assert used <= set(types.type_names())


def test_an_unknown_type_names_the_content_file_and_the_known_types(tmp_path):
    path = tmp_path / "t1-crossword.yaml"
    path.write_text("id: t1-crossword\ntype: crossword\ntitle: X\n", encoding="utf-8")
    with pytest.raises(ContentError) as raised:
        load_exercise_file(path)
    message = str(raised.value)
    assert str(path) in message and "unknown exercise type 'crossword'" in message and "brainstorm" in message
    with pytest.raises(UnknownTypeError):
        exercise_type("crossword")


def test_register_refuses_a_taken_name_unless_asked():
    clash = ExerciseType("choice", "x:Y", "x", "x:Z")
    with pytest.raises(ValueError, match="already registered"):
        register(clash)


def test_an_import_path_names_a_module_or_an_attribute():
    assert types.resolve("course_lib.scoring.order").__name__ == "course_lib.scoring.order"
    assert types.resolve("course_lib.types:register") is register


def test_grading_and_the_board_summaries_import_no_widgets_or_matplotlib():
    # Every type's model and scoring, and the board's summaries, through the registry in a fresh process.
    probe = (
        "import sys\n"
        "from course_lib.types import BUILTIN_TYPES\n"
        "import course_lib.grading, course_lib.selfcheck, course_lib.live.aggregate\n"
        "for t in BUILTIN_TYPES.values():\n"
        "    t.load_model(); t.load_scoring(); t.load_board()\n"
        "print(sorted(m for m in ('ipywidgets', 'matplotlib') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
