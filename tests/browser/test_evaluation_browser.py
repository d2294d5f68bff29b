"""In Chromium: the 30-day follow-up loading a saved action plan in JupyterLab, and the report's evaluation sections."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

if os.environ.get("CI") != "true":  # in CI a missing playwright is an error, never a skip
    pytest.importorskip("playwright")

from playwright.sync_api import Page, expect  # noqa: E402

from course_lib.live.config import LiveConfig  # noqa: E402
from course_lib.live.publish import publish_answer  # noqa: E402
from course_lib.store import AnswerStore  # noqa: E402

from .conftest import REPO_ROOT, start_lab  # noqa: E402
from .lab_actions import RUN_TIMEOUT, open_notebook, run_all_and_wait  # noqa: E402
from .page_checks import ScriptWatch, page_problems  # noqa: E402

pytestmark = pytest.mark.browser

PLAN = {"behaviours": ["Ring back <em>when</em> I said I would", "Use the caller's name"],
        "first_step": "Put every call-back time in my calendar", "date": "2030-03-02", "helper": "Kim",
        "notes": ""}


def saved_review(page: Page, answers_file: Path, text: str) -> dict:
    """The saved follow-up once the kernel has written ``text`` into it (the status can show an earlier save)."""
    for _ in range(120):
        saved = json.loads(answers_file.read_text(encoding="utf-8"))["answer"] if answers_file.exists() else None
        if saved and text in json.dumps(saved):
            return saved
        page.wait_for_timeout(250)
    raise AssertionError(f"{answers_file} never held {text!r}")


@pytest.fixture(scope="module")
def follow_up_lab(tmp_path_factory):
    """JupyterLab serving exercises/follow-up/, with the trainee's action plan saved beside it, as released."""
    work = tmp_path_factory.mktemp("follow-up-lab")
    AnswerStore(work / "action-plan" / "answers").save("m8-action-plan", PLAN)
    yield from start_lab(REPO_ROOT / "exercises" / "follow-up", work)


def test_the_follow_up_loads_the_saved_plan_and_exports_the_review(page: Page, follow_up_lab, request) -> None:
    request.node.screenshot_name = "follow-up-lab"
    open_notebook(page, follow_up_lab, "follow-up.ipynb")
    run_all_and_wait(page)
    widget = page.locator(".course-follow-up")
    expect(widget).to_have_count(1, timeout=RUN_TIMEOUT)
    expect(widget).to_contain_text("2 commitment(s)")
    # The trainee's own text, shown as typed (escaped), one block per commitment.
    expect(widget.locator("h4").nth(0)).to_have_text("1. Ring back <em>when</em> I said I would")
    expect(widget.locator("h4").nth(1)).to_have_text("2. Use the caller's name")
    expect(widget.locator("em")).to_have_count(0)

    widget.locator("select").first.select_option(label="Yes, I do this now")
    happened = widget.locator("textarea").first
    happened.fill("Three customers said they were glad I rang back")
    happened.blur()
    answers_file = follow_up_lab.root / "answers" / "m9-follow-up.json"
    expect(widget.locator(".widget-label", has_text="Follow-up (1 of 2 commitments reviewed) saved")).to_be_visible(
        timeout=RUN_TIMEOUT)
    saved = saved_review(page, answers_file, "glad I rang back")
    assert saved["commitments"][0] == {"behaviour": PLAN["behaviours"][0], "outcome": "done",
                                       "happened": "Three customers said they were glad I rang back",
                                       "obstacle": ""}

    widget.locator("button", has_text="Export").click()
    expect(widget.locator("a", has_text="follow-up-plan.html")).to_be_visible(timeout=RUN_TIMEOUT)
    exported = (follow_up_lab.root / "follow-up-plan.html").read_text(encoding="utf-8")
    assert "Ring back &lt;em&gt;when&lt;/em&gt; I said I would" in exported and "Yes, I do this now" in exported


@pytest.fixture(scope="module")
def evaluation_report(graded_course: Path, tmp_path_factory) -> Path:
    """`course report` of the session's graded course, with a class folder holding reaction surveys."""
    folder = tmp_path_factory.mktemp("evaluation-report")
    class_dir = folder / "class"
    for n, (trainee, useful, text) in enumerate([("rx-1", 5, "Promise a date I can keep"),
                                                 ("rx-2", 3, "<script>alert('r')</script> greet by name"),
                                                 ("rx-3", 4, "")]):
        config = LiveConfig(class_dir=class_dir, trainee_id=trainee, display_name=f"Reactor {n}", publish="on")
        for module in (1, 4):
            publish_answer(f"m{module}-reaction", "reaction",
                           {"ratings": {"usefulness": useful, "clarity": 4}, "text": text}, config)
    target = folder / "report.html"
    done = subprocess.run([str(Path(sys.executable).with_name("course")), "report", "-o", str(target),
                           "--class-dir", str(class_dir)], cwd=graded_course, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return target


def test_the_report_renders_the_evaluation_sections(page: Page, evaluation_report: Path, request) -> None:
    request.node.screenshot_name = "cohort-report-evaluation"
    watch = ScriptWatch().attach(page)
    page.goto(evaluation_report.as_uri())
    for heading in ("Learning: knowledge before and after the course", "Reaction: how the modules landed",
                    "Behaviour: action plans 30 days on"):
        section = page.locator("section", has=page.locator("h2", has_text=heading))
        expect(section).to_be_visible()
        image = section.locator("img").first
        expect(image).to_be_visible()
        # Decoded (not read once: a visible <img> may still be loading), and described.
        expect(image).to_have_js_property("complete", True)
        expect(image).not_to_have_js_property("naturalWidth", 0)
        expect(image).to_have_attribute("alt", re.compile(r"\S"))
    learning = page.locator("table.learning")
    expect(learning.locator("tr")).to_have_count(8)  # a heading row and one per module
    def section(heading: str):
        return page.locator("section", has=page.locator("h2", has_text=heading))

    expect(section("Reaction:")).to_contain_text("<script>alert('r')</script> greet")
    expect(section("Behaviour:")).to_contain_text("of commitments kept")
    body = page.locator("body").inner_text()
    assert "rx-1" not in body and "Reactor" not in body
    problems = page_problems(page)
    assert problems.raw_tags == [] or all("alert('r')" in t for t in problems.raw_tags)
    assert problems.overflowing == [], "content wider than its box"
    assert watch.dialogs == [] and problems.pwned is None
