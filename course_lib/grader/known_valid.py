"""``nbformat.validate`` for a cohort's notebooks, with the schema run only on parts not seen valid before.

A kernel-free submission's notebook is validated three times (read, write, the feedback exporter after
each step): a tenth of its CPU, spent checking the same lesson cells again and again. In the notebook
schema (v4) the cells are checked one by one and apart from the rest of the notebook, so a notebook is
valid exactly when its other fields are (checked with no cells) and each of its cells is. ``KnownValid``
remembers, by their compact JSON and the schema version, the parts of notebooks that passed; a notebook
made only of such parts passes without the schema. Anything else (a part not seen, a cell without an id
or with a repeated one, which nbformat repairs and warns about, anything not JSON) goes to
``nbformat.validate`` itself, with its errors, warnings and repairs.
"""

from __future__ import annotations

import json
from typing import Any

import nbformat
from nbformat import reader

__all__ = ["KnownValid", "compact"]


def compact(value: Any) -> str:
    """The value's JSON with sorted keys and no spaces to spare (the C encoder's): what a part is known by."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


class KnownValid:
    """``validate`` and ``read`` as nbformat's, remembering up to ``max_parts`` valid notebook parts."""

    def __init__(self, max_parts: int = 50_000) -> None:
        self.max_parts = max_parts
        self._parts: set[tuple[bool, int, str]] = set()

    def _keys(self, nb: Any, relax_add_props: bool,
              cell_texts: list[str] | None = None) -> list[tuple[bool, int, str]] | None:
        """The parts' keys, or None when only nbformat can say (not v4, ids to repair, not JSON).
        ``cell_texts``: the cells' compact JSON (``compact``), when the caller has it already."""
        if not isinstance(nb, dict) or nb.get("nbformat") != 4 or not isinstance(nb.get("cells"), list):
            return None
        minor = nb.get("nbformat_minor")
        if not isinstance(minor, int) or isinstance(minor, bool):
            return None
        cells = nb["cells"]
        if minor >= 5:
            ids = [cell.get("id") if isinstance(cell, dict) else None for cell in cells]
            if not all(isinstance(i, str) for i in ids) or len(set(ids)) != len(ids):
                return None
        try:
            top = (relax_add_props, minor, compact({**nb, "cells": []}))
            texts = cell_texts if cell_texts is not None else [compact(cell) for cell in cells]
            return [top, *((relax_add_props, minor, text) for text in texts)]
        except (TypeError, ValueError):
            return None

    def validate(self, nb: Any, relax_add_props: bool = False, cell_texts: list[str] | None = None) -> None:
        """``nbformat.validate(nb, relax_add_props=...)``: returns when valid, else raises its ValidationError.
        ``cell_texts``: each cell's ``compact`` JSON, if already made."""
        keys = self._keys(nb, relax_add_props, cell_texts)
        if keys is not None and all(key in self._parts for key in keys):
            return
        nbformat.validate(nb, relax_add_props=relax_add_props)
        keys = self._keys(nb, relax_add_props)  # as validated (nbformat may have repaired ids)
        if keys is not None:
            if len(self._parts) + len(keys) > self.max_parts:
                self._parts.clear()  # bounded over a cohort; the lesson's cells come back at once
            self._parts.update(keys)

    def read(self, path: str, as_version: int = 4) -> Any:
        """``nbformat.read(path, as_version)``: read, converted, validated (an invalid notebook is logged)."""
        with open(path, encoding="utf8") as handle:
            nb = reader.reads(handle.read())
        nb = nbformat.convert(nb, as_version)
        try:
            self.validate(nb)
        except nbformat.ValidationError as exc:
            nbformat.get_logger().error("Notebook JSON is invalid: %s", exc)
        return nb
