"""The bulk path and ``course grade --shard K/N`` on a real PostgreSQL gradebook (issue 21).

One synthetic cohort (module1 and module2, answers of every quality) is copied into four courses, each
with its own database on one test PostgreSQL (``test_postgres_gradebook.postgres_url``):

- graded in one run with nbgrader's own saving steps (``--nbgrader-steps``) and in one run in bulk: the
  same rows (the differential test of tests/grader/test_bulk_path.py, here on PostgreSQL);
- graded by three shards running at once: the same gradebook as one run;
- graded by a shard killed with SIGKILL half-way, then run again with the other shards: every
  submission graded once, the same gradebook as one run.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from course_lib.grader.markers import MARKER
from tests.nbgrader.course import BARE_PATH, make_course, nbgrader, submit_synthetic

from ..grader.confined import course_cli, open_course
from .test_postgres_gradebook import _environment, postgres_url  # noqa: F401 - the PostgreSQL fixture

pytestmark = pytest.mark.nbgrader

ASSIGNMENTS = ("module1", "module2")
TRAINEES = [f"t{n:03d}" for n in range(150)]
QUALITIES = ("good", "poor", "empty", "hostile")


def _database(url: str, env: dict[str, str], name: str) -> str:
    """A new database on the test server; its URL."""
    server = url.rsplit("/", 1)[0]
    with _environment(env):
        engine = create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
        finally:
            engine.dispose()
    return f"{server}/{name}"


def _course(top: Path, base: Path, name: str, db_url: str, env: dict[str, str]) -> Path:
    course = top / name
    shutil.copytree(base, course, symlinks=True)
    config = course / "nbgrader_config.py"
    config.write_text(config.read_text(encoding="utf-8") + f"\nc.CourseDirectory.db_url = {db_url!r}\n",
                      encoding="utf-8")
    for assignment in ASSIGNMENTS:
        done = subprocess.run([sys.executable, "-m", "nbgrader", "generate_assignment", assignment, "--force"],
                              cwd=course, env={**os.environ, "PATH": BARE_PATH, **env}, capture_output=True,
                              text=True, timeout=600, check=False)
        assert done.returncode == 0, done.stdout + done.stderr
    return course


def _rows(db_url: str, env: dict[str, str]) -> dict[str, list[tuple]]:
    """The submission tables, every column but the ids, keyed by names (as tests/grader/test_bulk_path.py)."""
    with _environment(env):
        engine = create_engine(db_url)
        try:
            return _read(engine)
        finally:
            engine.dispose()


_NAMES = ("JOIN submitted_notebook sn ON sn.id = x.notebook_id JOIN submitted_assignment s ON s.id = sn.assignment_id "
          "JOIN assignment a ON a.id = s.assignment_id JOIN notebook n ON n.id = sn.notebook_id "
          "JOIN base_cell c ON c.id = x.cell_id")
_TABLES = {
    "student": "SELECT id, first_name, last_name, email, lms_user_id FROM student",
    "submitted_assignment": "SELECT a.name, s.student_id, s.timestamp, s.extension FROM submitted_assignment s "
                            "JOIN assignment a ON a.id = s.assignment_id",
    "submitted_notebook": "SELECT a.name, s.student_id, n.name, sn.flagged, sn.late_submission_penalty "
                          "FROM submitted_notebook sn JOIN submitted_assignment s ON s.id = sn.assignment_id "
                          "JOIN assignment a ON a.id = s.assignment_id JOIN notebook n ON n.id = sn.notebook_id",
    "grade": "SELECT a.name, s.student_id, n.name, c.name, x.auto_score, x.manual_score, x.extra_credit, "
             f"x.needs_manual_grade FROM grade x {_NAMES}",
    "comment": f"SELECT a.name, s.student_id, n.name, c.name, x.auto_comment, x.manual_comment FROM comment x {_NAMES}",
}


def _read(engine) -> dict[str, list[tuple]]:
    with engine.connect() as db:
        return {table: sorted((tuple(row) for row in db.execute(text(sql))), key=repr)
                for table, sql in _TABLES.items()}


def _grade(course: Path, env: dict[str, str], *args: str) -> str:
    done = course_cli(course, "grade", *ASSIGNMENTS, *args, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _graded(course: Path) -> set[tuple[str, str]]:
    return {(p.parent.parent.name, p.parent.name) for p in (course / "autograded").glob(f"*/*/{MARKER}")}


@pytest.fixture(scope="module")
def courses(postgres_url):  # noqa: F811 - the fixture imported above
    url, env = postgres_url
    for top in open_course():
        (top / "base").mkdir()
        base = make_course(top / "base")
        for assignment in ASSIGNMENTS:  # the release the synthetic submissions are made from
            nbgrader(base, "generate_assignment", assignment, "--force")
        (base / "gradebook.db").unlink()  # each course below has its own PostgreSQL database
        for n, trainee in enumerate(TRAINEES):
            for assignment in ASSIGNMENTS:
                submit_synthetic(base, trainee, assignment, QUALITIES[(n + len(assignment)) % len(QUALITIES)])
        made = {}
        for name in ("steps", "one", "shards", "killed"):
            db_url = _database(url, env, f"gradebook_{name}")
            made[name] = (_course(top, base, name, db_url, env), db_url)
        out = _grade(made["one"][0], env)  # the reference: one run, in bulk
        yield made, env, out


def test_bulk_on_postgresql_leaves_the_rows_nbgrader_steps_leave(courses) -> None:
    made, env, out = courses
    _grade(made["steps"][0], env, "--nbgrader-steps")
    assert "written in bulk" in out
    steps, bulk = _rows(made["steps"][1], env), _rows(made["one"][1], env)
    assert len(bulk["submitted_assignment"]) == len(TRAINEES) * len(ASSIGNMENTS)
    assert {score for *_key, score, _m, _x, _n in bulk["grade"]} - {None, 0.0}, "every score is 0: not graded"
    for table in steps:
        assert bulk[table] == steps[table], table


def test_three_shards_at_once_give_the_gradebook_one_run_gives(courses) -> None:
    made, env, _out = courses
    course, db_url = made["shards"]
    runs = [course_cli(course, "grade", *ASSIGNMENTS, "--shard", f"{k}/3", wait=False, env=env) for k in (1, 2, 3)]
    outputs = [run.communicate(timeout=900) for run in runs]
    parts = []
    for k, (run, (out, err)) in enumerate(zip(runs, outputs, strict=True), start=1):
        assert run.returncode == 0, out + err
        found = re.search(rf"Shard {k} of 3: (\d+) of the cohort's (\d+) submission", out)
        assert found, out
        parts.append((int(found.group(1)), int(found.group(2))))
    # Each submission in exactly one shard: the parts add up to the cohort, none of them empty.
    assert sum(part for part, _total in parts) == parts[0][1] == len(TRAINEES) * len(ASSIGNMENTS)
    assert all(part > 0 for part, _total in parts)
    assert _graded(course) == {(t, a) for t in TRAINEES for a in ASSIGNMENTS}
    assert _rows(db_url, env) == _rows(made["one"][1], env)


def test_a_shard_killed_half_way_and_run_again_grades_each_submission_once(courses) -> None:
    made, env, _out = courses
    course, db_url = made["killed"]
    mine = {(t, a) for t in TRAINEES for a in ASSIGNMENTS if zlib.crc32(t.encode()) % 3 == 0}
    run = course_cli(course, "grade", *ASSIGNMENTS, "--shard", "1/3", wait=False, env=env, start_new_session=True)
    deadline = time.monotonic() + 300
    while not _graded(course) and run.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    os.killpg(run.pid, signal.SIGKILL)  # the shard and its workers, at once, mid-run
    run.communicate(timeout=60)
    done_at_kill = _graded(course)
    assert done_at_kill and done_at_kill < mine, (
        f"the kill must land mid-run to show anything: {len(done_at_kill)} of {len(mine)} graded")

    for k in (1, 2, 3):
        _grade(course, env, "--shard", f"{k}/3")
    assert _graded(course) == {(t, a) for t in TRAINEES for a in ASSIGNMENTS}
    rows = _rows(db_url, env)
    # Each submission once: one submission row per trainee and assignment, no duplicate of any kind.
    keys = [(a, s) for a, s, _stamp, _ext in rows["submitted_assignment"]]
    assert len(keys) == len(set(keys)) == len(TRAINEES) * len(ASSIGNMENTS)
    assert rows == _rows(made["one"][1], env)
