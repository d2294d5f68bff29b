"""The registry of exercise types: one place that says where each type's pieces live.

Each exercise type (the ``type:`` field of a content file) has up to six
pieces, named here by import path (``"package.module:attribute"`` or
``"package.module"``) and imported only when a layer asks for that piece. So
the grader, which needs the model and the scoring, never imports widgets or
matplotlib, and the live board never imports ipywidgets.

============  ================================================================
piece         what the layer that uses it expects
============  ================================================================
``model``     pydantic content model, a subclass of ``models.ExerciseBase``
              with ``type: Literal["<name>"]`` (content loading, JSON Schema)
``scoring``   module with ``parse_answer(raw, exercise=None)`` and pure
              ``score(exercise, answer) -> scoring.Result`` (grading, check)
``view``      widget class ``View(exercise, store)``, an ``ExerciseView``
              (``show(id)``)
``board``     optional module for the live board with
              ``summarise(exercise, read, folder) -> summary`` and optionally
              ``derive(exercise, answer)`` (computed once per answer file)
``render``    optional ``render(summary, *, show_names, reveal, projector)
              -> (html, png | None, chart alt text)`` for the board
``figures``   optional ``figures(graded) -> list[check_html.Figure]``: charts
              shown with the self-check's feedback
============  ================================================================

How to add a type ``t``
-----------------------
In this package: write ``models/t.py``, ``scoring/t.py`` and
``exercises/t.py`` (and, if the board should show more than a head count,
``live/summaries/t.py`` plus a ``render_t`` in ``live/render.py``), then add
one line to :data:`BUILTIN_TYPES` below and regenerate the shipped schema
(``course schema --builtin -o course_lib/content/schema/exercise.schema.json``).
``docs/authors/exercise-types.md`` walks through it; ``tests/types/`` is a worked
example from outside the package, graded by the real nbgrader.

From another package (a plug-in, or a test folder on ``sys.path``): create
an :class:`ExerciseType` and either

* advertise it under the entry point group :data:`ENTRY_POINT_GROUP`, e.g. in
  that package's ``pyproject.toml``::

      [project.entry-points."course_lib.exercise_types"]
      match_pairs = "my_course_types:MATCH_PAIRS"

  which every process (the kernel, ``nbgrader autograde``, the board) finds
  on its own; or
* call :func:`register` in the running process (enough for a script; the
  kernel and ``nbgrader autograde`` are other processes and do not see it).

An unknown type is an :class:`UnknownTypeError`; content loading turns it into
an error naming the content file.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from functools import cache
from importlib.metadata import entry_points
from typing import Any

__all__ = [
    "BUILTIN_TYPES",
    "ENTRY_POINT_GROUP",
    "ExerciseType",
    "UnknownTypeError",
    "exercise_type",
    "register",
    "resolve",
    "type_names",
]

ENTRY_POINT_GROUP = "course_lib.exercise_types"


class UnknownTypeError(LookupError):
    """No exercise type of that name is registered (built in, by entry point or by ``register``)."""


def resolve(path: str) -> Any:
    """The object an import path names: ``"pkg.mod:attr"`` (an attribute) or ``"pkg.mod"`` (the module)."""
    module_name, _, attribute = path.partition(":")
    module = importlib.import_module(module_name)
    return getattr(module, attribute) if attribute else module


@dataclass(frozen=True)
class ExerciseType:
    """Where one exercise type's pieces live (see the module docstring); each is imported on first use."""

    name: str
    model: str
    scoring: str
    view: str
    board: str | None = None
    render: str | None = None
    figures: str | None = None

    def load_model(self) -> type:
        """The content model class."""
        return resolve(self.model)

    def load_scoring(self) -> Any:
        """The scoring module (``parse_answer``, ``score``)."""
        return resolve(self.scoring)

    def load_view(self) -> type:
        """The widget class."""
        return resolve(self.view)

    def load_board(self) -> Any | None:
        """The live-board summary module, or None: the board then shows a head count only."""
        return resolve(self.board) if self.board else None

    def load_render(self) -> Any | None:
        """The board's render function for this type's summary, or None."""
        return resolve(self.render) if self.render else None

    def load_figures(self) -> Any | None:
        """The self-check's chart function, or None."""
        return resolve(self.figures) if self.figures else None


def _builtin(name: str, model: str, view: str, *, board: bool = False, render: str | None = None,
             figures: str | None = None) -> ExerciseType:
    """A type whose pieces follow the package's layout: models/<name>.py, scoring/<name>.py, exercises/<name>.py."""
    return ExerciseType(
        name=name,
        model=f"course_lib.models.{name}:{model}",
        scoring=f"course_lib.scoring.{name}",
        view=f"course_lib.exercises.{name}:{view}",
        board=f"course_lib.live.summaries.{name}" if board else None,
        render=f"course_lib.live.render:{render}" if render else None,
        figures=figures,
    )


# The types that ship with the course. One line per type.
BUILTIN_TYPES: dict[str, ExerciseType] = {t.name: t for t in (
    _builtin("brainstorm", "BrainstormExercise", "BrainstormWidget", board=True, render="render_brainstorm"),
    _builtin("choice", "ChoiceExercise", "ChoiceWidget", board=True, render="render_choice"),
    _builtin("classify", "ClassifyExercise", "ClassifyWidget", board=True, render="render_classify"),
    _builtin("order", "OrderExercise", "OrderWidget"),
    _builtin("true_false", "TrueFalseExercise", "TrueFalseWidget", board=True, render="render_bands",
             figures="course_lib.strengths_chart:self_check_figures"),
    _builtin("roleplay", "RoleplayExercise", "RoleplayWidget"),
    _builtin("written_reply", "WrittenReplyExercise", "WrittenReplyWidget"),
    _builtin("action_plan", "ActionPlanExercise", "ActionPlanWidget"),
    # The reaction survey's board view lives beside the evaluation code, not in live/render.py.
    ExerciseType("reaction", "course_lib.models.reaction:ReactionExercise", "course_lib.scoring.reaction",
                 "course_lib.exercises.reaction:ReactionWidget", board="course_lib.live.summaries.reaction",
                 render="course_lib.live.render_reaction:render_reaction"),
    _builtin("follow_up", "FollowUpExercise", "FollowUpWidget"),
)}

_registered: dict[str, ExerciseType] = {}


def register(exercise_type: ExerciseType, *, replace: bool = False) -> ExerciseType:
    """Add ``exercise_type`` to this process's registry; a name already taken needs ``replace=True``."""
    taken = exercise_type.name in BUILTIN_TYPES or exercise_type.name in _registered
    if taken and not replace:
        raise ValueError(f"exercise type {exercise_type.name!r} is already registered")
    _registered[exercise_type.name] = exercise_type
    return exercise_type


@cache
def _plugins() -> dict[str, ExerciseType]:
    """Types advertised by installed packages under ENTRY_POINT_GROUP (read once per process)."""
    found: dict[str, ExerciseType] = {}
    for point in entry_points(group=ENTRY_POINT_GROUP):
        loaded = point.load()
        if not isinstance(loaded, ExerciseType):
            raise TypeError(f"entry point {point.name} = {point.value} in group {ENTRY_POINT_GROUP} "
                            f"is not a course_lib.types.ExerciseType")
        found[loaded.name] = loaded
    return found


def exercise_type(name: str) -> ExerciseType:
    """The registered type ``name``: registered in-process first, then built in, then plug-ins."""
    found = _registered.get(name) or BUILTIN_TYPES.get(name)
    if found is None and isinstance(name, str):
        found = _plugins().get(name)
    if found is None:
        raise UnknownTypeError(
            f"unknown exercise type {name!r}; known types: {', '.join(type_names())}"
        )
    return found


def type_names() -> list[str]:
    """Every known type name, sorted."""
    return sorted({*BUILTIN_TYPES, *_plugins(), *_registered})
