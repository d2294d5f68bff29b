"""``course-board``: serve the live board with Voilà, on 127.0.0.1 with a random token.

    course-board                           # prints http://127.0.0.1:PORT/?token=..., then serves
    course-board --class-dir /srv/class    # read a shared class folder
    python -m course_lib.live.serve        # the same without the console script

Voilà runs ``course_lib/live/board.ipynb``. nbgrader's JupyterLab extensions are
denied in Voilà (they break its page). Another address than 127.0.0.1 must be
asked for with ``--ip``; the token is always on.
"""

from __future__ import annotations

import argparse
import os
import secrets
import socket
import sys
from collections.abc import Sequence
from pathlib import Path

__all__ = ["BOARD_NOTEBOOK", "main", "voila_command"]

BOARD_NOTEBOOK = Path(__file__).resolve().parent / "board.ipynb"
DENYLIST = "@jupyter/nbgrader"


def free_port(ip: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((ip, 0))
        return sock.getsockname()[1]


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


def main(argv: Sequence[str] | None = None) -> None:
    """Parse the options, print the board's address, then become the Voilà server."""
    parser = argparse.ArgumentParser(prog="course-board", description="Serve the facilitators' live board.")
    parser.add_argument("--class-dir", help="class folder to read (default: $COURSE_CLASS_DIR or the local default)")
    parser.add_argument("--ip", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port (default: a free one)")
    parser.add_argument("--token", default="", help="access token (default: a new random one)")
    parser.add_argument("--refresh", type=float, help="seconds between refreshes (default 3)")
    args = parser.parse_args(argv)

    env = os.environ.copy()
    if args.class_dir:
        env["COURSE_CLASS_DIR"] = str(Path(args.class_dir).expanduser().resolve())
    if args.refresh is not None:
        env["COURSE_BOARD_REFRESH"] = str(args.refresh)
    from .config import load_config

    class_dir = load_config(env).class_dir
    class_dir.mkdir(parents=True, exist_ok=True)
    port = args.port or free_port(args.ip)
    token = args.token or secrets.token_urlsafe(24)
    host = "127.0.0.1" if args.ip in ("0.0.0.0", "::") else args.ip
    print(f"Live board for {class_dir}", flush=True)
    print(f"Open http://{host}:{port}/?token={token}  (Ctrl+C to stop)", flush=True)
    command = voila_command(port=port, token=token, ip=args.ip)
    os.execve(command[0], command, env)  # replace this process: stopping it stops Voilà


if __name__ == "__main__":
    main()
