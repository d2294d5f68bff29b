"""Validation that remembers valid notebook parts gives nbformat's own verdict, error and log."""

from __future__ import annotations

import copy
import json
import logging
from pathlib import Path

import nbformat
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from course_lib.grader.known_valid import KnownValid

from .test_notebook_text import NOTEBOOKS

ROOT = Path(__file__).resolve().parents[2]


def _verdict(validate, nb, relax: bool) -> str:
    try:
        validate(nb, relax_add_props=relax)
    except nbformat.ValidationError as exc:
        return f"invalid: {exc.message}"
    return "valid"


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(notebooks=st.lists(NOTEBOOKS, min_size=1, max_size=4), relax=st.lists(st.booleans(), min_size=8, max_size=8),
       minor=st.sampled_from([4, 5]))
def test_the_same_verdict_as_nbformat_validate(notebooks, relax, minor) -> None:
    known = KnownValid(max_parts=6)  # small: emptied on the way
    for number, nb in enumerate(notebooks + notebooks):  # the second time, parts are known
        nb.nbformat_minor = minor
        if minor < 5:
            for cell in nb.cells:
                cell.pop("id", None)
        ours = _verdict(known.validate, copy.deepcopy(nb), relax[number % 8])
        assert ours == _verdict(nbformat.validate, copy.deepcopy(nb), relax[number % 8])


def test_a_known_cell_in_an_invalid_notebook_does_not_make_it_valid() -> None:
    nb = nbformat.read(ROOT / "solutions" / "module1" / "module1.ipynb", as_version=4)
    known = KnownValid()
    known.validate(nb)
    broken = copy.deepcopy(nb)
    broken.metadata["kernelspec"] = {"name": 1}
    assert _verdict(known.validate, broken, False) == _verdict(nbformat.validate, copy.deepcopy(broken), False)
    assert _verdict(known.validate, broken, False).startswith("invalid")
    changed = copy.deepcopy(nb)
    changed.cells[0]["unexpected"] = True
    assert _verdict(known.validate, changed, False).startswith("invalid")


def test_repeated_ids_are_left_to_nbformat_which_repairs_them(recwarn) -> None:
    nb = nbformat.read(ROOT / "solutions" / "module1" / "module1.ipynb", as_version=4)
    known = KnownValid()
    known.validate(nb)
    nb.cells.insert(1, copy.deepcopy(nb.cells[0]))  # a known cell twice: its id twice
    known.validate(nb)
    assert nb.cells[1]["id"] != nb.cells[0]["id"]  # nbformat's repair, as without KnownValid


def test_read_is_nbformat_read_and_logs_an_invalid_notebook(tmp_path, caplog) -> None:
    for path in sorted((ROOT / "solutions").glob("*/*.ipynb")):
        assert KnownValid().read(str(path)) == nbformat.read(path, as_version=4)
    nb = json.loads((ROOT / "solutions" / "module1" / "module1.ipynb").read_text(encoding="utf-8"))
    nb["cells"][0]["unexpected"] = 1
    (tmp_path / "bad.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    with caplog.at_level(logging.ERROR):
        assert KnownValid().read(str(tmp_path / "bad.ipynb")) == nbformat.read(tmp_path / "bad.ipynb", as_version=4)
    assert sum("Notebook JSON is invalid" in record.getMessage() for record in caplog.records) == 2
