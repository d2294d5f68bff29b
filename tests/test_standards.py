"""The organisation's standards file: validation, overrides, and one number driving lesson, scoring and feedback."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from course_lib.models import PACKAGED_CONTENT, ContentError, exercise_ids, load_exercise, load_exercise_file
from course_lib.models.roleplay import RoleplayExercise
from course_lib.models.standards import Standards, load_standards, number_words, placeholders
from course_lib.scoring.roleplay import score
from course_lib.standards import show_standards, standards_html, standards_rows
from tests.conftest import content_variant

STANDARDS = PACKAGED_CONTENT / "standards.yaml"
# The roleplay reply that picks up at the third ring, then the rest of the best call.
RING_3_CALL = [("ringing", "ring-3"), ("greeting", "full-greeting"), ("asks-for-colleague", "out-offer-message"),
               ("urgent", "offer-colleague"), ("before-transfer", "ask-hold"), ("hold-answer", "wait-for-yes"),
               ("tom-in-meeting", "take-details"), ("closing", "thank-and-wait")]


def _override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change) -> Path:
    path = content_variant(tmp_path / "our-content", "standards.yaml", change)
    monkeypatch.setenv("COURSE_CONTENT_PATH", str(path.parent))
    return path


def _path(steps):
    return {"path": [{"node": n, "choice": c} for n, c in steps]}


def test_packaged_standards_load_with_the_curriculum_numbers():
    standards = load_standards()
    assert standards.phone.answer_within_rings == 2
    assert standards.voice_mail.reply_within_business_hours == 24
    assert standards.email.reply_within_business_hours == 24
    assert standards.web_enquiries.reply_within_business_hours == 24
    values = placeholders()
    assert values["rings"] == 2 and values["rings_words"] == "two rings"
    assert values["voicemail_away"] == "half a day or longer" and values["email_away"] == "a full day or more"
    assert "Harbourside Services, Customer Care, this is [your name]" in values["greeting"]


def test_standards_file_is_not_taken_for_an_exercise():
    assert "standards" not in exercise_ids()


def test_number_words():
    assert number_words(1, "ring") == "one ring"
    assert number_words(3, "ring") == "three rings"
    assert number_words(15, "ring") == "15 rings"


def test_lesson_table_lists_every_channel_with_numbers_filled_in():
    sections = {section for section, _text in standards_rows()}
    assert {"Telephone", "Voice mail", "E-mail", "Website enquiries", "External customers",
            "Internal customers"} <= sections
    texts = " ".join(text for _section, text in standards_rows())
    assert "within two rings" in texts and "24 business hours" in texts and "{" not in texts
    widget = show_standards()
    assert widget.value == standards_html() and "<table" in widget.value


def test_lesson_table_escapes_the_organisations_text(tmp_path, monkeypatch):
    _override(tmp_path, monkeypatch, lambda d: d.update(organisation="<script>x()</script> & Co"))
    page = standards_html()
    assert "<script>" not in page and "&lt;script&gt;x()&lt;/script&gt; &amp; Co" in page


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d["phone"].update(answer_within_rings="two"), "field 'phone.answer_within_rings'"),
        (lambda d: d["phone"].update(answer_within_rings=0), "field 'phone.answer_within_rings'"),
        (lambda d: d["phone"].update(greeting="{organisation}, good morning"), "field 'phone.greeting'"),
        (lambda d: d["phone"]["statements"].append("Answer in {ringz} rings"), "field 'phone.statements.7'"),
        (lambda d: d["email"].pop("out_of_office_mentions"), "field 'email.out_of_office_mentions'"),
        (lambda d: d["voice_mail"].update(reply_within_hours=24), "field 'voice_mail.reply_within_hours'"),
        (lambda d: d.pop("general"), "field 'general'"),
    ],
)
def test_malformed_standards_name_the_file_and_field(tmp_path, monkeypatch, change, field):
    path = _override(tmp_path, monkeypatch, change)
    with pytest.raises(ContentError) as error:
        load_standards()
    assert str(path) in str(error.value) and field in str(error.value)


def test_broken_yaml_names_the_file(tmp_path, monkeypatch):
    folder = tmp_path / "ours"
    folder.mkdir()
    (folder / "standards.yaml").write_text("phone: [unclosed\n", encoding="utf-8")
    monkeypatch.setenv("COURSE_CONTENT_PATH", str(folder))
    with pytest.raises(ContentError, match=r"standards\.yaml: not valid YAML"):
        load_standards()


def test_an_organisation_overrides_the_standards_through_the_content_path(tmp_path, monkeypatch):
    path = _override(tmp_path, monkeypatch, lambda d: d.update(organisation="Acme Water"))
    assert load_standards().organisation == "Acme Water"
    assert placeholders()["greeting"].startswith("Acme Water, Customer Care")
    monkeypatch.delenv("COURSE_CONTENT_PATH")
    assert load_standards().organisation == "Harbourside Services"
    assert path.exists()


def test_changing_two_rings_to_three_changes_lesson_scoring_and_feedback(tmp_path, monkeypatch):
    exercise = load_exercise("m4-phone-roleplay")
    before = score(exercise, _path(RING_3_CALL))
    lesson_before = standards_html()
    assert before.points == 5 and "✗ Answer promptly" in "\n".join(before.feedback)
    assert "within two rings" in lesson_before and "three rings" not in lesson_before

    _override(tmp_path, monkeypatch, lambda d: d["phone"].update(answer_within_rings=3))

    lesson = standards_html()
    assert "within three rings" in lesson and "two rings" not in lesson  # lesson display
    exercise = load_exercise("m4-phone-roleplay")  # loaded again: the exercise keeps the standards it was loaded with
    after = score(exercise, _path(RING_3_CALL))
    assert after.points == after.max_points == 6  # scoring: a reply at ring 3 now passes
    feedback = "\n".join(after.feedback)
    assert "✓ Answer promptly: At your desk, pick up within three rings." in feedback  # feedback
    assert "You picked up at ring 3: inside our limit of three rings." in feedback
    assert "two rings" not in feedback
    # ... and ring 5 is still too late, with the new number in the explanation
    late = score(exercise, _path([("ringing", "ring-5"), *RING_3_CALL[1:]]))
    assert late.points == 5 and "Our standard is three rings" in "\n".join(late.feedback)


def test_a_loaded_roleplay_scores_the_same_whatever_the_content_path_is_later(tmp_path, monkeypatch):
    exercise = load_exercise("m4-phone-roleplay")
    before = score(exercise, _path(RING_3_CALL))
    _override(tmp_path, monkeypatch, lambda d: d["phone"].update(answer_within_rings=3))
    assert load_standards().phone.answer_within_rings == 3  # the override is in effect ...
    after = score(exercise, _path(RING_3_CALL))
    assert after == before and after.points == 5  # ... but scoring uses the standards loaded with the exercise
    monkeypatch.setenv("COURSE_CONTENT_PATH", str(tmp_path / "no-such-folder"))
    assert score(exercise, _path(RING_3_CALL)) == before


def test_standards_given_with_the_content_are_the_ones_scored_against():
    data = yaml.safe_load(STANDARDS.read_text(encoding="utf-8"))
    data["phone"]["answer_within_rings"] = 3
    three_rings = Standards.model_validate(data)
    packaged = load_exercise_file(PACKAGED_CONTENT / "module4" / "m4-phone-roleplay.yaml")
    exercise = RoleplayExercise.model_validate(packaged.model_dump(), context={"standards": three_rings})
    assert exercise.organisation_standards is three_rings
    assert score(exercise, _path(RING_3_CALL)).points == 6  # ring 3 is within three rings
