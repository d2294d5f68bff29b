"""The whole deadline through the real exchange, as instructor and trainees would run it.

The instructor imports the roster, writes the trainees' nbgrader config and
releases; each trainee fetches and submits from their own home folder with
only that config on Jupyter's config path (all as one OS user here, told apart
by ``JUPYTERHUB_USER`` as on a hub, so collect runs with
``ExchangeCollect.check_owner=False``). One trainee hands in a corrupt
notebook, one plants links in her submission in the exchange, one's whole
submission is a link to another's. Then the instructor collects, grades, grades
a reflection by hand, regenerates and releases feedback, which a trainee
fetches; export and report follow. The ``course`` commands run with a PATH that
lacks the environment's bin/ (the alembic trap).
"""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest
from nbgrader.api import Gradebook

from course_lib.store import AnswerStore
from tests.synthetic import GOOD_BRAINSTORM

from ..nbgrader.course import BARE_PATH, cell_by_id, make_course

pytestmark = pytest.mark.nbgrader

COURSE_ID = "customer-service"
TRAINEES = {
    # id: (first name, last name, brainstorm answers, reflection)
    "alice": ("Alice", "Ng", list(GOOD_BRAINSTORM),
              "A parcel went missing; I rang the courier and called the customer back the same day."),
    "bob": ("Zoë", "Smith-李", ["be nice", "Listen to the customer carefully"], None),
    "oneil": ("Pat", 'O\'Neil, "Jr"', ["<b>Listen</b> to every caller", "Follow up on every promise I make"], None),
}
BROKEN = "zed-broken"
MALLORY = "mallory"  # replaces her answers file in the exchange with a link to alice's, and more
EVE = "eve"  # her whole submission in the exchange is a link to alice's
SECRET = "instructor-only secret 7f3a"
HAND_COMMENT = "A concrete example with a same-day follow-up: well done."


def run_course(course: Path, *args: str) -> subprocess.CompletedProcess:
    """The ``course`` command as an instructor runs it, in the course folder, with a bare PATH."""
    return subprocess.run(
        [sys.executable, "-m", "course_lib.cli", *args], cwd=course, capture_output=True, text=True,
        env={**os.environ, "PATH": BARE_PATH}, timeout=300,
    )


def trainee_env(home: Path, config_dir: Path, student: str) -> dict[str, str]:
    """A trainee's environment: their own HOME, the trainees' config on Jupyter's path, their hub name."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "TRAITLETS"))}
    return {**env, "PATH": BARE_PATH, "HOME": str(home), "JUPYTER_CONFIG_PATH": str(config_dir),
            "JUPYTERHUB_USER": student}


def trainee_nbgrader(home: Path, config_dir: Path, student: str, *args: str) -> subprocess.Popen:
    """A trainee's own nbgrader command, typed in their home folder with no options."""
    return subprocess.Popen(
        [sys.executable, "-m", "nbgrader", *args], cwd=home, env=trainee_env(home, config_dir, student),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )


def wait_all(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        output, _ = process.communicate(timeout=300)
        assert process.returncode == 0, output


def ok(done: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def plant_links(tmp: Path, exchange: Path, homes: dict[str, Path]) -> None:
    """What a trainee can do to her own folder in inbound/ after submitting."""
    inbound = exchange / COURSE_ID / "inbound"
    (tmp / "secret.txt").write_text(SECRET, encoding="utf-8")
    (tmp / "secret-folder").mkdir()
    (tmp / "secret-folder" / "notes.txt").write_text(SECRET, encoding="utf-8")
    [mallory] = inbound.glob(f"{MALLORY}+module1+*")
    answers = mallory / "answers"
    (answers / "m1-brainstorm.json").unlink()
    (answers / "m1-brainstorm.json").symlink_to(homes["alice"] / "module1" / "answers" / "m1-brainstorm.json")
    (answers / "shadow.json").symlink_to(tmp / "secret.txt")
    (mallory / "linked-folder").symlink_to(tmp / "secret-folder")
    os.mkfifo(mallory / "pipe")
    [alice] = inbound.glob("alice+module1+*")
    (inbound / alice.name.replace("alice", EVE, 1)).symlink_to(alice)


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
        writer.writerow(["id", "first_name", "last_name", "email"])
        writer.writerows([sid, first, last, f"{sid}@example.org"] for sid, (first, last, _, _) in TRAINEES.items())
    ok(run_course(course, "roster", str(roster)))

    config_dir = tmp / "jupyter-config"
    ok(run_course(course, "trainee-config", "-o", str(config_dir / "nbgrader_config.py"), "--exchange", str(exchange),
                  "--shared-account"))
    ok(run_course(course, "release", "module1", "--exchange", str(exchange)))

    homes = {sid: tmp / f"home-{sid}" for sid in [*TRAINEES, BROKEN, MALLORY]}
    for home in homes.values():
        home.mkdir()
    wait_all([trainee_nbgrader(home, config_dir, sid, "fetch_assignment", "module1") for sid, home in homes.items()])
    for sid, (_, _, answers, reflection) in {**TRAINEES, MALLORY: ("", "", ["be kind"], None)}.items():
        folder = homes[sid] / "module1"
        AnswerStore(folder / "answers").save("m1-brainstorm", answers)
        if reflection:
            nb = nbformat.read(folder / "module1.ipynb", as_version=4)
            cell_by_id(nb, "m1-reflection").source = reflection
            nbformat.write(nb, folder / "module1.ipynb")
    (homes[BROKEN] / "module1" / "module1.ipynb").write_text('{"cells": [ {"cell_type": "mark', encoding="utf-8")
    wait_all([trainee_nbgrader(home, config_dir, sid, "submit", "module1") for sid, home in homes.items()])
    plant_links(tmp, exchange, homes)

    collected = ok(run_course(course, "collect", "module1", "--exchange", str(exchange),
                              "--ExchangeCollect.check_owner=False"))
    graded = run_course(course, "grade", "module1", "--timeout", "30")
    regraded = run_course(course, "grade", "module1", "--timeout", "30")

    # Hand grading, as Formgrader records it; then feedback again, released, fetched by alice.
    alice_page = course / "feedback" / "alice" / "module1" / "module1.html"
    before_hand_grading = alice_page.read_text(encoding="utf-8")
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", COURSE_ID) as gb:
        gb.find_grade("m1-reflection", "module1", "module1", "alice").manual_score = 2.0
        gb.find_comment("m1-reflection", "module1", "module1", "alice").manual_comment = HAND_COMMENT
        gb.db.commit()
    feedback = ok(run_course(course, "feedback", "module1"))
    released = ok(run_course(course, "release-feedback", "module1", "--exchange", str(exchange)))
    wait_all([trainee_nbgrader(homes["alice"], config_dir, "alice", "fetch_feedback", "module1")])

    ok(run_course(course, "export", "--all", "-o", "grades.csv"))
    ok(run_course(course, "report", "-o", "report.html"))
    return SimpleNamespace(course=course, exchange=exchange, homes=homes, collected=collected, graded=graded,
                           regraded=regraded, before_hand_grading=before_hand_grading, feedback=feedback,
                           released=released)


def score(course: Path, student: str, cell: str = "m1-brainstorm") -> float:
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", COURSE_ID) as gb:
        return gb.find_grade(cell, "module1", "module1", student).score


def test_every_trainee_came_through_the_exchange(deadline):
    course = deadline.course
    assert sorted(p.name for p in (course / "submitted").iterdir()) == sorted([*TRAINEES, BROKEN, MALLORY])
    for sid in TRAINEES:  # the widget's answers file travelled with the notebook
        assert (course / "submitted" / sid / "module1" / "answers" / "m1-brainstorm.json").is_file()


def test_the_trainees_config_holds_only_the_exchange_and_the_course(deadline):
    text = (deadline.exchange.parent / "jupyter-config" / "nbgrader_config.py").read_text(encoding="utf-8")
    settings = sorted(re.findall(r"^\s*(c\.\w+\.\w+) =", text, flags=re.M))
    assert settings == ["c.CourseDirectory.course_id", "c.CourseDirectory.student_id", "c.Exchange.root"]
    assert repr(str(deadline.exchange)) in text and repr(COURSE_ID) in text


def test_collect_never_follows_a_link_planted_in_a_submission(deadline):
    course, log = deadline.course, deadline.collected.stderr
    mallory = course / "submitted" / MALLORY / "module1"
    copied = list(mallory.rglob("*"))
    assert (mallory / "module1.ipynb").is_file() and not any(p.is_symlink() for p in copied)
    assert not (mallory / "answers" / "m1-brainstorm.json").exists()  # alice's answers were not taken
    assert not (mallory / "answers" / "shadow.json").exists() and not (mallory / "linked-folder").exists()
    assert not (mallory / "pipe").exists()
    assert all(SECRET not in p.read_text(errors="replace") for p in copied if p.is_file())
    for left_out in ("answers/m1-brainstorm.json (a link to", "answers/shadow.json (a link to",
                     "linked-folder (a link to", "pipe (not a regular file or folder)"):
        assert left_out in log, log
    assert score(course, MALLORY) == 0.0  # her own answers are gone with the link: not alice's 5
    assert not (course / "submitted" / EVE).exists()  # a submission that is a link is not collected
    assert re.search(rf"Not collected: .*{EVE}\+module1\+.* is a link", log), log


def test_scores_follow_the_answers(deadline):
    course = deadline.course
    assert score(course, "alice") == 5.0
    assert 0 < score(course, "bob") < score(course, "oneil") < 5.0


def test_the_broken_submission_is_named_and_stops_nobody(deadline):
    course, graded = deadline.course, deadline.graded
    assert graded.returncode == 1, graded.stdout + graded.stderr
    assert "Graded 4 submission(s)" in graded.stdout and "failed 1" in graded.stdout
    failed = graded.stdout.split("Not graded")[1]
    assert re.search(rf"{BROKEN} / module1: .*not appear to be JSON", failed)
    assert "grading [" in graded.stderr  # the progress bar
    for sid in TRAINEES:
        assert "Score recorded by the grader" in (course / "feedback" / sid / "module1" / "module1.html").read_text()
    assert not (course / "feedback" / BROKEN).exists()


def test_grading_again_is_safe(deadline):
    course, regraded = deadline.course, deadline.regraded
    assert "Graded 0 submission(s), skipped 4 already graded" in regraded.stdout
    assert BROKEN in regraded.stdout.split("Not graded")[1]  # tried again, still named
    assert score(course, "alice") == 5.0


def test_the_csv_has_a_row_per_trainee_with_exact_names_and_scores(deadline):
    course = deadline.course
    with open(course / "grades.csv", encoding="utf-8", newline="") as handle:
        table = list(csv.reader(handle))
    header, rows = table[0], {row[0]: row for row in table[1:]}
    assert header == ["student_id", "last_name", "first_name", "m1-brainstorm (5)", "m1-reflection (2)",
                      "module1 total (7)", "total (7)", "ungraded"]
    bob, oneil = score(course, "bob"), score(course, "oneil")
    assert rows["alice"] == ["alice", "Ng", "Alice", "5", "2", "7", "7", "0"]  # the reflection graded by hand
    assert rows["bob"] == ["bob", "Smith-李", "Zoë", f"{bob:g}", "0", f"{bob:g}", f"{bob:g}", "0"]
    assert rows["oneil"] == ["oneil", 'O\'Neil, "Jr"', "Pat", f"{oneil:g}", "0", f"{oneil:g}", f"{oneil:g}", "0"]
    assert rows[BROKEN] == [BROKEN, "", "", "", "", "", "", "2"]
    raw = (course / "grades.csv").read_text(encoding="utf-8")
    assert '"O\'Neil, ""Jr"""' in raw  # quoted by the csv module, quotes doubled


def test_the_report_has_its_charts_and_escapes_names(deadline):
    course = deadline.course
    page = (course / "report.html").read_text(encoding="utf-8")
    # completion, module1 distribution, brainstorm themes (no module7 in this gradebook)
    assert page.count('<img src="data:image/png;base64,') == 3
    assert "O&#x27;Neil, &quot;Jr&quot;" in page and 'O\'Neil, "Jr"' not in page
    assert "<b>Listen</b>" not in page
    # 5 submitted, 4 fully graded (alice's reflection by hand; the broken one failed), 0 missing
    assert "<td>module1</td><td>5</td><td>4</td><td>0</td>" in page
    assert page.startswith("<!DOCTYPE html>")


def test_feedback_again_shows_the_hand_grade(deadline):
    page = (deadline.course / "feedback" / "alice" / "module1" / "module1.html").read_text(encoding="utf-8")
    assert HAND_COMMENT not in deadline.before_hand_grading  # written at grade time, before hand grading
    assert HAND_COMMENT in page
    # GenerateFeedback's steps on all cores, for each graded submission (the broken one was never graded)
    assert "Wrote the feedback of 4 submission(s) from the gradebook, failed 0" in deadline.feedback.stdout


def test_released_feedback_reaches_the_trainee(deadline):
    assert "release_feedback module1" in deadline.released.stderr
    assert list((deadline.exchange / COURSE_ID / "feedback").glob("*.html"))
    fetched = list((deadline.homes["alice"] / "module1" / "feedback").glob("*/module1.html"))
    assert len(fetched) == 1, fetched
    assert HAND_COMMENT in fetched[0].read_text(encoding="utf-8")
