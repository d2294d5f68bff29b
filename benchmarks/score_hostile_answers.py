"""Benchmark: grading a brainstorm answers file built to be slow, next to a normal one.

    .venv/bin/python benchmarks/score_hostile_answers.py [--unbounded]

Each case writes an answers file and times ``grade_saved`` on it (what the
self-check and the grader's ``TrustedWidgetScores`` do), median of a few runs:

- a normal, thorough answer;
- the worst case the Module 1 exercise accepts: as many entries as its limit,
  each as long as its limit, made of words no two entries share, so every
  entry is counted and compared with every earlier one;
- the worst case at the largest limits any brainstorm may set (100 x 1000);
- the hostile file of 400 long entries (refused by the parser with the reason).

``--unbounded`` also times scoring those 400 entries directly, past the
parser, as the grader did before the limits (with today's scorer; the scorer
before this change took about 85 s on this machine). It prints figures and
asserts nothing about time.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from course_lib.grading import grade_saved  # noqa: E402
from course_lib.models import load_exercise  # noqa: E402
from course_lib.models.brainstorm import MAX_CHARS_CAP, MAX_ITEMS_CAP, BrainstormExercise  # noqa: E402
from course_lib.scoring.brainstorm import score  # noqa: E402
from course_lib.store import AnswerStore  # noqa: E402
from tests.synthetic import GOOD_BRAINSTORM  # noqa: E402

EXERCISE_ID = "m1-brainstorm"


def hostile_entries(count: int, chars: int, seed: int = 15) -> list[str]:
    """``count`` entries of ``chars`` characters: made-up words over a small alphabet, so no
    two entries share words (every one counts) while difflib still has to compare them all.
    Each starts with "we", a linking word, so it reads as a behaviour and is counted."""
    rng = random.Random(seed)
    entries = []
    for _ in range(count):
        words: list[str] = ["we"]
        while sum(len(w) + 1 for w in words) + 6 <= chars:
            words.append("".join(rng.choice("abcdefghij") for _ in range(5)))
        entries.append(" ".join(words))
    return entries


def time_grading(answer: list[str], runs: int) -> tuple[float, str]:
    """Median seconds of grade_saved on a file holding ``answer``, and the first line of feedback."""
    times = []
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(runs):
            AnswerStore(folder).save(EXERCISE_ID, answer)
            start = time.perf_counter()
            graded = grade_saved(EXERCISE_ID, folder, quarantine=False)
            times.append(time.perf_counter() - start)
    line = graded.problem or next(iter(graded.result.feedback), "")
    return statistics.median(times), f"score {graded.score:g}: {line[:90]}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--unbounded", action="store_true", help="also score the 400 entries past the parser")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    exercise = load_exercise(EXERCISE_ID)
    limits = exercise.limits
    widest = BrainstormExercise.model_validate(
        {**exercise.model_dump(), "limits": {"max_items": MAX_ITEMS_CAP, "max_chars": MAX_CHARS_CAP}}
    )
    hostile = hostile_entries(400, 1000)

    print(f"grade_saved('{EXERCISE_ID}'), median of {args.runs} runs (seconds)")
    cases = [
        ("normal answer (6 entries)", GOOD_BRAINSTORM),
        (f"worst case within the exercise's limits ({limits.max_items} x {limits.max_chars})",
         hostile_entries(limits.max_items, limits.max_chars)),
        ("hostile file (400 x 1000), refused by the parser", hostile),
    ]
    for label, answer in cases:
        seconds, outcome = time_grading(answer, args.runs)
        print(f"  {label:<72} {seconds:8.4f}  {outcome}")
    start = time.perf_counter()
    score(widest, hostile_entries(MAX_ITEMS_CAP, MAX_CHARS_CAP))
    print(f"  {f'worst case at the largest limits any brainstorm may set ({MAX_ITEMS_CAP} x {MAX_CHARS_CAP})':<72} "
          f"{time.perf_counter() - start:8.4f}  (score() directly, one run)")
    if args.unbounded:
        start = time.perf_counter()
        score(exercise, hostile)
        print(f"  {'hostile 400 entries scored past the parser (no limits)':<72} "
              f"{time.perf_counter() - start:8.4f}  (one run)")


if __name__ == "__main__":
    main()
