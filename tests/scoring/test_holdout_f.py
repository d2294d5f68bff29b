"""Hold-out F (writer F, corpus/HOLDOUT-F.md): scored once, figures recorded there; now a floor.

F was written against the rubric only, by a writer who saw neither the scorer, the other corpora nor the
content file's examples, and scored once (rho 0.741, kappa 0.720, 11.1% to the trainer). After that one
scoring it may be used for development; this test keeps the scorer from falling below what it showed.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from course_lib.models import load_exercise

from .agreement import agreement

HOLDOUT_F = yaml.safe_load((Path(__file__).parent / "corpus" / "m5-replies-holdout-f.yaml").read_text("utf-8"))


def test_holdout_f_is_another_writer_and_wide_enough():
    replies = HOLDOUT_F["replies"]
    assert HOLDOUT_F["writer"] == "F" and len(replies) >= 50
    assert len({r["id"] for r in replies}) == len(replies)
    assert {r["rating"] for r in replies} == set(range(7))


def test_holdout_f_agreement_has_not_regressed():
    found = agreement(load_exercise("m5-recovery-reply"), HOLDOUT_F["replies"])
    print(found.summary())
    assert found.rho >= 0.72 and found.kappa >= 0.7
    assert found.review_share <= 0.2
