"""The whole-reply reading: trained weights that the corpus reproduces, used only for the complaint they
learned, and a reply the two readings disagree on goes to the trainer."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib.models import load_exercise, load_exercise_file
from course_lib.scoring import whole_reply
from course_lib.scoring.reply_text import sentences
from course_lib.scoring.train_whole_reply import isotonic, train
from course_lib.scoring.whole_reply import TRAINED_DIR, weights_for, whole_rating
from course_lib.scoring.written_reply import judge, score
from tests.conftest import content_variant

CORPUS_DIR = Path(__file__).parent / "corpus"
EXERCISE = load_exercise("m5-recovery-reply")
SHIPPED = json.loads((TRAINED_DIR / "m5-recovery-reply.json").read_text(encoding="utf-8"))
# A careful reply, but to a different customer's complaint (a late parcel): the rubric reading finds every
# criterion in it; read as a whole it is not a reply to Mrs Alvarez.
OTHER_COMPLAINT = (
    "Hello, thank you for telling us about this, and I am sorry for the trouble. I understand how "
    "frustrating it must be to wait for a delivery that does not arrive. I will take care of this myself: I have "
    "checked your order, arranged a replacement to be sent today by express courier at no cost, and refunded the "
    "delivery charge. I will call you tomorrow to make sure it has arrived and that everything is in order. If "
    "anything else comes up, you can reach me directly on extension 214. Kind regards, Sam")


def test_the_shipped_weights_are_what_the_rated_corpus_gives():
    # Anyone can retrain and get the same grades: the weights are not hand-edited and the corpus is complete.
    corpora = [CORPUS_DIR / name for name in SHIPPED["corpora"]]
    for corpus in corpora:  # a hold-out is trained on only once it has been scored (spent)
        if corpus.name.startswith("m5-replies-holdout"):
            suffix = corpus.stem.removeprefix("m5-replies-holdout").upper()
            assert "Not yet scored" not in (CORPUS_DIR / f"HOLDOUT{suffix}.md").read_text(encoding="utf-8")
    again = train(EXERCISE, corpora, SHIPPED["ridge"])
    assert again["replies"] == SHIPPED["replies"] and again["scenario_sha256"] == SHIPPED["scenario_sha256"]
    assert np.allclose(again["weights"], SHIPPED["weights"], atol=1e-4)
    assert np.allclose(again["calibration"]["y"], SHIPPED["calibration"]["y"], atol=1e-4)
    assert np.allclose(again["calibration"]["x"], SHIPPED["calibration"]["x"], atol=1e-3)


def test_a_careful_reply_to_another_complaint_goes_to_the_trainer():
    judged = judge(EXERCISE, OTHER_COMPLAINT)
    assert judge(EXERCISE, OTHER_COMPLAINT, whole=False).rating == 6  # every criterion, sentence by sentence
    assert judged.review and "read as a whole" in judged.review
    feedback = "\n".join(score(EXERCISE, {"text": OTHER_COMPLAINT}).feedback)
    assert feedback.startswith("Your trainer will mark this reply")


def test_a_changed_complaint_is_graded_by_the_rubric_reading_alone(tmp_path):
    # An organisation that rewrites the complaint has no rated replies to it: the weights learned on
    # Mrs Alvarez's must not judge replies to another story.
    path = content_variant(tmp_path, "m5-recovery-reply.yaml",
                           lambda data: data.update(scenario=data["scenario"].replace("kettle", "toaster")))
    changed = load_exercise_file(path)
    assert weights_for(EXERCISE) is not None and weights_for(changed) is None
    assert whole_rating(changed, sentences(OTHER_COMPLAINT)) is None
    assert judge(changed, OTHER_COMPLAINT).review is None  # no second reading to disagree with


@pytest.mark.parametrize(("change", "field"), [
    (lambda d: d.pop("calibration"), "calibration"),
    (lambda d: d.update(weights=[1.0, 2.0, 3.0]), "weights"),
    (lambda d: d["calibration"].update(x=[3.0, 1.0]), "calibration"),
])
def test_a_malformed_weights_file_names_the_file_and_the_field(tmp_path, monkeypatch, change, field):
    data = json.loads(json.dumps(SHIPPED))
    change(data)
    (tmp_path / "m5-recovery-reply.json").write_text(json.dumps(data), encoding="utf-8")
    monkeypatch.setattr(whole_reply, "TRAINED_DIR", tmp_path)
    with pytest.raises(ValueError, match=rf"m5-recovery-reply\.json.*{field}"):
        weights_for(EXERCISE)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(-3, 9, allow_nan=False), st.integers(0, 6)), min_size=1, max_size=60))
def test_the_calibration_keeps_the_order_and_the_mean(points):
    x = np.array([p[0] for p in points])
    y = np.array([p[1] for p in points], dtype=float)
    knots_x, knots_y = isotonic(x, y)
    assert all(a <= b for a, b in zip(knots_x, knots_x[1:], strict=False))
    assert all(a < b for a, b in zip(knots_y, knots_y[1:], strict=False))  # pooled until strictly rising
    assert min(y) - 1e-6 <= min(knots_y) and max(knots_y) <= max(y) + 1e-6
    mapped = np.interp(np.sort(x), knots_x, knots_y)
    assert np.all(np.diff(mapped) >= -1e-9)  # a better raw reading never maps to a lower grade
