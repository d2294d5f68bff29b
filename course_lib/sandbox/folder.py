"""The throw-away folder a confined kernel runs in.

The notebook's folder (nbgrader's autograded copy, which the grader keeps and
scores from) is copied into a fresh private folder owned by the sandbox user:
regular files and folders only, never following a link, so the kernel can
reach neither the pristine copy nor anything a link points at. Afterwards
the whole folder goes, together with anything the sandbox user left in the
shared temporary folders.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

__all__ = ["SHARED_TMP", "Workspace", "copy_regular", "remove_owned", "remove_stale"]

# World-writable folders a sandbox user can leave files in.
SHARED_TMP = ("/tmp", "/var/tmp", "/dev/shm")


def copy_regular(source: Path, target: Path) -> list[str]:
    """Copy the regular files and folders under ``source`` into ``target``; returns what was skipped."""
    skipped = []
    target.mkdir(mode=0o700, exist_ok=True)
    with os.scandir(source) as entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                skipped += copy_regular(Path(entry.path), target / entry.name)
            elif entry.is_file(follow_symlinks=False):
                fd = os.open(entry.path, os.O_RDONLY | os.O_NOFOLLOW)
                with os.fdopen(fd, "rb") as src, open(target / entry.name, "xb") as dst:
                    shutil.copyfileobj(src, dst)
            else:
                skipped.append(entry.path)
    return skipped


def _chown_tree(root: Path, uid: int, gid: int) -> None:
    os.chown(root, uid, gid, follow_symlinks=False)
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            os.chown(os.path.join(folder, name), uid, gid, follow_symlinks=False)


def remove_owned(uid: int, roots: tuple[str, ...] = SHARED_TMP) -> list[str]:
    """Delete what ``uid`` left at the top of the shared temporary folders (its processes are gone)."""
    removed = []
    for root in roots:
        try:
            entries = list(os.scandir(root))
        except OSError:
            continue
        for entry in entries:
            try:
                info = entry.stat(follow_symlinks=False)
                if info.st_uid != uid:
                    continue
                if stat.S_ISDIR(info.st_mode):
                    shutil.rmtree(entry.path)
                else:
                    os.unlink(entry.path)
                removed.append(entry.path)
            except OSError:
                continue
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale(parent: str | None = None) -> list[str]:
    """Delete workspaces whose grading process is gone (killed before it could clean up)."""
    removed = []
    for folder in Path(parent or tempfile.gettempdir()).glob("course-sandbox-*-p*-*"):
        pid = folder.name.split("-")[3][1:]
        if not pid.isdigit() or folder.is_symlink() or _alive(int(pid)):
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(str(folder))
    return removed


@dataclass
class Workspace:
    """``<tmp>/course-sandbox-<uid>-XXXX/``: ``work/`` (the copy, the kernel's cwd), ``home/``, the connection file."""

    root: Path
    uid: int
    gid: int

    @classmethod
    def create(cls, notebook_dir: Path, uid: int, gid: int, parent: str | None = None) -> Workspace:
        # The name says whose it is: remove_stale() can tell a workspace left by a killed grader.
        root = Path(tempfile.mkdtemp(prefix=f"course-sandbox-{uid}-p{os.getpid()}-", dir=parent or None))  # 0700
        space = cls(root, uid, gid)
        copy_regular(notebook_dir, space.work)
        for sub in ("home", "home/tmp"):
            (root / sub).mkdir(mode=0o700)
        _chown_tree(root, uid, gid)
        return space

    @property
    def work(self) -> Path:
        return self.root / "work"

    @property
    def home(self) -> Path:
        return self.root / "home"

    @property
    def connection_file(self) -> Path:
        return self.root / "kernel.json"

    def env(self) -> dict[str, str]:
        """Where the kernel keeps its own files: all inside the workspace."""
        home = str(self.home)
        return {
            "HOME": home, "TMPDIR": f"{home}/tmp", "IPYTHONDIR": f"{home}/.ipython",
            "MPLCONFIGDIR": f"{home}/.matplotlib", "JUPYTER_RUNTIME_DIR": f"{home}/.jupyter-runtime",
            "JUPYTER_CONFIG_DIR": f"{home}/.jupyter", "JUPYTER_DATA_DIR": f"{home}/.jupyter-data",
            "XDG_CACHE_HOME": f"{home}/.cache", "XDG_CONFIG_HOME": f"{home}/.config",
            "USER": "trainee", "LOGNAME": "trainee",
        }

    def remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)
