"""The XSS corpus on the live board (Voilà, Chromium): entries, trainee ids and names run nothing.

Four trainees publish the whole corpus as brainstorm entries (within the
widget's limits); their ids and display names are payloads too. The board is
loaded once with names shown; see tests/security/xss.py for how a payload
that ran would be seen.
"""

from __future__ import annotations

import os

import pytest

if os.environ.get("CI") != "true":  # in CI a missing playwright is an error, never a skip
    pytest.importorskip("playwright")

from playwright.sync_api import Page, expect  # noqa: E402

from course_lib.live.config import load_config  # noqa: E402
from course_lib.live.publish import publish_answer  # noqa: E402
from course_lib.models import load_exercise  # noqa: E402
from tests.security.xss import PAYLOADS, chunks, js_urls, ran, watch  # noqa: E402

LOAD_TIMEOUT = 90_000


@pytest.mark.browser
def test_the_corpus_on_the_board_runs_nothing(page: Page, board_server, request) -> None:
    request.node.screenshot_name = "xss-live-board"
    limits = load_exercise("m1-brainstorm").limits
    groups = chunks(limits.max_chars, limits.max_items)
    for n, entries in enumerate(groups):
        trainee, name = PAYLOADS[n], PAYLOADS[-1 - n]
        # As a trainee's kernel reads its settings: from the environment (the id made a safe file name).
        config = load_config({"COURSE_CLASS_DIR": str(board_server.class_dir), "COURSE_TRAINEE_ID": trainee,
                              "COURSE_TRAINEE_NAME": name, "COURSE_PUBLISH": "1"})
        publish_answer("m1-brainstorm", "brainstorm", entries, config)
    dialogs = watch(page)
    try:
        page.goto(board_server.url, timeout=LOAD_TIMEOUT)
        board = page.locator(".course-live-board")
        expect(board.locator(".course-board-headline")).to_have_text(f"{len(groups)} trainees took part",
                                                                      timeout=LOAD_TIMEOUT)
        board.get_by_label("Show names").check()
        expect(board.locator(".course-board-names").first).to_be_visible(timeout=30_000)
        expect(board.locator(".course-board-card").filter(has_text="<script>").first).to_be_visible()
        signs = ran(page, dialogs)
        assert signs == [], f"{len(signs)} payload(s) ran on the board: {signs[:10]}"
        assert js_urls(page, ".course-live-board") == []
        shown = sum(len(g) for g in groups)
        print(f"\nlive board: {shown} payloads as entries, {len(groups)} as ids and names; none ran")
    except BaseException:
        print("---- Voilà log ----\n" + board_server.log_text())
        raise
