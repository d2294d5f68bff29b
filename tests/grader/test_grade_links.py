"""Links in a submission are neither followed nor graded when it is copied to autograded/ (issue 15.5).

A trainee can hand in a link where a file should be: to another trainee's
answers (a free 5/5), to /etc/passwd (copied into autograded/ for the
instructor), or a named pipe that would hang the copy. Real ``course grade``.
"""

from __future__ import annotations

import os

import nbformat
import pytest

from course_lib.grader.markers import MARKER
from course_lib.store import AnswerStore
from tests.synthetic import GOOD_BRAINSTORM

from ..nbgrader.course import submit
from .confined import course_cli, generate, open_course, score

pytestmark = pytest.mark.nbgrader


@pytest.fixture(scope="module")
def graded():
    for course in open_course():
        generate(course)
        ann, nb = submit(course, "ann")
        AnswerStore(ann / "answers").save("m1-brainstorm", GOOD_BRAINSTORM)
        linker, _ = submit(course, "linker")
        (linker / "answers").mkdir()
        (linker / "answers" / "m1-brainstorm.json").symlink_to(ann / "answers" / "m1-brainstorm.json")
        (linker / "passwd.txt").symlink_to("/etc/passwd")
        (linker / "etc").symlink_to("/etc")
        os.mkfifo(linker / "pipe.json")
        (linker / MARKER).write_text('{"submission": "forged"}', encoding="utf-8")
        borrower = course / "submitted" / "borrower" / "module1"
        borrower.mkdir(parents=True)
        (borrower / "module1.ipynb").symlink_to(ann / "module1.ipynb")
        nbformat.write(nb, ann / "module1.ipynb")
        done = course_cli(course, "grade", "module1")
        yield course, done


def test_links_are_not_copied_or_followed(graded):
    course, done = graded
    folder = course / "autograded" / "linker" / "module1"
    assert sorted(p.name for p in folder.iterdir()) == [MARKER, "module1.ipynb"]
    for path in (course / "autograded").rglob("*"):
        if path.is_file():
            assert "root:x:0:0" not in path.read_text(encoding="utf-8", errors="replace"), path
    assert "not copied (links or other non-regular files): .course-graded.json, answers/m1-brainstorm.json, etc, " \
           "passwd.txt, pipe.json" in done.stdout


def test_a_linked_answers_file_scores_nothing(graded):
    course, _ = graded
    assert score(course, "ann") == 5.0
    assert score(course, "linker") == 0.0


def test_a_linked_notebook_is_refused_by_name(graded):
    _, done = graded
    assert done.returncode == 1
    assert "borrower / module1: " in done.stdout and "module1.ipynb is not a regular file" in done.stdout
