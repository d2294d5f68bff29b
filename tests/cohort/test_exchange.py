"""The whole deadline through the real exchange: release, fetch, submit, collect, grade, export, report.

Three trainees fetch and submit through a temporary exchange folder (all as
one OS user, so collect runs with ``ExchangeCollect.check_owner=False``), one
more hands in a corrupt notebook; then the instructor's ``course`` commands
run as an instructor would type them, with a PATH that lacks the
environment's bin/ (the alembic trap).
"""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

from course_lib.store import AnswerStore
from course_lib.synthetic import GOOD_BRAINSTORM

from ..nbgrader.course import BARE_PATH, cell_by_id, make_course, nbgrader

pytestmark = pytest.mark.nbgrader

COURSE_ID = "customer-service"
TRAINEES = {
    # id: (first name, last name, brainstorm answers, reflection)
    "alice": ("Alice", "Ng", list(GOOD_BRAINSTORM),
              "A parcel went missing; I rang the courier and called the customer back the same day."),
    "bob": ("Bob", "Smith", ["be nice", "Listen to the customer carefully"], None),
    "oneil": ("Pat", 'O\'Neil, "Jr"', ["<b>Listen</b> to every caller", "Follow up on every promise I make"], None),
}
BROKEN = "zed-broken"


def run_course(course: Path, *args: str) -> subprocess.CompletedProcess:
    """The ``course`` command as an instructor runs it, in the course folder, with a bare PATH."""
    return subprocess.run(
        [sys.executable, "-m", "course_lib.cli", *args], cwd=course, capture_output=True, text=True,
        env={**os.environ, "PATH": BARE_PATH}, timeout=300,
    )


def trainee_nbgrader(home: Path, exchange: Path, student: str, *args: str) -> subprocess.Popen:
    """A trainee's own nbgrader command (fetch or submit), run from their home folder."""
    return subprocess.Popen(
        [sys.executable, "-m", "nbgrader", *args, f"--course={COURSE_ID}", f"--Exchange.root={exchange}",
         f"--CourseDirectory.student_id={student}"],
        cwd=home, env={**os.environ, "PATH": BARE_PATH}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )


def wait_all(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        output, _ = process.communicate(timeout=300)
        assert process.returncode == 0, output


@pytest.fixture(scope="module")
def deadline(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("deadline")
    (tmp / "course").mkdir()
    course = make_course(tmp / "course")
    exchange = tmp / "exchange"
    exchange.mkdir()
    roster = tmp / "roster.csv"
    with open(roster, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "first_name", "last_name"])
        writer.writerows([sid, first, last] for sid, (first, last, _, _) in TRAINEES.items())
    nbgrader(course, "db", "student", "import", str(roster))

    released = run_course(course, "release", "module1", "--exchange", str(exchange))
    assert released.returncode == 0, released.stderr

    homes = {sid: tmp / f"home-{sid}" for sid in [*TRAINEES, BROKEN]}
    for home in homes.values():
        home.mkdir()
    wait_all([trainee_nbgrader(home, exchange, sid, "fetch_assignment", "module1") for sid, home in homes.items()])
    for sid, (_, _, answers, reflection) in TRAINEES.items():
        folder = homes[sid] / "module1"
        AnswerStore(folder / "answers").save("m1-brainstorm", answers)
        if reflection:
            nb = nbformat.read(folder / "module1.ipynb", as_version=4)
            cell_by_id(nb, "m1-reflection").source = reflection
            nbformat.write(nb, folder / "module1.ipynb")
    (homes[BROKEN] / "module1" / "module1.ipynb").write_text('{"cells": [ {"cell_type": "mark', encoding="utf-8")
    wait_all([trainee_nbgrader(home, exchange, sid, "submit", "module1") for sid, home in homes.items()])

    collected = run_course(course, "collect", "module1", "--exchange", str(exchange),
                           "--ExchangeCollect.check_owner=False")
    assert collected.returncode == 0, collected.stderr
    graded = run_course(course, "grade", "module1", "--timeout", "30")
    regraded = run_course(course, "grade", "module1", "--timeout", "30")
    exported = run_course(course, "export", "--all", "-o", "grades.csv")
    assert exported.returncode == 0, exported.stderr
    reported = run_course(course, "report", "-o", "report.html")
    assert reported.returncode == 0, reported.stderr
    return course, graded, regraded


def score(course: Path, student: str, cell: str = "m1-brainstorm") -> float:
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", COURSE_ID) as gb:
        return gb.find_grade(cell, "module1", "module1", student).score


def test_every_trainee_came_through_the_exchange(deadline):
    course, _, _ = deadline
    assert sorted(p.name for p in (course / "submitted").iterdir()) == sorted([*TRAINEES, BROKEN])
    for sid in TRAINEES:  # the widget's answers file travelled with the notebook
        assert (course / "submitted" / sid / "module1" / "answers" / "m1-brainstorm.json").is_file()


def test_scores_follow_the_answers(deadline):
    course, _, _ = deadline
    assert score(course, "alice") == 5.0
    assert 0 < score(course, "bob") < score(course, "oneil") < 5.0


def test_the_broken_submission_is_named_and_stops_nobody(deadline):
    course, graded, _ = deadline
    assert graded.returncode == 1, graded.stdout + graded.stderr
    assert "Graded 3 submission(s)" in graded.stdout and "failed 1" in graded.stdout
    failed = graded.stdout.split("Not graded")[1]
    assert re.search(rf"{BROKEN} / module1: .*not appear to be JSON", failed)
    assert "grading [" in graded.stderr  # the progress bar
    for sid in TRAINEES:
        assert "Score recorded by the grader" in (course / "feedback" / sid / "module1" / "module1.html").read_text()
    assert not (course / "feedback" / BROKEN).exists()


def test_grading_again_is_safe(deadline):
    course, graded, regraded = deadline
    assert "Graded 0 submission(s), skipped 3 already graded" in regraded.stdout
    assert BROKEN in regraded.stdout.split("Not graded")[1]  # tried again, still named
    assert score(course, "alice") == 5.0


def test_the_csv_has_a_row_per_trainee_with_exact_names_and_scores(deadline):
    course, _, _ = deadline
    with open(course / "grades.csv", encoding="utf-8", newline="") as handle:
        table = list(csv.reader(handle))
    header, rows = table[0], {row[0]: row for row in table[1:]}
    assert header == ["student_id", "last_name", "first_name", "m1-brainstorm (5)", "m1-reflection (2)",
                      "module1 total (7)", "total (7)", "ungraded"]
    bob, oneil = score(course, "bob"), score(course, "oneil")
    assert rows["alice"] == ["alice", "Ng", "Alice", "5", "", "5", "5", "1"]  # the reflection waits for a human
    assert rows["bob"] == ["bob", "Smith", "Bob", f"{bob:g}", "0", f"{bob:g}", f"{bob:g}", "0"]
    assert rows["oneil"] == ["oneil", 'O\'Neil, "Jr"', "Pat", f"{oneil:g}", "0", f"{oneil:g}", f"{oneil:g}", "0"]
    assert rows[BROKEN] == [BROKEN, "", "", "", "", "", "", "2"]
    raw = (course / "grades.csv").read_text(encoding="utf-8")
    assert '"O\'Neil, ""Jr"""' in raw  # quoted by the csv module, quotes doubled


def test_the_report_has_its_charts_and_escapes_names(deadline):
    course, _, _ = deadline
    page = (course / "report.html").read_text(encoding="utf-8")
    # completion, module1 distribution, brainstorm themes (no module7 in this gradebook)
    assert page.count('<img src="data:image/png;base64,') == 3
    assert "O&#x27;Neil, &quot;Jr&quot;" in page and 'O\'Neil, "Jr"' not in page
    assert "<b>Listen</b>" not in page
    # 4 submitted, 2 fully graded (alice's reflection waits, the broken one failed), 0 missing
    assert "<td>module1</td><td>4</td><td>2</td><td>0</td>" in page
    assert page.startswith("<!DOCTYPE html>")
