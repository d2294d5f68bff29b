"""A lesson's live activity in a RISE slideshow (jupyterlab-rise) in a real JupyterLab: the widget, not its text.

Before the course-rise-widgets extension, RISE's slideshow page could not load
the ipywidgets manager and showed "BrainstormWidget(children=...)" instead of
the activity (see course_lib/live/rise.py).
"""

from __future__ import annotations

import json
import os

import pytest

if os.environ.get("CI") != "true":  # in CI a missing playwright is an error, never a skip
    pytest.importorskip("playwright")

from playwright.sync_api import Page, expect  # noqa: E402

from course_lib.live.rise import EXTENSION_NAME, installed_path  # noqa: E402
from tests.browser.conftest import REPO_ROOT, start_lab  # noqa: E402
from tests.browser.lab_actions import LOAD_TIMEOUT, RUN_TIMEOUT, code_cell, open_notebook, run_all  # noqa: E402

ENTRY = "Greet each caller by name and listen to the whole question"


@pytest.fixture
def lessons_lab(tmp_path, monkeypatch):
    """JupyterLab over a copy of the lessons; nothing is published to a class folder."""
    monkeypatch.setenv("COURSE_PUBLISH", "0")
    yield from start_lab(REPO_ROOT / "notebooks", tmp_path)


@pytest.mark.browser
def test_a_live_activity_is_a_working_widget_in_the_slideshow(page: Page, lessons_lab, request) -> None:
    request.node.screenshot_name = "rise-live-activity"
    assert installed_path().exists(), "run `python -m course_lib.live.rise` (run.py does) to install the extension"
    messages: list[str] = []
    page.on("console", lambda m: messages.append(f"{m.type}: {m.text}"))
    try:
        open_notebook(page, lessons_lab, "01_service_vision.ipynb")
        run_all(page)
        cell = code_cell(page, 'show("m1-brainstorm")')
        expect(cell.locator(".course-exercise")).to_be_visible(timeout=RUN_TIMEOUT)
        # The facilitator selects the activity's cell and starts the slideshow there (Alt+R, docs/facilitators.md).
        cell.locator(".jp-InputArea-prompt").click()
        page.keyboard.press("Escape")
        page.keyboard.press("Alt+r")
        slides = page.frame_locator("iframe[src*='/rise/']")
        widget = slides.locator(".reveal .course-exercise.course-brainstorm")
        expect(widget).to_be_visible(timeout=LOAD_TIMEOUT)
        entry = widget.locator("input[type='text']")
        add = widget.get_by_role("button", name="Add")
        expect(entry).to_be_visible()
        expect(add).to_be_visible()
        expect(slides.locator(".reveal").get_by_text("BrainstormWidget(")).to_have_count(0)

        # It is the live widget, connected to the kernel: an answer typed in the slide is saved.
        entry.fill(ENTRY)
        entry.press("Enter")
        expect(widget).to_contain_text("1 answer saved", timeout=RUN_TIMEOUT)
        saved = json.loads((lessons_lab.root / "answers" / "m1-brainstorm.json").read_text(encoding="utf-8"))
        assert saved["answer"] == [ENTRY]
        # JupyterLab itself loads the extension without complaint (it changes nothing there).
        assert not [m for m in messages if m.startswith("error") and EXTENSION_NAME in m], messages
    except BaseException:
        print("---- JupyterLab log ----\n" + lessons_lab.log_text())
        raise
