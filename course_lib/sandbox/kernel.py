"""A Jupyter kernel manager that starts its kernel inside a confinement."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from typing import Any

from jupyter_client.manager import AsyncKernelManager

from .folder import Workspace
from .launch import Confinement

__all__ = ["ENV_PREFIXES", "ConfinedKernelManager", "kernel_env"]

# Environment variables a kernel keeps besides ConfinedExecute.env_keep: locale,
# Jupyter's own, the course's settings and nbgrader's NBGRADER_EXECUTION.
ENV_PREFIXES = ("LC_", "JPY_", "COURSE_", "NBGRADER_", "PYDEVD_")


def kernel_env(env: dict[str, str], keep: Iterable[str], workspace: Workspace) -> dict[str, str]:
    """The grader's environment cut down to what a kernel needs (no tokens or secrets), homed in the workspace."""
    keep = set(keep)
    kept = {k: v for k, v in env.items() if k in keep or k.startswith(ENV_PREFIXES)}
    # With JPY_PARENT_PID, ipykernel exits at once when its parent is pid 1, as the namespace's
    # first process is for a sandbox user; the confinement's parent-death signal does that job.
    kept.pop("JPY_PARENT_PID", None)
    return {**kept, **workspace.env()}


class ConfinedKernelManager(AsyncKernelManager):
    """Starts the kernel wrapped by a :class:`Confinement`, working in a :class:`Workspace`.

    Set up with :meth:`confine` before the kernel starts; without it, this is
    jupyter_client's own AsyncKernelManager.
    """

    _confinement: Confinement | None = None
    _workspace: Workspace | None = None
    _env_keep: tuple[str, ...] = ()

    def confine(self, confinement: Confinement, workspace: Workspace, env_keep: Iterable[str]) -> None:
        self._confinement, self._workspace, self._env_keep = confinement, workspace, tuple(env_keep)
        # The connection file (the kernel must read it) and, on Linux, Unix sockets instead of TCP
        # ports (which any local process could connect to) live in the private workspace.
        self.connection_file = str(workspace.connection_file)
        if sys.platform.startswith("linux"):
            self.transport = "ipc"
            self.ip = str(workspace.root / "kernel")

    def write_connection_file(self, **kwargs: Any) -> None:
        super().write_connection_file(**kwargs)
        if self._workspace is not None:  # written by the grader, read by the sandbox user
            os.chown(self.connection_file, self._workspace.uid, self._workspace.gid)

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
        if self._confinement is not None and self._workspace is not None:
            kw["env"] = kernel_env(kw.get("env") or dict(os.environ), self._env_keep, self._workspace)
            kw["cwd"] = str(self._workspace.work)
            # jupyter_client would set JPY_PARENT_PID; see kernel_env for why the kernel must not have it.
            kw["independent"] = True
            # Without a parent, ipykernel prints how to connect to it on stdout: keep that out of the
            # instructor's terminal (a grading worker's stderr is its log file).
            kw.setdefault("stdout", sys.stderr.fileno())
            kernel_cmd = self._confinement.wrap(kernel_cmd)
        await super()._async_launch_kernel(kernel_cmd, **kw)
