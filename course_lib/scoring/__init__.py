"""Pure scoring: (exercise, answer) -> Result. Imports no widgets, no matplotlib."""

from .result import Result

__all__ = ["Result"]
