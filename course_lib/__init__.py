"""course_lib: the shared library of the Customer Service Workbook.

Trainee-facing calls, one per exercise type, plus one self-check::

    from course_lib import show, check
    show("m1-brainstorm")    # the exercise's widget; answers save to ./answers/
    check("m1-brainstorm")   # feedback (formatted in JupyterLab), worth the score as a float

Widgets are imported lazily so that grading code (``course_lib.grading``)
never pulls in ipywidgets or matplotlib.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["__version__", "check", "show"]

if TYPE_CHECKING:  # pragma: no cover - for type checkers only
    from .exercises import show
    from .selfcheck import check

_LAZY = {
    "show": ("course_lib.exercises", "show"),
    "check": ("course_lib.selfcheck", "check"),
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        module_name, attr = _LAZY[name]
        return getattr(importlib.import_module(module_name), attr)
    raise AttributeError(f"module 'course_lib' has no attribute {name!r}")
