"""On the real course server (tests/hub/conftest.py: OS users, PAM, each trainee's own JupyterLab), lesson answers
typed in three trainees' browsers reach the facilitator's live board through the hub.

This is the whole path of hub mode: the hub sets ``COURSE_LIVE_URL`` for each server, the trainee's kernel sends the
answer with its server's own hub token, the live-answers service (run as the grader account) files it under the hub
user in a class folder no trainee can read, and the board service shows it to the facilitator after hub OAuth.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

if os.environ.get("CI") != "true":  # in CI a missing playwright is an error, never a skip
    pytest.importorskip("playwright")

from playwright.sync_api import Page, expect  # noqa: E402

from course_lib.live.config import sanitize_trainee_id  # noqa: E402
from deploy.course_server import BOARD_SERVICE, FACILITATORS  # noqa: E402
from tests.browser.lab_actions import LOAD_TIMEOUT, RUN_TIMEOUT, run_all, wait_for_idle_kernel  # noqa: E402
from tests.hub.conftest import log_in, screenshot  # noqa: E402
from tests.hub.course_hub import CourseHub  # noqa: E402

pytestmark = pytest.mark.browser

ACTIVITY = "m1-brainstorm"
LESSON = "notebooks/01_service_vision.ipynb"  # copied into each home by the hub; it shows m1-brainstorm
IDEAS = {"ana": "Say who I am and that I will help, in the first sentence",
         "ben": "Write down the customer's number before anything else",
         "cleo": "Tell the customer exactly when I will call back"}


def answer_in_the_lesson(page: Page, hub: CourseHub, user: str, idea: str) -> None:
    page.goto(f"{hub.url}/user/{user}/lab/tree/{LESSON}", timeout=LOAD_TIMEOUT)
    expect(page.locator(".jp-NotebookPanel .jp-Cell").first).to_be_visible(timeout=LOAD_TIMEOUT)
    wait_for_idle_kernel(page)
    run_all(page)
    widget = page.locator(".course-brainstorm").first
    entry = widget.locator(".widget-text input").first
    expect(entry).to_be_visible(timeout=RUN_TIMEOUT)
    entry.press_sequentially(idea, delay=0)
    entry.press("Enter")
    expect(widget.locator(".widget-label", has_text="1 answer saved")).to_be_visible(timeout=RUN_TIMEOUT)
    expect(widget).not_to_contain_text("not shared")  # published, not only saved


def test_three_trainees_lesson_answers_reach_the_facilitators_board(hub: CourseHub, browser) -> None:
    status, services = hub.api("GET", "/services")
    assert status == 200 and BOARD_SERVICE in services, services
    for short, idea in IDEAS.items():
        user = hub.users[short]
        page = log_in(browser, hub, user)
        try:
            answer_in_the_lesson(page, hub, user.name, idea)
        finally:
            page.context.close()

    class_dir = Path(hub.env["COURSE_CLASS_DIR"])
    for short in IDEAS:
        name = hub.users[short].name
        entry = class_dir / ACTIVITY / f"{sanitize_trainee_id(name)}.json"
        info = entry.stat()
        assert stat.S_IMODE(info.st_mode) == 0o600 and info.st_uid != 0, entry  # the services' account's
        # A trainee (their own OS user, as their kernel runs) can read neither the folder nor an entry.
        for target in (class_dir, entry):
            done = hub.run_as(name, "cat" if target == entry else "ls", str(target))
            assert done.returncode != 0 and "Permission denied" in done.stderr, (target, done.stdout)

    facilitator = hub.in_group(FACILITATORS)[0]
    page = log_in(browser, hub, facilitator)
    try:
        response = page.goto(f"{hub.url}/services/{BOARD_SERVICE}/?activity={ACTIVITY}&names=1",
                             timeout=LOAD_TIMEOUT)
        assert response.status == 200 and "token" not in page.url
        board = page.locator("#board")
        expect(board.locator(".course-board-headline")).to_have_text("3 trainees took part")
        for short, idea in IDEAS.items():
            card = board.locator(".course-board-card", has_text=idea)
            expect(card).to_have_count(1)
            expect(card.locator(".course-board-names")).to_have_text(hub.users[short].name)
        screenshot(page, "hub-live-board-real-servers")
    finally:
        page.context.close()
