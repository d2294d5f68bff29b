"""Two of nbgrader's steps with what they look up kept, for kernel-free grading (same checks, same results).

- ``KeptKernelspec``: nbgrader's ``OverwriteKernelspec`` asks the gradebook for
  the source notebook's kernelspec on every submission, a joined query that
  cost about 1.4 ms of a kernel-free submission's 18 ms. A batch grades
  against one gradebook whose source notebooks do not change while it runs,
  so the answer is kept for the batch.
- ``KeptCheckCellMetadata``: nbgrader's ``CheckCellMetadata`` builds a new
  metadata validator for every notebook, reading its three schema files
  again; here one validator checks every notebook (it keeps nothing of a
  notebook). Its schema checks are ``checked_schemas_once``'s, as before.
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


class KeptCheckCellMetadata(CheckCellMetadata):
    """``CheckCellMetadata`` with one validator for every notebook this step checks."""

    _validator: MetadataValidator | None = None

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        if self._validator is None:
            self._validator = MetadataValidator()
        try:  # as nbgrader's step, which builds a new validator here
            self._validator.validate_nb(nb)
        except ValidationError:
            self.log.error(traceback.format_exc())
            message = "Notebook failed to validate; the nbgrader metadata may be corrupted."
            self.log.error(message)
            raise ValidationError(message) from None
        return nb, resources
