"""Defer the RFC 3987 grammar that ``jsonschema`` builds on import until a schema really checks an IRI.

``nbformat`` imports ``jsonschema``, whose format checkers import ``rfc3987_syntax``
at once; that module compiles some 35 Lark parsers when imported (0.5-1 s on this
course's 2-core machine, python-jsonschema/jsonschema#1428), before the ``course``
command has done any work. No notebook schema uses the ``iri`` formats. A
stand-in module takes its place until a check asks for it, then imports the real
one: validation is unchanged, only the cost moves to where it is used.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types

__all__ = ["defer_iri_grammar"]

_NAME = "rfc3987_syntax"


def _is_valid_syntax(*args: object, **kwargs: object) -> bool:
    if getattr(sys.modules.get(_NAME), "__stand_in__", False):
        del sys.modules[_NAME]
    return importlib.import_module(_NAME).is_valid_syntax(*args, **kwargs)


def defer_iri_grammar() -> None:
    """Put the stand-in in place, unless the real module is loaded already or not installed."""
    if _NAME in sys.modules or importlib.util.find_spec(_NAME) is None:
        return
    stand_in = types.ModuleType(_NAME, "Stand-in until an IRI is checked (course_lib.iri_grammar).")
    stand_in.__stand_in__ = True  # type: ignore[attr-defined]
    stand_in.is_valid_syntax = _is_valid_syntax  # type: ignore[attr-defined]
    sys.modules[_NAME] = stand_in
