"""Train the whole-reply reading (``whole_reply``) on rated replies: ``python -m course_lib.scoring.train_whole_reply``.

Each corpus file is YAML with ``replies``: ``text`` and ``rating`` (0-6, a
trainer's, against the rubric). Replies the rubric reading does not read as a
reply (too short, another language, a word run, the task copied back) are left
out: those are judged as a whole by rules and never reach this reading.

The fit is a closed-form ridge regression, so the same corpus always gives the
same weights (a test retrains and compares). A ridge regression pulls its
predictions towards the middle (an excellent reply comes out near 5), so the
predictions are then mapped onto the trainer's scale by an isotonic
(order-keeping, piecewise linear) calibration, fitted on predictions for each corpus file made
by a model trained without that file: each file is one writer, so the map is
learned from replies written by someone the model had not seen.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import yaml

from ..models import load_exercise
from ..models.written_reply import WrittenReplyExercise
from .reply_text import sentences
from .whole_reply import TRAINED_DIR, reply_features, scenario_checksum

__all__ = ["RIDGE", "isotonic", "main", "train"]

# Chosen by leaving each writer out in turn (see the authors' guide): larger values pull every reply to the middle.
RIDGE = 0.3


def _read_replies(exercise: WrittenReplyExercise, corpora: Sequence[Path]) -> list[tuple[str, float, int]]:
    """(text, rating, index of its corpus file) of every reply the rubric reading reads as a reply."""
    from .written_reply import judge  # here, not at the top: written_reply imports whole_reply

    replies = []
    for index, path in enumerate(corpora):
        for reply in yaml.safe_load(path.read_text(encoding="utf-8"))["replies"]:
            if judge(exercise, reply["text"], whole=False).read:
                replies.append((reply["text"], float(reply["rating"]), index))
    return replies


def _ridge(features: np.ndarray, ratings: np.ndarray, ridge: float) -> tuple[np.ndarray, float]:
    centre = features.mean(axis=0)
    centred = features - centre
    weights = np.linalg.solve(centred.T @ centred + ridge * np.eye(centred.shape[1]),
                              centred.T @ (ratings - ratings.mean()))
    return weights, float(ratings.mean() - centre @ weights)


def isotonic(x: np.ndarray, y: np.ndarray) -> tuple[list[float], list[float]]:
    """Knots of the non-decreasing least-squares fit of ``y`` on ``x`` (pool adjacent violators), for
    ``np.interp``: one knot per pooled block, at the block's mean x and mean y, so that the map rises
    smoothly between blocks instead of jumping at their edges."""
    order = np.argsort(x, kind="stable")
    blocks: list[list[float]] = []  # [sum of y, sum of x, count]
    for xi, yi in zip(x[order], y[order], strict=True):
        blocks.append([float(yi), float(xi), 1.0])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][2] >= blocks[-1][0] / blocks[-1][2]:
            last = blocks.pop()
            blocks[-1] = [a + b for a, b in zip(blocks[-1], last, strict=True)]
    return ([round(sum_x / count, 6) for _sum_y, sum_x, count in blocks],
            [round(sum_y / count, 6) for sum_y, _sum_x, count in blocks])


def train(exercise: WrittenReplyExercise, corpora: Sequence[Path], ridge: float = RIDGE) -> dict:
    """The weights file's content: a ridge regression of the ratings on the pooled sentence embeddings,
    and the calibration that maps its predictions onto the trainer's scale."""
    replies = _read_replies(exercise, corpora)
    features = np.array([reply_features(sentences(text)) for text, _rating, _file in replies], dtype=np.float64)
    ratings = np.array([rating for _text, rating, _file in replies])
    files = np.array([file for _text, _rating, file in replies])
    unseen = np.zeros(len(replies))
    for file in np.unique(files):
        weights, bias = _ridge(features[files != file], ratings[files != file], ridge)
        unseen[files == file] = features[files == file] @ weights + bias
    knots_x, knots_y = isotonic(unseen, ratings)
    weights, bias = _ridge(features, ratings, ridge)
    return {"exercise": exercise.id, "scenario_sha256": scenario_checksum(exercise), "ridge": ridge,
            "replies": len(replies), "corpora": [p.name for p in corpora],
            "calibration": {"x": knots_x, "y": knots_y},
            "bias": round(bias, 6), "weights": [round(float(w), 6) for w in weights]}


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpora", nargs="+", type=Path, help="rated corpus files (YAML)")
    parser.add_argument("--exercise", default="m5-recovery-reply")
    parser.add_argument("--output", type=Path, help="default: scoring/trained/<exercise>.json")
    args = parser.parse_args(argv)
    exercise = load_exercise(args.exercise)
    if not isinstance(exercise, WrittenReplyExercise):
        parser.error(f"{args.exercise} is not a written-reply exercise")
    found = train(exercise, args.corpora)
    output = args.output or TRAINED_DIR / f"{exercise.id}.json"
    output.write_text(json.dumps(found, indent=0) + "\n", encoding="utf-8")
    print(f"{output}: trained on {found['replies']} replies from {len(args.corpora)} files")


if __name__ == "__main__":
    main()
