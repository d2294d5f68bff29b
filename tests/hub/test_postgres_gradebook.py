"""The gradebook on a real PostgreSQL (``c.CourseDirectory.db_url``): two instructors grading at once.

The test starts its own PostgreSQL cluster (Debian's ``postgresql``: initdb and
pg_ctl as the ``postgres`` user) in a temporary folder, on 127.0.0.1 and a free
port, with a password-protected role whose password is in a ``.pgpass`` file
(never in ``nbgrader_config.py``), and removes it afterwards. Skipped locally
without PostgreSQL, never in CI.

Two ``nbgrader autograde`` runs on different assignments write to the one
PostgreSQL gradebook at the same time, and every score equals what the same
submissions get with the default SQLite gradebook graded one run after the other.
"""

from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from nbgrader.api import Gradebook
from sqlalchemy import create_engine, text

from course_lib.grader.gradebook_indexes import GRADEBOOK_INDEXES, ensure_gradebook_indexes
from tests.nbgrader.course import BARE_PATH, nbgrader, submit_synthetic
from tests.servers import free_port

from ..grader.confined import course_cli, open_course

COURSE_ID = "customer-service"
ASSIGNMENTS = ("module1", "module2")
# Each trainee's answer quality per assignment: different scores, so a mix-up would show.
QUALITY = {"ann": {"module1": "good", "module2": "poor"}, "ben": {"module1": "hostile", "module2": "good"}}
ROLE = "grader"


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).resolve().parent if initdb else None


def _unavailable() -> str | None:
    if _pg_bin() is None:
        return "PostgreSQL is not installed (Debian: apt-get install postgresql)"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "the postgres OS user is missing (initdb refuses to run as root)"
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg (psycopg[binary], SQLAlchemy's default PostgreSQL driver) is not installed"
    return None


def _as_postgres(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    """Run a PostgreSQL tool as the postgres user when we are root (initdb and postgres refuse root)."""
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False, **kwargs)


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[tuple[str, dict[str, str]]]:
    """A fresh PostgreSQL on 127.0.0.1: (db_url without a password, environment with PGPASSFILE)."""
    reason = _unavailable()
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"the PostgreSQL gradebook test must run in CI: {reason}")
        pytest.skip(reason)
    bin_dir = _pg_bin()
    top = Path(tempfile.mkdtemp(prefix="course-pg-test-"))
    data, port, password = top / "data", free_port(), secrets.token_urlsafe(18)
    (top / "pwfile").write_text(password + "\n", encoding="utf-8")
    if os.geteuid() == 0:
        owner = pwd.getpwnam("postgres")
        for path in (top, top / "pwfile"):
            os.chown(path, owner.pw_uid, owner.pw_gid)
    started = False
    try:
        done = _as_postgres([str(bin_dir / "initdb"), "-D", str(data), "-U", ROLE, f"--pwfile={top / 'pwfile'}",
                             "--auth=scram-sha-256", "--encoding=UTF8", "--no-instructions"])
        assert done.returncode == 0, done.stdout + done.stderr
        options = f"-c listen_addresses=127.0.0.1 -p {port} -k {top}"
        done = _as_postgres([str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(top / "postgres.log"),
                             "-o", options, "-w", "start"])
        assert done.returncode == 0, done.stdout + done.stderr + (top / "postgres.log").read_text()
        started = True
        # The instructors' password file: only its owner may read it (libpq ignores a looser one).
        pgpass = top / "pgpass"
        pgpass.write_text(f"127.0.0.1:{port}:*:{ROLE}:{password}\n", encoding="utf-8")
        pgpass.chmod(0o600)
        env = {"PGPASSFILE": str(pgpass)}
        created = subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(port), "-U", ROLE, "-d", "postgres",
                                  "-c", "CREATE DATABASE gradebook"], capture_output=True, text=True,
                                 env={**os.environ, **env}, timeout=60, check=False)
        assert created.returncode == 0, created.stderr
        yield f"postgresql://{ROLE}@127.0.0.1:{port}/gradebook", env
    finally:
        if started:
            _as_postgres([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"])
        shutil.rmtree(top, ignore_errors=True)


def _prepare(course: Path, db_url: str | None, env: dict[str, str]) -> None:
    """The course as an instructor sets it up: db_url (PostgreSQL only), roster, assignments, submissions."""
    if db_url:
        config = course / "nbgrader_config.py"
        config.write_text(config.read_text(encoding="utf-8") + f"\nc.CourseDirectory.db_url = {db_url!r}\n",
                          encoding="utf-8")
    roster = course / "roster.csv"
    roster.write_text("id,first_name\n" + "".join(f"{s},{s.title()}\n" for s in QUALITY), encoding="utf-8")
    done = course_cli(course, "roster", str(roster), env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    for assignment in ASSIGNMENTS:
        _nbgrader(course, env, "generate_assignment", assignment, "--force")
        for student, qualities in QUALITY.items():
            submit_synthetic(course, student, assignment, qualities[assignment])


def _nbgrader(course: Path, env: dict[str, str], *args: str) -> None:
    if not env:
        nbgrader(course, *args)
        return
    done = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, capture_output=True, text=True,
                          env={**os.environ, "PATH": BARE_PATH, **env}, timeout=600, check=False)
    assert done.returncode == 0, f"nbgrader {' '.join(args)}:\n{done.stdout}\n{done.stderr}"


@contextmanager
def _environment(env: dict[str, str]):
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _scores(db_url: str, env: dict[str, str]) -> dict[tuple[str, str, str], float]:
    """Every grade cell's score: (trainee, assignment, cell) -> score."""
    with _environment(env), Gradebook(db_url, COURSE_ID) as gb:
        return {
            (grade.student.id, assignment, grade.name): grade.score
            for assignment in ASSIGNMENTS
            for submission in gb.find_assignment(assignment).submissions
            for notebook in submission.notebooks
            for grade in notebook.grades
        }


def _course_indexes(db_url: str, env: dict[str, str]) -> set[str]:
    """``course grade``'s indexes, created (twice: the second time must change nothing), as PostgreSQL lists them."""
    with _environment(env):
        ensure_gradebook_indexes(db_url)
        ensure_gradebook_indexes(db_url)
        engine = create_engine(db_url)
        try:
            with engine.connect() as connection:
                rows = connection.execute(text("SELECT indexname FROM pg_indexes WHERE indexname LIKE 'course_ix_%'"))
                return {row[0] for row in rows}
        finally:
            engine.dispose()


@pytest.mark.nbgrader
def test_two_instructors_grading_at_once_on_postgresql_match_sqlite(postgres_url) -> None:
    db_url, env = postgres_url
    for sqlite_course in open_course():
        _prepare(sqlite_course, None, {})
        for assignment in ASSIGNMENTS:  # SQLite: one writer at a time, so one run after the other
            _nbgrader(sqlite_course, {}, "autograde", assignment)
        expected = _scores(f"sqlite:///{sqlite_course / 'gradebook.db'}", {})

    for course in open_course():
        _prepare(course, db_url, env)
        assert not (course / "gradebook.db").exists(), "the course must use PostgreSQL, not a SQLite file"
        # Two instructors, two assignments, the same gradebook, at the same time.
        runs = [
            subprocess.Popen([sys.executable, "-m", "nbgrader", "autograde", assignment], cwd=course,
                             env={**os.environ, "PATH": BARE_PATH, **env}, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True)
            for assignment in ASSIGNMENTS
        ]
        outputs = [run.communicate(timeout=600)[0] for run in runs]
        for run, output in zip(runs, outputs, strict=True):
            assert run.returncode == 0, output
        assert not (course / "gradebook.db").exists()
        got = _scores(db_url, env)
        assert _course_indexes(db_url, env) == {name for name, _table, _column in GRADEBOOK_INDEXES}
        assert _scores(db_url, env) == got  # the indexes change no row

    assert {(s, a) for s, a, _cell in expected} == {(s, a) for s in QUALITY for a in ASSIGNMENTS}
    assert got == expected
    # The answers really differ: a mix-up of trainees or assignments would have changed the scores.
    totals = {(s, a): sum(v for (s2, a2, _), v in got.items() if (s2, a2) == (s, a)) for s in QUALITY
              for a in ASSIGNMENTS}
    assert totals[("ann", "module1")] > totals[("ben", "module1")]
    assert totals[("ben", "module2")] > totals[("ann", "module2")]
