"""``nbformat.writes`` for a batch of graded notebooks: the same text, each distinct cell encoded once.

nbformat writes a notebook by deep-copying it, splitting its text into lines and encoding it with
Python's pure-Python JSON encoder (``indent=1`` rules out the C one): about 6% of the CPU of grading a
submission without a kernel. A cohort's graded notebooks are mostly the same cells (the lesson's text,
restored locked cells), so ``NotebookWriter`` keeps each distinct cell's encoded text, found by the cell's
compact JSON (which the C encoder makes quickly, which determines the indented text, and which the
validity check uses too), and encodes only the rest. The notebook is still validated first, as
``nbformat.writes`` does (``known_valid.py``), with the same log message. A notebook that is not plain
JSON (bytes in it, say) is left to ``nbformat.writes``.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import nbformat
from nbformat.v4.nbjson import BytesEncoder
from nbformat.v4.rwbase import split_lines, strip_transient

from .known_valid import KnownValid, compact

__all__ = ["NotebookWriter"]

_INDENTED: dict[str, Any] = {"cls": BytesEncoder, "indent": 1, "sort_keys": True, "separators": (",", ": "),
                             "ensure_ascii": False}  # nbformat's JSONWriter
_PLACEHOLDER = "\0cells\0"  # stands for the cells in the notebook's own text; escaped in JSON, never literal
_PLACEHOLDER_TEXT = json.dumps(_PLACEHOLDER)


class NotebookWriter:
    """``writes(nb)`` gives ``nbformat.writes(nb)``; cells seen before cost a compact encoding and a lookup."""

    def __init__(self, max_cells: int = 20_000, known_valid: KnownValid | None = None) -> None:
        self.max_cells = max_cells
        self._cells: dict[str, str] = {}
        self.known_valid = known_valid or KnownValid()

    def _cell_text(self, cell: Any, key: str) -> str:
        """The cell's text in the notebook; ``key`` is its ``compact`` JSON."""
        text = self._cells.get(key)
        if text is None:
            # As nbformat: split a copy's text into lines, drop transient metadata, encode; then indent the
            # lines as in the notebook (a cell sits two levels deep; JSON strings hold no raw newline).
            alone = nbformat.from_dict({"cells": [copy.deepcopy(cell)], "metadata": {}})
            prepared = strip_transient(split_lines(alone)).cells[0]
            text = json.dumps(prepared, **_INDENTED).replace("\n", "\n  ")
            if len(self._cells) >= self.max_cells:
                self._cells.clear()  # memory stays bounded over a cohort
            self._cells[key] = text
        return text

    def writes(self, nb: Any) -> str:
        """The text ``nbformat.writes(nb)`` gives (a v4 notebook; anything else is left to nbformat)."""
        if nb.get("nbformat") != 4 or not isinstance(nb.get("cells"), list) or not isinstance(nb.get("metadata"), dict):
            return nbformat.writes(nb)
        try:
            keys = [compact(cell) for cell in nb["cells"]]  # one encoding a cell: the check's and the cache's key
        except (TypeError, ValueError):  # not plain JSON (bytes, say): nbformat's own way
            return nbformat.writes(nb)
        ids = [cell.get("id") for cell in nb["cells"]]
        try:
            self.known_valid.validate(nb, cell_texts=keys)
        except nbformat.ValidationError as exc:
            nbformat.get_logger().error("Notebook JSON is invalid: %s", exc)
        if [cell.get("id") for cell in nb["cells"]] != ids:  # nbformat repaired ids: the cells changed
            keys = [compact(cell) for cell in nb["cells"]]
        metadata = {key: value for key, value in nb["metadata"].items()
                    if key not in ("orig_nbformat", "orig_nbformat_minor", "signature")}
        top = json.dumps({**nb, "metadata": metadata, "cells": _PLACEHOLDER}, **_INDENTED)
        if top.count(_PLACEHOLDER_TEXT) != 1:
            return nbformat.writes(nb)
        cells = [self._cell_text(cell, key) for cell, key in zip(nb["cells"], keys, strict=True)]
        listed = "[\n  " + ",\n  ".join(cells) + "\n ]" if cells else "[]"
        return top.replace(_PLACEHOLDER_TEXT, listed)
