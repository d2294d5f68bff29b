"""Writer B's replies (corpus/HOLDOUT.md): a hold-out scored once, since then development data.

B's set was scored once as a hold-out (figures in HOLDOUT.md) and then moved into development, so its
figures here say nothing about unseen writing (hold-out C does: test_holdout_c.py). This test prints them
so a change to the scorer shows its effect on a second writer, and fails below a floor.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from course_lib.models import load_exercise

from .agreement import agreement

HOLDOUT = yaml.safe_load((Path(__file__).parent / "corpus" / "m5-replies-holdout.yaml").read_text("utf-8"))


def test_the_holdout_is_another_writer_and_wide_enough():
    replies = HOLDOUT["replies"]
    assert HOLDOUT["writer"] == "B" and len(replies) >= 50
    assert len({r["id"] for r in replies}) == len(replies)
    assert {r["rating"] for r in replies} == set(range(7))


def test_writer_b_agreement_has_not_regressed():
    found = agreement(load_exercise("m5-recovery-reply"), HOLDOUT["replies"])
    print(found.summary())
    assert found.rho >= 0.85 and found.kappa >= 0.85
    assert not found.poor_above_half and not found.excellent_below_two_thirds
    assert found.review_share <= 0.15
