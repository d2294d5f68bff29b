"""axe-core on every page the course renders: no serious or critical WCAG 2.1 AA violation of ours.

Pages: a lesson and every graded notebook in JupyterLab after Run All (widgets
rendered, answers saved so their full state shows), the live board in Voilà
(normal and projector mode), the cohort report, feedback pages and the
exported action plan. In JupyterLab only the notebook's outputs and rendered
Markdown are ours; JupyterLab's own violations are printed, not counted.
Each audit is also saved as test-artifacts/axe-<page>.json.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest

if os.environ.get("CI") != "true":  # in CI a missing playwright is an error, never a skip
    pytest.importorskip("playwright")
    pytest.importorskip("axe_playwright_python")

from playwright.sync_api import Page, expect  # noqa: E402

from course_lib.action_plan_export import write_exports  # noqa: E402
from course_lib.models import load_exercise  # noqa: E402
from course_lib.store import AnswerStore  # noqa: E402
from tests.live.conftest import board_server  # noqa: E402,F401  (the real board command, as a fixture)
from tests.nbgrader.course import ASSIGNMENTS, graded_ids  # noqa: E402
from tests.synthetic import answer_for  # noqa: E402

from .axe_checks import audit  # noqa: E402
from .conftest import ARTIFACTS_DIR, REPO_ROOT, start_lab  # noqa: E402
from .lab_actions import RUN_TIMEOUT, open_alone, render_every_cell, run_all_and_wait  # noqa: E402

pytestmark = pytest.mark.browser
LESSON = "notebooks/01_service_vision.ipynb"
# What the course renders inside JupyterLab: cell outputs (widgets, self-check feedback) and rendered Markdown.
NOTEBOOK_PARTS = [".jp-Notebook .jp-OutputArea-output", ".jp-Notebook .jp-MarkdownOutput"]


def _seed_answers(folder: Path, exercise_ids: list[str]) -> None:
    """Save good synthetic answers, so each widget shows its filled-in state (rows, chart, transcript)."""
    for exercise_id in exercise_ids:
        exercise = load_exercise(exercise_id)
        answer = answer_for(exercise, "good")
        if exercise.type == "roleplay":  # half a call: the transcript and the reply buttons both show
            answer = {"path": answer["path"][: len(answer["path"]) // 2]}
        AnswerStore(folder / "answers").save(exercise_id, answer)


@pytest.fixture(scope="module")
def course_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """One JupyterLab over a copy of exercises/ and notebooks/, every graded exercise answered."""
    stage = tmp_path_factory.mktemp("a11y-stage")
    shutil.copytree(REPO_ROOT / "exercises", stage / "exercises")
    shutil.copytree(REPO_ROOT / "notebooks", stage / "notebooks")
    for assignment in ASSIGNMENTS:
        folder = stage / "exercises" / assignment
        _seed_answers(folder, graded_ids(nbformat.read(folder / f"{assignment}.ipynb", as_version=4)))
    work = tmp_path_factory.mktemp("a11y-lab")
    render_every_cell(work / "jupyter-config" / "lab" / "user-settings")
    with pytest.MonkeyPatch.context() as patch:
        # The lesson's live activity publishes to a class folder of the test's own.
        patch.setenv("COURSE_CLASS_DIR", str(work / "class"))
        yield from start_lab(stage, work)


def _audit_notebook(page: Page, lab, path: str, name: str) -> None:
    open_alone(page, lab, path)
    run_all_and_wait(page)
    expect(page.locator(".jp-Notebook .jp-OutputArea-output").first).to_be_visible(timeout=RUN_TIMEOUT)
    result = audit(page, NOTEBOOK_PARTS, name, save_to=ARTIFACTS_DIR / f"axe-{name}.json")
    assert result.blocking() == [], f"serious/critical violations in {path}:\n{result.describe(result.blocking())}"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_graded_notebook_has_no_serious_violations(page: Page, course_lab, assignment: str, request) -> None:
    request.node.screenshot_name = f"a11y-{assignment}"
    try:
        _audit_notebook(page, course_lab, f"exercises/{assignment}/{assignment}.ipynb", assignment)
        expect(page.locator(".course-exercise").first).to_be_visible()
    except BaseException:
        print("---- JupyterLab log (tail) ----\n" + course_lab.log_text()[-4000:])
        raise


def test_lesson_has_no_serious_violations(page: Page, course_lab, request) -> None:
    request.node.screenshot_name = "a11y-lesson"
    _audit_notebook(page, course_lab, LESSON, "lesson-01")
    expect(page.locator(".course-exercise").first).to_be_visible()


# -- pages outside JupyterLab ------------------------------------------------
def _audit_page(page: Page, ours: list[str] | None, name: str) -> None:
    result = audit(page, ours, name, save_to=ARTIFACTS_DIR / f"axe-{name}.json")
    assert result.blocking() == [], f"serious/critical violations on {name}:\n{result.describe(result.blocking())}"


def test_live_board_has_no_serious_violations(page: Page, board_server, request) -> None:  # noqa: F811
    from course_lib.live.config import LiveConfig
    from course_lib.live.publish import publish_answer

    request.node.screenshot_name = "a11y-live-board"
    brainstorm = load_exercise("m1-brainstorm")
    for number, trainee in enumerate(["ann", "ben", "cat"]):
        answer = answer_for(brainstorm, "good")[number:]
        publish_answer(brainstorm.id, "brainstorm", answer, LiveConfig(board_server.class_dir, trainee, trainee, "on"))
    page.goto(board_server.url, timeout=90_000)
    board = page.locator(".course-live-board")
    expect(board.locator(".course-board-headline")).to_have_text("3 trainees took part", timeout=90_000)
    expect(board.locator("img.course-board-chart")).to_be_visible()
    _audit_page(page, [".course-live-board"], "live-board")
    board.get_by_label("Projector mode").check()
    expect(board.locator("style.course-projector")).to_have_count(1)
    _audit_page(page, [".course-live-board"], "live-board-projector")


def test_cohort_report_has_no_serious_violations(page: Page, report: Path, request) -> None:
    request.node.screenshot_name = "a11y-cohort-report"
    page.goto(report.as_uri())
    _audit_page(page, None, "cohort-report")


@pytest.mark.parametrize(("assignment", "student"),
                         [*((assignment, "good") for assignment in ASSIGNMENTS), ("module5", "hostile")])
def test_feedback_page_has_no_serious_violations(page: Page, graded_course: Path, assignment: str, student: str,
                                                  request) -> None:
    request.node.screenshot_name = f"a11y-feedback-{assignment}-{student}"
    page.goto((graded_course / "feedback" / student / assignment / f"{assignment}.html").as_uri())
    _audit_page(page, None, f"feedback-{assignment}-{student}")


def test_exported_action_plan_has_no_serious_violations(page: Page, tmp_path: Path, request) -> None:
    request.node.screenshot_name = "a11y-action-plan-export"
    exercise = load_exercise("m8-action-plan")
    paths = write_exports(exercise, answer_for(exercise, "good"), tmp_path)
    page.goto(next(p for p in paths if p.suffix == ".html").as_uri())
    _audit_page(page, None, "action-plan-export")
