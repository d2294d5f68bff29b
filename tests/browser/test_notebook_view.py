"""How a lesson and a graded notebook look when a trainee opens them in a real JupyterLab.

- facilitator notes are collapsed (their text is not on the trainee's screen),
  yet the RISE slideshow still carries them as speaker notes;
- opening a notebook does not mark it modified (its kernel metadata is already
  what JupyterLab writes);
- a check cell shows formatted feedback and no bare number under it, and
  the self-assessment's check shows the chart its instructions promise;
- the graded notebook's written-answer cell reads as an instruction.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys

import pytest

if os.environ.get("CI") != "true":  # in CI a missing playwright is an error, never a skip
    pytest.importorskip("playwright")

from playwright.sync_api import Page, expect  # noqa: E402

from course_lib.models import load_exercise  # noqa: E402
from course_lib.store import AnswerStore  # noqa: E402
from tests.synthetic import answer_for  # noqa: E402

from .conftest import REPO_ROOT, start_lab  # noqa: E402
from .lab_actions import LOAD_TIMEOUT, RUN_TIMEOUT, code_cell, open_notebook, run_all  # noqa: E402

LESSON = "notebooks/01_service_vision.ipynb"
GRADED = "exercises/module1/module1.ipynb"


def _notes(notebook: str) -> list[str]:
    cells = json.loads((REPO_ROOT / notebook).read_text(encoding="utf-8"))["cells"]
    return ["".join(c["source"]) for c in cells if c["metadata"].get("slideshow", {}).get("slide_type") == "notes"]


def _same_python_as_committed(notebook: str) -> None:
    """The kernel reports this Python's version; JupyterLab rewrites language_info when it differs."""
    committed = json.loads((REPO_ROOT / notebook).read_text(encoding="utf-8"))["metadata"]["language_info"]["version"]
    running = ".".join(map(str, sys.version_info[:3]))
    if running != committed and os.environ.get("CI") != "true":
        pytest.skip(f"notebooks carry language_info for Python {committed}; this is {running}")


@pytest.fixture
def course_lab(tmp_path):  # tests ask for it before `page`: the screenshot is taken while the server still runs
    """JupyterLab over copies of notebooks/ and exercises/module1/, side by side as in the repository."""
    tree = tmp_path / "tree"
    shutil.copytree(REPO_ROOT / "notebooks", tree / "notebooks")
    for module in ("module1", "module7"):
        shutil.copytree(REPO_ROOT / "exercises" / module, tree / "exercises" / module)
    # a finished self-assessment, saved as the widget saves it
    exercise = load_exercise("m7-self-assessment")
    AnswerStore(tree / "exercises" / "module7" / "answers").save(exercise.id, answer_for(exercise, "good"))
    yield from start_lab(tree, tmp_path / "lab")


def _no_bare_number(cell) -> None:
    """The cell's output is the feedback alone: no '0.0' line (the float nbgrader reads is text/plain only)."""
    text = cell.locator(".jp-OutputArea").inner_text()
    assert not re.search(r"^\s*\d+(\.\d+)?\s*$", text, re.M), text


def _not_dirty(page: Page) -> None:
    tab = page.locator(".lm-TabBar-tab.jp-mod-current")
    expect(tab).to_have_count(1)
    assert "jp-mod-dirty" not in (tab.first.get_attribute("class") or ""), "the notebook opened as modified"


@pytest.mark.browser
def test_a_lesson_opens_clean_with_facilitator_notes_collapsed(course_lab, page: Page, request) -> None:
    request.node.screenshot_name = "lesson-notes-collapsed"
    _same_python_as_committed(LESSON)
    notes = _notes(LESSON)
    assert len(notes) >= 3
    try:
        open_notebook(page, course_lab, LESSON)
        _not_dirty(page)  # the kernel is connected and idle: JupyterLab has written its metadata by now
        collapsed = page.locator(".jp-NotebookPanel .jp-Cell .jp-InputPlaceholder")
        expect(collapsed).to_have_count(len(notes))
        for index in range(len(notes)):  # each collapsed bar says what it is
            expect(collapsed.nth(index)).to_contain_text("Facilitator notes")
        body = page.locator(".jp-NotebookPanel")
        first_words = " ".join(notes[0].split("\n\n", 1)[1].split()[:5])
        note_text = body.locator(".jp-MarkdownOutput p", has_text=first_words)
        expect(note_text).to_be_hidden()  # the notes are not on the trainee's screen ...
        collapsed.first.click()  # ... until someone opens them
        expect(note_text).to_be_visible()
        # the lesson itself is shown in full
        expect(body.get_by_role("heading", name=re.compile("Why a shared view of service matters"))).to_be_visible()

        # Run All: the check cell shows formatted feedback, no bare number; still not modified by opening
        run_all(page)
        check = code_cell(page, 'check("m1-brainstorm")')
        feedback = check.locator(".jp-OutputArea-output section.course-check")
        expect(feedback).to_be_visible(timeout=RUN_TIMEOUT)
        expect(feedback.locator("h3")).to_have_text("Customer Service means...")
        expect(feedback).to_contain_text("Practice activity: not graded.")
        _no_bare_number(check)

        # The slideshow (Alt+R) still has every note, as speaker notes.
        page.locator(".jp-NotebookPanel .jp-Cell").first.click()
        page.keyboard.press("Escape")
        page.keyboard.press("Alt+r")
        slides = page.frame_locator("iframe[src*='/rise/']")
        expect(slides.locator(".reveal .slides section").first).to_be_attached(timeout=LOAD_TIMEOUT)
        asides = slides.locator(".reveal aside.notes")
        expect(asides).to_have_count(len(notes), timeout=LOAD_TIMEOUT)
        for index in range(len(notes)):
            words = " ".join(notes[index].split("\n\n", 1)[1].split()[:5])
            expect(asides.nth(index)).to_contain_text(words)  # whitespace-normalised, and waits for the render
    except BaseException:
        print("---- JupyterLab log ----\n" + course_lab.log_text())
        raise


@pytest.mark.browser
def test_a_graded_notebook_opens_clean_and_its_answer_cell_says_what_to_do(course_lab, page: Page, request) -> None:
    request.node.screenshot_name = "graded-notebook-view"
    _same_python_as_committed(GRADED)
    try:
        open_notebook(page, course_lab, GRADED)
        _not_dirty(page)
        cells = page.locator(".jp-NotebookPanel .jp-Cell")
        answer = cells.filter(has_text="Double-click here and replace this text with your answer")
        expect(answer).to_have_count(1)
        expect(page.locator(".jp-NotebookPanel").get_by_text("YOUR ANSWER HERE")).to_have_count(0)
        # the notebook ends with a note on what to do next, after the written answer
        expect(cells.last).to_contain_text("End of the Module 1 exercise")
        expect(cells.last.locator(".jp-MarkdownOutput")).to_be_visible()

        run_all(page)
        check = code_cell(page, 'check("m1-brainstorm")')
        feedback = check.locator(".jp-OutputArea-output section.course-check")
        expect(feedback).to_be_visible(timeout=RUN_TIMEOUT)
        expect(feedback.locator("strong", has_text="Score: 0 of 5 points")).to_be_visible()
        _no_bare_number(check)
        # after Run All the written-answer cell still reads as an instruction
        expect(answer.locator(".jp-MarkdownOutput em")).to_contain_text("Double-click here")
    except BaseException:
        print("---- JupyterLab log ----\n" + course_lab.log_text())
        raise


@pytest.mark.browser
def test_the_self_assessment_check_shows_the_chart_it_promises(course_lab, page: Page, request) -> None:
    request.node.screenshot_name = "module7-check-chart"
    try:
        open_notebook(page, course_lab, "exercises/module7/module7.ipynb")
        expect(page.locator(".jp-NotebookPanel")).to_contain_text("a chart of your strengths by theme")
        run_all(page)
        check = code_cell(page, 'check("m7-self-assessment")')
        chart = check.locator("section.course-check img")
        expect(chart).to_be_visible(timeout=RUN_TIMEOUT)
        # The numbers, for a screen reader; and a real picture, decoded (a visible <img> may still be loading).
        expect(chart).to_have_attribute("alt", re.compile("Working with colleagues: 4 of 4"))
        chart.page.wait_for_function("img => img.complete && img.naturalWidth > 100", arg=chart.element_handle())
        expect(check.locator("strong", has_text="Score: 5 of 5 points")).to_be_visible()
        _no_bare_number(check)
        chart.scroll_into_view_if_needed()
    except BaseException:
        print("---- JupyterLab log ----\n" + course_lab.log_text())
        raise
