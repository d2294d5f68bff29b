"""Two of nbgrader's steps with what they look up kept, for kernel-free grading (same checks, same results).

- ``KeptKernelspec``: nbgrader's ``OverwriteKernelspec`` asks the gradebook for
  the source notebook's kernelspec on every submission, a joined query that
  cost about 1.4 ms of a kernel-free submission's 18 ms. A batch grades
  against one gradebook whose source notebooks do not change while it runs,
  so the answer is kept for the batch.
- ``KeptCheckCellMetadata``: nbgrader's ``CheckCellMetadata`` builds a new
  metadata validator for every notebook, reading its three schema files
  again; here one validator checks every notebook. A cell's check depends
  only on its type and its nbgrader metadata, so a cell whose type and
  metadata (same keys, values of the same types) passed before without a
  warning is not checked again: every trainee's notebook repeats the
  lesson's cells, and the step runs twice a submission. The grade ids are
  still compared across each notebook's cells, after every cell is checked,
  as nbgrader does. Schema checks are ``checked_schemas_once``'s, as before.
"""

from __future__ import annotations

import json
import traceback

import nbgrader.preprocessors.overwritekernelspec as nbgrader_step
from nbconvert.exporters.exporter import ResourcesDict
from nbformat.notebooknode import NotebookNode
from nbgrader.nbgraderformat import MetadataValidator, ValidationError
from nbgrader.preprocessors import CheckCellMetadata

__all__ = ["KeptCheckCellMetadata", "KeptKernelspec"]


class KeptKernelspec(nbgrader_step.OverwriteKernelspec):
    """``OverwriteKernelspec``; between ``start_batch`` calls a notebook's kernelspec is read once."""

    _kept: dict[tuple[str, str], str | None] | None = None

    def start_batch(self) -> None:
        self._kept = {}

    def preprocess(self, nb: NotebookNode, resources: ResourcesDict) -> tuple[NotebookNode, ResourcesDict]:
        if self._kept is None:
            return super().preprocess(nb, resources)
        ids = resources["nbgrader"]
        key = (ids["notebook"], ids["assignment"])
        if key not in self._kept:
            # The module's own name: ``shared_gradebook`` lends the batch's open gradebook through it.
            with nbgrader_step.Gradebook(ids["db_url"]) as gradebook:
                self._kept[key] = gradebook.find_notebook(*key).kernelspec
        kernelspec = self._kept[key]
        if kernelspec is not None and (parsed := json.loads(kernelspec)):
            nb.metadata["kernelspec"] = parsed  # parsed afresh: each notebook gets its own copy, as in nbgrader
        return nb, resources


_PLAIN = (str, bool, int, float, type(None))
_PASSED_MAX = 10_000  # distinct (cell type, metadata) remembered; cleared when full


def _cell_check_key(cell: NotebookNode) -> tuple | None:
    """What a cell's metadata check depends on, hashable and exact (``True`` and ``1`` apart), or None
    when it is not plain (then the cell is checked every time)."""
    meta = cell.metadata["nbgrader"]
    if not isinstance(meta, dict) or not all(isinstance(k, str) and type(v) in _PLAIN for k, v in meta.items()):
        return None
    return (cell.cell_type, *sorted((key, type(value).__name__, value) for key, value in meta.items()))


class KeptCheckCellMetadata(CheckCellMetadata):
    """``CheckCellMetadata`` with one validator for every notebook this step checks, and each cell type and
    metadata that passed without a warning remembered."""

    _validator: MetadataValidator | None = None
    _passed: set[tuple] | None = None

    def _validate_nb(self, nb: NotebookNode) -> None:
        """``MetadataValidatorV3.validate_nb``: every cell checked (a remembered one passes as before), then
        the grade ids compared."""
        validator = self._validator
        assert validator is not None and self._passed is not None
        for cell in nb.cells:
            if "nbgrader" not in cell.metadata:
                continue
            key = _cell_check_key(cell)
            if key is not None and key in self._passed:
                continue
            validator.validate_cell(cell)
            meta = cell.metadata["nbgrader"]
            if key is not None and meta.get("cell_type", cell.cell_type) == cell.cell_type:  # no warning given
                if len(self._passed) >= _PASSED_MAX:
                    self._passed.clear()
                self._passed.add(key)
        ids = set()
        for cell in nb.cells:
            if "nbgrader" not in cell.metadata:
                continue
            meta = cell.metadata["nbgrader"]
            if not meta["grade"] and not meta["solution"] and not meta["locked"]:
                continue
            if meta["grade_id"] in ids:
                raise ValidationError("Duplicate grade id: {}".format(meta["grade_id"]))
            ids.add(meta["grade_id"])

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        if self._validator is None:
            self._validator, self._passed = MetadataValidator(), set()
        try:  # as nbgrader's step, which builds a new validator here
            self._validate_nb(nb)
        except ValidationError:
            self.log.error(traceback.format_exc())
            message = "Notebook failed to validate; the nbgrader metadata may be corrupted."
            self.log.error(message)
            raise ValidationError(message) from None
        return nb, resources
