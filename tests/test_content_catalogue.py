"""Every content file of the course plan loads; malformed variants name the file and the field."""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib.models import ContentError, exercise_ids, find_exercise_file, load_exercise, load_exercise_file
from course_lib.models.true_false import too_similar
from tests.conftest import content_variant

# The course's exercise plan: id -> type (docs/catalogue.md / briefs). Files that exist must match it.
PLAN = {
    "m1-brainstorm": "brainstorm",
    "m2-customers-classify": "classify",
    "m2-chain-check": "choice",
    "m2-practice-standards": "classify",
    "m3-expectations-check": "choice",
    "m3-delight-classify": "classify",
    "m3-practice-check": "choice",
    "m4-phone-roleplay": "roleplay",
    "m4-etiquette-check": "choice",
    "m4-practice-channels": "classify",
    "m5-recovery-reply": "written_reply",
    "m5-recovery-order": "order",
    "m5-practice-phrases": "classify",
    "m6-strategy-order": "order",
    "m6-culture-check": "choice",
    "m6-practice-what-how": "classify",
    "m7-self-assessment": "true_false",
    "m8-action-plan": "action_plan",
}
MINE = [i for i, t in PLAN.items() if t in {"choice", "classify", "order", "true_false"}]


def test_every_exercise_of_the_plan_that_exists_loads_with_its_planned_type():
    existing = [i for i in PLAN if find_exercise_file(i) is not None]
    assert set(MINE) <= set(existing)
    for exercise_id in existing:
        exercise = load_exercise(exercise_id)
        assert (exercise.id, exercise.type) == (exercise_id, PLAN[exercise_id])
        assert find_exercise_file(exercise_id).parent.name in {
            f"module{exercise_id[1]}", "action-plan"
        }, "content lives in the folder of its assignment"


def test_every_content_file_loads():
    for exercise_id in exercise_ids():
        assert load_exercise(exercise_id).id == exercise_id


def test_self_assessment_has_25_distinct_statements_and_the_curriculum_bands():
    exercise = load_exercise("m7-self-assessment")
    texts = [s.text for s in exercise.statements]
    assert len(texts) == 25
    words = [set(re.findall(r"[a-z']+", t.casefold())) - {"i", "a", "the", "to", "and", "my", "when", "of"}
             for t in texts]
    for i in range(25):
        for j in range(i + 1, 25):
            assert not too_similar(texts[i], texts[j]), (texts[i], texts[j])
            overlap = len(words[i] & words[j]) / len(words[i] | words[j])
            assert overlap < 0.5, (texts[i], texts[j])  # no rewording of one item as another
    assert [(b.min_true, b.max_true) for b in exercise.bands] == [(0, 14), (15, 19), (20, 25)]
    assert 5 <= len(exercise.themes) <= 7
    assert all(sum(s.theme == t.id for s in exercise.statements) >= 3 for t in exercise.themes)


def test_etiquette_texts_have_no_hard_coded_numbers():
    # Rings and reply hours belong to the organisation's standards file, never to these texts.
    spelled = re.compile(r"\b(one|two|three|four|five|twenty[- ]four)\s+(rings?|hours?|days?)\b")
    for exercise_id in ("m4-etiquette-check", "m4-practice-channels"):
        data = yaml.safe_load(find_exercise_file(exercise_id).read_text(encoding="utf-8"))
        del data["id"], data["points"]
        text = yaml.safe_dump(data).casefold()
        assert not re.search(r"\d", text), exercise_id
        assert not spelled.search(text), exercise_id


def test_strategy_has_the_seven_steps_of_the_curriculum():
    steps = [s.id for s in load_exercise("m6-strategy-order").steps]
    assert steps == ["vision", "assess-needs", "hire", "goals", "train", "accountable", "reward"]


def test_lesson_practice_items_carry_fewer_points_than_graded_ones():
    for exercise_id in MINE:
        points = load_exercise(exercise_id).points
        assert points == 2 if "practice" in exercise_id else 4 <= points <= 5, exercise_id


# -- malformed variants: the message names the file and the field ---------------------------------
def _variant(tmp_path: Path, exercise_id: str, change) -> Path:
    return content_variant(tmp_path, f"{exercise_id}.yaml", change)


def _second_correct(data):
    next(o for o in data["questions"][0]["options"] if not o["correct"])["correct"] = True


def _no_correct(data):
    for option in data["questions"][3]["options"]:
        option["correct"] = False


MALFORMED = [
    ("m2-chain-check", lambda d: d["questions"][0].update(options=d["questions"][0]["options"][:1]),
     "field 'questions.0.options'"),
    ("m2-chain-check", _second_correct, "field 'questions.0': Value error, question 'internal-customer': "
                                        "a single-choice question needs exactly one option"),
    ("m2-chain-check", _no_correct, "field 'questions.3': Value error, question 'external-standards': "
                                    "a multiple-choice question needs at least one correct option"),
    ("m2-chain-check", lambda d: d["questions"][1]["options"][2].pop("feedback"),
     "field 'questions.1.options.2.feedback'"),
    ("m2-chain-check", lambda d: d["questions"][2]["options"][1].update(id="reaches-customer"),
     "option ids must be unique, repeated: reaches-customer"),
    ("m2-chain-check", lambda d: d["questions"].append(dict(d["questions"][0])),
     "field 'questions': Value error, question ids must be unique, repeated: internal-customer"),
    ("m2-chain-check", lambda d: d["questions"][0].update(multiple="sometimes"), "field 'questions.0.multiple'"),
    ("m2-customers-classify", lambda d: d["items"][3].update(group="internl"),
     "field 'items': Value error, items.3.group: 'internl' is not one of the groups (internal, external)"),
    ("m2-customers-classify", lambda d: d.update(groups=d["groups"][:1]), "field 'groups'"),
    ("m2-customers-classify", lambda d: d["items"][0].pop("feedback"), "field 'items.0.feedback'"),
    ("m2-customers-classify", lambda d: d["items"].append(dict(d["items"][0])),
     "item ids must be unique, repeated: shopper"),
    ("m2-customers-classify", lambda d: d["groups"][1].update(id="internal"),
     "field 'groups': Value error, group ids must be unique, repeated: internal"),
    ("m6-strategy-order", lambda d: d.update(shuffled=[s["id"] for s in d["steps"]]),
     "field 'shuffled': Value error, is the right order"),
    ("m6-strategy-order", lambda d: d.update(shuffled=["vision", "hire"]),
     "field 'shuffled': Value error, must list every step id exactly once"),
    ("m6-strategy-order", lambda d: d["steps"][4].update(id="vision"), "field 'steps': Value error, step ids must"),
    ("m6-strategy-order", lambda d: d["steps"][2].pop("text"), "field 'steps.2.text'"),
    ("m6-strategy-order", lambda d: d.update(steps=d["steps"][:2]), "field 'steps'"),
    ("m7-self-assessment", lambda d: d["statements"][18].update(text=d["statements"][17]["text"]),
     "field 'statements': Value error, statements.17 and statements.18 say the same thing"),
    ("m7-self-assessment", lambda d: d["statements"][5].update(theme="owning"),
     "statements.5.theme: 'owning' is not one of the themes"),
    ("m7-self-assessment", lambda d: d["bands"][1].update(min_true=16),
     "field 'bands': Value error, band 'On the way, with room to improve' starts at 16 and leaves a gap"),
    ("m7-self-assessment", lambda d: d["bands"][2].update(min_true=19),
     "field 'bands': Value error, band 'Consistently delighting customers' starts at 19 and overlaps"),
    ("m7-self-assessment", lambda d: d["bands"][2].update(max_true=24),
     "field 'bands': Value error, the highest band ends at 24; bands must cover 0..25"),
    ("m7-self-assessment", lambda d: d["statements"].pop(), "the highest band ends at 25; bands must cover 0..24"),
    ("m7-self-assessment", lambda d: d["bands"][0].pop("advice"), "field 'bands.0.advice'"),
    ("m7-self-assessment", lambda d: d["bands"][0].update(min_true=-1), "field 'bands.0.min_true'"),
]


@pytest.mark.parametrize(("exercise_id", "change", "message"), MALFORMED,
                         ids=[f"{m[0]}-{n}" for n, m in enumerate(MALFORMED)])
def test_malformed_content_names_the_file_and_the_field(tmp_path, exercise_id, change, message):
    path = _variant(tmp_path, exercise_id, change)
    with pytest.raises(ContentError) as error:
        load_exercise_file(path)
    assert str(error.value).startswith(f"{path}: ")
    assert message in str(error.value)


@pytest.mark.parametrize("exercise_id", MINE)
def test_an_organisation_can_override_each_file(tmp_path, monkeypatch, exercise_id):
    _variant(tmp_path, exercise_id, lambda d: d.update(title="Our own title"))
    monkeypatch.setenv("COURSE_CONTENT_PATH", str(tmp_path))
    assert load_exercise(exercise_id).title == "Our own title"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="abc de", max_size=40), st.text(alphabet="abc de", max_size=40))
def test_near_duplicate_statements_are_judged_by_the_full_ratio(a, b):
    # The quick upper bounds only save time: the verdict is always the full character ratio's.
    key_a, key_b = (" ".join(t.casefold().split()) for t in (a, b))
    expected = key_a == key_b or SequenceMatcher(None, key_a, key_b).ratio() >= 0.85
    assert too_similar(a, b) == expected
