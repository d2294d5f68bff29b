"""Trainee progress on the start page: completion and scores read from saved answers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from course_lib.store import AnswerStore
from course_lib.trainee_progress import course_progress, find_course_root, progress_chart, progress_html

# A tiny brainstorm exercise: one behaviour point and one theme point (listening).
CONTENT = """\
id: {id}
type: brainstorm
title: "Test exercise {id}"
prompt: "List behaviours."
points: {points}
rubric: {{max_behaviour_points: 1, max_theme_points: 1}}
themes:
  - {{id: listening, label: Listening, keywords: [listen], suggestion: "Listen more."}}
behaviour:
  separators: [and]
  linking_words: [the, to, "on", when]
  action_words: [listen, call]
feedback:
  not_a_behaviour: "not one behaviour"
  no_answers: "Nothing yet."
  too_short: "too short"
  near_duplicate: "too close to {{other}}"
  all_themes: "All themes."
"""


def _cell(cell_type: str, source: str, **nbgrader) -> dict:
    cell = {"cell_type": cell_type, "metadata": {"nbgrader": nbgrader} if nbgrader else {}, "source": source}
    if cell_type == "code":
        cell.update(outputs=[], execution_count=None)
    return cell


def _notebook(path: Path, title: str, exercises: dict[str, float]) -> None:
    cells = [_cell("markdown", f"# {title}\n\nIntro.", grade=False, locked=True, grade_id="intro")]
    for exercise_id, points in exercises.items():
        cells.append(_cell("code", f'show("{exercise_id}")', grade=False, grade_id=f"{exercise_id}-widget"))
        cells.append(_cell("code", f'check("{exercise_id}")', grade=True, solution=False, locked=True,
                           grade_id=exercise_id, points=points))
    # A hand-graded written cell: not an exercise, so not counted here.
    cells.append(_cell("markdown", "Marking guide", grade=True, solution=True, grade_id="reflection", points=2))
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))


@pytest.fixture
def course(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    content = tmp_path / "content"
    content.mkdir()
    for exercise_id, points in (("alpha-one", 4), ("alpha-two", 2), ("beta-one", 3)):
        (content / f"{exercise_id}.yaml").write_text(CONTENT.format(id=exercise_id, points=points))
    monkeypatch.setenv("COURSE_CONTENT_PATH", str(content))
    root = tmp_path / "course"
    (root / "nbgrader_config.py").parent.mkdir()
    (root / "nbgrader_config.py").write_text("")
    _notebook(root / "solutions" / "module2" / "module2.ipynb", "Module 2 graded exercise: Beta",
              {"beta-one": 3})
    _notebook(root / "solutions" / "module1" / "module1.ipynb", "Module 1 graded exercise: Alpha",
              {"alpha-one": 4, "alpha-two": 2})
    return root


def _answers(root: Path, assignment: str) -> AnswerStore:
    return AnswerStore(root / "exercises" / assignment / "answers")


def test_nothing_saved_gives_zero_done_and_zero_points(course):
    progress = course_progress(course)
    assert [m.assignment for m in progress] == ["module1", "module2"]
    assert [(m.done, m.total, m.points, m.max_points) for m in progress] == [(0, 2, 0, 6), (0, 1, 0, 3)]
    assert progress[0].title == "Module 1: Alpha"


def test_saved_answers_count_as_done_and_are_scored(course):
    # Full marks on alpha-one (a behaviour that covers the listening theme);
    # half on beta-one (a behaviour, but no theme); alpha-two not started.
    _answers(course, "module1").save("alpha-one", ["listen to the whole question first"])
    _answers(course, "module2").save("beta-one", ["call the customer back on time"])
    module1, module2 = course_progress(course)
    assert (module1.done, module1.total, module1.points, module1.max_points) == (1, 2, 4, 6)
    assert [e.done for e in module1.exercises] == [True, False]
    assert (module2.done, module2.points, module2.max_points) == (1, 1.5, 3)


def test_a_corrupt_answers_file_counts_as_not_done_and_is_left_untouched(course):
    answers = course / "exercises" / "module1" / "answers"
    answers.mkdir(parents=True)
    damaged = answers / "alpha-one.json"
    damaged.write_text("{not json", encoding="utf-8")
    module1 = course_progress(course)[0]
    assert (module1.done, module1.points) == (0, 0)
    assert damaged.read_text(encoding="utf-8") == "{not json"
    assert sorted(p.name for p in answers.iterdir()) == ["alpha-one.json"]


def test_the_table_escapes_titles_and_the_chart_has_one_row_per_module(course):
    _notebook(course / "solutions" / "module3" / "module3.ipynb", "Module 3 <b>bold</b>", {"beta-one": 3})
    progress = course_progress(course)
    table = progress_html(progress)
    assert "<b>bold</b>" not in table and "&lt;b&gt;bold&lt;/b&gt;" in table
    assert "0 of 4" in table  # whole course: four graded exercises, none done
    labels = [t.get_text() for t in progress_chart(progress).axes[0].get_yticklabels()]
    assert labels == ["Module 1", "Module 2", "Module 3"]


def test_the_course_root_is_found_from_a_notebook_folder(course):
    notebooks = course / "notebooks"
    notebooks.mkdir()
    assert find_course_root(notebooks) == course.resolve()
    assert find_course_root(course.parent) is None


def test_the_role_play_counts_its_best_attempt_or_the_one_the_trainee_chose(tmp_path):
    from tests.scoring.test_roleplay import BEST, CARELESS, attempts

    root = tmp_path / "course"
    root.mkdir()
    (root / "nbgrader_config.py").write_text("")
    _notebook(root / "solutions" / "module4" / "module4.ipynb", "Module 4 graded exercise: Calls",
              {"m4-phone-roleplay": 6})
    store = _answers(root, "module4")
    store.save("m4-phone-roleplay", attempts(BEST, CARELESS))  # a 6 of 6 call, then a worse one
    (module4,) = course_progress(root)
    assert (module4.done, module4.points, module4.max_points) == (1, 6, 6)
    store.save("m4-phone-roleplay", attempts(BEST, CARELESS, chosen=1))
    assert course_progress(root)[0].points == 0
