"""Which notebook cells are widget check cells: graded code cells whose grade_id is an exercise id."""

from __future__ import annotations

import nbformat
import pytest

from course_lib.nbgrader_cells import graded_exercise_id, names_exercise


def _cell(cell_type: str = "code", **nbgrader) -> dict:
    return {"cell_type": cell_type, "metadata": {"nbgrader": nbgrader}, "source": 'check("m1-brainstorm")'}


def test_a_graded_code_cell_named_after_an_exercise_is_its_check_cell():
    cell = _cell(grade=True, grade_id="m1-brainstorm", points=5)
    assert graded_exercise_id(cell) == "m1-brainstorm"
    assert graded_exercise_id(nbformat.from_dict(cell)) == "m1-brainstorm"  # an nbformat node reads the same


@pytest.mark.parametrize("cell", [
    _cell(grade=False, grade_id="m1-brainstorm"),  # not graded: the widget cell itself
    _cell("markdown", grade=True, grade_id="m1-brainstorm"),  # a written answer, marked by hand
    _cell(grade=True, grade_id="m1-reflection"),  # graded code that is not an exercise
    _cell(grade=True, grade_id="standards"),  # a content file, but the organisation's standards, not an exercise
    _cell(grade=True),  # no grade_id at all
    _cell(grade=True, grade_id=["m1-brainstorm"]),  # a hand-edited notebook
    {"cell_type": "code", "metadata": {}, "source": ""},  # not an nbgrader cell
])
def test_other_cells_are_not_check_cells(cell):
    assert graded_exercise_id(cell) is None


def test_a_given_set_of_ids_is_the_one_asked():
    cell = _cell(grade=True, grade_id="m1-brainstorm")
    assert graded_exercise_id(cell, known={"m2-chain-check"}) is None
    assert names_exercise("m2-chain-check", known={"m2-chain-check"})
    assert names_exercise("m2-chain-check") and not names_exercise(None)
