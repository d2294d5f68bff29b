"""The re-run check: the index may only ever repeat what the markers themselves say (issue 21).

Each test grades nothing: submissions, autograded and feedback folders are made by hand and marked as
``course grade`` marks them (``mark_graded``), then ``unchanged_tasks`` is asked which can be skipped,
with and without the index a previous run left.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from course_lib.grader import unchanged
from course_lib.grader.markers import MARKER, mark_graded
from course_lib.grader.summary import Task
from course_lib.grader.unchanged import INDEX_DIR, record_index, unchanged_tasks
from course_lib.store import AnswerStore

INPUTS = {"module1": "inputs-1"}


class Dirs:
    """The parts of nbgrader's CourseDirectory the check uses."""

    submitted_directory, autograded_directory, feedback_directory = "submitted", "autograded", "feedback"

    def __init__(self, root: Path) -> None:
        self.root = str(root)

    def format_path(self, step: str, student: str, assignment: str) -> str:
        return os.path.join(self.root, step, student, assignment)


def folder(root: Path, step: str, student: str) -> Path:
    return root / step / student / "module1"


def graded(root: Path, student: str, answer: str = "listen", inputs: str = "inputs-1", feedback: bool = True) -> Task:
    """A submission graded and (unless not ``feedback``) given feedback, as a run leaves it."""
    submission = folder(root, "submitted", student)
    AnswerStore(submission / "answers").save("m1-brainstorm", [answer])
    steps = (("autograded", submission), ("feedback", folder(root, "autograded", student)))
    for step, source in steps[:2 if feedback else 1]:
        target = folder(root, step, student)
        target.mkdir(parents=True, exist_ok=True)
        (target / "page").write_text(f"{step} of {answer}", encoding="utf-8")
        mark_graded(target, source, inputs)
    return Task("module1", student)


def check(root: Path, tasks: list[Task], feedback: bool = True, processes: int = 1) -> list[Task]:
    return unchanged_tasks(Dirs(root), tasks, INPUTS, feedback, processes).unchanged


def rerun(root: Path, tasks: list[Task], feedback: bool = True) -> list[Task]:
    """What a run skips, then the index it leaves (nothing is graded here: the rest stays changed)."""
    found = unchanged_tasks(Dirs(root), tasks, INPUTS, feedback, 1)
    record_index(Dirs(root), found, [], INPUTS, feedback)
    return found.unchanged


def answers_file(root: Path, student: str) -> Path:
    return folder(root, "submitted", student) / "answers" / "m1-brainstorm.json"


def test_an_unchanged_cohort_is_skipped_by_the_index_without_reading_a_marker(tmp_path, monkeypatch):
    tasks = [graded(tmp_path, name) for name in ("ann", "bob")]
    assert rerun(tmp_path, tasks) == tasks
    assert (tmp_path / INDEX_DIR / "module1.json").is_file()
    monkeypatch.setattr(unchanged, "read_marker", lambda folder: pytest.fail("read a marker"))
    assert check(tmp_path, tasks) == tasks


def test_what_a_run_graded_goes_into_the_index_and_what_failed_leaves_it(tmp_path, monkeypatch):
    tasks = [graded(tmp_path, name) for name in ("ann", "bob")]
    rerun(tmp_path, tasks)
    for student in ("ann", "bob"):
        AnswerStore(answers_file(tmp_path, student).parent).save("m1-brainstorm", ["changed"])
    found = unchanged_tasks(Dirs(tmp_path), tasks, INPUTS, True, 1)
    assert found.changed == tasks
    graded(tmp_path, "ann", answer="changed")  # the run graded ann again; bob's grading failed
    record_index(Dirs(tmp_path), found, [tasks[0]], INPUTS, True)
    monkeypatch.setattr(unchanged, "read_marker", lambda folder: None)  # only the index can say "unchanged"
    assert check(tmp_path, tasks) == [tasks[0]]


def test_an_edited_submission_is_graded_again_even_when_the_index_knew_it(tmp_path):
    tasks = [graded(tmp_path, name) for name in ("ann", "bob")]
    rerun(tmp_path, tasks)
    AnswerStore(answers_file(tmp_path, "bob").parent).save("m1-brainstorm", ["listne"])  # same size
    assert check(tmp_path, tasks) == [tasks[0]]


def test_a_touched_but_identical_submission_is_still_skipped_and_the_index_catches_up(tmp_path, monkeypatch):
    tasks = [graded(tmp_path, "ann")]
    rerun(tmp_path, tasks)
    os.utime(answers_file(tmp_path, "ann"), ns=(0, 0))
    assert rerun(tmp_path, tasks) == tasks  # by content, through the markers
    monkeypatch.setattr(unchanged, "read_marker", lambda folder: pytest.fail("read a marker"))
    assert check(tmp_path, tasks) == tasks  # the index now holds the new times


@pytest.mark.parametrize("gone", ["autograded", "feedback"])
def test_a_missing_marker_or_folder_means_grade_again(tmp_path, gone):
    tasks = [graded(tmp_path, name) for name in ("ann", "bob")]
    rerun(tmp_path, tasks)
    (folder(tmp_path, gone, "bob") / MARKER).unlink()
    assert check(tmp_path, tasks) == [tasks[0]]
    shutil.rmtree(folder(tmp_path, gone, "ann"))
    assert check(tmp_path, tasks) == []


def test_without_feedback_a_missing_feedback_page_does_not_matter_and_is_not_vouched_for_later(tmp_path):
    tasks = [graded(tmp_path, "ann")]
    shutil.rmtree(folder(tmp_path, "feedback", "ann"))
    assert rerun(tmp_path, tasks, feedback=False) == tasks
    assert check(tmp_path, tasks, feedback=True) == []


def test_a_run_without_feedback_does_not_vouch_for_an_old_feedback_page(tmp_path):
    tasks = [graded(tmp_path, "ann")]
    graded(tmp_path, "ann", answer="listen well", feedback=False)  # `course grade --no-feedback` after a change
    assert rerun(tmp_path, tasks, feedback=False) == tasks
    assert check(tmp_path, tasks, feedback=True) == []  # the page was made from the old autograded copy


def test_a_replaced_marker_is_not_trusted_from_the_index(tmp_path):
    tasks = [graded(tmp_path, "ann")]
    rerun(tmp_path, tasks)
    graded(tmp_path, "ann", inputs="another source")  # regraded by hand with other inputs, same answers
    assert check(tmp_path, tasks) == []


@pytest.mark.parametrize("text", ["", "{", "[]", '{"inputs": "inputs-1", "entries": []}',
                                  '{"inputs": "inputs-1", "entries": {"ann": [1, 2]}}'])
def test_a_torn_or_foreign_index_changes_nothing(tmp_path, text):
    tasks = [graded(tmp_path, name) for name in ("ann", "bob")]
    AnswerStore(answers_file(tmp_path, "bob").parent).save("m1-brainstorm", ["changed"])
    (tmp_path / INDEX_DIR).mkdir()
    (tmp_path / INDEX_DIR / "module1.json").write_text(text, encoding="utf-8")
    assert check(tmp_path, tasks) == [tasks[0]]


def test_a_changed_course_input_voids_the_index(tmp_path):
    tasks = [graded(tmp_path, "ann")]
    rerun(tmp_path, tasks)
    assert unchanged_tasks(Dirs(tmp_path), tasks, {"module1": "inputs-2"}, True, 1).unchanged == []


def test_forked_processes_give_the_same_answer(tmp_path, monkeypatch):
    tasks = [graded(tmp_path, f"t{n}") for n in range(12)]
    rerun(tmp_path, tasks[:6])  # half known to the index
    for student in ("t1", "t8"):
        AnswerStore(answers_file(tmp_path, student).parent).save("m1-brainstorm", ["changed"])
    alone = check(tmp_path, tasks)
    monkeypatch.setattr(unchanged, "PARALLEL_FROM", 1)
    assert check(tmp_path, tasks, processes=2) == alone == [t for t in tasks if t.student not in ("t1", "t8")]


ACTIONS = st.lists(st.tuples(st.sampled_from(["edit", "touch", "regrade", "regrade-no-feedback", "unmark",
                                              "unmark-feedback", "run", "tear-index", "add-file", "remove-file",
                                              "add-folder", "swap-folder"]),
                             st.sampled_from(["ann", "bob", "cy"])), max_size=8)


@pytest.fixture
def settled(monkeypatch):
    """Every folder counts as settled at once, so the index records folders (and a re-run trusts them)."""
    monkeypatch.setattr(unchanged, "SETTLED_NS", -10**15)


def test_settled_folders_are_not_listed_again(tmp_path, monkeypatch, settled):
    tasks = [graded(tmp_path, name) for name in ("ann", "bob")]
    assert rerun(tmp_path, tasks) == tasks
    saved = (tmp_path / INDEX_DIR / "module1.json").read_text(encoding="utf-8")
    assert '"shapes": [[["", "answers"], ["answers/.m1-brainstorm.lock", "answers/m1-brainstorm.json"]]]' in saved
    monkeypatch.setattr(unchanged, "stat_signature", lambda folder: pytest.fail("listed a folder"))
    assert check(tmp_path, tasks) == tasks


def test_a_file_added_beside_the_answers_is_seen_through_the_folder(tmp_path, settled):
    tasks = [graded(tmp_path, name) for name in ("ann", "bob")]
    rerun(tmp_path, tasks)
    (answers_file(tmp_path, "bob").parent / "m1-other.json").write_text("[]", encoding="utf-8")
    assert check(tmp_path, tasks) == [tasks[0]]


def test_folders_changed_just_now_are_not_recorded_until_a_later_run(tmp_path, monkeypatch):
    tasks = [graded(tmp_path, "ann")]
    rerun(tmp_path, tasks)  # the folders were made a moment ago: not settled
    assert '"shapes": []' in (tmp_path / INDEX_DIR / "module1.json").read_text(encoding="utf-8")
    monkeypatch.setattr(unchanged, "SETTLED_NS", -10**15)  # later: settled
    assert rerun(tmp_path, tasks) == tasks
    assert '"shapes": [[' in (tmp_path / INDEX_DIR / "module1.json").read_text(encoding="utf-8")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(actions=ACTIONS, feedback=st.booleans(), runs_with_feedback=st.lists(st.booleans(), min_size=8, max_size=8),
       settle=st.booleans())
def test_the_index_never_disagrees_with_the_markers(tmp_path_factory, actions, feedback, runs_with_feedback, settle):
    """Whatever happened to the folders since (runs with and without feedback among it, files and folders
    added, removed and swapped), a check with the index gives what the markers alone give; with folders
    recorded (``settle``) or not."""
    kept = unchanged.SETTLED_NS
    unchanged.SETTLED_NS = -10**15 if settle else kept
    try:
        _act_then_compare(tmp_path_factory.mktemp("course"), actions, feedback, runs_with_feedback)
    finally:
        unchanged.SETTLED_NS = kept


def _act_then_compare(root: Path, actions: list, feedback: bool, runs_with_feedback: list[bool]) -> None:
    tasks = [graded(root, name) for name in ("ann", "bob", "cy")]
    rerun(root, tasks, feedback)
    for step, (action, student) in enumerate(actions):
        answers = answers_file(root, student).parent
        if action == "add-file":
            (answers / f"extra-{step}.json").write_text("[]", encoding="utf-8")
        elif action == "remove-file":
            for path in sorted(answers.iterdir())[-1:]:
                shutil.rmtree(path) if path.is_dir() else path.unlink()
        elif action == "add-folder":
            (answers / f"folder-{step}").mkdir()
        elif action == "swap-folder":  # the answers folder replaced by a copy: same names, new folder
            shutil.copytree(answers, answers.with_name("copy"), copy_function=shutil.copy2)
            shutil.rmtree(answers)
            answers.with_name("copy").rename(answers)
        elif action == "edit":
            AnswerStore(answers_file(root, student).parent).save("m1-brainstorm", [f"edit {step}"])
        elif action == "touch":
            if answers_file(root, student).exists():
                os.utime(answers_file(root, student), ns=(step, step))
        elif action.startswith("regrade"):
            graded(root, student, answer=f"regraded {step}", feedback=action == "regrade")
        elif action in ("unmark", "unmark-feedback"):
            (folder(root, "autograded" if action == "unmark" else "feedback", student) / MARKER).unlink(
                missing_ok=True)
        elif action == "run":
            rerun(root, tasks, runs_with_feedback[step])
        elif (root / INDEX_DIR / "module1.json").exists():
            (root / INDEX_DIR / "module1.json").write_text("{", encoding="utf-8")
    with_index = check(root, tasks, feedback)
    shutil.rmtree(root / INDEX_DIR, ignore_errors=True)
    assert with_index == check(root, tasks, feedback)
