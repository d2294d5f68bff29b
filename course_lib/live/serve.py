"""``course-board``: serve the live board with Voilà, on 127.0.0.1 with a random token.

    course-board                           # prints http://127.0.0.1:PORT/?token=..., then serves
    course-board --class-dir /srv/class    # read a shared class folder
    course-board --init-class-dir --class-dir /srv/class   # set up a shared class folder, then exit
    python -m course_lib.live.serve        # the same without the console script

Voilà runs ``course_lib/live/board.ipynb``. nbgrader's JupyterLab extensions are
denied in Voilà (they break its page). Another address than 127.0.0.1 must be
asked for with ``--ip``; the token is always on.

``--init-class-dir`` makes the class folder and one folder per lesson activity
(the ``show("<id>")`` calls of the lesson notebooks), owned by the facilitator,
mode 1777: every trainee can add their own entry, none can block an activity by
creating its folder first or remove another's entry. The board does the same
on start when the class folder is already shared.
"""

from __future__ import annotations

import argparse
import os
import secrets
import socket
import sys
from collections.abc import Sequence
from pathlib import Path

__all__ = ["BOARD_NOTEBOOK", "default_lessons_dir", "main", "set_up_activities", "voila_command"]

BOARD_NOTEBOOK = Path(__file__).resolve().parent / "board.ipynb"
DENYLIST = "@jupyter/nbgrader"


def free_port(ip: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((ip, 0))
        return sock.getsockname()[1]


def default_lessons_dir() -> Path | None:
    """``./notebooks`` when run from the course folder, else the lessons beside the installed library."""
    for candidate in (Path.cwd() / "notebooks", Path(__file__).resolve().parents[2] / "notebooks"):
        if candidate.is_dir():
            return candidate
    return None


def set_up_activities(class_dir: Path, lessons_dir: Path | None, *, shared: bool) -> list[str]:
    """Create the class folder and its activity folders (see the module docstring); lines to print."""
    from .classdir import init_class_dir, lesson_activity_ids

    ids = lesson_activity_ids(lessons_dir) if lessons_dir is not None else []
    problems = init_class_dir(class_dir, ids, shared=shared)
    where = f"from {lessons_dir}" if lessons_dir is not None else "(no lessons folder found: use --lessons)"
    return [f"{len(ids)} activity folders {where} in {class_dir}", *problems]


def voila_command(*, port: int, token: str, ip: str = "127.0.0.1", notebook: Path = BOARD_NOTEBOOK) -> list[str]:
    """The Voilà command line that serves the board."""
    if not token:
        raise ValueError("the live board is always served with a token")
    return [
        sys.executable, "-m", "voila", str(notebook),
        "--no-browser",
        f"--Voila.ip={ip}",
        f"--port={port}",
        "--Voila.port_retries=0",
        f"--token={token}",
        f"--VoilaConfiguration.extension_denylist={DENYLIST}",
        "--VoilaConfiguration.show_tracebacks=False",
    ]  # fmt: skip


def build_parser() -> argparse.ArgumentParser:
    """The `course-board` command's options (also read by the documentation's reference page)."""
    parser = argparse.ArgumentParser(prog="course-board", description="Serve the facilitators' live board.")
    parser.add_argument("--class-dir", help="class folder to read (default: $COURSE_CLASS_DIR or the local default)")
    parser.add_argument("--ip", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port (default: a free one)")
    parser.add_argument("--token", default="", help="access token (default: a new random one)")
    parser.add_argument("--refresh", type=float, help="seconds between refreshes (default 3)")
    parser.add_argument("--init-class-dir", action="store_true",
                        help="create a shared class folder (mode 1777) and its activity folders, then exit")
    parser.add_argument("--lessons", type=Path, help="lesson notebooks to take the activities from "
                        "(default: ./notebooks or the course's own)")
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    """Parse the options, print the board's address, then become the Voilà server."""
    parser = build_parser()
    args = parser.parse_args(argv)

    env = os.environ.copy()
    if args.class_dir:
        env["COURSE_CLASS_DIR"] = str(Path(args.class_dir).expanduser().resolve())
    if args.refresh is not None:
        env["COURSE_BOARD_REFRESH"] = str(args.refresh)
    from .classdir import ClassDirError, is_shared
    from .config import load_config

    class_dir = load_config(env).class_dir
    lessons = args.lessons or default_lessons_dir()
    try:
        if args.init_class_dir:
            print("\n".join(set_up_activities(class_dir, lessons, shared=True)), flush=True)
            return
        class_dir.mkdir(parents=True, exist_ok=True)
        if is_shared(class_dir.stat()):  # a trainee must not be the first to create an activity's folder
            print("\n".join(set_up_activities(class_dir, lessons, shared=True)), flush=True)
    except (OSError, ClassDirError) as exc:
        parser.exit(1, f"course-board: cannot set up {class_dir}: {exc}\n")
    port = args.port or free_port(args.ip)
    token = args.token or secrets.token_urlsafe(24)
    host = "127.0.0.1" if args.ip in ("0.0.0.0", "::") else args.ip
    print(f"Live board for {class_dir}", flush=True)
    print(f"Open http://{host}:{port}/?token={token}  (Ctrl+C to stop)", flush=True)
    command = voila_command(port=port, token=token, ip=args.ip)
    os.execve(command[0], command, env)  # replace this process: stopping it stops Voilà


if __name__ == "__main__":
    main()
