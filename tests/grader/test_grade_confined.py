"""Trainees' code cannot change grades or reach other trainees while ``course grade`` runs it.

Hostile notebooks are graded with well-behaved ones by the real ``course
grade`` (real nbgrader, real kernels, as root like CI): one rewrites the
content YAML, one leaves a detached child behind that later writes the
gradebook and another trainee's answers, one writes another trainee's
answers directly, one reads another trainee's work. The well-behaved
trainees must score exactly what they score when graded alone.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

import nbformat
import pytest

from course_lib.store import AnswerStore
from tests.synthetic import GOOD_BRAINSTORM

from ..nbgrader.course import submit
from .confined import course_cli, generate, leftover_sandbox_processes, needs_root, open_course, score, uid_base

pytestmark = [pytest.mark.nbgrader, needs_root()]

SECRET = "Zebra-7731 listen to the caller until they finish"  # in ann's answers only
ANN = [*GOOD_BRAINSTORM, SECRET]
BOB = ["be nice", "Listen to the customer carefully"]
GENEROUS = "type: brainstorm\nid: m1-brainstorm\n# rewritten by a trainee's notebook\n"


def hostile_cells(course: Path, content_file: Path, proof: Path) -> dict[str, str]:
    ann = course / "submitted" / "ann" / "module1" / "answers" / "m1-brainstorm.json"
    ann_graded = course / "autograded" / "ann" / "module1" / "answers" / "m1-brainstorm.json"
    db = course / "gradebook.db"
    overwrite = f"""
import json, os
fake = json.dumps({{"format": 1, "saved_at": "2026-01-01T00:00:00+00:00", "answer": ["x"]}})
for target in [{str(ann)!r}, {str(ann_graded)!r}]:
    try:
        with open(target, "w") as handle:
            handle.write(fake)
        print("WROTE", target)
    except OSError as exc:
        print("refused:", target, type(exc).__name__)
"""
    return {
        "h1-rewriter": f"""
import os
targets = [{str(content_file)!r}] + [os.path.join(d, "m1-brainstorm.yaml")
           for d in os.environ.get("COURSE_CONTENT_PATH", "").split(os.pathsep) if d]
for target in targets:
    try:
        with open(target, "w") as handle:
            handle.write({GENEROUS!r})
        print("REWROTE", target)
    except OSError as exc:
        print("refused:", target, type(exc).__name__)
""",
        "h2-forker": f"""
import os, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        time.sleep(3)
        with open({str(proof)!r}, "w") as handle:  # only if this child outlived the grading
            handle.write(str(os.getuid()))
        for target in [{str(db)!r}, {str(ann)!r}]:
            try:
                with open(target, "r+b") as handle:
                    handle.write(b"garbage" * 100)
            except OSError:
                pass
    os._exit(0)
print("left a child behind")
""",
        "h3-writer": overwrite,
        "h4-reader": f"""
import os
print("uid", os.getuid())
for target in [{str(ann)!r}, {str(ann_graded)!r}, {str(course / "feedback" / "ann" / "module1" / "module1.html")!r},
               {str(db)!r}]:
    try:
        with open(target, "rb") as handle:
            print("READ", target, handle.read().decode("utf-8", "replace"))
    except OSError as exc:
        print("refused:", target, type(exc).__name__)
""",
    }


def add_trainee(course: Path, name: str, answers: list[str], cell: str | None = None) -> None:
    folder, nb = submit(course, name)
    AnswerStore(folder / "answers").save("m1-brainstorm", answers)
    if cell:
        nb.cells.insert(1, nbformat.v4.new_code_cell(cell))
    nbformat.write(nb, folder / "module1.ipynb")


@pytest.fixture(scope="module")
def content_dir():
    """An organisation's content folder any user could reach (0755), as on a server."""
    folder = Path(tempfile.mkdtemp(prefix="course-content-test-"))
    os.chmod(folder, 0o755)
    from course_lib.models import PACKAGED_CONTENT

    shutil.copy(next(PACKAGED_CONTENT.rglob("m1-brainstorm.yaml")), folder)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def alone(content_dir):
    """ann's and bob's scores when they are the only trainees."""
    for course in open_course():
        generate(course)
        add_trainee(course, "ann", ANN)
        add_trainee(course, "bob", BOB)
        done = course_cli(course, "grade", "module1", "--execute", env={"COURSE_CONTENT_PATH": str(content_dir)})
        assert done.returncode == 0, done.stdout + done.stderr
        return {name: score(course, name) for name in ("ann", "bob")}


@pytest.fixture(scope="module")
def cohort(content_dir, alone):
    content_file = content_dir / "m1-brainstorm.yaml"
    before = content_file.read_bytes()
    base = uid_base()
    proof = Path(tempfile.gettempdir()) / f"course-confined-proof-{base}"
    for course in open_course():
        generate(course)
        add_trainee(course, "ann", ANN)
        add_trainee(course, "bob", BOB)
        for name, cell in hostile_cells(course, content_file, proof).items():
            add_trainee(course, name, BOB, cell)
        ann_answers = (course / "submitted" / "ann" / "module1" / "answers" / "m1-brainstorm.json").read_bytes()
        done = course_cli(course, "grade", "module1", "--execute", "--workers", "2",
                          f"--ConfinedExecute.uid_base={base}", env={"COURSE_CONTENT_PATH": str(content_dir)})
        time.sleep(4)  # longer than the detached child sleeps: had it survived, it would have acted by now
        yield {
            "course": course, "done": done, "base": base, "proof": proof, "content_file": content_file,
            "content_before": before, "ann_answers": ann_answers, "alone": alone,
            "left": leftover_sandbox_processes(base),
        }
    proof.unlink(missing_ok=True)


def outputs(course: Path, student: str) -> str:
    nb = nbformat.read(course / "autograded" / student / "module1" / "module1.ipynb", as_version=4)
    return "\n".join(str(o.get("text", "")) for cell in nb.cells for o in cell.get("outputs", []))


def test_every_submission_is_graded_confined(cohort):
    done = cohort["done"]
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Graded 6 submission(s)" in done.stdout
    assert "Trainees' code ran confined: as a fresh sandbox user per notebook" in done.stdout
    # the kernels' own chatter goes to the log, not the instructor's terminal (the summary names the path taken)
    lines = done.stdout.splitlines()
    chatter = [line for line in lines if "kernel" in line.lower() and "executed in a kernel" not in line]
    assert chatter == []
    uid_line = next(line for line in outputs(cohort["course"], "h4-reader").splitlines() if line.startswith("uid"))
    assert int(uid_line.split()[1]) >= cohort["base"]  # neither root nor the instructor


def test_content_cannot_be_rewritten(cohort):
    assert cohort["content_file"].read_bytes() == cohort["content_before"]
    text = outputs(cohort["course"], "h1-rewriter")
    assert "REWROTE" not in text and "refused:" in text


def test_other_trainees_score_exactly_as_alone(cohort):
    for name in ("ann", "bob"):
        assert score(cohort["course"], name) == cohort["alone"][name]


def test_another_trainees_answers_cannot_be_written(cohort):
    course = cohort["course"]
    assert (course / "submitted" / "ann" / "module1" / "answers" / "m1-brainstorm.json").read_bytes() \
        == cohort["ann_answers"]
    assert "WROTE" not in outputs(course, "h3-writer")


def test_no_process_outlives_its_grading(cohort):
    assert cohort["left"] == []
    assert not cohort["proof"].exists()  # the detached child never woke up
    assert score(cohort["course"], "ann") == cohort["alone"]["ann"]  # the gradebook is intact too


def test_another_trainees_work_cannot_be_read(cohort):
    course = cohort["course"]
    text = outputs(course, "h4-reader")
    assert text.count("refused:") == 4 and "READ" not in text
    feedback = (course / "feedback" / "h4-reader" / "module1" / "module1.html").read_text(encoding="utf-8")
    assert "Zebra-7731" not in feedback and "Zebra-7731" not in text


def test_course_files_are_closed_to_other_users(cohort):
    course = cohort["course"]
    assert (course / "gradebook.db").stat().st_mode & 0o777 == 0o600
    for name in ("submitted", "autograded", "feedback"):
        assert (course / name).stat().st_mode & 0o007 == 0, name
