"""How to combine the two readings of a written reply, chosen by leaving each writer out in turn.

    .venv/bin/python -m tests.scoring.readings_study [--weights 0.33 0.5 0.67] [--gaps 2 2.5 3]

A development tool, not a test (it takes a few minutes): for every spent corpus (one writer each), the
whole-reply reading is trained and calibrated without that writer (nested: the calibration too is fitted
on predictions for writers the model had not seen), then each pair of settings is applied to that writer's
replies: ``RUBRIC_WEIGHT`` (the rubric reading's share of the grade) and ``DISAGREEMENT`` (how far apart
the readings may be before a trainer decides). It prints, per setting, the worst and mean rho and kappa
over the writers, the share sent to the trainer, the safety misses and how many writers meet every goal;
then the chosen setting writer by writer. Nothing here is a hold-out figure: every corpus it reads has
been scored once already. Only a fresh writer shows whether a choice generalises.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from course_lib.models import load_exercise
from course_lib.scoring import written_reply
from course_lib.scoring.train_whole_reply import RIDGE, _ridge, isotonic
from course_lib.scoring.whole_reply import reply_features

from .agreement import quadratic_weighted_kappa
from .rank import spearman

CORPUS = Path(__file__).parent / "corpus"
# One writer each, all spent; written_replies.yaml (the oldest, mixed writers) only ever trains.
WRITERS = {"A": "m5-replies-dev", "B": "m5-replies-holdout", **{
    w.upper(): f"m5-replies-holdout-{w}" for w in "cdefghijk"}}
TRAIN_ONLY = "written_replies"


@dataclass
class Reply:
    writer: str
    rating: int
    rules_only: tuple[int, str | None] | None  # judged by the rules before either reading (rating, review)
    rubric: int = 0
    cap: int = 6
    review: str | None = None  # a reason to send it to the trainer that is not the readings' disagreement
    features: np.ndarray | None = None
    whole: float = 0.0


def _read(exercise, writer: str, name: str) -> list[Reply]:
    """Each reply judged once with the whole reading replaced by a probe that records the rubric reading."""
    seen: dict = {}
    real_rating, real_whole = written_reply._rating, written_reply.whole_rating

    def rating_probe(*args, **kwargs):
        seen["rating"] = real_rating(*args, **kwargs)
        return seen["rating"]

    def whole_probe(_exercise, sentences):
        seen["sentences"] = list(sentences)
        return float(seen["rating"][0])  # no disagreement: the review left is the rules' own

    written_reply._rating, written_reply.whole_rating = rating_probe, whole_probe
    try:
        replies = []
        for item in yaml.safe_load((CORPUS / f"{name}.yaml").read_text("utf-8"))["replies"]:
            seen.clear()
            judged = written_reply.judge(exercise, item["text"])
            rules_only = None if "sentences" in seen else (judged.rating, judged.review)
            reply = Reply(writer, round(item["rating"]), rules_only)
            if "sentences" in seen:
                reply.rubric, _reason, reply.cap = seen["rating"]
                reply.review, reply.features = judged.review, reply_features(seen["sentences"])
            replies.append(reply)
        return replies
    finally:
        written_reply._rating, written_reply.whole_rating = real_rating, real_whole


def _fit(x: np.ndarray, y: np.ndarray, groups: np.ndarray):
    unseen = np.zeros(len(y))
    for group in np.unique(groups):
        w, b = _ridge(x[groups != group], y[groups != group], RIDGE)
        unseen[groups == group] = x[groups == group] @ w + b
    knots = isotonic(unseen, y)
    w, b = _ridge(x, y, RIDGE)
    return lambda f: np.clip(np.interp(f @ w + b, *knots), 0.0, 6.0)


def _whole_readings_unseen(replies: list[Reply]) -> None:
    read = [r for r in replies if r.features is not None]
    x = np.array([r.features for r in read], dtype=np.float64)
    y = np.array([r.rating for r in read], dtype=float)
    groups = np.array([r.writer for r in read])
    for writer in WRITERS:
        held = groups == writer
        predict = _fit(x[~held], y[~held], groups[~held])
        for reply, value in zip([r for r, h in zip(read, held, strict=True) if h], predict(x[held]), strict=True):
            reply.whole = float(value)


def _decide(reply: Reply, weight: float, gap: float) -> tuple[int, bool]:
    """(grade, sent to the trainer) as ``written_reply.judge`` would give them with these settings."""
    if reply.rules_only is not None:
        return reply.rules_only[0], reply.rules_only[1] is not None
    grade = min(round(weight * reply.rubric + (1 - weight) * reply.whole), reply.cap)
    return grade, reply.review is not None or abs(reply.whole - reply.rubric) >= gap


def _per_writer(replies: list[Reply], weight: float, gap: float) -> dict[str, tuple]:
    found = {}
    for writer in WRITERS:
        decided = [(r, *_decide(r, weight, gap)) for r in replies if r.writer == writer]
        auto = [(r.rating, grade) for r, grade, sent in decided if not sent]
        ratings, grades = [a for a, _ in auto], [g for _, g in auto]
        found[writer] = (spearman(ratings, grades), quadratic_weighted_kappa(ratings, grades),
                         1 - len(auto) / len(decided), sum(a <= 2 and g > 3 for a, g in auto),
                         sum(a >= 6 and g < 4 for a, g in auto))
    return found


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weights", nargs="+", type=float, default=[0.25, 1 / 3, 0.5, 2 / 3, 1.0])
    parser.add_argument("--gaps", nargs="+", type=float, default=[2.0, 2.5, 3.0, 3.5])
    args = parser.parse_args(argv)
    exercise = load_exercise("m5-recovery-reply")
    replies = [r for writer, name in [*WRITERS.items(), ("-", TRAIN_ONLY)] for r in _read(exercise, writer, name)]
    _whole_readings_unseen(replies)
    print("rubric weight, gap | rho worst/mean | kappa worst | to the trainer mean/worst | poor>half, "
          "excellent<2/3 | writers meeting every goal")
    for weight in args.weights:
        for gap in args.gaps:
            a = np.array(list(_per_writer(replies, weight, gap).values()))
            meets = int(((a[:, 0] >= 0.85) & (a[:, 1] >= 0.8) & (a[:, 2] <= 0.15) & (a[:, 3] == 0)
                         & (a[:, 4] == 0)).sum())
            print(f"{weight:.2f}, {gap:.1f} | {a[:, 0].min():.3f} / {a[:, 0].mean():.3f} | {a[:, 1].min():.3f} | "
                  f"{a[:, 2].mean():.1%} / {a[:, 2].max():.1%} | {int(a[:, 3].sum())}, {int(a[:, 4].sum())} | "
                  f"{meets} of {len(a)}")
    weight, gap = written_reply.RUBRIC_WEIGHT, written_reply.DISAGREEMENT
    print(f"\nAs shipped ({weight:.2f}, {gap:.1f}), writer by writer:")
    for writer, (rho, kappa, share, poor, excellent) in _per_writer(replies, weight, gap).items():
        print(f"  {writer}: rho {rho:.3f}, kappa {kappa:.3f}, to the trainer {share:.1%}, poor above half {poor}, "
              f"excellent below two thirds {excellent}")


if __name__ == "__main__":
    main()
