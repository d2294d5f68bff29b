"""Helpers for the shared-class-folder tests: an attacker loop, temporary OS users, code run as a user."""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]

# Swaps <name> between nothing, a symbolic link to <victim> and (when the publisher made one) a real
# folder it removes, as fast as it can, until <stop> exists.
SWAPPER = textwrap.dedent("""
    import os, shutil, sys
    name, victim, stop = sys.argv[1:4]
    open(stop + ".started", "w").close()
    while not os.path.exists(stop):
        try:
            os.symlink(victim, name)
        except FileExistsError:
            if not os.path.islink(name):
                shutil.rmtree(name, ignore_errors=True)
        try:
            os.unlink(name)
        except OSError:
            pass
""")


@contextmanager
def swapping(name: Path, victim: Path) -> Iterator[None]:
    """Run :data:`SWAPPER` on ``name`` in another process for the duration of the block."""
    stop = name.parent.parent / f".stop-{uuid.uuid4().hex}"
    process = subprocess.Popen([sys.executable, "-c", SWAPPER, str(name), str(victim), str(stop)])
    try:
        started = Path(f"{stop}.started")
        while not started.exists():
            if process.poll() is not None:
                pytest.fail(f"the swapper exited with {process.returncode}")
            time.sleep(0.01)
        yield
    finally:
        stop.touch()
        process.wait(timeout=30)
        stop.unlink(missing_ok=True)
        Path(f"{stop}.started").unlink(missing_ok=True)


def open_base() -> Path:
    """A fresh folder every user can reach (pytest's tmp_path is private to root)."""
    base = Path(tempfile.mkdtemp(prefix="course-class-test-"))
    base.chmod(0o755)
    return base


def require_root() -> None:
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        if os.environ.get("CI") == "true":
            pytest.fail("the shared-class-folder tests need root in CI")
        pytest.skip("needs root to act as several OS users")


@dataclass(frozen=True)
class OsUser:
    name: str
    uid: int
    gid: int

    def run(self, code: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        """Run Python ``code`` as this user, with the course library importable; fail with its output."""
        environment = {"PATH": os.environ.get("PATH", ""), "HOME": "/nonexistent", "PYTHONPATH": str(REPO_ROOT),
                       "COURSE_PUBLISH": "1", **(env or {})}
        result = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], user=self.uid, group=self.gid,
                                extra_groups=[], env=environment, capture_output=True, text=True, timeout=120,
                                cwd="/")
        if result.returncode != 0:
            pytest.fail(f"code run as {self.name} failed:\n{result.stdout}\n{result.stderr}")
        return result


@contextmanager
def os_users(*names: str) -> Iterator[dict[str, OsUser]]:
    """Temporary OS users (no home, no login), always deleted afterwards; keys are the given names."""
    require_root()
    suffix = uuid.uuid4().hex[:6]
    made: dict[str, OsUser] = {}
    try:
        for short in names:
            login = f"cst{short}{suffix}"[:32]
            subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin",
                            "--comment", f"Trainee {short.title()}", login], check=True, capture_output=True)
            entry = pwd.getpwnam(login)
            made[short] = OsUser(login, entry.pw_uid, entry.pw_gid)
        yield made
    finally:
        for user in made.values():
            subprocess.run(["userdel", user.name], check=False, capture_output=True)


def remove_tree(base: Path) -> None:
    shutil.rmtree(base, ignore_errors=True)
