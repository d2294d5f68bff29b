"""Put back graded cells a trainee deleted, from the gradebook, before grading.

nbgrader's ``OverwriteCells`` already restores the source and metadata of every
locked or graded cell still in a submission. With ``add_missing_cells`` it is
also meant to re-insert a deleted graded cell, but nbgrader 0.9.6 looks for the
deleted cell's neighbour among graded and answer cells only, and the course's
check cells follow a locked instruction cell: it raised ``KeyError`` and the
whole submission failed. ``RestoreCheckCells`` is ``OverwriteCells`` with the
same restoring (nbgrader's own ``missing_cell_transform``: the cell comes back
from the gradebook with a comment saying it was missing) but placed after the
nearest earlier cell of the source notebook that the submission still has.

It also puts back the ``grade`` and ``solution`` flags of every cell the
gradebook knows (nbgrader restores source, ``locked`` and points but not
these: a check cell a trainee marked "not graded" made nbgrader's checksum
test fail and the whole submission with it), and drops the nbgrader metadata
of a cell whose ``grade_id`` the gradebook does not know (a trainee's own
cell, or a renamed check cell, which is then restored under its real id).

Why restore at all: a widget exercise is scored from its answers file, so a
trainee who deleted the check cell by mistake keeps the points the saved
answers earn, on either grading path (executed or kernel-free), instead of 0.

The gradebook's cells of the notebook are read once per notebook
(:class:`_NotebookCells`) and nbgrader's own ``preprocess_cell`` and
``add_missing_*`` steps look them up there: nbgrader queried the gradebook
once or twice for every cell, a sixth of the kernel-free grading time.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import nbformat
from nbconvert.exporters.exporter import ResourcesDict
from nbformat import NotebookNode
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import OverwriteCells
from traitlets import Bool

__all__ = ["RestoreCheckCells"]


class _NotebookCells:
    """One notebook's cells in the gradebook, read once, answering the lookups ``OverwriteCells`` makes.

    Copies of the rows (plain attributes), not the ORM objects: a later flush or commit of the shared
    session cannot expire them into new queries. Any other attribute is the gradebook's own.
    """

    def __init__(self, gradebook: Gradebook, notebook_id: str, assignment_id: str) -> None:
        self.gradebook = gradebook
        notebook = gradebook.find_notebook(notebook_id, assignment_id)
        source = [SimpleNamespace(name=c.name, cell_type=c.cell_type, locked=c.locked, checksum=c.checksum,
                                  source=c.source) for c in notebook.source_cells]
        self.notebook = SimpleNamespace(
            source_cells=source,
            grade_cells=[SimpleNamespace(name=c.name, max_score=c.max_score) for c in notebook.grade_cells],
            solution_cells=[SimpleNamespace(name=c.name) for c in notebook.solution_cells],
            task_cells=[SimpleNamespace(name=c.name, max_score=c.max_score) for c in notebook.task_cells])
        self._ids = (notebook_id, assignment_id)
        self._source = {c.name: c for c in source}
        # As the gradebook's find_graded_cell: a grade cell first, else a task cell.
        self._graded = {c.name: c for c in [*self.notebook.task_cells, *self.notebook.grade_cells]}

    def find_notebook(self, notebook_id: str, assignment_id: str) -> Any:
        return self.notebook if (notebook_id, assignment_id) == self._ids else \
            self.gradebook.find_notebook(notebook_id, assignment_id)

    def find_source_cell(self, name: str, notebook_id: str, assignment_id: str) -> Any:
        return self._find(self._source, name, notebook_id, assignment_id, "source")

    def find_graded_cell(self, name: str, notebook_id: str, assignment_id: str) -> Any:
        return self._find(self._graded, name, notebook_id, assignment_id, "graded")

    def _find(self, cells: dict[str, Any], name: str, notebook_id: str, assignment_id: str, kind: str) -> Any:
        if (notebook_id, assignment_id) != self._ids:
            return getattr(self.gradebook, f"find_{kind}_cell")(name, notebook_id, assignment_id)
        if name not in cells:
            raise MissingEntry()  # as the gradebook's own lookup
        return cells[name]

    def __getattr__(self, name: str) -> Any:
        return getattr(self.gradebook, name)


class RestoreCheckCells(OverwriteCells):
    """``OverwriteCells`` that also re-inserts deleted graded cells, each after its nearest surviving neighbour."""

    add_missing_cells = Bool(
        True,
        help="Put graded cells missing from a submission back (from the gradebook) before grading.",
    ).tag(config=True)

    # Kernel-free batches (batch.py) keep each notebook's gradebook cells for the whole batch: its submissions
    # are graded against one gradebook, under one lock, from one source. None: read once per notebook.
    _kept: dict[tuple[str, str], _NotebookCells] | None = None
    _coursedir: CourseDirectory | None = None  # made on first use: a configurable costs more than the lookup

    def start_batch(self) -> None:
        """From now until the next call, a notebook's gradebook cells are read once for every submission."""
        self._kept = {}

    def preprocess(self, nb: NotebookNode, resources: ResourcesDict) -> tuple[NotebookNode, ResourcesDict]:
        self._known: dict[str, set[str]] | None = None
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell: NotebookNode, resources: ResourcesDict, cell_index: int
                        ) -> tuple[NotebookNode, ResourcesDict]:
        meta = cell.metadata.get("nbgrader", {})
        grade_id = meta.get("grade_id")
        if grade_id is not None:
            self._read_cells_once()
            known = self._known_cells()
            if grade_id not in known["source"]:
                self.log.warning("Cell %s is not in the gradebook: graded as the trainee's own cell", grade_id)
                del cell.metadata["nbgrader"]
                return cell, resources
            for flag in ("grade", "solution"):
                should = grade_id in known[flag]
                if bool(meta.get(flag)) != should:
                    self.report_change(grade_id, flag, should, bool(meta.get(flag)))
                    meta[flag] = should
            if meta.get("grade") and "points" not in meta:
                meta["points"] = 0.0  # OverwriteCells puts the gradebook's points here
        return super().preprocess_cell(cell, resources, cell_index)

    def _read_cells_once(self) -> None:
        """From here on, this notebook's gradebook cells are looked up in one copy (the first lookup reads it)."""
        gradebook: Any = self.gradebook  # type: ignore[has-type]  # nbgrader sets it untyped
        if isinstance(gradebook, _NotebookCells):
            return
        # nbgrader opened (or borrowed) the gradebook for this notebook
        key = (self.notebook_id, self.assignment_id)
        kept = self._kept.get(key) if self._kept is not None else None
        # A step borrowing the batch's open gradebook gets a new stand-in for it each time (shared_gradebook):
        # the same gradebook underneath, so the copy already read still holds.
        if kept is None or _underlying(kept.gradebook) is not _underlying(gradebook):
            kept = _NotebookCells(gradebook, self.notebook_id, self.assignment_id)
            if self._kept is not None:
                self._kept[key] = kept
        self.gradebook = kept

    def _known_cells(self) -> dict[str, set[str]]:
        if self._known is None:
            source_nb = self.gradebook.find_notebook(self.notebook_id, self.assignment_id)  # _NotebookCells
            self._known = {"source": {c.name for c in source_nb.source_cells},
                           "grade": {c.name for c in source_nb.grade_cells},
                           "solution": {c.name for c in source_nb.solution_cells}}
        return self._known

    def add_missing_grade_cells(self, nb: NotebookNode, resources: ResourcesDict) -> tuple[NotebookNode, ResourcesDict]:
        self._read_cells_once()  # nbgrader's add_missing_task_cells, next, reads the same copy
        source_nb = self.gradebook.find_notebook(self.notebook_id, self.assignment_id)
        cells = {cell.name: cell for cell in source_nb.source_cells}
        order = [name for name in self._source_order() if name in cells] or list(cells)
        grade_cells = {cell.name: cell for cell in source_nb.grade_cells}
        solution_ids = {cell.name for cell in source_nb.solution_cells}
        present = [cell.metadata.get("nbgrader", {}).get("grade_id") for cell in nb.cells]  # kept in step below
        for name in order:
            if name not in grade_cells or name in present:
                continue
            self.log.warning("Graded cell %s is missing from the submission: restored from the gradebook", name)
            restored = self.missing_cell_transform(
                cells[name], grade_cells[name].max_score,
                is_solution=name in solution_ids)
            earlier = set(order[: order.index(name)])
            after = max((i for i, grade_id in enumerate(present) if grade_id in earlier), default=-1)
            nb.cells.insert(after + 1, restored)
            present.insert(after + 1, restored.metadata.get("nbgrader", {}).get("grade_id"))
        return nb, resources

    def _source_order(self) -> list[str]:
        """The cell ids in the order of the source notebook (solutions/); the gradebook keeps no order."""
        if self._coursedir is None:
            self._coursedir = CourseDirectory(config=self.config)
        coursedir = self._coursedir
        path = Path(coursedir.format_path(coursedir.source_directory, ".", self.assignment_id),
                    f"{self.notebook_id}.ipynb")
        try:
            return list(_cell_order(str(path), *_signature(path)))
        except (OSError, ValueError) as exc:
            self.log.warning("Could not read %s for the cells' order (%s): restored cells go first", path, exc)
            return []


def _underlying(gradebook: Any) -> Any:
    return getattr(gradebook, "_gradebook", gradebook)


def _signature(path: Path) -> tuple[int, int, int]:
    info = path.stat()
    return info.st_mtime_ns, info.st_size, info.st_ino


@lru_cache(maxsize=64)
def _cell_order(path: str, *signature: int) -> tuple[str, ...]:
    """The grade ids of a source notebook in order, read once per version of the file (every submission asks)."""
    nb = nbformat.read(path, as_version=4)
    return tuple(cell.metadata.get("nbgrader", {}).get("grade_id", "") for cell in nb.cells)
