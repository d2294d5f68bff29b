"""Action plan: scored on completeness (not on today's date); Markdown and printable HTML exports."""

from __future__ import annotations

import re

import pytest

from course_lib.action_plan_export import markdown_escape, to_html, to_markdown, write_exports
from course_lib.models import ContentError, load_exercise, load_exercise_file
from course_lib.scoring.action_plan import parse_answer, score
from tests.conftest import content_variant

FULL = {
    "behaviours": ["Own a customer's problem until it is solved", "Use plain words instead of jargon"],
    "first_step": "Ask my team leader to listen to three of my calls on Monday",
    "date": "2020-03-02",  # long past: a plan graded later must score the same
    "helper": "Jo, my team leader",
    "notes": "Review after a month.",
}
PARTIAL = {"behaviours": ["Follow up with upset customers"], "first_step": "Start", "date": "", "helper": "",
           "notes": ""}
HOSTILE = {"behaviours": ["<script>alert('x')</script>", "**bold** & [link](javascript:x)"],
           "first_step": "<img src=x onerror=alert(1)> then\n- a list line\n1. numbered",
           "date": "2030-01-15", "helper": "</p><h1>Boss</h1>", "notes": "# not a heading"}


@pytest.fixture(scope="module")
def exercise():
    return load_exercise("m8-action-plan")


def test_scores_are_ordered_full_partial_empty(exercise):
    full, partial, empty = (score(exercise, parse_answer(a)) for a in (FULL, PARTIAL, None))
    assert full.points == full.max_points == 6
    assert full.points > partial.points > empty.points == 0
    assert partial.points == 3  # behaviours 2 + a too-short first step 1


def test_feedback_says_what_is_missing(exercise):
    text = "\n".join(score(exercise, parse_answer(PARTIAL)).feedback)
    assert "✓ 1 behaviour(s) to change." in text
    assert "✗ What is the very first thing you will do? Describe it in at least 4 words" in text
    assert "✗ When will you start? Pick a date." in text
    assert "✗ Who will help you" in text


def test_a_date_that_is_not_real_earns_nothing(exercise):
    result = score(exercise, parse_answer({**FULL, "date": "2024-02-30"}))
    assert result.points == 5 and "not a real date" in "\n".join(result.feedback)


def test_only_the_allowed_number_of_behaviours_count(exercise):
    result = score(exercise, parse_answer({**FULL, "behaviours": ["a b", "c d", "e f", "g h"]}))
    assert "Only the first 3 behaviours count" in "\n".join(result.feedback)
    assert "    4. g h" not in result.answer_lines


def test_answer_lines(exercise):
    lines = score(exercise, parse_answer(FULL)).answer_lines
    assert lines[:3] == ("Your action plan:", "  Behaviours to change:",
                         "    1. Own a customer's problem until it is solved")
    assert "  Start date: 2020-03-02" in lines and "  Who will help: Jo, my team leader" in lines


def test_missing_parts_are_empty_and_blank_behaviours_dropped():
    assert parse_answer({"behaviours": ["  x  ", " "]}) == {
        "behaviours": ["x"], "first_step": "", "date": "", "helper": "", "notes": ""}


@pytest.mark.parametrize(
    "raw", [[], "plan", {"behaviours": "one"}, {"behaviours": [1]}, {"date": 20240101}, {"wishes": []}]
)
def test_answers_of_the_wrong_shape_are_rejected(raw):
    with pytest.raises(ValueError):
        parse_answer(raw)


def test_markdown_export(exercise):
    text = to_markdown(exercise, parse_answer(FULL))
    assert text.startswith("# My customer service action plan\n")
    assert "1. Own a customer's problem until it is solved" in text
    assert "## When will you start?\n\nMonday 02 March 2020" in text
    assert "Review after a month." in text


def test_markdown_export_shows_trainee_text_literally(exercise):
    text = to_markdown(exercise, parse_answer(HOSTILE))
    assert not re.search(r"(?<!\\)[<>]", text)  # every angle bracket is escaped: no HTML gets rendered
    assert r"\<script\>alert('x')\</script\>" in text
    assert r"\*\*bold\*\* \& \[link\](javascript:x)" in text
    assert "\n\\- a list line" in text and "\n1\\. numbered" in text and "\\# not a heading" in text
    assert markdown_escape("plain words, no marks") == "plain words, no marks"


def test_html_export_is_printable_and_escapes_everything(exercise):
    page = to_html(exercise, parse_answer(HOSTILE))
    assert page.startswith("<!DOCTYPE html>") and "@media print" in page
    for raw in ("<script>", "<img", "<h1>Boss", "</p><h1>"):
        assert raw not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "&lt;/p&gt;&lt;h1&gt;Boss&lt;/h1&gt;" in page
    assert "Tuesday 15 January 2030" in page


def test_write_exports(tmp_path, exercise):
    md_path, html_path = write_exports(exercise, parse_answer(FULL), tmp_path / "out")
    assert (md_path.name, html_path.name) == ("action-plan.md", "action-plan.html")
    assert md_path.read_text(encoding="utf-8") == to_markdown(exercise, parse_answer(FULL))
    assert "Jo, my team leader" in html_path.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d.update(suggested_behaviours=[]), "field 'suggested_behaviours'"),
        (lambda d: d["questions"].pop("helper"), "field 'questions.helper'"),
        (lambda d: d.update(max_behaviours=9), "field 'max_behaviours'"),
        (lambda d: d["rubric"].update(date=-1), "field 'rubric.date'"),
    ],
)
def test_malformed_content_names_file_and_field(tmp_path, change, field):
    target = content_variant(tmp_path, "m8-action-plan.yaml", change)
    with pytest.raises(ContentError) as error:
        load_exercise_file(target)
    assert str(target) in str(error.value) and field in str(error.value)
