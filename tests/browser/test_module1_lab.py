"""Module 1 in a real JupyterLab: add brainstorm answers in the widget, see them saved and checked."""

from __future__ import annotations

import json
import os
import re

import nbformat
import pytest

if os.environ.get("CI") != "true":  # in CI a missing playwright is an error, never a skip
    pytest.importorskip("playwright")

from playwright.sync_api import Page, expect  # noqa: E402

from .lab_actions import LOAD_TIMEOUT, RUN_TIMEOUT, open_notebook, run_all, save_notebook, wait_for_idle_kernel  # noqa: E402

NOTEBOOK = "module1.ipynb"
FIRST = "Listen to the whole question before answering"
SECOND = "Call the customer back at the time I promised"


def answer_field(widget, number: int):
    """The input of the saved-answer row labelled 'Answer <number>'."""
    label = re.compile(rf"^\s*Answer {number}\s*$")
    return (
        widget.locator(".widget-text").filter(has=widget.page.locator(".widget-label", has_text=label)).locator("input")
    )


def check_cell(page: Page):
    """The code cell whose source is check("m1-brainstorm")."""
    return page.locator(".jp-CodeCell").filter(has=page.locator(".jp-InputArea", has_text='check("m1-brainstorm")'))


@pytest.mark.browser
def test_module1_brainstorm_saves_and_checks(page: Page, module1_lab, request) -> None:
    request.node.screenshot_name = "module1-lab"
    answers_file = module1_lab.root / "answers" / "m1-brainstorm.json"
    try:
        open_notebook(page, module1_lab, NOTEBOOK)
        run_all(page)

        widget = page.locator(".course-brainstorm")
        expect(widget).to_have_count(1, timeout=RUN_TIMEOUT)
        expect(answer_field(widget, 1)).to_have_count(0)  # a fresh copy: nothing saved yet

        entry = widget.locator(".widget-text input").first
        # Type key by key with no delay, as a fast typist would: the whole text
        # must arrive, not a value cut off by an early Enter.
        entry.press_sequentially(FIRST, delay=0)
        entry.press("Enter")
        expect(widget.locator(".widget-label", has_text="1 answer saved")).to_be_visible()
        expect(entry).to_have_value("")

        entry.press_sequentially(SECOND, delay=0)
        widget.locator("button", has_text=re.compile(r"^\s*Add\s*$")).click()
        status = widget.locator(".widget-label", has_text=re.compile(r"^2 answers saved \d\d:\d\d$"))
        expect(status).to_be_visible()

        # Saved at once, beside the notebook.
        saved = json.loads(answers_file.read_text(encoding="utf-8"))
        assert saved["format"] == 1
        assert saved["exercise"] == "m1-brainstorm"
        assert saved["answer"] == [FIRST, SECOND]

        # Run All again: the re-displayed widget reloads the saved answers and
        # the check cell reports on them.
        check_output = check_cell(page).locator(".jp-OutputArea")
        run_all(page)
        expect(check_output).to_contain_text("Your answers (2)", timeout=RUN_TIMEOUT)
        wait_for_idle_kernel(page)
        widget = page.locator(".course-brainstorm")
        expect(widget).to_have_count(1)
        expect(answer_field(widget, 1)).to_have_value(FIRST)
        expect(answer_field(widget, 2)).to_have_value(SECOND)
        expect(answer_field(widget, 3)).to_have_count(0)
        expect(widget.locator(".widget-label", has_text="2 answers saved")).to_be_visible()

        expect(check_output).to_contain_text(FIRST)
        expect(check_output).to_contain_text(SECOND)
        expect(check_output).to_contain_text("Distinct behaviours counted:")
        expect(check_output).to_contain_text(re.compile(r"Score: [\d.]+ of 5 points"))
        # The cell's result is the score: JupyterLab shows it as the formatted feedback
        # (no bare number on screen); its text/plain, which nbgrader reads, is the float.
        result = check_output.locator(".jp-OutputArea-executeResult")
        expect(result.locator(".jp-OutputPrompt")).to_have_text(re.compile(r"^\[\d+\]:$"))
        expect(result.locator("section.course-check h3")).to_have_text("Customer Service means...")
        shown = re.search(r"Score: ([\d.]+) of 5 points", result.inner_text())
        assert shown and not re.search(r"^\s*\d+(\.\d+)?\s*$", result.inner_text(), re.M)

        # Save the notebook (outputs included) and reload the page: the widget
        # is restored from the still-running kernel and still shows two answers.
        save_notebook(page)
        saved_nb = nbformat.read(module1_lab.root / NOTEBOOK, as_version=4)
        (check_saved,) = [c for c in saved_nb.cells if c.source == 'check("m1-brainstorm")']
        (plain,) = [o.data["text/plain"] for o in check_saved.outputs if o.output_type == "execute_result"]
        assert float(plain) == float(shown.group(1)) and 0 < float(plain) < 5
        page.reload(timeout=LOAD_TIMEOUT)
        wait_for_idle_kernel(page)
        expect(page.locator(".course-brainstorm .widget-label", has_text="2 answers saved")).to_be_visible(
            timeout=RUN_TIMEOUT
        )
        expect(check_cell(page).locator(".jp-OutputArea")).to_contain_text("Your answers (2)")
        check_cell(page).scroll_into_view_if_needed()  # widget and feedback in the screenshot
    except BaseException:
        print("---- JupyterLab log ----\n" + module1_lab.log_text())
        raise
