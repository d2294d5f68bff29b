"""The grader's notebook writer gives exactly ``nbformat.writes``'s text, cells seen before included."""

from __future__ import annotations

import logging
from pathlib import Path

import nbformat
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from nbformat.v4 import new_markdown_cell, new_notebook

from course_lib.grader.notebook_text import NotebookWriter

ROOT = Path(__file__).resolve().parents[2]
TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30) | st.sampled_from(
    ["", "\n", "a\nb", "line\r\nnext\n", "x\\u0000", '"quoted"', "\0cells\0", "é ✓ 中文"])
SCALAR = st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.floats(allow_nan=False) | TEXT
METADATA = st.dictionaries(st.sampled_from(["trusted", "tags", "nbgrader", "a", "Z", "é"]),
                           st.recursive(SCALAR, lambda inner: st.lists(inner, max_size=3)
                                        | st.dictionaries(TEXT, inner, max_size=3), max_leaves=6), max_size=3)


@st.composite
def outputs(draw):
    kind = draw(st.sampled_from(["stream", "display_data", "execute_result", "error"]))
    if kind == "stream":
        return {"output_type": "stream", "name": "stdout", "text": draw(TEXT)}
    if kind == "error":
        return {"output_type": "error", "ename": draw(TEXT), "evalue": draw(TEXT),
                "traceback": draw(st.lists(TEXT, max_size=2))}
    data = draw(st.dictionaries(st.sampled_from(["text/plain", "text/html", "application/json", "image/png"]),
                                TEXT, min_size=1, max_size=3))
    if "application/json" in data:
        data["application/json"] = draw(METADATA)
    extra = {"execution_count": draw(st.none() | st.integers(1, 99))} if kind == "execute_result" else {}
    return {"output_type": kind, "data": data, "metadata": draw(METADATA), **extra}


@st.composite
def cells(draw):
    kind = draw(st.sampled_from(["code", "markdown", "raw"]))
    source = draw(TEXT | st.lists(TEXT, max_size=3))
    metadata = draw(METADATA)
    # Built as plain nodes (nbformat's constructors refuse invalid metadata): invalid cells are written too.
    cell = {"cell_type": kind, "source": source, "metadata": metadata}
    if kind == "code":
        cell.update(outputs=draw(st.lists(outputs(), max_size=3)), execution_count=draw(st.none() | st.integers(1, 99)))
    elif kind == "markdown" and draw(st.booleans()):
        cell["attachments"] = {"a.png": {"image/png": draw(TEXT), "text/plain": draw(TEXT)}}
    return cell


def _notebook(cells: list[dict], metadata: dict) -> nbformat.NotebookNode:
    # Unique ids: nbformat's validation replaces a repeated id by a random one.
    return nbformat.from_dict({"cells": [{**cell, "id": f"cell-{i}"} for i, cell in enumerate(cells)],
                               "metadata": metadata, "nbformat": 4, "nbformat_minor": 5})


NOTEBOOKS = st.builds(_notebook, st.lists(cells(), max_size=5), METADATA)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(notebooks=st.lists(NOTEBOOKS, min_size=1, max_size=3), top=st.booleans())
def test_the_same_text_as_nbformat_writes(notebooks, top) -> None:
    writer = NotebookWriter(max_cells=3)  # small: the cache is also emptied on the way
    logging.getLogger("traitlets").disabled = True  # invalid generated notebooks: nbformat logs, as we do
    try:
        for nb in notebooks + notebooks:  # the second time, cells come from the cache
            if top:
                nb.metadata["signature"] = "sha256:x"
                nb.metadata["orig_nbformat"] = 3
            before = nbformat.writes(nb)
            assert writer.writes(nb) == before
            assert nbformat.writes(nb) == before  # and nb was left as it was
    finally:
        logging.getLogger("traitlets").disabled = False


@pytest.mark.parametrize("notebook", sorted((ROOT / "solutions").glob("*/*.ipynb")), ids=lambda p: p.parent.name)
def test_the_course_notebooks_are_written_as_nbformat_writes_them(notebook) -> None:
    nb = nbformat.read(notebook, as_version=4)
    writer = NotebookWriter()
    assert writer.writes(nb) == nbformat.writes(nb)
    assert writer.writes(nb) == nbformat.writes(nb)  # cells from the cache


def test_an_invalid_notebook_is_logged_as_nbformat_logs_it(caplog) -> None:
    nb = new_notebook(cells=[new_markdown_cell("x")])
    nb.cells[0]["unexpected"] = 1
    with caplog.at_level(logging.ERROR):
        text = NotebookWriter().writes(nb)
    assert text == nbformat.writes(nb)
    assert any("Notebook JSON is invalid" in record.getMessage() for record in caplog.records)


def test_a_repeated_id_is_repaired_and_written_as_repaired() -> None:
    nb = nbformat.read(ROOT / "solutions" / "module1" / "module1.ipynb", as_version=4)
    writer = NotebookWriter()
    writer.writes(nb)  # its cells are now known and kept
    nb.cells.insert(1, nbformat.from_dict(dict(nb.cells[0])))  # a kept cell twice: its id twice
    with pytest.warns(nbformat.warnings.DuplicateCellId):
        text = writer.writes(nb)  # nbformat's validation gives the copy a new id
    assert nb.cells[1].id != nb.cells[0].id
    assert text == nbformat.writes(nb)  # the notebook as repaired, not the cells as they were
