"""Formgrader, as docs/instructors.md tells instructors to use it: `jupyter lab` in the course folder,
Nbgrader > Formgrader.

The manual grading view of a submission opens (it was an HTTP 500 when the
feedback template was configured for every exporter), shows the trainee's
widget answers and reflection as text, saves a hand-given score to the
gradebook, and runs nothing a trainee wrote in the instructor's session.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

import pytest
from nbgrader.api import Gradebook

if os.environ.get("CI") != "true":  # in CI a missing playwright is an error, never a skip
    pytest.importorskip("playwright")

from playwright.sync_api import Page, expect  # noqa: E402

from .conftest import LabServer, start_lab  # noqa: E402
from .page_checks import ScriptWatch, page_problems  # noqa: E402

pytestmark = pytest.mark.browser
ASSIGNMENT = "module1"
REFLECTION = "m1-reflection"
LOAD_TIMEOUT = 90_000


@pytest.fixture(scope="module")
def formgrader_lab(graded_course, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    """JupyterLab with the nbgrader server extension, started in a copy of the graded course folder."""
    yield from start_lab(graded_course, tmp_path_factory.mktemp("formgrader-lab"))


def _gradebook(lab: LabServer) -> Gradebook:
    return Gradebook(f"sqlite:///{lab.root / 'gradebook.db'}")


def _open_submission(page: Page, lab: LabServer, student: str) -> ScriptWatch:
    with _gradebook(lab) as gb:
        submission_id = gb.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, student).id
    watch = ScriptWatch().attach(page)
    # As an instructor: JupyterLab first (its token login sets the cookie the
    # formgrader's own API calls need), then the formgrader's submission page.
    page.goto(f"{lab.url}/lab?token={lab.token}", wait_until="commit", timeout=LOAD_TIMEOUT)
    response = page.goto(f"{lab.url}/formgrader/submissions/{submission_id}/?token={lab.token}", timeout=LOAD_TIMEOUT)
    assert response is not None and response.status == 200, f"HTTP {response and response.status}\n{lab.log_text()}"
    expect(page.locator("main #notebook-container")).to_be_visible(timeout=LOAD_TIMEOUT)
    return watch


def test_formgrader_shows_a_submission_and_saves_a_hand_grade(page: Page, formgrader_lab: LabServer, request) -> None:
    request.node.screenshot_name = "formgrader-good"
    _open_submission(page, formgrader_lab, "good")
    content = page.locator("main #notebook-container")
    # The widget answers, as the grader re-scored them, and the reflection, as text.
    expect(content).to_contain_text("Score recorded by the grader from your saved answers")
    expect(content).to_contain_text("Listen to the whole question before answering")
    expect(content.locator("h3", has_text="A late delivery")).to_be_visible()
    expect(content.locator("strong", has_text="late parcel")).to_be_visible()

    # The form has loaded the gradebook's scores (the auto-graded part shows its own).
    expect(page.locator("input.score#m1-brainstorm")).to_have_attribute("placeholder", re.compile(r"\d"))
    score = page.locator(f"input.score#{REFLECTION}")
    with page.expect_response(lambda r: "/formgrader/api/grade/" in r.url and r.request.method == "PUT") as saved:
        score.fill("1.5")
        score.press("Tab")
    assert saved.value.status == 200, saved.value.text()
    with _gradebook(formgrader_lab) as gb:
        grade = gb.find_grade(REFLECTION, ASSIGNMENT, ASSIGNMENT, "good")
        assert grade.manual_score == 1.5 and not grade.needs_manual_grade


def test_hostile_reflection_runs_nothing_in_formgrader(page: Page, formgrader_lab: LabServer, request) -> None:
    request.node.screenshot_name = "formgrader-hostile"
    watch = _open_submission(page, formgrader_lab, "hostile")
    content = page.locator("main #notebook-container")
    # What the trainee typed is there to be read and graded, as inert text.
    expect(content).to_contain_text('<script>window.__pwned = "script"')
    expect(content).to_contain_text("I listened to the customer.")
    expect(content).to_contain_text("<script>alert('synthetic')</script>")  # a widget answer
    problems = page_problems(page, "#notebook-container", overflow=False)
    assert problems.raw_tags == [], "Markdown shown as HTML source"
    page.locator("main #notebook-container a", has_text="a link").click()
    assert watch.dialogs == [] and page.evaluate("window.__pwned ?? null") is None, "a trainee's script ran"
    assert problems.handlers == [] and problems.js_urls == [] and problems.embedded == []
