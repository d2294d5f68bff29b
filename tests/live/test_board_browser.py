"""The live board in a real browser: Voilà serves it, two trainees' brainstorm entries appear, as text."""

from __future__ import annotations

import os
import re

import pytest

if os.environ.get("CI") != "true":  # in CI a missing playwright is an error, never a skip
    pytest.importorskip("playwright")

from playwright.sync_api import Page, expect  # noqa: E402

from course_lib.live.config import LiveConfig  # noqa: E402
from course_lib.live.publish import publish_answer  # noqa: E402

SCRIPT = "<script>alert('from a trainee')</script> listen to every caller"
LISTEN = "Listen to the whole question before answering"
CALL_BACK = "Call back the customer at the time I promised"
LOAD_TIMEOUT = 90_000  # ms: Voilà starts a kernel and runs the board notebook


def trainee_publishes(class_dir, trainee: str, answer: list[str]) -> None:
    publish_answer("m1-brainstorm", "brainstorm", answer, LiveConfig(class_dir, trainee, f"{trainee} name", "on"))


@pytest.mark.browser
def test_the_board_shows_both_trainees_entries_as_text(page: Page, board_server, request) -> None:
    request.node.screenshot_name = "live-board"
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    trainee_publishes(board_server.class_dir, "ann", [SCRIPT, LISTEN])
    trainee_publishes(board_server.class_dir, "ben", [CALL_BACK])
    try:
        page.goto(board_server.url, timeout=LOAD_TIMEOUT)
        board = page.locator(".course-live-board")
        expect(board).to_be_visible(timeout=LOAD_TIMEOUT)
        expect(board.locator(".course-board-headline")).to_have_text("2 trainees took part")
        cards = board.locator(".course-board-card")
        expect(cards.filter(has_text=LISTEN)).to_be_visible()
        expect(cards.filter(has_text=CALL_BACK)).to_be_visible()
        # The <script> entry is shown as its literal text, and nothing ran.
        expect(cards.filter(has_text="<script>")).to_have_text(SCRIPT)
        expect(board.locator(".course-board-flipchart script")).to_have_count(0)
        expect(board.locator("img.widget-image, .widget-image")).to_be_visible()  # the theme chart
        expect(board.locator(".course-board-names")).to_have_count(0)  # names are off by default

        # The board refreshes by itself: a third trainee appears without a reload.
        trainee_publishes(board_server.class_dir, "cat", ["Thank every caller by name"])
        expect(board.locator(".course-board-headline")).to_have_text("3 trainees took part", timeout=30_000)
        expect(cards.filter(has_text="Thank every caller by name")).to_be_visible()

        # Names on, then the timer running, for the screenshot.
        board.get_by_label("Show names").check()
        expect(board.locator(".course-board-names", has_text="ann name").first).to_be_visible(timeout=30_000)
        board.get_by_role("button", name=re.compile("Start timer")).click()
        expect(board.locator(".course-board-timer")).to_have_text(re.compile(r"^0[45]:\d\d left$"), timeout=10_000)
        assert dialogs == []
    except BaseException:
        print("---- Voilà log ----\n" + board_server.log_text())
        raise
