"""The live board in a real browser (Voilà): brainstorm entries as text, projector mode, the classify view."""

from __future__ import annotations

import os
import re

import pytest

if os.environ.get("CI") != "true":  # in CI a missing playwright is an error, never a skip
    pytest.importorskip("playwright")

from playwright.sync_api import Page, expect  # noqa: E402

from course_lib.live.config import LiveConfig  # noqa: E402
from course_lib.live.publish import publish_answer  # noqa: E402
from course_lib.models import load_exercise  # noqa: E402

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
        expect(board.locator("img.course-board-chart")).to_be_visible()  # the theme chart, with its numbers as alt text
        assert "Listening" in (board.locator("img.course-board-chart").get_attribute("alt") or "")
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


def overlap(a: dict, b: dict) -> bool:
    return a["x"] < b["x"] + b["width"] and b["x"] < a["x"] + a["width"] and \
        a["y"] < b["y"] + b["height"] and b["y"] < a["y"] + a["height"]


@pytest.mark.browser
def test_projector_mode_keeps_the_controls_whole_and_the_classify_view_works(page: Page, board_server, request) -> None:
    request.node.screenshot_name = "live-board-projector-classify"
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.set_viewport_size({"width": 1024, "height": 768})  # a common projector
    exercise = load_exercise("m2-practice-standards")
    right = {item.id: item.group for item in exercise.items}
    hard = exercise.items[3]  # the item two of three trainees put in a wrong group
    wrong = next(g.id for g in exercise.groups if g.id != hard.group)
    answers = {"ann": right, "ben": {**right, hard.id: wrong},
               "cat": {hard.id: wrong, "<img src=x onerror=alert(1)>": "<script>alert(2)</script>"}}
    for trainee, answer in answers.items():
        publish_answer(exercise.id, "classify", answer, LiveConfig(board_server.class_dir, trainee, trainee, "on"))
    trainee_publishes(board_server.class_dir, "ann", [LISTEN])
    try:
        page.goto(board_server.url, timeout=LOAD_TIMEOUT)
        board = page.locator(".course-live-board")
        expect(board.locator(".course-board-headline")).to_be_visible(timeout=LOAD_TIMEOUT)
        board.get_by_label("Projector mode").check()
        expect(board.locator("style.course-projector")).to_have_count(1)
        controls = {
            "activity": board.locator(".widget-dropdown select").first,
            "refresh": board.get_by_role("button", name=re.compile("Refresh now")),
            "names": board.get_by_label("Show names"),
            "reveal": board.get_by_label("Show right answers"),
            "projector": board.get_by_label("Projector mode"),
            "minutes": board.locator(".widget-inttext input, .widget-text input").first,
            "timer": board.get_by_role("button", name=re.compile("Start timer")),
        }
        boxes = {}
        for name, control in controls.items():
            expect(control).to_be_visible()
            box = control.bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 1024, (name, box)
            boxes[name] = box
        # The inputs keep room for their text, buttons show their whole caption, labels are not cut off.
        assert boxes["activity"]["width"] >= 200 and boxes["minutes"]["width"] >= 100, boxes
        for caption in ("Refresh now", "Start timer", "Show names", "Show right answers", "Projector mode"):
            clipped = board.get_by_text(caption, exact=True).evaluate("e => e.scrollWidth > e.clientWidth + 1")
            assert not clipped, caption
        for first in boxes:
            for second in boxes:
                if first < second:
                    assert not overlap(boxes[first], boxes[second]), (first, second, boxes)

        # The controls still work in projector mode: pick the classify activity, then reveal the answers.
        controls["activity"].select_option(label=f"{exercise.title} ({exercise.id})")
        table = board.locator("table.course-board-classify")
        expect(board.locator(".course-board-headline")).to_have_text("3 trainees took part", timeout=30_000)
        expect(table).to_be_visible()
        rows = table.locator("tr")
        expect(rows).to_have_count(len(exercise.items) + 1)
        expect(rows.nth(1).locator("td").first).to_have_text(hard.text)  # the most mixed-up item first
        expect(rows.nth(1)).to_contain_text("3 placed")
        expect(table.locator(".course-board-right")).to_have_count(0)
        controls["reveal"].check()
        expect(table.locator(".course-board-right")).to_have_count(len(exercise.items), timeout=30_000)
        expect(rows.nth(1)).to_contain_text("1 of 3 right")
        expect(table.locator("img, script")).to_have_count(0)
        assert dialogs == []
    except BaseException:
        print("---- Voilà log ----\n" + board_server.log_text())
        raise
