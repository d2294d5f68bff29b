"""Every cell that shows an exercise widget says what to do when, after a reload, the widget is not there.

A widget lives in the kernel: reopening a notebook shows no exercise until its
cells run again. The note sits in the cell itself, so it travels with the cell
and never shifts slides or nbgrader cells.
"""

from __future__ import annotations

import json
import re

import pytest

from tests.conftest import ROOT

WIDGET_NOTE = "# No exercise below this cell? After reopening the notebook, choose Run > Run All Cells."
NOTEBOOKS = sorted(path for pattern in ("notebooks/*.ipynb", "solutions/*/*.ipynb", "exercises/*/*.ipynb")
                   for path in ROOT.glob(pattern))
SHOW = re.compile(r"^show\(\"[a-z0-9-]+\"\)", re.M)


def widget_cells(notebook):
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return ["".join(c["source"]) for c in cells if c["cell_type"] == "code" and SHOW.search("".join(c["source"]))]


def test_there_are_widget_cells_in_lessons_and_graded_notebooks():
    folders = {n.relative_to(ROOT).parts[0] for n in NOTEBOOKS if widget_cells(n)}
    assert folders == {"notebooks", "solutions", "exercises"}


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_each_widget_cell_carries_the_note_just_above_the_call(notebook):
    for source in widget_cells(notebook):
        lines = source.splitlines()
        call = next(i for i, line in enumerate(lines) if SHOW.match(line))
        assert lines[call - 1] == WIDGET_NOTE, source
