"""Generated feedback pages, opened in Chromium as a trainee would: they read as a page and run nothing.

One good and one hostile submission of every assignment, graded once by the
real nbgrader (``graded_course``); each page is checked from its DOM and a
screenshot is kept in test-artifacts/feedback-<assignment>-<trainee>.png.
"""

from __future__ import annotations

import os
import re

import nbformat
import pytest
from nbgrader.api import Gradebook

if os.environ.get("CI") != "true":  # in CI a missing playwright is an error, never a skip
    pytest.importorskip("playwright")

from playwright.sync_api import Page, expect  # noqa: E402

from tests.nbgrader.course import ASSIGNMENTS, WRITTEN_ASSIGNMENTS  # noqa: E402

from .page_checks import LONG_WORD, ScriptWatch, expected_headings, page_problems  # noqa: E402

pytestmark = pytest.mark.browser
NARROW = {"width": 760, "height": 1000}  # a laptop window split in two: long lines must wrap


def _lesson_markdown(course, assignment: str) -> list[str]:
    nb = nbformat.read(course / "exercises" / assignment / f"{assignment}.ipynb", as_version=4)
    cells = [c for c in nb.cells if c.cell_type == "markdown"]
    return [c.source for c in cells if not c.metadata.get("nbgrader", {}).get("solution")]


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _gradebook_score(course, assignment: str, student: str) -> float:
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        return gb.find_submission(assignment, student).score


def _open_feedback(page: Page, course, assignment: str, student: str) -> ScriptWatch:
    watch = ScriptWatch().attach(page)
    page.set_viewport_size(NARROW)
    page.goto((course / "feedback" / student / assignment / f"{assignment}.html").as_uri())
    return watch


@pytest.mark.parametrize("student", ["good", "hostile"])
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_feedback_page_reads_as_a_page(page: Page, graded_course, assignment: str, student: str, request) -> None:
    request.node.screenshot_name = f"feedback-{assignment}-{student}"
    watch = _open_feedback(page, graded_course, assignment, student)

    # The lesson's headings are heading elements, not "<h1 ...>" in the text.
    shown = {_squash(t) for t in page.locator("h1, h2, h3, h4, h5, h6").all_inner_texts()}
    missing = [h for h in expected_headings(_lesson_markdown(graded_course, assignment)) if _squash(h) not in shown]
    assert not missing, f"lesson headings not shown as headings: {missing}"

    # The score summary is the gradebook's.
    total = page.locator(".summary .total strong")
    assert float(total.inner_text()) == pytest.approx(_gradebook_score(graded_course, assignment, student), abs=0.01)
    # The grader's widget feedback is there, as text.
    expect(page.locator(".feedback-text").first).to_contain_text("Score recorded by the grader")

    problems = page_problems(page)
    assert problems.raw_tags == [], "Markdown shown as HTML source"
    assert problems.overflowing == [], "content wider than its box (not wrapped)"
    assert watch.dialogs == [] and problems.pwned is None, "a trainee's script ran"
    assert problems.handlers == [] and problems.js_urls == [] and problems.embedded == []


@pytest.mark.parametrize("assignment", WRITTEN_ASSIGNMENTS)
def test_a_written_answer_not_yet_marked_says_so(page: Page, graded_course, assignment: str) -> None:
    """Before hand grading the written part reads "not marked yet", not "0 of 2 points" (which reads as a fail)."""
    _open_feedback(page, graded_course, assignment, "good")
    expect(page.locator(".part.written .part-score").first).to_contain_text("Not marked yet")
    expect(page.locator(".summary td.num.awaiting").first).to_contain_text("not marked yet")
    expect(page.locator(".summary .awaiting-note")).to_contain_text("waiting for your instructor to mark them")
    assert " of 0 points" not in page.locator(".part.written .part-score").first.inner_text()


@pytest.mark.parametrize("assignment", WRITTEN_ASSIGNMENTS)
def test_trainee_markdown_renders_formatted(page: Page, graded_course, assignment: str, request) -> None:
    request.node.screenshot_name = f"feedback-{assignment}-good-answer"
    _open_feedback(page, graded_course, assignment, "good")
    answer = page.locator(".part.written .answer")
    expect(answer.locator("h3", has_text="A late delivery")).to_be_visible()
    expect(answer.locator("strong", has_text="late parcel")).to_be_visible()
    expect(answer.locator("em", has_text="listened")).to_be_visible()
    expect(answer.locator("li")).to_have_count(2)
    expect(answer).to_contain_text(LONG_WORD[-40:])


@pytest.mark.parametrize("assignment", WRITTEN_ASSIGNMENTS)
def test_hostile_answers_show_as_inert_text(page: Page, graded_course, assignment: str, request) -> None:
    request.node.screenshot_name = f"feedback-{assignment}-hostile-answer"
    watch = _open_feedback(page, graded_course, assignment, "hostile")
    answer = page.locator(".part.written .answer")
    # What the trainee typed is readable as text, and nothing of it runs.
    expect(answer).to_contain_text('<script>window.__pwned = "script"')
    expect(answer).to_contain_text("I listened to the customer.")
    expect(page.locator("body")).to_be_visible()  # the trainee's <style> did not hide the page
    page.locator(".part.written .answer a", has_text="a link").click()
    assert watch.dialogs == [] and page.evaluate("window.__pwned ?? null") is None
