"""The brainstorm widget without a browser: set values, click, check what was saved."""

from __future__ import annotations

import json

import pytest

from course_lib import show as brainstorm
from course_lib.store import AnswerStore

from .conftest import saved_answer


def saved_items(folder):
    return saved_answer(folder, "m1-brainstorm")


def type_and_press_enter(widget, text):
    # The browser sends the field's value once, on Enter or when it loses focus.
    widget.entry.value = text


def test_each_entry_is_saved_at_once(answers):
    widget = brainstorm("m1-brainstorm", answers)
    assert widget.status.value == "Nothing saved yet."
    type_and_press_enter(widget, "Listen to the whole question")
    widget.add_button.click()  # the click after the text was sent adds nothing more
    type_and_press_enter(widget, "Call back when I promised")
    assert saved_items(answers) == ["Listen to the whole question", "Call back when I promised"]
    assert widget.entry.value == ""
    assert widget.message.value == "Added answer 2."
    assert widget.status.value.startswith("2 answers saved ")


def test_add_button_retries_text_left_after_a_refusal(answers):
    widget = brainstorm("m1-brainstorm", answers)
    type_and_press_enter(widget, "x" * 300)
    assert "please keep it under 200" in widget.message.value and not widget.items
    widget.add_button.click()
    assert "please keep it under 200" in widget.message.value
    widget.entry.value = "Keep answers short and clear"
    assert saved_items(answers) == ["Keep answers short and clear"]


@pytest.mark.parametrize(
    ("text", "message"),
    [("   ", "Type a behaviour first."), ("LISTEN to the whole question", "already have that answer"),
     ("y" * 500, "please keep it under 200")],
)
def test_refused_entries_show_a_message_and_save_nothing_new(answers, text, message):
    widget = brainstorm("m1-brainstorm", answers)
    type_and_press_enter(widget, "Listen to the whole question")
    type_and_press_enter(widget, text)
    widget.add_button.click()  # trying again gives the same answer
    assert message in widget.message.value
    assert saved_items(answers) == ["Listen to the whole question"]
    assert widget.entry.value == text  # kept so the trainee can fix it


def test_edit_and_remove_in_place(answers):
    widget = brainstorm("m1-brainstorm", answers)
    for text in ["Listen to the whole question", "Smile", "Follow up on promises"]:
        type_and_press_enter(widget, text)
    field, _remove = widget.rows.children[1].children
    field.value = "Smile and greet every customer"
    assert saved_items(answers)[1] == "Smile and greet every customer"
    field, _remove = widget.rows.children[0].children
    field.value = ""  # refused: an edit cannot empty an answer
    assert "use Remove" in widget.message.value
    assert widget.rows.children[0].children[0].value == "Listen to the whole question"
    widget.rows.children[0].children[1].click()
    assert saved_items(answers) == ["Smile and greet every customer", "Follow up on promises"]
    assert widget.status.value.startswith("2 answers saved")


def test_answers_come_back_when_shown_again(answers):
    first = brainstorm("m1-brainstorm", answers)
    type_and_press_enter(first, "Listen to the whole question")
    again = brainstorm("m1-brainstorm", answers)  # a re-run or a new kernel
    assert again.items == ["Listen to the whole question"]
    assert [row.children[0].value for row in again.rows.children] == ["Listen to the whole question"]
    assert again.status.value.startswith("1 answer saved ")


def test_corrupt_file_is_reported_and_kept(answers):
    answers.mkdir()
    (answers / "m1-brainstorm.json").write_text("{half a file", encoding="utf-8")
    widget = brainstorm("m1-brainstorm", answers)
    assert "could not be read" in widget.message.value
    type_and_press_enter(widget, "Listen to the whole question")
    kept = list(answers.glob("m1-brainstorm.json.corrupt-*"))
    assert len(kept) == 1 and kept[0].read_text(encoding="utf-8") == "{half a file"
    assert AnswerStore(answers).load("m1-brainstorm").answer == ["Listen to the whole question"]


def test_controls_are_labelled(answers):
    widget = brainstorm("m1-brainstorm", answers)
    assert widget.entry.description == "Customer Service means..."  # the sentence the entry finishes
    assert widget.add_button.description == "Add" and widget.add_button.tooltip
    type_and_press_enter(widget, "Listen to the whole question")
    field, remove = widget.rows.children[0].children
    assert field.description == "Answer 1" and remove.tooltip == "Remove answer 1: Listen to the whole question"


def commit_from_browser(widget, text):
    """The field's value as the browser sends it on Enter, Tab or blur (through ipywidgets' own path)."""
    widget.entry.set_state({"value": text})


# One Tab-to-Add-and-Enter makes two messages, the field's commit and Add's click, which ipywidgets may
# deliver in either order (it holds a model's update back while its previous one is in flight, and sends
# a click at once) and a commit may come twice: every order must add the answer once and say nothing else.
@pytest.mark.parametrize(
    "messages",
    [["commit", "click"], ["click", "commit"], ["commit", "commit", "click"], ["commit", "click", "click"],
     ["click", "commit", "commit"]],
    ids="-".join,
)
def test_one_press_of_add_adds_once_whatever_order_its_messages_arrive_in(answers, messages):
    widget = brainstorm("m1-brainstorm", answers)
    commit_from_browser(widget, "Listen to the whole question")  # the first answer, by Enter
    text = "Call the customer back when I promised"
    for message in messages:
        if message == "commit":
            commit_from_browser(widget, text)
        else:
            widget.add_button.click()
    assert saved_items(answers) == ["Listen to the whole question", text]
    assert widget.message.value == "Added answer 2."  # never "Type a behaviour first." nor "already have"
    assert widget.entry.value == ""


def test_add_with_nothing_typed_and_nothing_just_added_asks_for_text(answers):
    widget = brainstorm("m1-brainstorm", answers)
    widget.add_button.click()
    assert widget.message.value == "Type a behaviour first."
    assert not (answers / "m1-brainstorm.json").exists()


def test_typing_an_earlier_answer_again_is_named_as_a_duplicate(answers):
    widget = brainstorm("m1-brainstorm", answers)
    for text in ["Listen to the whole question", "Smile at every caller", "Listen to the whole question"]:
        commit_from_browser(widget, text)
    assert "already have that answer" in widget.message.value
    assert saved_items(answers) == ["Listen to the whole question", "Smile at every caller"]


def test_rows_are_kept_across_edits_so_focus_stays_in_the_edited_field(answers):
    widget = brainstorm("m1-brainstorm", answers)
    for text in ["Listen to the whole question", "Smile and greet every caller"]:
        type_and_press_enter(widget, text)
    first_field = widget.rows.children[0].children[0]
    first_row = widget.rows.children[0]
    first_field.value = "Listen to the whole question first"
    # The same widgets (so the same elements in the browser, where the focus stays) as before.
    assert widget.rows.children[0] is first_row and first_row.children[0] is first_field
    widget.rows.children[0].children[1].click()
    assert [row.children[0].value for row in widget.rows.children] == ["Smile and greet every caller"]
    assert saved_answer(answers, "m1-brainstorm") == ["Smile and greet every caller"]


def test_two_copies_of_an_exercise_never_lose_answers(answers):
    first = brainstorm("m1-brainstorm", answers)
    second = brainstorm("m1-brainstorm", answers)  # the same cell shown twice
    type_and_press_enter(first, "Listen to the whole question")
    type_and_press_enter(second, "Call back when I promised")
    assert saved_answer(answers, "m1-brainstorm") == ["Call back when I promised"]
    (kept,) = answers.glob("m1-brainstorm.json.superseded-*")
    assert json.loads(kept.read_text(encoding="utf-8"))["answer"] == ["Listen to the whole question"]
    assert kept.name in second.message.value
    type_and_press_enter(second, "Greet every caller by name")  # no conflict now: nothing more kept
    assert len(list(answers.glob("m1-brainstorm.json.superseded-*"))) == 1


def test_removing_an_entry_says_what_was_removed(answers):
    widget = brainstorm("m1-brainstorm", answers)
    type_and_press_enter(widget, "Call customers back when you said you would")
    type_and_press_enter(widget, "Listen to the whole question before answering")
    widget.remove(0)
    assert saved_items(answers) == ["Listen to the whole question before answering"]
    assert "“Call customers back when you said you would”" in widget.message.value
    assert "type it again" in widget.message.value


def test_the_graded_brainstorm_offers_the_lessons_ideas_once(tmp_path):
    course = tmp_path / "course"
    lesson = brainstorm("m1-brainstorm", course / "notebooks" / "answers")
    assert lesson.lesson_button.layout.display == "none"  # the lesson does not offer itself
    for text in ["Listen to the whole question", "Call back when I promised", "Listen to the whole question!"]:
        type_and_press_enter(lesson, text)
    graded_dir = course / "exercises" / "module1" / "answers"
    graded = brainstorm("m1-brainstorm", graded_dir)
    assert graded.lesson_button.layout.display == ""
    assert graded.lesson_button.description == f"Use my {len(lesson.items)} ideas from the lesson"
    graded.lesson_button.click()
    assert saved_items(graded_dir) == lesson.items  # copied, each checked like a typed entry
    assert graded.lesson_button.layout.display == "none"
    assert saved_items(course / "notebooks" / "answers") == lesson.items  # the lesson's own answers stay


def test_no_offer_when_the_graded_brainstorm_has_answers_or_no_lesson_is_found(tmp_path):
    course = tmp_path / "course"
    type_and_press_enter(brainstorm("m1-brainstorm", course / "notebooks" / "answers"), "Smile on the phone")
    graded_dir = course / "module1" / "answers"
    type_and_press_enter(brainstorm("m1-brainstorm", graded_dir), "Answer within two rings")
    assert brainstorm("m1-brainstorm", graded_dir).lesson_button.layout.display == "none"
    assert brainstorm("m1-brainstorm", tmp_path / "elsewhere" / "answers").lesson_button.layout.display == "none"
