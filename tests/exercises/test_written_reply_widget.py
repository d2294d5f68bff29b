"""The written reply widget without a browser: type, save, reload, and escaping."""

from __future__ import annotations

from course_lib import check, show

from .conftest import html_values, saved_answer

HOSTILE = "<script>alert('x')</script> Thank you, I am sorry."


def saved_text(folder):
    return saved_answer(folder, "m5-recovery-reply")["text"]


def test_typing_counts_words_and_flags_unsaved_changes_until_saved(answers):
    widget = show("m5-recovery-reply", answers)
    assert widget.text.description == "Your reply" and widget.save_button.description == "Save reply"
    assert widget.unsaved.value == "" and widget.words.value.startswith("0 words")
    widget.text.value = "Thank you for writing to us"
    assert widget.words.value == "6 words (aim for 60-250)"
    assert widget.unsaved.value.startswith("Unsaved changes")
    assert not (answers / "m5-recovery-reply.json").exists()
    widget.save_button.click()
    assert saved_text(answers) == "Thank you for writing to us"
    assert widget.unsaved.value == "" and widget.status.value.startswith("Reply of 6 words saved ")
    widget.text.value += " today"
    assert widget.unsaved.value.startswith("Unsaved changes")


def test_reply_comes_back_when_shown_again(answers):
    first = show("m5-recovery-reply", answers)
    first.text.value = "Dear Mrs Alvarez,\nthank you."
    first.save_button.click()
    again = show("m5-recovery-reply", answers)
    assert again.text.value == "Dear Mrs Alvarez,\nthank you." and again.unsaved.value == ""


def test_script_in_a_reply_is_saved_as_text_and_never_rendered(answers, capsys):
    widget = show("m5-recovery-reply", answers)
    widget.text.value = HOSTILE
    widget.save_button.click()
    assert saved_text(answers) == HOSTILE
    assert all("<script>" not in value for value in html_values(widget))
    check("m5-recovery-reply", answers)  # the trainee's text reaches feedback only as plain text
    assert "  <script>alert('x')</script> Thank you, I am sorry." in capsys.readouterr().out


def test_customer_message_is_shown_escaped(answers):
    widget = show("m5-recovery-reply", answers)
    assert "Third time asking" in widget.scenario.value and "<blockquote" in widget.scenario.value


def test_a_reply_over_the_length_limit_is_not_saved_and_stays_in_the_box(answers):
    widget = show("m5-recovery-reply", answers)
    limit = widget.exercise.length.max_chars
    widget.text.value = "word " * (limit // 5 + 1)
    widget.save_button.click()
    assert not (answers / "m5-recovery-reply.json").exists()
    assert f"please keep it under {limit}. It was not saved." in widget.message.value
    assert widget.text.value.startswith("word word")
    widget.text.value = "A shorter reply."
    widget.save_button.click()
    assert saved_text(answers) == "A shorter reply."


def test_saving_an_empty_box_over_a_reply_keeps_the_reply_in_a_copy(answers):
    import json

    widget = show("m5-recovery-reply", answers)
    widget.text.value = "Thank you for telling us about the parcel."
    widget.save_button.click()
    widget.text.value = ""
    widget.save_button.click()
    assert saved_text(answers) == ""
    (copy,) = answers.glob("m5-recovery-reply.json.replaced-*")
    kept = json.loads(copy.read_text(encoding="utf-8"))["answer"]["text"]
    assert kept == "Thank you for telling us about the parcel."
    assert copy.name in widget.message.value
    widget.save_button.click()  # an empty box over an empty reply: nothing to keep
    assert len(list(answers.glob("m5-recovery-reply.json.replaced-*"))) == 1
