"""Kernel-free grading gives the grades and feedback that executing the notebooks gives (issue 12).

One synthetic cohort of module2 (two widget exercises and a hand-marked
reflection) is graded twice by the real ``course grade``: with ``--execute``
(every notebook runs in a confined kernel) and without (the assignment's
auto-graded cells are all widget checks, so no kernel runs). Every gradebook
score and every feedback page's text must agree. The kernel-free course also
holds a fixture assignment with an ordinary auto-graded code cell, which must
still be executed, and submissions that are broken in the ways a real
exchange produces.
"""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup
from nbgrader.api import Gradebook, MissingEntry

from course_lib.grader.gradebook_indexes import GRADEBOOK_INDEXES
from course_lib.grader.markers import fingerprint
from course_lib.grader.submission_reads import BatchReads
from course_lib.models import PACKAGED_CONTENT

from ..nbgrader.course import cell_by_id, make_course, nbgrader, submit, submit_synthetic
from .confined import course_cli, open_course

pytestmark = pytest.mark.nbgrader

ASSIGNMENT = "module2"
CHECKS = ("m2-customers-classify", "m2-chain-check")
EXTRA_CELL = "score = 100.0\nprint('Score: 5/5')\nscore"
QUIZ = "quiz"  # fixture assignment: an auto-graded code cell that is not a widget check


def _quiz_source(course: Path) -> None:
    nb = nbformat.v4.new_notebook()
    answer = nbformat.v4.new_code_cell("### BEGIN SOLUTION\nanswer = 42\n### END SOLUTION")
    answer.metadata["nbgrader"] = {"solution": True, "grade": False, "locked": False, "grade_id": "q-answer",
                                   "schema_version": 3}
    test = nbformat.v4.new_code_cell("assert answer == 42")
    test.metadata["nbgrader"] = {"solution": False, "grade": True, "locked": True, "grade_id": "q-test",
                                 "points": 1, "schema_version": 3}
    nb.cells = [answer, test]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    (course / "solutions" / QUIZ).mkdir()
    nbformat.write(nb, course / "solutions" / QUIZ / f"{QUIZ}.ipynb")


def _edit(folder: Path, change) -> None:
    path = folder / f"{ASSIGNMENT}.ipynb"
    nb = nbformat.read(path, as_version=4)
    change(nb)
    nbformat.write(nb, path)


def _cohort(course: Path) -> None:
    """The same trainees in every copy: qualities, a corrupt file, and notebooks edited in harmful ways."""
    for quality in ("good", "poor", "empty", "hostile"):
        submit_synthetic(course, quality, ASSIGNMENT, quality, written=f"<b>{quality}</b> reflection")
    corrupt = submit_synthetic(course, "corrupt", ASSIGNMENT, "good")
    (corrupt / "answers" / f"{CHECKS[0]}.json").write_text('{"format": 1, "answer": [', encoding="utf-8")

    deleted = submit_synthetic(course, "deleted", ASSIGNMENT, "good")
    _edit(deleted, lambda nb: nb.cells.remove(cell_by_id(nb, CHECKS[0])))

    def edit_locked(nb):
        cell_by_id(nb, CHECKS[1]).source = "print('Score: 5/5')\n5.0"
        cell_by_id(nb, "m2-setup").source = "check = lambda *a: 5.0"
    _edit(submit_synthetic(course, "edited", ASSIGNMENT, "poor"), edit_locked)

    def tamper(nb):
        cell = cell_by_id(nb, CHECKS[0])
        cell.metadata["nbgrader"].update(points=100, grade=False, locked=False)
        cell_by_id(nb, CHECKS[1]).metadata["nbgrader"]["grade_id"] = "my-own-id"
    _edit(submit_synthetic(course, "tampered", ASSIGNMENT, "poor"), tamper)

    def extra(nb):
        nb.cells.insert(len(nb.cells) - 1, nbformat.v4.new_code_cell(EXTRA_CELL))
        nb.cells.insert(2, nbformat.v4.new_code_cell("import course_lib.grading as g\ng.grade_saved = None"))
    _edit(submit_synthetic(course, "extra", ASSIGNMENT, "poor"), extra)


@pytest.fixture(scope="module")
def courses():
    """Two identical course copies, graded with --execute and kernel-free; yields both and their outputs."""
    for top in open_course():  # a folder sandbox users may enter, as on a server
        base = top / "base"
        base.mkdir()
        yield from _graded(make_course(base))


def _graded(base: Path):
    _quiz_source(base)
    nbgrader(base, "generate_assignment", ASSIGNMENT, "--force")
    nbgrader(base, "generate_assignment", QUIZ, "--force")
    _cohort(base)
    executed, free = base.parent / "executed", base.parent / "free"
    shutil.copytree(base, executed, symlinks=True)
    shutil.copytree(base, free, symlinks=True)
    _bad_input(free)
    quiz_folder, nb = submit(free, "good", QUIZ)
    cell_by_id(nb, "q-answer").source = "answer = 42"
    nbformat.write(nb, quiz_folder / f"{QUIZ}.ipynb")
    before = {p.name: fingerprint(p / ASSIGNMENT) for p in (free / "submitted").iterdir() if (p / ASSIGNMENT).is_dir()}
    # The content as it is now, first on the content path: a content file edited in the working tree while the
    # tests run would (rightly) make a re-run grade everything again.
    content = base.parent / "content"
    shutil.copytree(PACKAGED_CONTENT, content)
    env = {"COURSE_CONTENT_PATH": str(content)}
    ran_executed = course_cli(executed, "grade", ASSIGNMENT, "--execute", env=env)
    ran_free = course_cli(free, "grade", ASSIGNMENT, QUIZ, env=env)
    yield {"executed": executed, "free": free, "ran_executed": ran_executed, "ran_free": ran_free,
           "before": before, "env": env}


BAD = {
    "no-notebook": "no notebook of the assignment (module2.ipynb) in the submission",
    "not-json": "module2.ipynb is not a readable notebook",
}


def _bad_input(course: Path) -> None:
    """Submissions only the kernel-free course has: each must be named, none may stop the others."""
    folder = submit_synthetic(course, "no-notebook", ASSIGNMENT, "good")
    (folder / f"{ASSIGNMENT}.ipynb").unlink()
    folder = submit_synthetic(course, "not-json", ASSIGNMENT, "good")
    (folder / f"{ASSIGNMENT}.ipynb").write_text('{"cells": [', encoding="utf-8")
    folder = submit_synthetic(course, "two-notebooks", ASSIGNMENT, "good")
    shutil.copy(folder / f"{ASSIGNMENT}.ipynb", folder / f"{ASSIGNMENT}-Copy1.ipynb")
    folder = submit_synthetic(course, "linked-answers", ASSIGNMENT, "empty")
    (folder / "answers").symlink_to(course / "submitted" / "good" / ASSIGNMENT / "answers")
    folder = submit_synthetic(course, "answers-file", ASSIGNMENT, "empty")
    (folder / "answers").write_text("not a folder", encoding="utf-8")


def scores(course: Path, assignment: str = ASSIGNMENT) -> dict[tuple[str, str], tuple]:
    """(trainee, cell) -> (auto score, score, needs manual grade, max score), from the gradebook."""
    found = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "customer-service") as gb:
        for submission in gb.find_assignment(assignment).submissions:
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    found[(submission.student_id, grade.name)] = (
                        grade.auto_score, grade.score, grade.needs_manual_grade, grade.max_score)
    return found


def feedback_text(course: Path, student: str) -> str:
    """The feedback page's text as a reader sees it, without the outputs of code cells nobody grades.

    Only an executed notebook has those (the widget's placeholder, whatever a
    trainee's own cell printed); graded cells and their feedback are kept.
    """
    page = (course / "feedback" / student / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text(encoding="utf-8")
    soup = BeautifulSoup(page, "html.parser")
    for tag in soup(["script", "style"]):
        tag.decompose()
    for cell in soup.select("div.cell.code_cell"):  # graded cells are <section class="cell code_cell part">
        for output in cell.select(".output_wrapper"):
            output.decompose()
    return _same_run(" ".join(soup.get_text(" ").split()), course)


def _same_run(text: str, course: Path) -> str:
    """Without what differs between two runs anyway: the course folder, the time a corrupt file was set aside."""
    return re.sub(r"\.corrupt-\d{8}-\d{6}", ".corrupt-<time>", text.replace(str(course), "<course>"))


def graded_outputs(course: Path, student: str) -> dict[str, str]:
    """Each graded cell's outputs in the autograded notebook (what Formgrader shows).

    Without the execution count, which only an executed cell has.
    """
    nb = nbformat.read(course / "autograded" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    outputs = {}
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade"):
            shown = [{k: v for k, v in output.items() if k != "execution_count"} for output in cell.get("outputs", [])]
            outputs[cell.metadata["nbgrader"]["grade_id"]] = _same_run(json.dumps(shown, sort_keys=True), course)
    return outputs


STUDENTS = ("good", "poor", "empty", "hostile", "corrupt", "deleted", "edited", "tampered", "extra")


def test_both_paths_finish_and_say_which_path_they_took(courses):
    for name in ("ran_executed", "ran_free"):
        ran = courses[name]
        assert "Traceback" not in ran.stderr, ran.stderr
    assert courses["ran_executed"].returncode == 0, courses["ran_executed"].stdout
    assert f"{ASSIGNMENT}: executed in a kernel (--execute)" in courses["ran_executed"].stdout
    out = courses["ran_free"].stdout
    assert f"{ASSIGNMENT}: graded without a kernel (all 2 auto-graded cell(s) are widget checks" in out
    assert f"{QUIZ}: executed in a kernel (auto-graded code that is not a widget check: {QUIZ}/q-test)" in out
    for course in (courses["executed"], courses["free"]):  # both paths add the indexes a large cohort needs
        with sqlite3.connect(course / "gradebook.db") as connection:
            names = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert {name for name, _table, _column in GRADEBOOK_INDEXES} <= names


def test_every_score_is_the_same_on_both_paths(courses):
    executed, free = scores(courses["executed"]), scores(courses["free"])
    assert {s for s, _ in executed} == set(STUDENTS)
    for key, value in executed.items():
        assert free[key] == value, key
    good = {cell: executed[("good", cell)][0] for cell in CHECKS}
    assert all(points > 0 for points in good.values()), good


def test_broken_notebooks_are_graded_from_the_answers_files(courses):
    free = scores(courses["free"])
    for student in ("deleted", "edited", "tampered", "extra"):
        same_answers = "good" if student == "deleted" else "poor"
        for cell in CHECKS:
            assert free[(student, cell)] == free[(same_answers, cell)], (student, cell)
    assert free[("tampered", CHECKS[0])][3] == 5.0  # points from the gradebook, not the trainee's 100
    assert free[("corrupt", CHECKS[0])][0] == 0.0 and free[("corrupt", CHECKS[1])] == free[("good", CHECKS[1])]
    assert free[("empty", CHECKS[0])][0] == 0.0


# What an executed widget cell's output shows in feedback; a kernel-free notebook has no such output.
WIDGET_NOTE = "Interactive widget: open the notebook in JupyterLab to use it."


def test_feedback_and_autograded_notebooks_agree(courses):
    for student in STUDENTS:
        free = feedback_text(courses["free"], student)
        assert free == feedback_text(courses["executed"], student), student
        assert "Your score" in free and "Internal or external customer?" in free
        page = (courses["free"] / "feedback" / student / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
        assert WIDGET_NOTE not in page
        assert graded_outputs(courses["free"], student) == graded_outputs(courses["executed"], student), student
    hostile = (courses["free"] / "feedback" / "hostile" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    assert "<script>alert" not in hostile


def test_a_restored_check_cell_says_so(courses):
    for course in (courses["executed"], courses["free"]):
        nb = nbformat.read(course / "autograded" / "deleted" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
        ids = [c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells]
        assert ids.index(CHECKS[0]) == ids.index(f"{CHECKS[0]}-check-instructions") + 1  # back in its place
        assert "was missing from the submission" in cell_by_id(nb, CHECKS[0]).source


def test_the_fixture_with_ordinary_test_code_is_executed(courses):
    assert scores(courses["free"], QUIZ)[("good", "q-test")][0] == 1.0


def test_feedback_reads_the_grades_and_comments_the_gradebook_holds(courses, tmp_path):
    """The kernel-free feedback step reads a batch's rows at once (BatchReads): same values, same errors."""
    db = tmp_path / "gradebook.db"
    shutil.copy(courses["free"] / "gradebook.db", db)
    grade_fields = ("score", "max_score", "auto_score", "manual_score", "extra_credit", "needs_manual_grade")
    with Gradebook(f"sqlite:///{db}", "customer-service") as gb:
        comment = gb.find_comment("m2-reflection", ASSIGNMENT, ASSIGNMENT, "good")
        comment.manual_comment = "Clear <b>and</b> kind."
        grade = gb.find_grade("m2-reflection", ASSIGNMENT, ASSIGNMENT, "good")
        grade.manual_score = 1.5
        gb.db.commit()
        batch = BatchReads(gb, [(ASSIGNMENT, student) for student in STUDENTS])
        gb.db.rollback()  # what was read stays read: nothing is asked of the gradebook again
        for student in STUDENTS:
            reads = batch.reads(ASSIGNMENT, ASSIGNMENT, student)
            for cell in (*CHECKS, "m2-reflection"):
                ours, theirs = (lookup.find_grade(cell, ASSIGNMENT, ASSIGNMENT, student) for lookup in (reads, gb))
                assert [getattr(ours, f) for f in grade_fields] == [getattr(theirs, f) for f in grade_fields]
            assert reads.find_comment("m2-reflection", ASSIGNMENT, ASSIGNMENT, student).comment == \
                gb.find_comment("m2-reflection", ASSIGNMENT, ASSIGNMENT, student).comment
            ours, theirs = (lookup.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, student) for lookup in (reads, gb))
            assert (ours.score, ours.max_score, ours.late_submission_penalty) == \
                (theirs.score, theirs.max_score, theirs.late_submission_penalty)
            for lookup in (reads, gb):
                with pytest.raises(MissingEntry):
                    lookup.find_grade("no-such-cell", ASSIGNMENT, ASSIGNMENT, student)
                with pytest.raises(MissingEntry):
                    lookup.find_comment(CHECKS[0], ASSIGNMENT, ASSIGNMENT, student)  # a check cell has none
        reads = batch.reads(ASSIGNMENT, ASSIGNMENT, "good")
        assert reads.find_comment("m2-reflection", ASSIGNMENT, ASSIGNMENT, "good").comment == "Clear <b>and</b> kind."
        assert reads.find_grade("m2-reflection", ASSIGNMENT, ASSIGNMENT, "good").score == 1.5
        assert reads.find_grade(CHECKS[0], ASSIGNMENT, ASSIGNMENT, "poor") is \
            gb.find_grade(CHECKS[0], ASSIGNMENT, ASSIGNMENT, "poor")  # another trainee: asked of the gradebook
        with pytest.raises(MissingEntry):  # a trainee the batch holds no notebook of
            BatchReads(gb, [(ASSIGNMENT, "nobody")]).reads(ASSIGNMENT, ASSIGNMENT, "nobody") \
                .find_submission_notebook(ASSIGNMENT, ASSIGNMENT, "nobody")


def test_feedback_pages_are_written_when_a_batch_s_rows_cannot_be_read_at_once(courses, tmp_path, monkeypatch):
    """If reading a whole batch's grades fails, each page reads its own: the same pages, nothing lost."""
    import io
    import warnings

    from nbformat.warnings import MissingIDFieldWarning

    import course_lib.grader.kernel_free as kernel_free
    from course_lib.grader.cohort import grade_cohort

    course = tmp_path / "course"
    shutil.copytree(courses["free"], course, symlinks=True)

    class BatchReadsFailing(BatchReads):
        def __init__(self, gradebook, submissions):
            submissions = list(submissions)
            if len(submissions) > 1:
                raise RuntimeError("the gradebook is busy")
            super().__init__(gradebook, submissions)

    monkeypatch.setattr(kernel_free, "BatchReads", BatchReadsFailing)  # the forked workers inherit it
    monkeypatch.chdir(course)
    for name, value in courses["env"].items():
        monkeypatch.setenv(name, value)
    with warnings.catch_warnings():  # as `course grade` runs: nbformat's notice about old notebooks is no error
        warnings.simplefilter("ignore", MissingIDFieldWarning)
        summary = grade_cohort(course, [ASSIGNMENT], force=True, stream=io.StringIO())
    assert not [o for o in summary.outcomes if o.status == "failed" and o.task.student in STUDENTS]
    for student in STUDENTS:
        assert feedback_text(course, student) == feedback_text(courses["free"], student), student
    assert "Could not read the batch's grades at once" in (course / "course-grade.log").read_text()


def test_course_feedback_after_hand_grading_writes_what_nbgrader_writes(courses, tmp_path):
    """`course feedback` (GenerateFeedback's steps on all cores) gives nbgrader's own generate_feedback pages."""
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    for copy in (ours, theirs):
        shutil.copytree(courses["free"], copy, symlinks=True)
        with Gradebook(f"sqlite:///{copy / 'gradebook.db'}", "customer-service") as gb:
            gb.find_grade("m2-reflection", ASSIGNMENT, ASSIGNMENT, "good").manual_score = 1.5
            gb.find_comment("m2-reflection", ASSIGNMENT, ASSIGNMENT, "good").manual_comment = "Clear and <b>kind</b>."
            gb.db.commit()
    # Handed in again after grading: its feedback would not match what the trainee now has in submitted/.
    (ours / "submitted" / "poor" / ASSIGNMENT / "answers" / f"{CHECKS[0]}.json").unlink()
    ran = course_cli(ours, "feedback", ASSIGNMENT, env=courses["env"])
    nbgrader(theirs, "generate_feedback", ASSIGNMENT, "--force")
    assert "poor / module2: not graded as submitted" in ran.stdout, ran.stdout
    assert "Traceback" not in ran.stderr and ran.returncode == 1  # one submission could not be done
    for student in set(STUDENTS) - {"poor"}:
        assert feedback_text(ours, student) == feedback_text(theirs, student), student
    good = feedback_text(ours, "good")
    assert "Clear and kind ." in good and "1.5 / 2" in good  # the hand grade and comment, formatted
    assert "Not marked yet" not in good and "Not marked yet (2 points)" in feedback_text(ours, "empty")


def test_a_page_written_while_grading_is_the_page_course_feedback_writes(courses, tmp_path):
    """Grading renders each page from the notebook it has just written (in memory); `course feedback` reads
    that notebook back from autograded/. Restored, edited and hostile cells included, the pages are the same."""
    again = tmp_path / "again"
    shutil.copytree(courses["free"], again, symlinks=True)
    ran = course_cli(again, "feedback", ASSIGNMENT, env=courses["env"])
    assert "Traceback" not in ran.stderr and ran.returncode == 0, ran.stdout + ran.stderr
    compared = set()
    for page in (courses["free"] / "feedback").glob(f"*/{ASSIGNMENT}/{ASSIGNMENT}.html"):
        assert (again / page.relative_to(courses["free"])).read_bytes() == page.read_bytes(), page
        compared.add(page.parts[-3])
    assert {"good", "hostile", "deleted", "edited", "tampered", "extra"} <= compared, compared


def test_bad_input_is_named_and_the_rest_graded(courses):
    out = courses["ran_free"].stdout
    for student, reason in BAD.items():
        assert f"  {student} / {ASSIGNMENT}: " in out and reason in out.split(f"{student} / {ASSIGNMENT}: ")[1], out
    assert f"two-notebooks / {ASSIGNMENT}: not part of the assignment, not graded: {ASSIGNMENT}-Copy1.ipynb" in out
    assert f"linked-answers / {ASSIGNMENT}: " in out and "not copied (links" in out.split("linked-answers")[1]
    assert "answers-file / module2: " in out
    free = scores(courses["free"])
    assert free[("two-notebooks", CHECKS[0])] == free[("good", CHECKS[0])]
    assert all(free[("linked-answers", cell)][0] == 0.0 for cell in CHECKS)  # another trainee's answers: refused
    assert all(free[("answers-file", cell)][0] == 0.0 for cell in CHECKS)
    assert f"failed {len(BAD)};" in out
    after = {p.name: fingerprint(p / ASSIGNMENT) for p in (courses["free"] / "submitted").iterdir()
             if (p / ASSIGNMENT).is_dir()}
    assert after == courses["before"]  # nothing a trainee submitted was changed


def test_a_rerun_grades_only_what_changed_and_everything_after_a_source_change(courses):
    free = courses["free"]
    again = course_cli(free, "grade", ASSIGNMENT, env=courses["env"])
    graded = len(STUDENTS) + 3  # the bad submissions that failed are tried again
    assert f"Graded 0 submission(s), skipped {graded}" in again.stdout, again.stdout

    answers = free / "submitted" / "empty" / ASSIGNMENT / "answers"
    good = free / "submitted" / "good" / ASSIGNMENT / "answers"
    shutil.copytree(good, answers)
    late = course_cli(free, "grade", ASSIGNMENT, env=courses["env"])
    assert f"Graded 1 submission(s), skipped {graded - 1}" in late.stdout, late.stdout
    assert scores(free)[("empty", CHECKS[0])] == scores(free)[("good", CHECKS[0])]

    source = free / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    source.write_text(source.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    changed = course_cli(free, "grade", ASSIGNMENT, env=courses["env"])
    assert f"Graded {graded} submission(s), skipped 0" in changed.stdout, changed.stdout


def test_the_log_holds_nbgrader_s_lines_for_every_graded_submission(courses):
    """Workers write their log a batch at a time: after the run nothing of it is missing."""
    log = (courses["free"] / "course-grade.log").read_text()
    for student in STUDENTS:
        assert f"autograded/{student}/{ASSIGNMENT}/" in log, student  # nbgrader's "Writing ... bytes to" line
        assert f"feedback/{student}/{ASSIGNMENT}/" in log, student
