"""``ConfinedExecute``: nbgrader's Execute step with the trainee's code confined.

Configured in the project's ``nbgrader_config.py`` in place of ``Execute`` in
``Autograde.autograde_preprocessors``. For each notebook it copies the
notebook's folder into a fresh private workspace, runs the kernel there
(see :mod:`course_lib.sandbox.launch` for who and how), and before handing
the executed notebook on to the steps that record grades it ends every
process of the sandbox user and deletes the workspace. Later steps
(``TrustedWidgetScores``) keep reading the untouched autograded folder.
"""

from __future__ import annotations

import itertools
import os
from pathlib import Path
from textwrap import dedent
from typing import Any

from nbformat import NotebookNode
from nbgrader.preprocessors import Execute
from traitlets import Bool, Enum, Float, Integer, List, Unicode

from .course_files import protect_course_files
from .folder import Workspace, remove_owned
from .kernel import ConfinedKernelManager
from .launch import Confinement, SandboxError, is_root, namespace_flags, sandbox_uid
from .processes import kill_all

__all__ = ["ConfinedExecute", "died_at_start"]

_SERIAL = itertools.count()
# jupyter_client's words when a new kernel never became ready (nothing of the notebook has run yet).
_START_FAILURES = ("Kernel died before replying to kernel_info", "Kernel didn't respond in")


def died_at_start(error: BaseException) -> bool:
    """Whether ``error`` says the kernel was lost while starting, before any cell ran."""
    return str(error).startswith(_START_FAILURES)


class ConfinedExecute(Execute):
    """Execute each notebook with the trainee's code confined (see the module docstring)."""

    confine = Enum(
        ["auto", "user", "copy"],
        "auto",
        help=dedent(
            """
            How trainees' code is confined while their notebooks run.
            'user': as a fresh numeric uid/gid per notebook, with no groups and no
            new privileges, in a throw-away copy (needs root); file permissions then
            keep the gradebook, the course content and other trainees' work out of
            reach. 'copy': as the grader's own user, in a throw-away copy only; the
            code could still change anything that user can. 'auto': 'user' when
            running as root, else 'copy' with a warning.
            Both use PID/network/IPC namespaces when the system allows.
            """
        ),
    ).tag(config=True)

    uid_base = Integer(
        1_800_000_000,
        help=dedent(
            """
            First of the numeric uids (and gids) used for confined kernels. Each
            grading process takes a block of 256 above uid_base + 256 * its pid, so
            choose a range with no users or groups in it (no passwd entries).
            """
        ),
    ).tag(config=True)

    isolate_network = Bool(
        True, help="Give each confined kernel a network namespace of its own, with no network at all."
    ).tag(config=True)

    work_dir = Unicode(
        "", help="Folder for the throw-away workspaces (default: the system's temporary folder)."
    ).tag(config=True)

    stop_timeout = Float(
        10.0, help="Seconds to wait for every process of a sandbox user to end before the notebook fails."
    ).tag(config=True)

    env_keep = List(
        Unicode(),
        ["PATH", "LANG", "LANGUAGE", "TZ", "PYTHONPATH", "VIRTUAL_ENV", "JUPYTER_PLATFORM_DIRS"],
        help="Environment variables passed on to confined kernels (also LC_*, JPY_*, COURSE_*, NBGRADER_*).",
    ).tag(config=True)

    start_retries = Integer(
        2,
        help=dedent(
            """
            How many more times to start a kernel that dies, or never answers, before it
            replies to kernel_info ("Kernel died before replying to kernel_info", seen on a
            busy machine), each time in a fresh sandbox, before the notebook fails. A kernel
            that dies while running the trainee's code is not started again.
            """
        ),
    ).tag(config=True)

    _current: tuple[Confinement, Workspace] | None = None
    _warned = False

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("kernel_manager_class", ConfinedKernelManager)
        super().__init__(**kwargs)

    def mode(self) -> str:
        """'user' or 'copy': the confinement this process will really use."""
        if self.confine == "user" and not is_root():
            raise SandboxError("ConfinedExecute.confine='user' needs root: run the grading as root, or use 'copy'")
        if self.confine == "auto":
            return "user" if is_root() else "copy"
        return self.confine

    def confinement(self) -> Confinement:
        """A fresh confinement for the next notebook."""
        mode = self.mode()
        if mode == "copy" and not self._warned:
            self.log.warning("Trainees' code runs as %s (not root): it could change any file you can.",
                             os.environ.get("USER", f"uid {os.getuid()}"))
            self._warned = True
        uid = sandbox_uid(self.uid_base, os.getpid(), next(_SERIAL)) if mode == "user" else None
        return Confinement(uid, namespace_flags(is_root(), self.isolate_network))

    def where(self) -> str:
        """Which namespaces kernels get on this machine, in words."""
        return Confinement(None, namespace_flags(is_root(), self.isolate_network)).where()

    def create_kernel_manager(self) -> Any:
        km = super().create_kernel_manager()
        if self._current is not None:
            km.confine(*self._current, self.env_keep)
        return km

    def _protect_course(self) -> None:
        parent = self.parent
        while parent is not None and not hasattr(parent, "coursedir"):
            parent = getattr(parent, "parent", None)
        if parent is not None:
            protect_course_files(parent.coursedir, self.log)

    def preprocess(self, nb: NotebookNode, resources: Any = None, km: Any = None) -> tuple[NotebookNode, Any]:
        resources = resources if resources is not None else {}
        self._protect_course()
        for attempt in itertools.count(1):
            try:
                return self._run_confined(nb, resources, km)
            except RuntimeError as exc:
                if attempt > self.start_retries or not died_at_start(exc):
                    raise
                self.log.warning("The kernel did not start (%s); starting a fresh one (attempt %d of %d)",
                                 exc, attempt + 1, self.start_retries + 1)
        raise AssertionError("unreachable")  # pragma: no cover

    def _run_confined(self, nb: NotebookNode, resources: Any, km: Any) -> tuple[NotebookNode, Any]:
        """One run of the notebook in a fresh confinement and workspace, both ended before returning."""
        metadata = resources.get("metadata", {})
        confinement = self.confinement()
        uid = confinement.uid
        if uid is not None:
            kill_all(uid, self.stop_timeout)  # nothing may be left from an earlier holder of this uid
        space = Workspace.create(Path(metadata.get("path") or "."), uid if uid is not None else os.getuid(),
                                 uid if uid is not None else os.getgid(), self.work_dir or None)
        inner = {**resources, "metadata": {**metadata, "path": str(space.work)}}
        self._current = (confinement, space)
        self.log.info("Executing confined: %s, in %s", confinement.describe(), space.work)
        try:
            nb, inner = super().preprocess(nb, inner, km)
        finally:
            self._current = None
            try:
                if uid is not None:
                    killed = kill_all(uid, self.stop_timeout)
                    if killed:
                        self.log.warning("Ended %d process(es) the notebook left running", killed)
                    remove_owned(uid)
            finally:
                space.remove()
        resources.update({k: v for k, v in inner.items() if k != "metadata"})
        return nb, resources
