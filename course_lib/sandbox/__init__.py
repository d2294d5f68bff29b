"""Confined execution of trainees' notebooks during grading (an nbgrader plug-in).

``ConfinedExecute`` replaces nbgrader's ``Execute`` in the project's
``nbgrader_config.py``. Pieces: :mod:`.launch` (who runs the kernel and in
which namespaces), :mod:`.folder` (the throw-away workspace), :mod:`.kernel`
(the kernel manager that applies both), :mod:`.processes` (ending every
process of a sandbox user), :mod:`.course_files` (permissions of the course's
own files, content fixed for a run) and :mod:`.execute` (the nbgrader step).
"""

from .course_files import frozen_content, protect_course_files
from .execute import ConfinedExecute
from .launch import Confinement, SandboxError, probe

__all__ = ["ConfinedExecute", "Confinement", "SandboxError", "frozen_content", "probe", "protect_course_files"]
