"""The knowledge-check widget without a browser: pick options, check what was saved, reload."""

from __future__ import annotations

import ipywidgets as w

from course_lib import show

from .conftest import saved_answer


def saved(folder):
    return saved_answer(folder, "m2-chain-check")


def boxes(widget, question_id):
    return dict(widget.controls[question_id])


def test_single_choice_is_radio_buttons_and_saves_at_once(answers):
    widget = show("m2-chain-check", answers)
    radio = widget.controls["internal-customer"]
    assert isinstance(radio, w.RadioButtons) and radio.value is None
    assert widget.status.value == "Nothing saved yet."
    radio.value = "public"
    assert saved(answers) == {"internal-customer": ["public"]}
    radio.value = "colleague"
    assert saved(answers) == {"internal-customer": ["colleague"]}
    assert widget.message.value == "Answer to question 1 saved."
    assert widget.status.value.startswith("1 of 5 questions answered saved ")


def test_multiple_choice_is_check_boxes_saving_every_tick(answers):
    widget = show("m2-chain-check", answers)
    ticks = boxes(widget, "external-standards")
    assert all(isinstance(box, w.Checkbox) for box in ticks.values())
    ticks["greet"].value = True
    ticks["updates"].value = True
    assert saved(answers) == {"external-standards": ["greet", "updates"]}
    ticks["greet"].value = False
    assert saved(answers) == {"external-standards": ["updates"]}
    ticks["updates"].value = False
    assert saved(answers) == {}  # unticking everything leaves the question unanswered


def test_answers_come_back_when_shown_again(answers):
    first = show("m2-chain-check", answers)
    first.controls["chain-meaning"].value = "links"
    boxes(first, "colleague-problem")["talk-directly"].value = True
    again = show("m2-chain-check", answers)  # a re-run or a new kernel
    assert again.controls["chain-meaning"].value == "links"
    assert boxes(again, "colleague-problem")["talk-directly"].value is True
    assert boxes(again, "colleague-problem")["stay-helpful"].value is False
    assert again.answer == {"chain-meaning": ["links"], "colleague-problem": ["talk-directly"]}
    assert again.status.value.startswith("2 of 5 questions answered saved ")


def test_showing_a_saved_answer_does_not_rewrite_it(answers):
    show("m2-chain-check", answers).controls["chain-meaning"].value = "links"
    before = (answers / "m2-chain-check.json").read_text(encoding="utf-8")
    show("m2-chain-check", answers)
    assert (answers / "m2-chain-check.json").read_text(encoding="utf-8") == before


def test_corrupt_file_is_reported_and_kept(answers):
    answers.mkdir()
    (answers / "m2-chain-check.json").write_text('{"format": 1, "exercise": "m2-chain-check", '
                                                 '"saved_at": "2024-01-01T10:00:00+00:00", "answer": [1]}')
    widget = show("m2-chain-check", answers)
    assert "could not be read" in widget.message.value
    widget.controls["chain-meaning"].value = "links"
    assert len(list(answers.glob("m2-chain-check.json.corrupt-*"))) == 1
    assert saved(answers) == {"chain-meaning": ["links"]}


def test_controls_are_labelled(answers):
    widget = show("m2-chain-check", answers)
    radio = widget.controls["internal-customer"]
    assert radio.description == "" and radio.tooltip == "Who counts as an internal customer?"  # no "Question 1"
    assert ("A colleague in another department who needs your report to do their work", "colleague") in radio.options
    assert boxes(widget, "external-standards")["greet"].description == (
        "Greet customers in a courteous, professional way"
    )


def test_picks_of_options_the_content_no_longer_has_are_kept_in_a_copy(answers):
    import json

    answers.mkdir()
    stale = {"chain-meaning": ["links"], "internal-customer": ["retired-option"]}
    (answers / "m2-chain-check.json").write_text(json.dumps({
        "format": 1, "exercise": "m2-chain-check", "saved_at": "2024-01-01T10:00:00+00:00", "answer": stale,
    }), encoding="utf-8")
    widget = show("m2-chain-check", answers)
    assert "does not fit this exercise any more" in widget.message.value
    widget.controls["weak-link"].value = "reaches-customer"
    (copy,) = answers.glob("m2-chain-check.json.replaced-*")
    assert json.loads(copy.read_text(encoding="utf-8"))["answer"] == stale
    assert copy.name in widget.message.value
    assert saved(answers) == {"chain-meaning": ["links"], "weak-link": ["reaches-customer"]}


def test_a_saved_answer_that_fits_is_not_copied(answers):
    show("m2-chain-check", answers).controls["chain-meaning"].value = "links"
    show("m2-chain-check", answers).controls["weak-link"].value = "reaches-customer"
    assert not list(answers.glob("*.replaced-*"))
