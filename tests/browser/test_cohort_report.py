"""The cohort report (`course report`), opened in Chromium as an instructor would: a page, not markup; no script.

Built by the real command from the session's graded course, whose trainees
include one with script in their name and answers and one whose id is markup.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

if os.environ.get("CI") != "true":  # in CI a missing playwright is an error, never a skip
    pytest.importorskip("playwright")

from playwright.sync_api import Page, expect  # noqa: E402

from .page_checks import HOSTILE_ID, HOSTILE_NAME, ScriptWatch, page_problems  # noqa: E402

pytestmark = pytest.mark.browser
SECTIONS = ["Completion", "Score distribution per module", "Self-assessment bands", "Trainees"]


@pytest.mark.parametrize("width", [1400, 760])
def test_cohort_report_reads_as_a_page(page: Page, report: Path, width: int, request) -> None:
    request.node.screenshot_name = f"cohort-report-{width}"
    watch = ScriptWatch().attach(page)
    page.set_viewport_size({"width": width, "height": 1000})
    page.goto(report.as_uri())

    expect(page.locator("h1")).to_have_count(1)
    for section in SECTIONS:
        expect(page.locator("h2", has_text=section)).to_be_visible()
    trainees = page.locator("table.trainees")
    # Names and ids are shown as the text they are, never as markup.
    expect(trainees.locator("tr", has_text="Okafor")).to_contain_text("good")
    expect(trainees).to_contain_text(HOSTILE_NAME)
    expect(trainees).to_contain_text(HOSTILE_ID)

    problems = page_problems(page)
    assert problems.raw_tags == [], "HTML source shown as text"
    assert problems.overflowing == [], "content wider than its box"
    assert watch.dialogs == [] and problems.pwned is None, "a trainee's name, id or answer ran as script"
    assert problems.handlers == [] and problems.js_urls == [] and problems.embedded == []
