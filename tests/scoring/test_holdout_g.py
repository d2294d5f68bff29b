"""Hold-out G (writer G, corpus/HOLDOUT-G.md): scored once, figures recorded there; now a floor.

G was written against the rubric only, by a writer who saw neither the scorer, the other corpora nor the
content file's examples, and scored once (rho 0.835, kappa 0.863, 13.9% to the trainer, no excellent reply
below two thirds, two poor replies above half). This test keeps the scorer from falling below that.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from course_lib.models import load_exercise

from .agreement import agreement

HOLDOUT_G = yaml.safe_load((Path(__file__).parent / "corpus" / "m5-replies-holdout-g.yaml").read_text("utf-8"))


def test_holdout_g_is_another_writer_and_wide_enough():
    replies = HOLDOUT_G["replies"]
    assert HOLDOUT_G["writer"] == "G" and len(replies) >= 50
    assert len({r["id"] for r in replies}) == len(replies)
    assert {r["rating"] for r in replies} == set(range(7))


def test_holdout_g_agreement_has_not_regressed():
    found = agreement(load_exercise("m5-recovery-reply"), HOLDOUT_G["replies"])
    print(found.summary())
    assert found.rho >= 0.83 and found.kappa >= 0.85
    assert found.review_share <= 0.15
    assert not found.excellent_below_two_thirds
