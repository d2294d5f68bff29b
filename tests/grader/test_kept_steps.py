"""The kept steps of kernel-free grading (grader/kept_steps.py) decide exactly as nbgrader's own steps."""

from __future__ import annotations

import copy
import json
import logging

import nbformat
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from nbgrader.preprocessors import CheckCellMetadata, OverwriteKernelspec

from course_lib.grader.kept_steps import KeptCheckCellMetadata, KeptKernelspec
from course_lib.grader.nbgrader_adapter import checked_schemas_once, shared_gradebook

_VALUES = st.one_of(st.booleans(), st.none(), st.integers(-2, 5), st.floats(allow_nan=False, width=16),
                    st.sampled_from(["", "q1", "q2", "3"]))
_METADATA = st.fixed_dictionaries(
    {"grade": _VALUES, "solution": _VALUES, "locked": _VALUES},
    optional={"grade_id": _VALUES, "points": _VALUES, "schema_version": st.sampled_from([0, 1, 2, 3, 3, 3, 4]),
              "task": _VALUES, "cell_type": st.sampled_from(["code", "markdown"]), "extra": _VALUES})


def _notebook(cells: list[tuple[str, dict | None]]) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    for number, (kind, meta) in enumerate(cells):
        make = nbformat.v4.new_code_cell if kind == "code" else nbformat.v4.new_markdown_cell
        cell = make("x = 1" if kind == "code" else "Say why.", id=f"cell-{number}")
        if meta is not None:
            cell.metadata["nbgrader"] = meta
        nb.cells.append(cell)
    return nb


def _outcome(step, nb, caplog):
    """What the step did: the notebook it returned, or the error it raised (class and message), and the
    warnings it logged."""
    caplog.clear()
    try:
        done = "passed", step.preprocess(nb, {})[0]
    except Exception as exc:  # noqa: BLE001 - the comparison is the point
        done = type(exc).__name__, str(exc)
    return done, [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(cells=st.lists(st.tuples(st.sampled_from(["code", "markdown"]), st.one_of(st.none(), _METADATA)), max_size=5))
def test_the_kept_metadata_check_decides_as_nbgraders_on_any_metadata(cells, caplog):
    kept = KeptCheckCellMetadata()
    theirs = _outcome(CheckCellMetadata(), _notebook(copy.deepcopy(cells)), caplog)
    assert _outcome(kept, _notebook(copy.deepcopy(cells)), caplog) == theirs
    with checked_schemas_once():  # as in a grading worker: each schema checked once, valid cells remembered
        for _ in range(2):  # a remembered cell passes as before; a warning or an error comes again
            assert _outcome(kept, _notebook(copy.deepcopy(cells)), caplog) == theirs
        for cell in cells:  # each cell alone, after the whole notebook: the same as nbgrader's on its own
            alone = _outcome(CheckCellMetadata(), _notebook([copy.deepcopy(cell)]), caplog)
            assert _outcome(kept, _notebook([copy.deepcopy(cell)]), caplog) == alone


_VALID = {"grade": True, "solution": False, "locked": False, "grade_id": "q1", "points": 1, "schema_version": 3}


@pytest.mark.parametrize("first, then", [
    ({**_VALID, "cell_type": "markdown"}, {**_VALID, "cell_type": "markdown"}),  # a warning, each time
    (_VALID, {**_VALID, "points": True}),  # True is not a number, though True == 1
    (_VALID, {**_VALID, "grade": 1}),  # nor a boolean
    ({**_VALID, "points": 1.0}, {**_VALID, "points": "1"}),
])
def test_a_remembered_cell_decides_only_for_the_same_metadata(first, then, caplog):
    kept = KeptCheckCellMetadata()
    with checked_schemas_once():
        for meta in (first, then):
            theirs = _outcome(CheckCellMetadata(), _notebook([("code", dict(meta))]), caplog)
            assert _outcome(kept, _notebook([("code", dict(meta))]), caplog) == theirs
    assert theirs[0][0] != "passed" or theirs[1], "each case ends in an error or a warning"


@pytest.mark.parametrize("meta", [
    {"grade": True, "solution": False, "locked": False, "grade_id": "q1", "schema_version": 3},  # no points
    {"grade": True, "solution": False, "locked": False, "grade_id": "q1", "points": "two", "schema_version": 3},
    {"grade": False, "solution": False, "locked": True, "grade_id": "", "schema_version": 3},
    {"grade": False, "solution": True, "locked": False, "grade_id": "q1", "schema_version": 1},  # too old
])
def test_corrupt_metadata_is_refused_by_both(meta):
    for step in (CheckCellMetadata(), KeptCheckCellMetadata()):
        with pytest.raises(Exception) as raised:
            step.preprocess(_notebook([("code", dict(meta))]), {})
        assert type(raised.value).__name__ in {"ValidationError", "SchemaTooOldError"}


class _CountingGradebook:
    """A gradebook stand-in that answers find_notebook and counts the questions."""

    def __init__(self, kernelspec: str | None) -> None:
        self.kernelspec, self.asked = kernelspec, 0

    def find_notebook(self, notebook: str, assignment: str):
        self.asked += 1
        return type("Row", (), {"kernelspec": self.kernelspec})()

    def __getattr__(self, name):
        raise AssertionError(f"unexpected gradebook use: {name}")


@pytest.mark.parametrize("kernelspec", [json.dumps({"name": "python3", "display_name": "Python 3"}), None, "{}"])
def test_the_kept_kernelspec_is_nbgraders_and_read_once_a_batch(kernelspec):
    resources = {"nbgrader": {"notebook": "module2", "assignment": "module2", "db_url": "sqlite://"}}
    gradebook = _CountingGradebook(kernelspec)
    kept = KeptKernelspec()
    kept.start_batch()
    with shared_gradebook(gradebook):
        theirs = [OverwriteKernelspec().preprocess(_submitted(), resources)[0] for _ in range(3)]
        asked_by_nbgrader = gradebook.asked
        ours = [kept.preprocess(_submitted(), resources)[0] for _ in range(3)]
    assert ours == theirs
    source = json.loads(kernelspec) if kernelspec else None
    assert all(nb.metadata.kernelspec == (source or {"name": "trainee-kernel", "display_name": "Something else"})
               for nb in ours)  # the source's kernelspec replaces the trainee's; none (or empty) leaves it
    assert asked_by_nbgrader == 3 and gradebook.asked == 4  # nbgrader asks for every notebook; kept, once
    ours[0].metadata.setdefault("kernelspec", {})["name"] = "changed"
    assert ours[1].metadata.get("kernelspec", {}).get("name") != "changed"  # each notebook has its own copy


def _submitted() -> nbformat.NotebookNode:
    nb = _notebook([("code", None)])
    nb.metadata["kernelspec"] = {"name": "trainee-kernel", "display_name": "Something else"}
    return nb
