"""Aggregating a class folder for the live board, and the HTML it turns into."""

from __future__ import annotations

import json
import os
from html import escape
from pathlib import Path

import pytest

from course_lib.live.aggregate import (
    NO_THEME,
    BandSummary,
    BrainstormSummary,
    ChoiceSummary,
    ClassFolder,
    ClassifySummary,
    brainstorm_themes,
    card_key,
    summarise,
)
from course_lib.live.config import LiveConfig
from course_lib.live.publish import publish_answer
from course_lib.live.render import render
from course_lib.models import load_exercise
from course_lib.scoring.brainstorm import judge_items

SCRIPT = "<script>alert('board')</script> listen to every caller"


def publish(class_dir: Path, trainee: str, exercise_id: str, answer, name: str | None = None) -> Path:
    exercise = load_exercise(exercise_id)
    cfg = LiveConfig(class_dir, trainee, name or f"Name of {trainee}", "on")
    return publish_answer(exercise.id, exercise.type, answer, cfg)


@pytest.fixture
def class_dir(tmp_path) -> Path:
    return tmp_path / "class"


# -- brainstorm ----------------------------------------------------------------
def test_brainstorm_entries_are_grouped_by_theme_and_counted(class_dir):
    publish(class_dir, "ann", "m1-brainstorm", ["Listen to the whole question", "Call back the customer on time"])
    publish(class_dir, "ben", "m1-brainstorm", ["listen to the WHOLE question!", "Smile", "Thank the customer warmly"])
    publish(class_dir, "cat", "m1-brainstorm", [])  # opened the activity, wrote nothing: not counted
    summary = summarise("m1-brainstorm", ClassFolder(class_dir))
    assert isinstance(summary, BrainstormSummary)
    assert summary.participants == 2
    groups = {group.label: group.cards for group in summary.groups}
    listening = groups["Listening"]
    assert [(c.text, c.count) for c in listening] == [("Listen to the whole question", 2)]
    assert listening[0].names == ("Name of ann", "Name of ben")
    assert [c.text for c in groups[NO_THEME]] == ["Smile"]  # too short to carry a theme
    assert list(groups)[-1] == NO_THEME
    counts = dict(summary.theme_counts)
    assert counts["Listening"] == 2 and counts["Following up"] == 1 and counts["Empathy"] == 0
    assert [label for label, _ in summary.theme_counts] == [t.label for t in load_exercise("m1-brainstorm").themes]


def test_the_board_finds_the_same_themes_as_the_scorer():
    exercise = load_exercise("m1-brainstorm")
    items = ["Listen to the whole question", "Call back when I promised", "Thank them", "Explain the next step clearly",
             "Go the extra mile before they ask", "smile"]
    judged = {v.text: v.themes for v in judge_items(exercise, items) if v.counted}
    assert judged == {v.text: v.themes for v in brainstorm_themes(exercise, items) if v.counted}


def test_corrupt_half_written_and_misfiled_entries_are_skipped_with_a_note(class_dir):
    publish(class_dir, "ann", "m1-brainstorm", ["Listen to the whole question"])
    folder = class_dir / "m1-brainstorm"
    (folder / "half.json").write_text('{"format": 1, "exercise": "m1-brainstorm", "trainee": "half", "answ')
    (folder / "list.json").write_text("[1, 2]")
    (folder / "future.json").write_text(json.dumps({"format": 9}))
    (folder / "forged.json").write_text(json.dumps(
        {"format": 1, "exercise": "m1-brainstorm", "trainee": "ann", "name": "x", "saved_at": "", "answer": ["a b c"]}
    ))
    (folder / "shape.json").write_text(json.dumps(
        {"format": 1, "exercise": "m1-brainstorm", "trainee": "shape", "name": "x", "saved_at": "", "answer": "oops"}
    ))
    (folder / "binary.json").write_bytes(b"\xff\xfe\x00garbage")
    (folder / ".ann.abc.tmp").write_text("{")  # a save in progress: not an entry, no note
    summary = summarise("m1-brainstorm", ClassFolder(class_dir))
    assert summary.participants == 1
    notes = " | ".join(summary.notes)
    for name in ("half.json", "list.json", "future.json", "forged.json", "shape.json", "binary.json"):
        assert f"Skipped {name}:" in notes
    assert "does not match its file name" in notes and "list of text entries" in notes
    assert ".tmp" not in notes
    assert "Skipped half.json" in render(summary).notes_html


def test_a_changed_entry_is_read_again_and_a_removed_one_disappears(class_dir):
    folder = ClassFolder(class_dir)
    path = publish(class_dir, "ann", "m1-brainstorm", ["Listen to the whole question"])
    publish(class_dir, "ben", "m1-brainstorm", ["Call back when I promised"])
    assert summarise("m1-brainstorm", folder).participants == 2
    publish(class_dir, "ann", "m1-brainstorm", ["Thank every caller by name"])
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10_000_000))  # coarse clocks
    texts = {c.text for g in summarise("m1-brainstorm", folder).groups for c in g.cards}
    assert texts == {"Thank every caller by name", "Call back when I promised"}
    path.unlink()
    assert summarise("m1-brainstorm", folder).participants == 1


def test_a_hidden_entry_leaves_the_board_and_can_come_back(class_dir):
    publish(class_dir, "ann", "m1-brainstorm", ["Listen to the whole question", "Something rude said here"])
    publish(class_dir, "ben", "m1-brainstorm", ["something rude said HERE"])
    folder = ClassFolder(class_dir)
    key = card_key("Something rude said here")
    folder.set_hidden("m1-brainstorm", key, "Something rude said here")
    assert (class_dir / "m1-brainstorm" / ".hidden.json").exists()
    summary = summarise("m1-brainstorm", ClassFolder(class_dir))  # a new board sees it hidden too
    texts = [c.text for g in summary.groups for c in g.cards]
    assert texts == ["Listen to the whole question"]
    assert summary.hidden == {key: "Something rude said here"}
    assert summary.participants == 2  # hiding an entry does not hide who took part
    assert "rude" not in render(summary).html
    folder.set_hidden("m1-brainstorm", key, "", hide=False)
    assert len([c for g in summarise("m1-brainstorm", folder).groups for c in g.cards]) == 2


def test_names_are_off_by_default_and_every_trainee_string_stays_text(class_dir):
    publish(class_dir, "ann", "m1-brainstorm", [SCRIPT], name="<img src=x onerror=alert(1)>Ann")
    summary = summarise("m1-brainstorm", ClassFolder(class_dir))
    hidden_names = render(summary).html
    assert "Ann" not in hidden_names
    assert "<script>" not in hidden_names and "&lt;script&gt;alert(&#x27;board&#x27;)&lt;/script&gt;" in hidden_names
    shown = render(summary, show_names=True).html
    assert "&lt;img src=x onerror=alert(1)&gt;Ann" in shown and "<img" not in shown


# -- self-assessment and knowledge check -------------------------------------------
def answers_with_true(count: int) -> dict[str, bool]:
    statements = load_exercise("m7-self-assessment").statements
    return {s.id: n < count for n, s in enumerate(statements)}


def test_self_assessment_shows_only_an_anonymous_band_distribution(class_dir):
    publish(class_dir, "ann", "m7-self-assessment", answers_with_true(23), name="Ann Secret")
    publish(class_dir, "ben", "m7-self-assessment", answers_with_true(21), name="Ben Secret")
    publish(class_dir, "cat", "m7-self-assessment", answers_with_true(16), name="Cat Secret")
    partial = dict(list(answers_with_true(25).items())[:5])
    publish(class_dir, "dan", "m7-self-assessment", partial, name="Dan Secret")
    summary = summarise("m7-self-assessment", ClassFolder(class_dir))
    assert isinstance(summary, BandSummary)
    exercise = load_exercise("m7-self-assessment")
    assert [label for label, _ in summary.bands] == [b.label for b in exercise.bands]
    by_band = {b.label: (b.min_true, b.max_true) for b in exercise.bands}
    counts = dict(summary.bands)
    for true_count, expected in ((23, 2), (16, 1)):
        label = next(lbl for lbl, (lo, hi) in by_band.items() if lo <= true_count <= hi)
        assert counts[label] == expected
    assert sum(counts.values()) == 3 and summary.participants == 4 and summary.in_progress == 1
    shown = render(summary, show_names=True)
    assert "Secret" not in shown.html and "1 trainee still answering" in shown.html
    assert shown.chart and shown.chart.startswith(b"\x89PNG")


def test_knowledge_check_counts_each_option(class_dir):
    exercise = load_exercise("m2-chain-check")
    first, second = exercise.questions[0], exercise.questions[1]
    right = sorted(first.correct_ids)[0]
    wrong = next(o.id for o in first.options if not o.correct)
    publish(class_dir, "ann", "m2-chain-check", {first.id: [right]})
    publish(class_dir, "ben", "m2-chain-check", {first.id: [wrong], second.id: [second.options[0].id]})
    publish(class_dir, "cat", "m2-chain-check", {first.id: [right, right]})
    summary = summarise(exercise, ClassFolder(class_dir))
    assert isinstance(summary, ChoiceSummary) and summary.participants == 3
    q1 = summary.questions[0]
    assert q1.answered == 3
    picked = {o.option_id: o.count for o in q1.options}
    assert picked[right] == 2 and picked[wrong] == 1 and sum(picked.values()) == 3
    assert summary.questions[1].answered == 1
    assert "✓" not in render(summary).html and "✓" in render(summary, reveal=True).html


def test_an_empty_class_folder_shows_nothing_and_does_not_fail(tmp_path):
    folder = ClassFolder(tmp_path / "nowhere")
    assert folder.activities() == []
    summary = summarise("m1-brainstorm", folder)
    assert summary.participants == 0 and summary.groups == ()
    shown = render(summary)
    assert shown.headline == "0 trainees took part" and shown.chart is None


# -- classify ------------------------------------------------------------------------
def test_classify_counts_each_item_per_group_with_the_most_confused_items_first(class_dir):
    exercise = load_exercise("m2-practice-standards")
    right = {item.id: item.group for item in exercise.items}
    wrong = {item.id: next(g.id for g in exercise.groups if g.id != item.group) for item in exercise.items}
    first, second, third = (item.id for item in exercise.items[:3])
    publish(class_dir, "ann", exercise.id, right)  # everything right
    publish(class_dir, "ben", exercise.id, {**right, second: wrong[second], third: wrong[third]})
    publish(class_dir, "cat", exercise.id, {second: wrong[second], third: right[third]})  # placed only two
    publish(class_dir, "dan", exercise.id, {})  # opened it, placed nothing: not counted
    summary = summarise(exercise, ClassFolder(class_dir))
    assert isinstance(summary, ClassifySummary) and summary.participants == 3
    assert [label for _id, label in summary.groups] == [g.label for g in exercise.groups]
    by_id = {item.item_id: item for item in summary.items}
    assert (by_id[second].placed, by_id[second].wrong) == (3, 2)
    assert dict(by_id[second].counts) == {g.id: (1 if g.id == right[second] else 0) + 2 * (g.id == wrong[second])
                                          for g in exercise.groups}
    assert (by_id[third].placed, by_id[third].wrong) == (3, 1)
    assert (by_id[first].placed, by_id[first].wrong) == (2, 0)
    # 2 of 3 wrong, then 1 of 3 wrong, then the items nobody got wrong in the content's order.
    assert [item.item_id for item in summary.items][:3] == [second, third, first]
    assert [i.item_id for i in summary.items[2:]] == [i.id for i in exercise.items if i.id not in (second, third)]


def test_the_classify_board_shows_the_right_group_only_when_revealed(class_dir):
    exercise = load_exercise("m2-practice-standards")
    publish(class_dir, "ann", exercise.id, {item.id: item.group for item in exercise.items})
    summary = summarise(exercise, ClassFolder(class_dir))
    hidden, shown = render(summary), render(summary, reveal=True)
    assert "✓" not in hidden.html and "course-board-right" not in hidden.html.split("</style>")[1]
    assert shown.html.count("✓") == len(exercise.items)
    assert "1 of 1 right" in shown.html and "1 placed" in hidden.html
    for item in exercise.items:
        assert escape(item.text) in hidden.html
    assert hidden.headline == "1 trainee took part"


def test_classify_ignores_what_a_trainee_made_up_and_shows_none_of_it(class_dir):
    exercise = load_exercise("m2-practice-standards")
    item = exercise.items[0]
    made_up = {item.id: "<script>alert(1)</script>", "<img src=x onerror=alert(2)>": "both"}
    publish(class_dir, "ann", exercise.id, made_up)
    publish(class_dir, "ben", exercise.id, {item.id: item.group})
    summary = summarise(exercise, ClassFolder(class_dir))
    by_id = {i.item_id: i for i in summary.items}
    assert by_id[item.id].placed == 1 and summary.participants == 2
    html = render(summary, reveal=True, show_names=True).html
    assert "script" not in html and "onerror" not in html
