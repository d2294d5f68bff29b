"""The whole-reply reading: a written reply's rating (0-6) learned from replies a trainer rated.

The rubric reading (``reply_reading`` and ``written_reply``) looks for what each
sentence does and places the reply on the rubric's scale by rules; a wording
its cues and examples do not cover can mislead it. This second reading looks
at the reply as a whole: the mean and the maximum of its sentences'
all-MiniLM-L6-v2 embeddings (the vectors the rubric reading has already
computed, so it costs next to nothing), weighted by a ridge regression trained
(and calibrated onto the trainer's scale) on the rated corpus (``tests/scoring/corpus/``, written by several writers,
each reply rated 0-6 against the rubric). ``train_whole_reply`` computes the
weights; they are kept in ``scoring/trained/<exercise id>.json`` with the
checksum of the complaint they were trained on.

An organisation that rewrites the complaint invalidates the weights: they
are then not used, and the rubric reading alone grades (see ``weights_for``).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..models.written_reply import WrittenReplyExercise
from .sentence_model import model

__all__ = ["TRAINED_DIR", "WholeReplyWeights", "reply_features", "scenario_checksum", "weights_for",
           "whole_rating"]

TRAINED_DIR = Path(__file__).parent / "trained"


@dataclass(frozen=True)
class WholeReplyWeights:
    """A linear model over a reply's pooled sentence embeddings."""

    weights: np.ndarray  # (2 * embedding size,)
    bias: float
    calibration: tuple[np.ndarray, np.ndarray]  # knots (x, y): the raw prediction onto the trainer's scale
    scenario_sha256: str
    replies: int  # how many rated replies it was trained on


def scenario_checksum(exercise: WrittenReplyExercise) -> str:
    """SHA-256 of the complaint and the prompt: what the rated replies answered."""
    return hashlib.sha256(f"{exercise.scenario}\n{exercise.prompt}".encode()).hexdigest()


def _read(path: Path) -> WholeReplyWeights:
    data = json.loads(path.read_text(encoding="utf-8"))
    try:
        weights = np.asarray(data["weights"], dtype=np.float32)
        knots = (np.asarray(data["calibration"]["x"], dtype=float), np.asarray(data["calibration"]["y"], dtype=float))
        found = WholeReplyWeights(weights, float(data["bias"]), knots, str(data["scenario_sha256"]),
                                  int(data["replies"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"{path}: not a whole-reply weights file ({exc})") from exc
    if weights.ndim != 1 or weights.size % 2:
        raise ValueError(f"{path}: field 'weights' must be a flat list of even length")
    if knots[0].size == 0 or knots[0].shape != knots[1].shape or np.any(np.diff(knots[0]) < 0):
        raise ValueError(f"{path}: field 'calibration' must have x (ascending) and y of the same length")
    return found


@lru_cache(maxsize=8)
def _cached(path: Path) -> WholeReplyWeights | None:
    return _read(path) if path.is_file() else None


def weights_for(exercise: WrittenReplyExercise) -> WholeReplyWeights | None:
    """The trained weights of ``exercise``; None when there are none or the complaint has changed since."""
    found = _cached(TRAINED_DIR / f"{exercise.id}.json")
    if found is None or found.scenario_sha256 != scenario_checksum(exercise):
        return None
    return found


def reply_features(sentences: list[str]) -> np.ndarray:
    """The mean and the maximum of the sentences' embeddings, side by side."""
    vectors = model().encode(sentences)
    return np.concatenate([vectors.mean(axis=0), vectors.max(axis=0)])


def whole_rating(exercise: WrittenReplyExercise, sentences: list[str]) -> float | None:
    """The learned rating (0-6, unrounded) of a reply made of ``sentences``; None without trained weights."""
    found = weights_for(exercise)
    if found is None or not sentences:
        return None
    raw = float(reply_features(sentences) @ found.weights + found.bias)
    return float(np.clip(np.interp(raw, *found.calibration), 0.0, 6.0))
