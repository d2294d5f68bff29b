"""How a confined kernel is started: which user, which namespaces, which command.

Two modes, chosen by ``ConfinedExecute.confine``:

``user``  (needs root) the kernel runs as a fresh numeric uid and gid with no
          supplementary groups and ``no_new_privs`` (``setpriv``), so file
          permissions keep it away from the gradebook, the course content and
          every other trainee's files.
``copy``  (any user) the kernel runs as the grader's own user; it only gets
          a throw-away copy of the submission as its working folder.

In both, when the system allows it, the kernel runs in new PID, network and
IPC namespaces (``unshare --fork --kill-child``): when the namespace's first
process ends, Linux ends every process the trainee's code started, even one
that left the process group; with no network the code cannot talk to other
kernels or the outside. The kernel talks to the grader over Unix sockets in
its private folder instead of TCP. A parent-death signal ends it all when
the grading process dies, even by SIGKILL (see :meth:`Confinement.wrap`).
"""

from __future__ import annotations

import functools
import os
import pwd
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field

__all__ = [
    "MAX_UID",
    "UIDS_PER_PROCESS",
    "Confinement",
    "SandboxError",
    "is_root",
    "namespace_flags",
    "probe",
    "sandbox_uid",
]

UIDS_PER_PROCESS = 256
_PID_SPAN = 1 << 22  # Linux's largest pid_max
MAX_UID = 2**32 - 2  # (uid_t)-1 means "no change"


class SandboxError(RuntimeError):
    """Confined execution is not possible as configured; the message says why and what to do."""


def sandbox_uid(uid_base: int, pid: int, serial: int) -> int:
    """A uid no other grading process uses now: one block per process id, one uid per notebook in it."""
    uid = uid_base + (pid % _PID_SPAN) * UIDS_PER_PROCESS + serial % UIDS_PER_PROCESS
    if uid > MAX_UID:
        raise SandboxError(f"ConfinedExecute.uid_base={uid_base} is too high: uid {uid} is out of range")
    try:
        name = pwd.getpwuid(uid).pw_name
    except KeyError:
        return uid
    raise SandboxError(f"uid {uid} belongs to user {name!r}: choose a ConfinedExecute.uid_base with no users")


@functools.lru_cache(maxsize=4)
def namespace_flags(as_root: bool, network: bool) -> tuple[str, ...]:
    """``unshare`` options for a PID (and network, IPC) namespace, or () when this machine refuses them."""
    unshare = shutil.which("unshare")
    if not unshare:
        return ()
    flags = ("--pid", *(("--net",) if network else ()), "--ipc", "--fork", "--kill-child")
    if not as_root:
        flags = ("--user", "--map-current-user", *flags)
    try:
        done = subprocess.run([unshare, *flags, "true"], capture_output=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return ()
    return (unshare, *flags) if done.returncode == 0 else ()


@dataclass(frozen=True)
class Confinement:
    """One kernel's confinement: its user (None: the grader's own) and namespaces."""

    uid: int | None
    namespaces: tuple[str, ...] = ()
    setpriv: str = field(default_factory=lambda: shutil.which("setpriv") or "")

    def __post_init__(self) -> None:
        if self.uid is not None and not self.setpriv:
            raise SandboxError("confine='user' needs the setpriv command (util-linux): install it")

    def wrap(self, cmd: Sequence[str]) -> list[str]:
        """The kernel command, started inside the confinement.

        The parent-death signal (the kernel dies with the grading process,
        even on SIGKILL) is reset whenever a process changes its uid, so it
        is set where no uid change follows: on ``unshare``, whose
        ``--kill-child`` puts one on the namespace's first process, which
        here is a root ``sh`` that only waits for the kernel; when that
        first process dies, Linux ends every process in the namespace.
        Without namespaces, setpriv sets it after the uid change itself.
        """
        kernel = list(cmd)
        if self.uid is None:
            inner = [*self.namespaces, "--", *kernel] if self.namespaces else kernel
            return [self.setpriv, "--pdeathsig", "KILL", "--", *inner] if self.setpriv else inner
        drop = [f"--reuid={self.uid}", f"--regid={self.uid}", "--clear-groups", "--no-new-privs"]
        if not self.namespaces:
            return [self.setpriv, "--pdeathsig", "KILL", *drop, "--", *kernel]
        return [self.setpriv, "--pdeathsig", "KILL", "--", *self.namespaces, "--",
                "sh", "-c", '"$@"; exit $?', "course-sandbox-init", self.setpriv, *drop, "--", *kernel]

    def where(self) -> str:
        if not self.namespaces:
            return "without namespaces (this system refuses them)"
        return f"in new PID{', network' if '--net' in self.namespaces else ''} and IPC namespaces"

    def describe(self) -> str:
        who = f"as sandbox uid {self.uid}" if self.uid is not None else "as the grader's own user"
        return f"{who}, {self.where()}"


def probe(confinement: Confinement, env: dict[str, str] | None = None) -> str:
    """Start Python as the confined kernel would and import what a kernel needs; returns its version.

    Raises SandboxError with Python's own message when it cannot, e.g. when
    the environment lives in a folder the sandbox user may not read.
    """
    code = "import sys, ipykernel, course_lib; print('%d.%d.%d' % sys.version_info[:3])"
    cmd = confinement.wrap([sys.executable, "-c", code])
    done = subprocess.run(cmd, capture_output=True, text=True, cwd="/", env=env, timeout=120)
    if done.returncode != 0:
        raise SandboxError(
            f"a confined kernel cannot start ({confinement.describe()}): {done.stderr.strip()[-500:]}\n"
            "The sandbox user must be able to read the Python environment and course_lib "
            f"({sys.prefix}): make them readable by other users (chmod -R o+rX), or set "
            "ConfinedExecute.confine='copy' to run trainees' code as yourself."
        )
    return done.stdout.strip()


def is_root() -> bool:
    return os.geteuid() == 0
