"""Hold-out C (writer C, corpus/HOLDOUT-C.md): scored once, figures recorded there; now a floor.

C was written against the rubric only, by a writer who saw neither the scorer, the other corpora nor the
content file's examples, and scored once (rho 0.829, kappa 0.818, 9.7% to the trainer). After that one
scoring it may be used for development; this test keeps the scorer from falling below what it showed.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from course_lib.models import load_exercise

from .agreement import agreement

HOLDOUT_C = yaml.safe_load((Path(__file__).parent / "corpus" / "m5-replies-holdout-c.yaml").read_text("utf-8"))


def test_holdout_c_is_another_writer_and_wide_enough():
    replies = HOLDOUT_C["replies"]
    assert HOLDOUT_C["writer"] == "C" and len(replies) >= 50
    assert len({r["id"] for r in replies}) == len(replies)
    assert {r["rating"] for r in replies} == set(range(7))


def test_holdout_c_agreement_has_not_regressed():
    found = agreement(load_exercise("m5-recovery-reply"), HOLDOUT_C["replies"])
    print(found.summary())
    assert found.rho >= 0.8 and found.kappa >= 0.8
    assert found.review_share <= 0.15
