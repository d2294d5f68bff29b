"""Set up a course server's folders, grader account and per-role Jupyter config (run as root).

    sudo /opt/customer-service-course/bin/python -m deploy.server_setup --repo .   # install.sh runs this

Idempotent; it never replaces an instructor's course folder or a roster that exists.

* the nbgrader exchange, world-writable (``chmod 777``) as nbgrader's docs prescribe for a shared
  server: nbgrader itself gives each course's ``inbound`` folder the write-only, sticky mode that
  keeps trainees out of each other's submissions;
* the grader account (``course_server.GRADER_USER``) and its course folder ``~/customer-service``
  (nbgrader_config.py, solutions/, exercises/ copied from the repository): nbgrader's multi-user
  set-up, where the formgrader service runs as that account and instructors work through it;
* ``$PREFIX/etc/course-roles/<role>/``: Jupyter config folders that the hub puts on
  ``JUPYTER_CONFIG_PATH`` per group. ``trainees`` gets the trainees' nbgrader config (exchange,
  course id, student id = hub user) and nbgrader's instructor extensions disabled (formgrader,
  create-assignment, course list); ``staff`` gets the same nbgrader config and every extension.
* the live board's class folder (0700, owned by the grader account, which runs the board services);
* with ``COURSE_EXCHANGE_SERVICE=1``: the exchange service's store (0700, the grader account's), and the
  course folder's settings select the service's nbgrader plug-in (course_lib/hub_exchange);
* the hub's state folder (0700) with an empty ``roster.yaml`` to fill in.
"""

from __future__ import annotations

import argparse
import json
import os
import pwd
import shutil
import subprocess
import sys
from pathlib import Path

from course_lib.cohort.trainee_config import write_trainee_config
from course_lib.hub_exchange.hub import exchange_url
from course_lib.store import DEFAULT_ANSWERS_DIR
from deploy import course_server as names
from deploy.course_server import COURSE_ID
from deploy.server_layout import Layout, layout

__all__ = [
    "TRAINEE_DISABLED_LAB_EXTENSIONS",
    "TRAINEE_DISABLED_SERVER_EXTENSIONS",
    "ensure_grader",
    "install_lessons",
    "main",
    "setup_server",
    "write_role_configs",
]

# nbgrader's instructor tools; trainees keep the Assignments tab (assignment-list) and Validate.
TRAINEE_DISABLED_LAB_EXTENSIONS = (
    "@jupyter/nbgrader:formgrader",
    "@jupyter/nbgrader:create-assignment",
    "@jupyter/nbgrader:course-list",
)
TRAINEE_DISABLED_SERVER_EXTENSIONS = (
    "nbgrader.server_extensions.formgrader",
    "nbgrader.server_extensions.course_list",
)
COURSE_FILES = ("nbgrader_config.py", "solutions", "exercises")


def _write_json(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    path.chmod(0o644)


def write_role_configs(where: Layout) -> None:
    """The ``trainees`` and ``staff`` Jupyter config folders (readable by all)."""
    for role in ("trainees", "staff"):
        folder = where.role_config(role)
        folder.mkdir(parents=True, exist_ok=True)
        folder.chmod(0o755)
        write_trainee_config(folder / "nbgrader_config.py", str(where.exchange), COURSE_ID, force=True)
    trainees = where.role_config("trainees")
    # JupyterLab reads labconfig/page_config.json from every folder of the config path.
    _write_json(trainees / "labconfig" / "page_config.json",
                {"disabledExtensions": {name: True for name in TRAINEE_DISABLED_LAB_EXTENSIONS}})
    (trainees / "labconfig").chmod(0o755)
    # A folder on JUPYTER_CONFIG_PATH outranks the environment's etc/jupyter, where nbgrader enables them.
    _write_json(trainees / "jupyter_server_config.json",
                {"ServerApp": {"jpserver_extensions": {name: False for name in TRAINEE_DISABLED_SERVER_EXTENSIONS}}})


def install_lessons(where: Layout, repo: Path) -> None:
    """The lessons (notebooks/) as installed: the hub copies them into each user's ~/notebooks once."""
    shutil.copytree(repo / "notebooks", where.lessons, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints", DEFAULT_ANSWERS_DIR))
    for folder, _dirs, files in os.walk(where.lessons):
        os.chmod(folder, 0o755)
        for name in files:
            os.chmod(os.path.join(folder, name), 0o644)


SERVER_SETTINGS = "course_server_config.py"  # read by the course's nbgrader_config.py when present


def write_course_server_settings(where: Layout) -> Path:
    """The course folder's own note of this server's exchange: `course release` works from any shell."""
    path = where.course_dir / SERVER_SETTINGS
    text = ("# This course server's settings, written by deploy/server_setup.py.\n"
            "c = get_config()  # noqa: F821\n"
            f"c.Exchange.root = {str(where.exchange)!r}\n")
    if where.exchange_service:
        text += ("# The exchange service (COURSE_EXCHANGE_SERVICE=1): every request carries JUPYTERHUB_API_TOKEN,\n"
                 "# which Formgrader's terminal has; in another shell set it to a token from the hub's Token page.\n"
                 "from course_lib.hub_exchange.hub import use_exchange_service  # noqa: E402\n\n"
                 f"use_exchange_service(c, {exchange_url(names, port=where.exchange_port)!r})\n")
    path.write_text(text, encoding="utf-8")
    path.chmod(0o644)
    return path


def ensure_grader(where: Layout, repo: Path) -> Path:
    """Create the grader account and its course folder if missing; return the course folder."""
    try:
        pwd.getpwnam(where.grader_user)
    except KeyError:
        subprocess.run(["useradd", "--create-home", "--user-group", "--shell", "/bin/bash",
                        "--key", "HOME_MODE=0700", where.grader_user], check=True)
    course = where.course_dir
    if not course.exists():
        course.mkdir(mode=0o700)
        for name in COURSE_FILES:
            source = repo / name
            if source.is_dir():
                shutil.copytree(source, course / name, ignore=shutil.ignore_patterns(
                    "__pycache__", ".ipynb_checkpoints", DEFAULT_ANSWERS_DIR))
            else:
                shutil.copy2(source, course / name)
        account = pwd.getpwnam(where.grader_user)
        for folder, _dirs, files in os.walk(course):
            os.chown(folder, account.pw_uid, account.pw_gid)
            for name in files:
                os.chown(os.path.join(folder, name), account.pw_uid, account.pw_gid)
    # Always (re)written: an upgraded server's course folder learns the exchange too.
    settings = write_course_server_settings(where)
    account = pwd.getpwnam(where.grader_user)
    os.chown(settings, account.pw_uid, account.pw_gid)
    return course


def setup_server(where: Layout, repo: Path) -> None:
    """Everything above, in order."""
    where.exchange.mkdir(parents=True, exist_ok=True)
    where.exchange.chmod(0o777)
    where.state.mkdir(parents=True, exist_ok=True)
    where.state.chmod(0o700)  # the hub's database and cookie secret
    if not where.roster.exists():
        where.roster.write_text("# hub user names per group (see deploy/roster.py)\n"
                                "trainees: []\ninstructors: []\nfacilitators: []\n", encoding="utf-8")
    write_role_configs(where)
    install_lessons(where, repo)
    ensure_grader(where, repo)
    # The live board's class folder: only the services' account (the grader) reads it.
    account = pwd.getpwnam(where.grader_user)
    where.class_dir.mkdir(parents=True, exist_ok=True)
    os.chown(where.class_dir, account.pw_uid, account.pw_gid)
    where.class_dir.chmod(0o700)
    if where.exchange_service:
        # The exchange service's store: only its account (the grader, which runs the hub's services) reads it.
        where.exchange_store.mkdir(parents=True, exist_ok=True)
        os.chown(where.exchange_store, account.pw_uid, account.pw_gid)
        where.exchange_store.chmod(0o700)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repo", type=Path, default=Path(__file__).resolve().parent.parent,
                        help="the clone to copy the course folder from (default: this file's repository)")
    parser.add_argument("--prefix", type=Path, help="the system-wide environment (default COURSE_PREFIX)")
    args = parser.parse_args(argv)
    if os.geteuid() != 0:
        print("server_setup: run as root (it creates the grader account and shared folders)", file=sys.stderr)
        return 1
    environ = dict(os.environ)
    if args.prefix:
        environ["COURSE_PREFIX"] = str(args.prefix)
    where = layout(environ)
    setup_server(where, args.repo.resolve())
    print(f"Course server ready: exchange {where.exchange}, course folder {where.course_dir} "
          f"(owner {where.grader_user}), roles in {where.roles_dir}, roster {where.roster}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
