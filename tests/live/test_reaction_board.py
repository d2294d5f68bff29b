"""The reaction survey on the live board and in the report: the room's answers, never who gave them."""

from __future__ import annotations

from course_lib.cohort.evaluation_report import reaction_section
from course_lib.live.aggregate import ClassFolder, summarise
from course_lib.live.config import LiveConfig
from course_lib.live.publish import publish_answer
from course_lib.live.render import render

TRAINEES = {"zq-unique-trainee-7": ("Quentin Zebulon", 5, 4, "Ring back at the time I promise <script>x</script>"),
            "yx-another-one-3": ("Xavier Yolanda", 2, 3, ""),
            "wv-third-8": ("Valerie Whitcombe", 4, 5, "Say my name when I pick up")}


def publish_room(class_dir):
    for trainee, (name, useful, clear, text) in TRAINEES.items():
        config = LiveConfig(class_dir=class_dir, trainee_id=trainee, display_name=name, publish="on")
        publish_answer("m2-reaction", "reaction", {"ratings": {"usefulness": useful, "clarity": clear},
                                                   "text": text}, config)


def assert_anonymous(html):
    for trainee, (name, *_rest) in TRAINEES.items():
        assert trainee not in html and name not in html
        assert name.split()[0] not in html and name.split()[1] not in html


def test_the_board_shows_counts_means_and_escaped_texts_and_no_names(tmp_path):
    publish_room(tmp_path)
    summary = summarise("m2-reaction", ClassFolder(tmp_path))
    assert summary.participants == 3
    usefulness = summary.room.ratings[0]
    assert usefulness.counts == (0, 1, 0, 1, 1) and round(usefulness.mean, 2) == 3.67
    for show_names in (False, True):
        shown = render(summary, show_names=show_names)
        page = shown.headline + shown.html + shown.chart_alt + shown.notes_html
        assert_anonymous(page)
        assert "Ring back at the time I promise &lt;script&gt;x&lt;/script&gt;" in page and "<script>" not in page
        assert "3.7" in page and shown.chart is not None
    # texts in alphabetical order, not the order the trainees published in
    assert summary.room.texts == ("Ring back at the time I promise <script>x</script>", "Say my name when I pick up")


def test_the_report_section_shows_the_room_and_no_trainee_id(tmp_path):
    publish_room(tmp_path)
    section = reaction_section(tmp_path)
    assert "3 response(s) over 1 module(s)" in section
    assert "Say my name when I pick up" in section and "&lt;script&gt;" in section and "<script>" not in section
    assert_anonymous(section)


def test_without_a_class_folder_the_report_says_so(tmp_path):
    assert "No reaction surveys yet" in reaction_section(tmp_path / "missing")
