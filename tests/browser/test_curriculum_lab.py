"""The telephone role-play and the self-assessment in a real JupyterLab."""

from __future__ import annotations

import json
import os
import re
import time

import pytest

if os.environ.get("CI") != "true":  # in CI a missing playwright is an error, never a skip
    pytest.importorskip("playwright")

from playwright.sync_api import Page, expect  # noqa: E402

from course_lib.models import load_exercise  # noqa: E402
from course_lib.scoring.roleplay import render  # noqa: E402
from tests.synthetic import answer_for  # noqa: E402

from .conftest import REPO_ROOT, start_lab  # noqa: E402
from .lab_actions import RUN_TIMEOUT, code_cell, open_notebook, run_all, run_cell  # noqa: E402


@pytest.fixture
def course_lab(tmp_path):
    """A fresh JupyterLab per test (a shared one restores the last test's tabs and kernels)."""
    yield from start_lab(REPO_ROOT / "exercises", tmp_path)


def _play(page: Page, widget, exercise, steps) -> None:
    """Click each reply of ``steps`` by its text (replies are shown in a per-trainee order)."""
    nodes = {node.id: node for node in exercise.nodes}
    for step in steps:
        choice = next(c for c in nodes[step["node"]].choices if c.id == step["choice"])
        widget.locator(".course-reply", has_text=render(exercise, choice.text)).click()
        expect(widget.locator(".widget-label", has_text=re.compile(r"saved \d\d:\d\d"))).to_be_visible()
        # the transcript of the call so far is on screen
        expect(widget).to_contain_text(render(exercise, nodes[step["node"]].caller))


def _saved_once(answers, key: str, value, timeout: float = RUN_TIMEOUT / 1000) -> dict:
    """The saved answer once its ``key`` holds ``value`` (the "saved" label can show an earlier save)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            saved = json.loads(answers.read_text())["answer"]
            if saved[key] == value:
                return saved
        except (OSError, ValueError, KeyError, TypeError):
            pass
        time.sleep(0.2)
    saved = json.loads(answers.read_text())["answer"]
    assert saved[key] == value
    return saved


def _run_check(page: Page):
    check = code_cell(page, 'check("m4-phone-roleplay")')
    run_cell(page, check)
    return check.locator(".jp-OutputArea")


@pytest.mark.browser
def test_roleplay_call_is_played_saved_and_scored(page: Page, course_lab, request) -> None:
    request.node.screenshot_name = "roleplay-lab"
    exercise = load_exercise("m4-phone-roleplay")
    best = answer_for(exercise, "good")["path"]
    worse = answer_for(exercise, "poor")["path"]
    answers = course_lab.root / "module4" / "answers" / "m4-phone-roleplay.json"
    try:
        open_notebook(page, course_lab, "module4/module4.ipynb")
        run_all(page)
        widget = page.locator(".course-roleplay")
        expect(widget).to_have_count(1, timeout=RUN_TIMEOUT)
        _play(page, widget, exercise, best)
        expect(widget.locator(".course-reply")).to_have_count(0)  # the call has ended
        _saved_once(answers, "attempts", [{"path": best}])

        # A second, worse call: the first is kept, and it is the one that counts.
        restart = widget.locator("button", has_text="Start the call again")
        expect(restart).to_be_visible()  # drawn before its width is measured
        assert restart.evaluate("b => b.scrollWidth <= b.clientWidth")  # the label is not cut off
        restart.click()
        expect(widget).to_contain_text("earlier attempts are kept")
        _play(page, widget, exercise, worse)
        saved = _saved_once(answers, "attempts", [{"path": best}, {"path": worse}])
        assert saved["chosen"] is None
        expect(widget).to_contain_text("Attempt 1 of 2 — this is the one that counts (your best call).")
        output = _run_check(page)
        expect(output).to_contain_text(f"Score: 6 of {exercise.points:g} points", timeout=RUN_TIMEOUT)
        expect(output).to_contain_text("Attempt 1 of 2 — this is the one that counts")

        # The trainee picks the other attempt: the widget and the check both say it counts now.
        picker = widget.get_by_label("Attempt that counts")
        labels = picker.locator("option").all_inner_texts()  # ipywidgets shows spaces as no-break spaces
        second = next(label for label in labels if label.replace("\xa0", " ").startswith("Attempt 2:"))
        picker.select_option(label=second)
        expect(widget).to_contain_text("Attempt 2 of 2 — this is the one that counts (you chose it).")
        _saved_once(answers, "chosen", 1)
        output = _run_check(page)
        expect(output).to_contain_text("Attempt 2 of 2 — this is the one that counts (you chose it)",
                                       timeout=RUN_TIMEOUT)
        expect(output).not_to_contain_text(f"Score: 6 of {exercise.points:g} points")
        widget.scroll_into_view_if_needed()
    except BaseException:
        print("---- JupyterLab log ----\n" + course_lab.log_text())
        raise


@pytest.mark.browser
def test_self_assessment_band_and_chart(page: Page, course_lab, request) -> None:
    request.node.screenshot_name = "self-assessment-lab"
    exercise = load_exercise("m7-self-assessment")
    total = len(exercise.statements)
    try:
        open_notebook(page, course_lab, "module7/module7.ipynb")
        run_all(page)
        widget = page.locator(".course-true-false")
        expect(widget).to_have_count(1, timeout=RUN_TIMEOUT)
        toggles = widget.locator(".widget-dropdown select")
        expect(toggles).to_have_count(total)
        # True for all but the last three statements: 22 of 25 is the top band.
        for index in range(total):
            answer = "False" if index >= total - 3 else "True"
            toggles.nth(index).select_option(label=answer)
            expect(widget).to_contain_text(f"{index + 1} of {total} answered")
        expect(widget.locator("img")).to_have_count(1, timeout=RUN_TIMEOUT)  # strengths by theme

        saved = json.loads((course_lab.root / "module7" / "answers" / "m7-self-assessment.json").read_text())
        assert len(saved["answer"]) == total and sum(saved["answer"].values()) == total - 3

        top_band = next(b for b in exercise.bands if b.min_true <= total - 3 <= b.max_true)
        expect(widget).to_contain_text(top_band.label)
        check = code_cell(page, 'check("m7-self-assessment")')
        run_cell(page, check)
        output = check.locator(".jp-OutputArea")
        expect(output).to_contain_text(top_band.label, timeout=RUN_TIMEOUT)
        expect(output).to_contain_text(f"Score: {exercise.points:g} of {exercise.points:g} points")
        widget.locator("img").scroll_into_view_if_needed()
    except BaseException:
        print("---- JupyterLab log ----\n" + course_lab.log_text())
        raise
