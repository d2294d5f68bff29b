"""A reply the scorer cannot judge goes to the trainer: the trainee is told so, Formgrader shows the suggestion.

The trainee writes the Module 5 reply in Spanish in a real JupyterLab, saves it
and runs the check cell: it says the trainer will mark it. The same reply,
submitted and graded by the real ``nbgrader autograde``, is left for manual
grading (``needs_manual_grade``, no automatic score), and in Formgrader the
instructor sees the automatic suggestion and its reasons beside the reply.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

if os.environ.get("CI") != "true":  # in CI a missing playwright is an error, never a skip
    pytest.importorskip("playwright")

from playwright.sync_api import Page, expect  # noqa: E402

from course_lib.store import AnswerStore  # noqa: E402
from tests.nbgrader.course import make_course, nbgrader, submit_synthetic  # noqa: E402

from .conftest import REPO_ROOT, LabServer, start_lab  # noqa: E402
from .lab_actions import RUN_TIMEOUT, code_cell, open_alone, run_all_and_wait, run_cell  # noqa: E402

pytestmark = pytest.mark.browser
LOAD_TIMEOUT = 90_000
SPANISH = ("Estimada señora Alvarez: siento mucho el retraso con su reembolso y las llamadas. Hoy mismo he enviado "
           "el dinero a su tarjeta y llegará el jueves. Yo me encargo personalmente de su caso y la llamaré el "
           "viernes para confirmar que todo está bien. Gracias por su paciencia.")
TRAINEE = "ana"


@pytest.fixture(scope="module")
def module5_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    yield from start_lab(REPO_ROOT / "exercises" / "module5", tmp_path_factory.mktemp("review-lab"))


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """module5 submitted by a trainee whose reply is in Spanish, graded by nbgrader autograde."""
    course = make_course(tmp_path_factory.mktemp("review-course"))
    nbgrader(course, "generate_assignment", "module5", "--force")
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        gb.update_or_create_student(TRAINEE, first_name="Ana", last_name="Ruiz")
    folder = submit_synthetic(course, TRAINEE, "module5", "good")
    AnswerStore(folder / "answers").save("m5-recovery-reply", {"text": SPANISH})
    nbgrader(course, "autograde", "module5")
    return course


@pytest.fixture(scope="module")
def formgrader_lab(graded: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    yield from start_lab(graded, tmp_path_factory.mktemp("review-formgrader"))


def test_the_trainee_is_told_the_trainer_will_mark_the_reply(page: Page, module5_lab: LabServer, request) -> None:
    request.node.screenshot_name = "reply-sent-to-trainer"
    open_alone(page, module5_lab, "module5.ipynb")
    run_all_and_wait(page)
    reply = page.locator(".course-written-reply")
    reply.scroll_into_view_if_needed()
    box = reply.get_by_role("textbox", name="Your reply")
    box.fill(SPANISH)
    box.press("Tab")  # the text is sent when the box loses focus
    reply.get_by_role("button", name="Save reply").click()
    expect(reply.locator(".widget-label", has_text="Reply of")).to_contain_text("saved", timeout=RUN_TIMEOUT)
    check = code_cell(page, 'check("m5-recovery-reply")')
    check.scroll_into_view_if_needed()
    run_cell(page, check)
    output = check.locator(".jp-OutputArea")
    expect(output).to_contain_text("Your trainer will mark this reply: it is not in English", timeout=RUN_TIMEOUT)
    expect(output).to_contain_text("Score: to be marked by your trainer")


def test_the_reply_is_left_for_manual_grading_with_the_suggestion(graded: Path) -> None:
    with Gradebook(f"sqlite:///{graded / 'gradebook.db'}") as gb:
        grade = gb.find_grade("m5-recovery-reply", "module5", "module5", TRAINEE)
        assert grade.needs_manual_grade and grade.auto_score is None and grade.manual_score is None
        others = [g for g in gb.find_submission_notebook("module5", "module5", TRAINEE).grades
                  if g.name not in ("m5-recovery-reply",) and not g.needs_manual_grade]
        assert others, "the other exercises keep their automatic scores"


def test_formgrader_shows_the_suggestion_beside_the_reply(page: Page, formgrader_lab: LabServer, request) -> None:
    request.node.screenshot_name = "formgrader-reply-suggestion"
    with Gradebook(f"sqlite:///{formgrader_lab.root / 'gradebook.db'}") as gb:
        submission_id = gb.find_submission_notebook("module5", "module5", TRAINEE).id
    page.goto(f"{formgrader_lab.url}/lab?token={formgrader_lab.token}", wait_until="commit", timeout=LOAD_TIMEOUT)
    page.goto(f"{formgrader_lab.url}/formgrader/submissions/{submission_id}/?token={formgrader_lab.token}",
              timeout=LOAD_TIMEOUT)
    content = page.locator("main #notebook-container")
    expect(content).to_be_visible(timeout=LOAD_TIMEOUT)
    expect(content).to_contain_text("Your trainer will mark this reply: it is not in English")
    expect(content).to_contain_text("The automatic suggestion")
    expect(content).to_contain_text("Estimada señora Alvarez")  # the reply itself, as text
    # The reply's score box waits for the instructor: no automatic score behind it. Marking it counts.
    score = page.locator("input.score#m5-recovery-reply")
    expect(score).to_have_value("")
    expect(score).not_to_have_attribute("placeholder", re.compile(r"\d"))
    with page.expect_response(lambda r: "/formgrader/api/grade/" in r.url and r.request.method == "PUT") as saved:
        score.fill("4")
        score.press("Tab")
    assert saved.value.status == 200, saved.value.text()
    with Gradebook(f"sqlite:///{formgrader_lab.root / 'gradebook.db'}") as gb:
        grade = gb.find_grade("m5-recovery-reply", "module5", "module5", TRAINEE)
        assert grade.manual_score == 4 and grade.score == 4 and not grade.needs_manual_grade
