"""Every exercise type done with the keyboard alone in a real JupyterLab (Tab, Enter, Space, arrows, typing).

After Run All, the test puts the focus on the exercise's first control once
(as a screen-reader user landing on it would), then uses only
``page.keyboard``: no clicks. After each action it checks where the focus is
(a keyboard user must not be thrown back to the top of the page), that the
focused control's accessible name says what it is from the content (the
item, the statement, the step), and finally that the answers file was
written.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

if os.environ.get("CI") != "true":  # in CI a missing playwright is an error, never a skip
    pytest.importorskip("playwright")

from playwright.sync_api import Locator, Page, expect  # noqa: E402

from course_lib.models import load_exercise  # noqa: E402

from .conftest import REPO_ROOT, start_lab  # noqa: E402
from .lab_actions import (  # noqa: E402
    RUN_TIMEOUT,
    BusyKernel,
    open_alone,
    render_every_cell,
    run_all_and_wait,
)

pytestmark = pytest.mark.browser
SAVED = re.compile(r"saved \d\d:\d\d")


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """One JupyterLab over a fresh copy of exercises/ (nothing answered yet)."""
    work = tmp_path_factory.mktemp("keyboard-lab")
    render_every_cell(work / "jupyter-config" / "lab" / "user-settings")
    yield from start_lab(REPO_ROOT / "exercises", work)


def focused(page: Page) -> Locator:
    return page.locator("*:focus")


def expect_focus(page: Page, name: str, description: str | None = None) -> None:
    """The focused element is the control called ``name`` (its accessible name, as a screen reader says it).

    A button's icon (a Font Awesome glyph in Unicode's private use area, which screen readers skip) may
    come first.
    """
    expect(focused(page)).to_have_count(1, timeout=RUN_TIMEOUT)
    pattern = re.compile(r"^[\ue000-\uf8ff\s]*" + re.escape(name) + r"\s*$")
    expect(focused(page)).to_have_accessible_name(pattern, timeout=RUN_TIMEOUT)
    if description is not None:
        expect(focused(page)).to_have_accessible_description(description)


def saved(lab, assignment: str, exercise_id: str) -> object:
    path: Path = lab.root / assignment / "answers" / f"{exercise_id}.json"
    return json.loads(path.read_text(encoding="utf-8"))["answer"]


def start(page: Page, lab, assignment: str, widget_class: str) -> Locator:
    open_alone(page, lab, f"{assignment}/{assignment}.ipynb")
    run_all_and_wait(page)
    widget = page.locator(f".{widget_class}")
    expect(widget).to_have_count(1, timeout=RUN_TIMEOUT)
    widget.scroll_into_view_if_needed()
    return widget


def press(page: Page, key: str, times: int = 1) -> None:
    for _ in range(times):
        page.keyboard.press(key)


def test_brainstorm_by_keyboard(page: Page, lab, request) -> None:
    request.node.screenshot_name = "keyboard-brainstorm"
    exercise = load_exercise("m1-brainstorm")
    widget = start(page, lab, "module1", "course-brainstorm")
    widget.get_by_role("textbox", name=exercise.title).focus()  # the one focus not done by a key
    expect_focus(page, exercise.title)  # the field is named by the sentence it finishes

    page.keyboard.type("Listen to the whole question before answering")
    press(page, "Enter")
    expect(widget.locator(".widget-label", has_text="1 answer saved")).to_be_visible(timeout=RUN_TIMEOUT)
    expect_focus(page, exercise.title)  # Enter keeps the trainee in the field for the next answer
    expect(focused(page)).to_have_value("")

    page.keyboard.type("Call the customer back at the time I promised")
    press(page, "Tab")
    expect_focus(page, "Add")
    press(page, "Enter")
    # Wait on state, not time: the field's commit is in ("2 answers saved") and Add's click is in (it
    # sends the focus back to the entry field); only then is the message final, and it names the add.
    expect(widget.locator(".widget-label", has_text="2 answers saved")).to_be_visible(timeout=RUN_TIMEOUT)
    expect_focus(page, exercise.title)
    expect(page.locator(".jp-StatusBar-Widget", has_text="| Idle")).to_be_visible(timeout=RUN_TIMEOUT)
    expect(widget.locator(".widget-label", has_text="Added answer")).to_have_text("Added answer 2.")

    # Edit the first answer in place: the field keeps the focus after its change is saved.
    press(page, "Tab", 2)  # Add, then the field of answer 1
    expect_focus(page, "Answer 1")
    press(page, "End")
    page.keyboard.type(" in full")
    press(page, "Enter")
    expect(widget).to_contain_text("Answer 1 updated.", timeout=RUN_TIMEOUT)
    expect_focus(page, "Answer 1")
    assert saved(lab, "module1", "m1-brainstorm") == [
        "Listen to the whole question before answering in full",
        "Call the customer back at the time I promised",
    ]


def test_choice_and_classify_by_keyboard(page: Page, lab, request) -> None:
    request.node.screenshot_name = "keyboard-choice-classify"
    widget = start(page, lab, "module2", "course-choice")

    # Knowledge check: Tab from group to group; Space picks the focused radio or ticks the box.
    choice = load_exercise("m2-chain-check")
    options = {option.text for question in choice.questions for option in question.options}
    widget.locator("input").first.focus()
    for _ in range(200):  # every tab stop of the widget, at most
        control = focused(page)
        if not control.evaluate("(e, w) => w.contains(e)", widget.element_handle()):
            break
        name = control.evaluate("e => e.labels && e.labels.length ? e.labels[0].innerText : ''").strip()
        assert name in options, f"a control named {name!r}, not an option of the content"
        press(page, "Space")
        expect(control).to_be_checked(timeout=RUN_TIMEOUT)
        expect(focused(page)).to_have_count(1)
        press(page, "Tab")
    total = len(choice.questions)
    expect(widget.locator(".widget-label", has_text=f"{total} of {total} questions answered")).to_be_visible(
        timeout=RUN_TIMEOUT)
    assert set(saved(lab, "module2", "m2-chain-check")) == {q.id for q in choice.questions}

    # Classify: each drop-down is named by its item; an arrow key picks a group and saves it.
    classify = load_exercise("m2-customers-classify")
    board = page.locator(".course-classify")
    board.scroll_into_view_if_needed()
    board.locator("select").first.focus()
    for number, item in enumerate(classify.items, start=1):
        expect_focus(page, f"{number}. {item.text}")
        press(page, "ArrowDown")  # from "choose..." to the first group
        expect(board).to_contain_text(f"Item {number} saved.", timeout=RUN_TIMEOUT)
        expect_focus(page, f"{number}. {item.text}")  # the save does not move the focus
        press(page, "Tab")
    first_group = classify.groups[0].id
    assert saved(lab, "module2", "m2-customers-classify") == {item.id: first_group for item in classify.items}


def test_order_and_written_reply_by_keyboard(page: Page, lab, request) -> None:
    request.node.screenshot_name = "keyboard-order-reply"
    widget = start(page, lab, "module5", "course-order")
    order = load_exercise("m5-recovery-order")
    first = order.step(order.initial_order[0]).text
    second = order.step(order.initial_order[1]).text

    # Each button is named by what it does and described by the step it moves.
    widget.get_by_role("button", name=re.compile(r"Down$")).first.focus()
    expect_focus(page, "Down", f"Move step 1 down: {first}")
    press(page, "Enter")
    expect(widget).to_contain_text("Moved step 1 down to place 2.", timeout=RUN_TIMEOUT)
    expect_focus(page, "Down", f"Move step 2 down: {first}")  # focus follows the step
    press(page, "Shift+Tab")
    expect_focus(page, "Up", f"Move step 2 up: {first}")
    press(page, "Enter")
    expect(widget).to_contain_text("Moved step 2 up to place 1.", timeout=RUN_TIMEOUT)
    # At the top its Up button is disabled, so focus moves to its Down button, not off the page.
    expect_focus(page, "Down", f"Move step 1 down: {first}")
    press(page, "Tab")
    expect_focus(page, "Up", f"Move step 2 up: {second}")
    press(page, "Enter")
    expect_focus(page, "Down", f"Move step 1 down: {second}")
    expected = [order.initial_order[1], order.initial_order[0], *order.initial_order[2:]]
    expect(widget.locator(".widget-label", has_text=SAVED)).to_be_visible(timeout=RUN_TIMEOUT)
    assert saved(lab, "module5", "m5-recovery-order") == expected

    reply = page.locator(".course-written-reply")
    reply.scroll_into_view_if_needed()
    reply.get_by_role("textbox", name="Your reply").focus()
    expect_focus(page, "Your reply")
    text = "Dear Ms Patel, I am sorry your parcel is late. I have sent a new one today; it arrives on Friday."
    page.keyboard.type(text)
    press(page, "Tab")
    expect_focus(page, "Save reply")
    press(page, "Space")
    expect(reply.locator(".widget-label", has_text="Reply of")).to_contain_text(SAVED, timeout=RUN_TIMEOUT)
    expect_focus(page, "Save reply")
    # The status line may still read "saved" from an earlier save when the check above passes, and the
    # kernel writes the file a moment after Space: wait for the file, which must hold the whole text.
    _wait_for_saved(lab, "module5", "m5-recovery-reply", {"text": text})


def test_reply_typed_while_the_kernel_is_busy_is_saved_whole(page: Page, lab, request) -> None:
    """Tab and Space on Save right after typing, with the kernel busy: the whole reply is saved, once.

    The busy kernel makes the message order of a loaded machine certain, so this fails on a truncated
    save whatever the machine's own load.
    """
    request.node.screenshot_name = "keyboard-reply-busy-kernel"
    start(page, lab, "module5", "course-order")
    reply = page.locator(".course-written-reply")
    reply.scroll_into_view_if_needed()
    box = reply.get_by_role("textbox", name="Your reply")
    box.focus()
    press(page, "Control+a")
    press(page, "Delete")
    text = "Dear Mr Okafor, I am sorry the refund is late. It went to your card this morning; expect it by Thursday."
    with BusyKernel(lab, "module5/module5.ipynb", seconds=4):
        page.keyboard.type(text)
        press(page, "Tab")
        expect_focus(page, "Save reply")
        press(page, "Space")
    _wait_for_saved(lab, "module5", "m5-recovery-reply", {"text": text})
    expect(reply.locator(".widget-label", has_text="Reply of")).to_contain_text(SAVED, timeout=RUN_TIMEOUT)
    expect(reply).not_to_contain_text("Unsaved changes")


def test_brainstorm_add_while_the_kernel_is_busy_adds_once(page: Page, lab, request) -> None:
    """Tab to Add and Enter with the kernel busy: the answer is added once and no error is shown."""
    request.node.screenshot_name = "keyboard-brainstorm-busy-kernel"
    exercise = load_exercise("m1-brainstorm")
    widget = start(page, lab, "module1", "course-brainstorm")
    answers_file = lab.root / "module1" / "answers" / "m1-brainstorm.json"
    before = len(saved(lab, "module1", "m1-brainstorm")) if answers_file.exists() else 0
    widget.get_by_role("textbox", name=exercise.title).focus()
    text = "Ring back the customer when I said I would"
    with BusyKernel(lab, "module1/module1.ipynb", seconds=4):
        page.keyboard.type(text)
        press(page, "Tab")
        expect_focus(page, "Add")
        press(page, "Enter")
    expect(widget.locator(".widget-label", has_text="Added answer")).to_have_text(
        f"Added answer {before + 1}.", timeout=RUN_TIMEOUT)
    expect_focus(page, exercise.title)
    expect(page.locator(".jp-StatusBar-Widget", has_text="| Idle")).to_be_visible(timeout=RUN_TIMEOUT)
    expect(widget).not_to_contain_text("Type a behaviour first")
    items = saved(lab, "module1", "m1-brainstorm")
    assert items.count(text) == 1 and len(items) == before + 1


# The role-play draws new reply buttons after each reply, and the browser drops the focus with the old
# ones (measured: focus landed on the page body); the widget gives it to the next step's first reply.
def _wait_for_saved(lab, assignment: str, exercise_id: str, expected: object, timeout: float = 15.0) -> None:
    """Until the answers file holds ``expected``; then the last value read is compared, for a clear diff."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if saved(lab, assignment, exercise_id) == expected:
                return
        except (OSError, ValueError, KeyError):
            pass
        time.sleep(0.2)
    assert saved(lab, assignment, exercise_id) == expected


def _wait_for_path(lab, steps: int, timeout: float = RUN_TIMEOUT / 1000) -> None:
    """Until the attempt being played has ``steps`` replies saved (the kernel answers at its own pace)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if len(saved(lab, "module4", "m4-phone-roleplay")["attempts"][-1]["path"]) == steps:
                return
        except (OSError, ValueError, KeyError, IndexError, TypeError):
            pass
        time.sleep(0.2)
    raise AssertionError(f"reply {steps} was not saved")


def test_roleplay_by_keyboard(page: Page, lab, request) -> None:
    request.node.screenshot_name = "keyboard-roleplay"
    widget = start(page, lab, "module4", "course-roleplay")
    replies = widget.locator(".course-reply")
    replies.first.focus()
    steps = 0
    while steps < 20:
        pressed = replies.first.inner_text()
        press(page, "Enter")  # the reply that has the focus: the first one shown
        steps += 1
        _wait_for_path(lab, steps)
        # The widget moves the focus once it has drawn what comes next: the next step's first reply,
        # or "Start the call again" when the call is over (never the page body).
        page.wait_for_function(
            "pressed => { const el = document.activeElement;"
            " return el && el !== document.body && el.isConnected && el.innerText.trim() !== pressed.trim(); }",
            arg=pressed, timeout=10_000)
        if "Start the call again" in focused(page).inner_text():
            break
        expect(focused(page)).to_have_class(re.compile(r"course-reply"))
        expect(focused(page)).to_have_text(replies.first.inner_text())
    assert steps < 20, "the call did not end"
    expect(replies).to_have_count(0)
    path = saved(lab, "module4", "m4-phone-roleplay")
    assert len(path["attempts"][-1]["path"]) == steps


def test_self_assessment_by_keyboard(page: Page, lab, request) -> None:
    request.node.screenshot_name = "keyboard-self-assessment"
    exercise = load_exercise("m7-self-assessment")
    widget = start(page, lab, "module7", "course-true-false")
    widget.locator("select").first.focus()
    for number, statement in enumerate(exercise.statements, start=1):
        expect_focus(page, f"{number}. {statement.text}")  # named by the statement, not "Statement 1"
        press(page, "ArrowDown")  # "choose..." -> True
        expect(widget).to_contain_text(f"{number} of {len(exercise.statements)} answered", timeout=RUN_TIMEOUT)
        press(page, "Tab")
    expect(widget.locator("img")).to_have_attribute("alt", re.compile(r"\d+ of \d+"), timeout=RUN_TIMEOUT)
    assert saved(lab, "module7", "m7-self-assessment") == {s.id: True for s in exercise.statements}


def test_action_plan_by_keyboard(page: Page, lab, request) -> None:
    request.node.screenshot_name = "keyboard-action-plan"
    exercise = load_exercise("m8-action-plan")
    widget = start(page, lab, "action-plan", "course-action-plan")
    widget.get_by_role("combobox", name="Behaviour 1").focus()
    behaviour = exercise.suggested_behaviours[0]
    page.keyboard.type(behaviour)
    for number in range(2, exercise.max_behaviours + 1):  # past the other behaviour boxes
        press(page, "Tab")
        expect_focus(page, f"Behaviour {number}")
    press(page, "Tab")
    expect_focus(page, "First step")
    page.keyboard.type("Call back every customer I promised a reply to")
    press(page, "Tab")
    expect_focus(page, "Start date")
    page.keyboard.type("01152031")  # month, day, year in the date field's parts (en-US)
    # Chromium's date field has a calendar button of its own, a tab stop inside the field; then the next field.
    for _ in range(3):
        press(page, "Tab")
        if page.evaluate("document.activeElement.type") != "date":
            break
    expect_focus(page, "Who will help")
    page.keyboard.type("My team leader")
    press(page, "Tab")
    expect_focus(page, "Notes")
    press(page, "Tab")
    expect_focus(page, "Export")
    press(page, "Enter")
    expect(widget).to_contain_text("Exported:", timeout=RUN_TIMEOUT)
    expect_focus(page, "Export")
    plan = saved(lab, "action-plan", "m8-action-plan")
    assert plan["behaviours"] == [behaviour] and plan["date"] == "2031-01-15"
    assert plan["first_step"] and plan["helper"] == "My team leader"
    assert (lab.root / "action-plan" / "action-plan.html").is_file()
