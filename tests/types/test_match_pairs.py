"""A ninth exercise type added from a test folder, as docs/authors/exercise-types.md describes: nothing in course_lib
edited.

``plugin/`` holds the type (model, pure scoring, widget) and a ``.dist-info``
advertising it under the ``course_lib.exercise_types`` entry point group;
``content/t1-match.yaml`` is an exercise of that type. With the plug-in on
``PYTHONPATH`` and the content on ``COURSE_CONTENT_PATH``, loading, the widget,
the self-check, the board and the real ``nbgrader autograde`` (confined
kernel, trusted re-scoring in the grader) all find it through the registry.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

from course_lib import types
from course_lib.store import AnswerStore

from ..nbgrader.course import make_course, nbgrader, submit

HERE = Path(__file__).resolve().parent
PLUGIN, CONTENT = HERE / "plugin", HERE / "content"
ALL_RIGHT = {"late-parcel": "late-parcel", "wrong-bill": "wrong-bill", "thanks": "thanks"}
ONE_RIGHT = {"late-parcel": "late-parcel", "wrong-bill": "thanks", "thanks": "wrong-bill"}


@pytest.fixture(scope="module")
def plugin_on_path():
    """The plug-in importable by this process and its children (the kernel, nbgrader)."""
    saved = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(PLUGIN), saved) if p)
    sys.path.insert(0, str(PLUGIN))
    types._plugins.cache_clear()  # entry points are read once per process: read them again with the plug-in
    yield
    sys.path.remove(str(PLUGIN))
    if saved is None:
        os.environ.pop("PYTHONPATH", None)
    else:
        os.environ["PYTHONPATH"] = saved
    types._plugins.cache_clear()
    for module in [m for m in sys.modules if m.startswith("course_match_pairs")]:
        del sys.modules[module]


@pytest.fixture
def plugin_installed(plugin_on_path, monkeypatch):
    """...and its exercise on the content path."""
    monkeypatch.setenv("COURSE_CONTENT_PATH", str(CONTENT))


def test_the_entry_point_registers_the_type(plugin_installed):
    from course_lib.models import load_exercise

    assert "match_pairs" in types.type_names()
    exercise = load_exercise("t1-match")
    assert type(exercise).__name__ == "MatchPairsExercise" and len(exercise.pairs) == 3


def test_widget_saves_and_check_scores_through_the_registry(plugin_installed, tmp_path, capsys):
    from course_lib import check, show

    widget = show("t1-match", tmp_path)
    assert type(widget).__name__ == "MatchPairsWidget"
    for pair_id, chosen in ONE_RIGHT.items():
        widget.dropdowns[pair_id].value = chosen  # as a trainee picking in each drop-down
    assert AnswerStore(tmp_path).load("t1-match").answer == ONE_RIGHT
    assert check("t1-match", tmp_path) == 1.0  # 1 of 3 pairs on a 3-point cell
    assert "Pairs matched: 1 of 3" in capsys.readouterr().out
    assert show("t1-match", tmp_path).answer == ONE_RIGHT  # a fresh view shows what was saved


def test_the_board_counts_a_type_without_a_board_view(plugin_installed, tmp_path):
    from course_lib.live.aggregate import ClassFolder, OtherSummary, summarise
    from course_lib.live.config import LiveConfig
    from course_lib.live.publish import publish_answer
    from course_lib.live.render import render

    publish_answer("t1-match", "match_pairs", ALL_RIGHT, LiveConfig(tmp_path, "ann", "Ann", "on"))
    summary = summarise("t1-match", ClassFolder(tmp_path))
    assert isinstance(summary, OtherSummary) and summary.participants == 1
    assert "no chart for match_pairs" in render(summary).html


@pytest.mark.nbgrader
def test_nbgrader_grades_the_new_type(plugin_installed, tmp_path):
    course = make_course(tmp_path)
    source = course / "solutions" / "matching"
    source.mkdir()
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}

    def locked(cell, grade_id, **extra):
        cell.metadata["nbgrader"] = {"grade": False, "grade_id": grade_id, "locked": True, "schema_version": 3,
                                     "solution": False, **extra}
        return cell

    nb.cells = [
        locked(nbformat.v4.new_code_cell("from course_lib import show, check"), "matching-setup"),
        locked(nbformat.v4.new_code_cell('show("t1-match")'), "t1-match-widget"),
        locked(nbformat.v4.new_code_cell('check("t1-match")'), "t1-match", grade=True, points=3),
    ]
    nbformat.write(nb, source / "matching.ipynb")
    nbgrader(course, "generate_assignment", "matching", "--force")
    for student, answer in (("ann", ALL_RIGHT), ("bob", ONE_RIGHT), ("cy", None)):
        folder, released = submit(course, student, "matching")
        if answer is not None:
            AnswerStore(folder / "answers").save("t1-match", answer)
        nbformat.write(released, folder / "matching.ipynb")
    nbgrader(course, "autograde", "matching")
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        scores = {s: gradebook.find_grade("t1-match", "matching", "matching", s).score for s in ("ann", "bob", "cy")}
    assert scores == {"ann": 3.0, "bob": 1.0, "cy": 0.0}
    graded = nbformat.read(course / "autograded" / "bob" / "matching" / "matching.ipynb", as_version=4)
    output = "".join(str(o.get("text", o.get("data", ""))) for o in graded.cells[2].outputs)
    assert "Pairs matched: 1 of 3" in output  # the grader's own feedback replaced the kernel's
