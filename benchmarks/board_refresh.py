"""Time one refresh of the live board for classes of 1,000 and 10,000 trainees.

    .venv/bin/python benchmarks/board_refresh.py [--trainees 1000 10000] [--runs 5]

Builds a temporary class folder (brainstorm, knowledge check and, when the
true_false type exists, the self-assessment), then times a board refresh:
reading the folder, aggregating, rendering the HTML and the chart.
Three figures, each the median of ``--runs`` runs:

* cold: a fresh ClassFolder and empty chart cache (the board's first refresh);
* warm, 20 changed: 20 trainees re-published since the last refresh (the
  usual case during an activity);
* warm, unchanged: nothing changed since the last refresh.

The board keeps a per-file index (mtime, size, inode, owner): a warm refresh
lists the folder and stats each file, and opens only the changed ones.
Target: a warm refresh under 0.5 s on 2 cores. The figures are printed (the
docs/performance.md quotes them); nothing here fails on time.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from course_lib.live.aggregate import ClassFolder, summarise
from course_lib.live.bar_chart import forget_charts
from course_lib.live.config import LiveConfig
from course_lib.live.publish import publish_answer
from course_lib.live.render import bar_chart_png, render
from course_lib.models import ContentError, load_exercise

TARGET_SECONDS = 0.5
VERBS = ["listen to", "call back", "thank", "greet", "update", "apologise to", "ask questions of", "explain options to",
         "follow up with", "respect the time of", "promise a date to", "smile at", "keep my word to", "help"]
OBJECTS = ["the customer", "every caller", "a colleague", "an upset client", "the next person", "visitors",
           "each guest", "the team", "new customers", "regulars"]
WHEN = ["right away", "before they ask", "within a day", "on time", "every time", "patiently", "in plain words",
        "with care", "as agreed", "without jargon", "the same day", "calmly"]


def _brainstorm_answer(rng: random.Random) -> list[str]:
    return list(dict.fromkeys(
        f"{rng.choice(VERBS)} {rng.choice(OBJECTS)} {rng.choice(WHEN)}" for _ in range(rng.randint(3, 8))
    ))


def _choice_exercise():
    for exercise_id in ("m2-chain-check", "m3-expectations-check", "m3-practice-check"):
        try:
            return load_exercise(exercise_id)
        except ContentError:
            continue
    from course_lib.models.choice import ChoiceExercise

    return ChoiceExercise.model_validate({
        "id": "bench-check", "type": "choice", "title": "Benchmark check", "prompt": "Pick.", "points": 5,
        "questions": [
            {"id": f"q{q}", "text": f"Question {q}", "multiple": q % 2 == 0, "options": [
                {"id": f"o{o}", "text": f"Option {o}", "correct": o == 1 or (q % 2 == 0 and o == 2),
                 "feedback": "Because."} for o in range(1, 5)]}
            for q in range(1, 6)
        ],
    })


def _self_assessment():
    if importlib.util.find_spec("course_lib.scoring.true_false") is None:
        return None
    try:
        exercise = load_exercise("m7-self-assessment")
    except ContentError:
        return None
    ids = [s.id for s in exercise.statements]  # type: ignore[attr-defined]
    return exercise, ids


def build_class(folder: Path, trainees: int, seed: int = 4) -> list[tuple[object, callable]]:
    """Publish one answer per trainee per activity; return (exercise, answer maker) pairs."""
    rng = random.Random(seed)
    choice = _choice_exercise()
    activities: list[tuple[object, callable]] = [
        (load_exercise("m1-brainstorm"), _brainstorm_answer),
        (choice, lambda r: {q.id: [r.choice(q.options).id] for q in choice.questions}),
    ]
    if (found := _self_assessment()) is not None:
        exercise, ids = found
        activities.append((exercise, lambda r: {i: r.random() < 0.7 for i in ids}))
    for n in range(trainees):
        config = LiveConfig(class_dir=folder, trainee_id=f"trainee-{n:04d}", display_name=f"Trainee {n}",
                            publish="on")
        for exercise, make in activities:
            publish_answer(exercise.id, exercise.type, make(rng), config)
    return activities


def refresh(folder: ClassFolder, exercise) -> tuple[float, float, float, float]:
    """One refresh (read, summarise, render): wall and CPU seconds, whole and for reading and summarising only.

    CPU time is this process's own: on a shared machine it varies less than the wall time.
    """
    wall, cpu = time.perf_counter(), time.process_time()
    summary = summarise(exercise, folder)
    reading = time.perf_counter() - wall, time.process_time() - cpu
    render(summary, show_names=False)
    return time.perf_counter() - wall, time.process_time() - cpu, *reading


def _medians(timings: list[tuple[float, float, float, float]]) -> list[float]:
    return [statistics.median(column) for column in zip(*timings, strict=True)]


def bench_class(trainees: int, runs: int, rng: random.Random) -> float:
    """Print cold and warm refresh times for a class of ``trainees``; return the slowest warm median (wall)."""
    with tempfile.TemporaryDirectory(prefix="board-bench-") as tmp:
        class_dir = Path(tmp) / "class"
        start = time.perf_counter()
        activities = build_class(class_dir, trainees)
        print(f"built a class folder of {trainees} trainees x {len(activities)} activities "
              f"in {time.perf_counter() - start:.1f} s")
        worst_warm = 0.0
        for exercise, make in activities:
            cold = []
            for _ in range(runs):
                forget_charts()
                cold.append(refresh(ClassFolder(class_dir), exercise))
            board = ClassFolder(class_dir)
            refresh(board, exercise)
            changed, unchanged = [], []
            for _ in range(runs):
                for n in rng.sample(range(trainees), 20):
                    config = LiveConfig(class_dir, f"trainee-{n:04d}", f"Trainee {n}", "on")
                    publish_answer(exercise.id, exercise.type, make(rng), config)
                changed.append(refresh(board, exercise))
                unchanged.append(refresh(board, exercise))
            (cold_wall, cold_cpu, *_), warm, (quiet_wall, quiet_cpu, *_) = map(_medians, (cold, changed, unchanged))
            worst_warm = max(worst_warm, warm[0], quiet_wall)
            print(f"{trainees:6} trainees {exercise.id:22} ({exercise.type:10}) seconds, wall/CPU, median of {runs}: "
                  f"cold {cold_wall:.3f}/{cold_cpu:.3f} | warm, 20 changed {warm[0]:.3f}/{warm[1]:.3f} "
                  f"(reading and summarising {warm[2]:.3f}/{warm[3]:.3f}) | "
                  f"warm, unchanged {quiet_wall:.3f}/{quiet_cpu:.3f}")
    return worst_warm


def main() -> int:
    print(f"load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trainees", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    rng = random.Random(7)
    bar_chart_png("warm-up", ("x",), (1,))  # import matplotlib once, outside the timings
    for trainees in args.trainees:
        worst = bench_class(trainees, args.runs, rng)
        verdict = "under" if worst < TARGET_SECONDS else "OVER"
        print(f"{trainees} trainees: slowest median warm refresh {worst:.3f} s, {verdict} the {TARGET_SECONDS} s goal")
    return 0


if __name__ == "__main__":
    sys.exit(main())
