"""The hold-outs (corpus/HOLDOUT*.md): each written by its own writer, scored once, then kept as a floor.

Every hold-out was written against the rubric only, by a writer who saw neither the scorer nor the other
corpora, and scored **once** when the scorer of the day was finished; the figures of that one scoring are
in its HOLDOUT*.md. After it, a hold-out is development data: these floors (at or near what each showed)
keep the scorer from falling back on any writer. They say nothing new about unseen writing; only a fresh
hold-out from a new writer does.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from course_lib.models import load_exercise

from .agreement import agreement

CORPUS = Path(__file__).parent / "corpus"
# file, writer, and the floors: rho, kappa, most sent to the trainer, whether no excellent reply may fall
# below two thirds and no poor reply rise above half. Since the whole-reply reading (trained on all of these)
# they are in-sample figures: floors against a fall, not evidence. Known misses, all from the rubric reading's
# cap: B's hold-039 (an expired card blamed on her, politely) and E's hold-e-054 (an over-promise in words no
# cue covers), missed by both readings and suggested at 4 and 5; J's hold-j-071 (excellent), where "I will
# personally take care of your refund from now until it is completed" reads as an open-ended wait and caps
# it at 3 (until the grade leaned on the whole reading, the two readings' gap sent it to the trainer).
HOLDOUTS = [
    ("m5-replies-holdout", "B", 0.9, 0.9, 0.15, False),
    ("m5-replies-holdout-c", "C", 0.9, 0.9, 0.15, True),
    ("m5-replies-holdout-d", "D", 0.9, 0.9, 0.15, True),
    ("m5-replies-holdout-e", "E", 0.85, 0.9, 0.15, False),
    ("m5-replies-holdout-f", "F", 0.85, 0.9, 0.15, True),
    ("m5-replies-holdout-g", "G", 0.9, 0.9, 0.15, True),
    ("m5-replies-holdout-h", "H", 0.9, 0.9, 0.15, True),
    ("m5-replies-holdout-i", "I", 0.9, 0.9, 0.15, True),
    ("m5-replies-holdout-j", "J", 0.85, 0.9, 0.15, False),
    ("m5-replies-holdout-k", "K", 0.85, 0.9, 0.15, True),
    # L to O are not in the whole-reply reading's training data: their floors are their one scoring (L and M
    # with the fixes made after it: forms of address, a cue's 'unless' by meaning).
    ("m5-replies-holdout-l", "L", 0.9, 0.9, 0.16, True),
    ("m5-replies-holdout-m", "M", 0.85, 0.85, 0.15, True),
    ("m5-replies-holdout-n", "N", 0.85, 0.9, 0.1, True),
    ("m5-replies-holdout-o", "O", 0.85, 0.9, 0.1, True),
    # P and Q: scored once with the rubric's caps as its words say (commit 6359367). P's hold-p-070 (a vague
    # text-message reply, rated 2) scored 4 then; the cues added after that scoring (a hopeful "soon" as a wait,
    # an excuse, "just a rough guide", "let me make it simple") read it and P's other misses, so P's floor is
    # now in-sample.
    ("m5-replies-holdout-p", "P", 0.9, 0.9, 0.1, True),
    ("m5-replies-holdout-q", "Q", 0.9, 0.9, 0.1, True),
    # R and S: scored once, together, with the scorer of commit 2c08cf6. R's hold-r-011 (a second refund, a free
    # kettle and a voucher, rated 2) scored 5 then; the over-promise cues for refunding or paying back "a second
    # time" added after read it, so R's floor is in-sample. Its Hindi reply, read as a run of words then, goes to
    # the trainer since (the other-alphabet check), which puts R one reply over 15%.
    ("m5-replies-holdout-r", "R", 0.9, 0.9, 0.16, True),
    ("m5-replies-holdout-s", "S", 0.9, 0.9, 0.12, True),
    # T was written after every cue and reading above, by a writer who saw only the rubric, and scored once at
    # 9ea2289: rho .896, kappa .893, 12.5% sent, all goals (HOLDOUT-T.md). Its floors are that scoring.
    ("m5-replies-holdout-t", "T", 0.89, 0.89, 0.125, True),
]


def _load(name: str) -> dict:
    return yaml.safe_load((CORPUS / f"{name}.yaml").read_text("utf-8"))


@pytest.mark.parametrize(("name", "writer"), [(h[0], h[1]) for h in HOLDOUTS], ids=[h[1] for h in HOLDOUTS])
def test_each_holdout_is_its_own_writer_wide_enough_and_documented(name: str, writer: str) -> None:
    holdout = _load(name)
    replies = holdout["replies"]
    assert holdout["writer"] == writer and len(replies) >= 50
    assert len({r["id"] for r in replies}) == len(replies)
    assert {r["rating"] for r in replies} == set(range(7))
    page = CORPUS / ("HOLDOUT.md" if writer == "B" else f"HOLDOUT-{writer}.md")
    assert "scored once" in page.read_text(encoding="utf-8").lower()


@pytest.mark.parametrize(("name", "rho", "kappa", "review", "safe"), [(h[0], *h[2:]) for h in HOLDOUTS],
                         ids=[h[1] for h in HOLDOUTS])
def test_agreement_on_each_holdout_has_not_fallen(name: str, rho: float, kappa: float, review: float,
                                                  safe: bool) -> None:
    found = agreement(load_exercise("m5-recovery-reply"), _load(name)["replies"])
    print(found.summary())
    assert found.rho >= rho and found.kappa >= kappa
    assert found.review_share <= review
    if safe:
        assert not found.poor_above_half and not found.excellent_below_two_thirds


def test_no_reply_id_is_in_two_corpora() -> None:
    seen: dict[str, str] = {}
    for path in sorted(CORPUS.glob("m5-replies-*.yaml")):
        for reply in yaml.safe_load(path.read_text("utf-8"))["replies"]:
            assert reply["id"] not in seen, f"{reply['id']} in {path.name} and {seen[reply['id']]}"
            seen[reply["id"]] = path.name
