"""The re-run check started before nbgrader loads (``early_check``) says only what the check itself says.

Its checkers are forked processes that read the index and the file system before the run knows its
configuration; the run takes an answer only where the checker's assumptions still hold. Hand-made
submissions as in test_unchanged.py, and one real ``course grade`` re-run.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from nbformat.warnings import MissingIDFieldWarning
from nbgrader.api import Gradebook

from course_lib.grader import early_check as early_module
from course_lib.grader import unchanged
from course_lib.grader.early_check import early_check
from course_lib.grader.shards import Shard
from course_lib.grader.task import find_submissions
from course_lib.grader.unchanged import INDEX_DIR, record_index, unchanged_tasks
from course_lib.store import AnswerStore
from tests.synthetic import GOOD_BRAINSTORM

from ..nbgrader.course import submit
from .confined import generate, open_course
from .test_unchanged import INPUTS, Dirs, answers_file, graded, rerun


@pytest.fixture(autouse=True)
def early_for_any_size(monkeypatch):
    monkeypatch.setattr(early_module, "EARLY_FROM", 1)  # the checkers start for a cohort of three


def _early_then_check(root: Path, tasks, feedback: bool = True, between=None):
    """``unchanged_tasks`` given what checkers found (``between`` runs after they did), and the early answers."""
    with early_check(root, ["module1"], None, feedback, None, False, print) as early:
        listed, answers = early.collect()
        if between is not None:
            between()
        found = unchanged_tasks(Dirs(root), tasks, INPUTS, feedback, 1, early=early.answers(tasks, listed, answers))
    return found.unchanged, listed, answers


def test_the_checkers_list_what_the_run_lists_and_the_run_checks_nothing_again(tmp_path, monkeypatch):
    tasks = [graded(tmp_path, name) for name in ("ann", "bob", "cy")]
    rerun(tmp_path, tasks)
    AnswerStore(answers_file(tmp_path, "bob").parent).save("m1-brainstorm", ["changed"])
    with early_check(tmp_path, ["module1"], None, True, None, False, print) as early:
        assert early.lists(str(tmp_path / "submitted"), ["module1"], None)
        listed, answers = early.collect()
        monkeypatch.setattr(unchanged, "_quick_check", lambda *a: pytest.fail("checked again in the run"))
        found = unchanged_tasks(Dirs(tmp_path), listed, INPUTS, True, 1, early=early.answers(listed, listed, answers))
    assert listed == find_submissions(tmp_path, "submitted", ["module1"]) == tasks
    assert [bool(answer) for answer in answers] == [True, False, True]
    assert found.unchanged == [tasks[0], tasks[2]]


HOLDER = """
import sys, time
from course_lib.grader.locking import course_lock
from course_lib.store import AnswerStore
with course_lock(sys.argv[1]):
    print("held", flush=True)
    time.sleep(1.0)
    AnswerStore(sys.argv[2]).save("m1-brainstorm", ["changed while another run held the lock"])
"""


def test_the_checkers_start_only_once_the_course_lock_is_theirs(tmp_path):
    tasks = [graded(tmp_path, name) for name in ("ann", "bob")]
    rerun(tmp_path, tasks)
    other = subprocess.Popen([sys.executable, "-c", HOLDER, str(tmp_path), str(answers_file(tmp_path, "bob").parent)],
                             stdout=subprocess.PIPE, text=True)
    assert other.stdout is not None and other.stdout.readline() == "held\n"
    said: list[str] = []
    with early_check(tmp_path, ["module1"], None, True, None, False, said.append) as early:
        listed, answers = early.collect()
    assert other.wait(30) == 0
    other.stdout.close()
    assert said and "waiting for it to finish" in said[0]
    assert dict(zip(listed, answers, strict=True))[tasks[1]] is False  # bob as the other run left him


def test_another_layout_in_the_configuration_voids_the_early_answers(tmp_path):
    tasks = [graded(tmp_path, name) for name in ("ann", "bob")]
    rerun(tmp_path, tasks)
    index = tmp_path / INDEX_DIR / "module1.json"
    data = json.loads(index.read_text(encoding="utf-8"))
    data["layout"] = [shape.replace("submitted", "elsewhere") for shape in data["layout"]]
    index.write_text(json.dumps(data), encoding="utf-8")
    with early_check(tmp_path, ["module1"], None, True, None, False, print) as early:
        assert not early.lists(str(tmp_path / "submitted"), ["module1"], None)  # it listed elsewhere/
        found = early.collect()
    assert found == ([], [])
    assert early.answers(tasks, *found).usable(tasks, {}, {}) is None  # other tasks: nothing taken


def test_a_shard_gets_answers_for_its_own_trainees_as_its_own_check_gives_them(tmp_path):
    shard = Shard(1, 2)
    tasks = [graded(tmp_path, f"t{n}") for n in range(8)]
    mine = [task for task in tasks if shard.owns(task.student)]
    assert 0 < len(mine) < len(tasks)
    found = unchanged_tasks(Dirs(tmp_path), mine, INPUTS, True, 1, shard.index_name)
    record_index(Dirs(tmp_path), found, [], INPUTS, True)  # the shard's own index
    AnswerStore(answers_file(tmp_path, mine[0].student).parent).save("m1-brainstorm", ["changed"])
    with early_check(tmp_path, ["module1"], None, True, shard, False, print) as early:
        listed, answers = early.collect()
        early_found = unchanged_tasks(Dirs(tmp_path), mine, INPUTS, True, 1, shard.index_name,
                                      early=early.answers(mine, listed, answers))
    assert listed == tasks  # the whole cohort is listed (the summary says how many it has)
    assert not any(answer for task, answer in zip(listed, answers, strict=True) if task not in mine)
    assert early_found.unchanged == mine[1:]
    assert early_found.unchanged == unchanged_tasks(Dirs(tmp_path), mine, INPUTS, True, 1, shard.index_name).unchanged


def test_no_checker_starts_without_an_index_or_with_force(tmp_path):
    tasks = [graded(tmp_path, name) for name in ("ann", "bob")]
    with early_check(tmp_path, ["module1"], None, True, None, False, print) as early:
        assert early.collect() is None
    rerun(tmp_path, tasks)
    with early_check(tmp_path, ["module1"], None, True, None, True, print) as early:
        assert early.collect() is None


ACTIONS = st.lists(st.tuples(st.sampled_from(["edit", "touch", "regrade", "unmark", "run", "remove-file",
                                              "add-file", "swap-folder", "new-trainee"]),
                             st.sampled_from(["ann", "bob", "cy"])), max_size=6)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(actions=ACTIONS, feedback=st.booleans(), settle=st.booleans())
def test_early_answers_never_disagree_with_the_markers(tmp_path_factory, actions, feedback, settle):
    kept = unchanged.SETTLED_NS
    unchanged.SETTLED_NS = -10**15 if settle else kept
    try:
        root = tmp_path_factory.mktemp("course")
        tasks = [graded(root, name) for name in ("ann", "bob", "cy")]
        rerun(root, tasks, feedback)
        for step, (action, student) in enumerate(actions):
            answers = answers_file(root, student).parent
            if action == "edit":
                AnswerStore(answers).save("m1-brainstorm", [f"edit {step}"])
            elif action == "touch" and answers_file(root, student).exists():
                os.utime(answers_file(root, student), ns=(step, step))
            elif action == "regrade":
                graded(root, student, answer=f"regraded {step}", feedback=feedback)
            elif action == "unmark":
                (root / "autograded" / student / "module1" / ".course-graded.json").unlink(missing_ok=True)
            elif action == "run":
                rerun(root, tasks, feedback)
            elif action == "remove-file":
                for path in sorted(answers.iterdir())[-1:]:
                    path.unlink()
            elif action == "add-file":
                (answers / f"extra-{step}.json").write_text("[]", encoding="utf-8")
            elif action == "swap-folder":
                shutil.copytree(answers, answers.with_name("copy"), copy_function=shutil.copy2)
                shutil.rmtree(answers)
                answers.with_name("copy").rename(answers)
            elif action == "new-trainee" and not (root / "submitted" / f"new{step}").exists():
                graded(root, f"new{step}")
        everyone = find_submissions(root, "submitted", ["module1"])
        early, listed, _ = _early_then_check(root, everyone, feedback)
        assert listed == everyone
        shutil.rmtree(root / INDEX_DIR, ignore_errors=True)
        assert early == unchanged_tasks(Dirs(root), everyone, INPUTS, feedback, 1).unchanged
    finally:
        unchanged.SETTLED_NS = kept


@pytest.fixture
def graded_course():
    for course in open_course():
        generate(course)
        for n in range(4):
            folder, _nb = submit(course, f"t{n}")
            AnswerStore(folder / "answers").save("m1-brainstorm", GOOD_BRAINSTORM[n:])
        yield course


@pytest.mark.nbgrader
def test_a_real_rerun_with_early_answers_grades_only_what_changed(graded_course, monkeypatch):
    from course_lib.grader.cohort import grade_cohort

    course = graded_course
    monkeypatch.chdir(course)
    with warnings.catch_warnings():  # as `course grade` runs: nbformat's notice about old notebooks is no error
        warnings.simplefilter("ignore", MissingIDFieldWarning)
        first = grade_cohort(course, ["module1"], stream=io.StringIO())
        assert [o.status for o in first.outcomes] == ["graded"] * 4
        AnswerStore(course / "submitted" / "t2" / "module1" / "answers").save("m1-brainstorm", ["Be nice"])
        with early_check(course, ["module1"], None, True, None, False, print) as early:
            # The run must take the checkers' answers: checking again in the run would fail.
            monkeypatch.setattr(unchanged, "_quick_check", lambda *a: pytest.fail("checked again in the run"))
            again = grade_cohort(course, ["module1"], stream=io.StringIO(), early=early)
    assert {o.task.student: o.status for o in again.outcomes} == {
        "t0": "skipped", "t1": "skipped", "t2": "graded", "t3": "skipped"}
    # That run's workers were forked from a parent that had set up a feedback page first (warm_up); a run
    # without the checkers has not: the page is the same.
    page = course / "feedback" / "t2" / "module1" / "module1.html"
    warmed = page.read_text(encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MissingIDFieldWarning)
        grade_cohort(course, ["module1"], students=["t2"], force=True, stream=io.StringIO())
    assert page.read_text(encoding="utf-8") == warmed
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "customer-service") as gb:
        assert gb.find_grade("m1-brainstorm", "module1", "module1", "t2").score < gb.find_grade(
            "m1-brainstorm", "module1", "module1", "t0").score


def test_a_failing_checker_costs_only_its_help(tmp_path, monkeypatch):
    tasks = [graded(tmp_path, name) for name in ("ann", "bob")]
    rerun(tmp_path, tasks)

    def broken(*args):
        raise OSError("a file system hiccup")

    monkeypatch.setattr(early_module, "quick_answers", broken)  # the forked checkers inherit it
    with early_check(tmp_path, ["module1"], None, True, None, False, print) as early:
        assert early.collect() is None  # the run then lists and checks everything itself
    assert unchanged_tasks(Dirs(tmp_path), tasks, INPUTS, True, 1).unchanged == tasks


def test_a_run_that_fails_ends_its_checkers(tmp_path):
    tasks = [graded(tmp_path, name) for name in ("ann", "bob")]
    rerun(tmp_path, tasks)
    with pytest.raises(RuntimeError, match="the configuration is broken"):
        with early_check(tmp_path, ["module1"], None, True, None, False, print) as early:
            pids = [pid for pid, _ in early._children]
            assert pids
            raise RuntimeError("the configuration is broken")
    for pid in pids:
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)  # ended and reaped: no checker, no zombie left
