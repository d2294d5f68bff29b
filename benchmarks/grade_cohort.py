"""Benchmark: grading a cohort with plain nbgrader versus ``course grade``.

    .venv/bin/python benchmarks/grade_cohort.py --trainees 100

1. Builds a temporary course from this project (nbgrader_config.py and
   solutions/), generates every assignment whose grade cells' exercises load,
   and makes N synthetic trainees: each gets the released notebooks of every
   assignment and a random (seeded) answers file for each widget exercise
   (a few answers are left out, as in real cohorts).
2. Grades one copy with sequential ``nbgrader autograde <assignment>`` (one
   run per assignment, all trainees in that run) and an identical copy with
   ``course grade <every assignment> --no-feedback`` (one run); both are timed
   as the instructor would see them (process start and imports included).
3. Checks that both gradebooks hold exactly the same scores.
4. Times grading one trainee (every assignment) with ``course grade`` against
   a bare kernel run of the same notebooks with nbclient.

It prints figures and makes no assertion about time. Goals (2 cores): the
cohort at least 1.8x faster; one trainee at most 1.3x a bare kernel run.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from course_lib.models import exercise_ids, load_exercise  # noqa: E402
from course_lib.nbgrader_cells import graded_exercise_id  # noqa: E402
from course_lib.store import AnswerStore  # noqa: E402

BEHAVIOURS = [
    "Listen to the whole question before answering", "Call the customer back at the time I promised",
    "Ask questions to understand what they really need", "Take ownership of the problem until it is solved",
    "Greet every caller politely and use their name", "Explain the next steps in plain language",
    "be nice", "Smile when I answer the phone", "Follow up by e-mail after the call",
]


def env() -> dict[str, str]:
    bindir = str(Path(sys.executable).parent)
    return {**os.environ, "PATH": bindir + os.pathsep + os.environ.get("PATH", "")}


def run(args: list[str], cwd: Path) -> float:
    """Run a command; its wall time in seconds. Fails loudly with its output."""
    started = time.perf_counter()
    done = subprocess.run(args, cwd=cwd, env=env(), capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode == 1 and "Not graded" in done.stdout:  # course grade: some submissions failed
        print(done.stdout.split("Graded, with problems")[0].rstrip())
    elif done.returncode:
        raise SystemExit(f"{' '.join(args)} failed ({done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return seconds


def nbgrader(*args: str, cwd: Path) -> float:
    return run([sys.executable, "-m", "nbgrader", *args], cwd)


def synthetic_answer(exercise, rng: random.Random):
    """A plausible answer in the type's canonical shape, or None for a type with no generator."""
    kind = exercise.type
    if kind == "brainstorm":
        return rng.sample(BEHAVIOURS, rng.randint(1, 6))
    if kind == "choice":
        return {q.id: rng.sample([o.id for o in q.options], 1) for q in exercise.questions}
    if kind == "classify":
        return {item.id: rng.choice(exercise.groups).id for item in exercise.items}
    if kind == "order":
        steps = [s.id for s in exercise.steps]
        return rng.sample(steps, len(steps))
    if kind == "true_false":
        return {s.id: rng.random() < 0.7 for s in exercise.statements}
    if kind == "written_reply":
        return {"text": "I am sorry about the delay. I will call you back today with a new delivery date. " * 4}
    return None


def graded_exercises(notebook: Path) -> list[str]:
    known = exercise_ids()
    return [i for c in nbformat.read(notebook, as_version=4).cells if (i := graded_exercise_id(c, known))]


def build_course(folder: Path, trainees: int, seed: int) -> list[str]:
    """The course with every loadable assignment generated and N trainees' submissions; the assignments."""
    shutil.copy(ROOT / "nbgrader_config.py", folder / "nbgrader_config.py")
    shutil.copytree(ROOT / "solutions", folder / "solutions", ignore=shutil.ignore_patterns("answers", ".*"))
    assignments = []
    for source in sorted((folder / "solutions").iterdir()):
        try:
            for notebook in source.glob("*.ipynb"):
                for exercise_id in graded_exercises(notebook):
                    load_exercise(exercise_id)
        except Exception as exc:  # noqa: BLE001 - a module still being written is left out, and said so
            print(f"  skipping {source.name}: {exc}")
            continue
        nbgrader("generate_assignment", source.name, "--force", cwd=folder)
        assignments.append(source.name)
    rng = random.Random(seed)
    for n in range(trainees):
        student = f"trainee{n:03d}"
        for assignment in assignments:
            target = folder / "submitted" / student / assignment
            shutil.copytree(folder / "exercises" / assignment, target, ignore=shutil.ignore_patterns("answers"))
            for notebook in target.glob("*.ipynb"):
                for exercise_id in graded_exercises(notebook):
                    answer = synthetic_answer(load_exercise(exercise_id), rng)
                    if answer is not None and rng.random() > 0.05:
                        AnswerStore(target / "answers").save(exercise_id, answer)
    return assignments


def scores(course: Path) -> dict[tuple, float | None]:
    from nbgrader.api import Gradebook

    found = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "customer-service") as gb:
        for assignment in gb.assignments:
            for submission in assignment.submissions:
                for notebook in submission.notebooks:
                    for grade in notebook.grades:
                        key = (submission.student.id, assignment.name, notebook.name, grade.name)
                        found[key] = grade.auto_score
    return found


def bare_run(folder: Path, timeout: int) -> float:
    """Execute a trainee's submitted notebooks with nbclient, as they are; wall seconds."""
    from nbclient import NotebookClient

    saved_stderr = os.dup(2)  # kernels write start-up chatter to the inherited stderr
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    try:
        started = time.perf_counter()
        for notebook in sorted(folder.glob("*/*.ipynb")):
            nb = nbformat.read(notebook, as_version=4)
            NotebookClient(nb, timeout=timeout, allow_errors=True, shutdown_kernel="immediate",
                           resources={"metadata": {"path": str(notebook.parent)}}).execute()
        return time.perf_counter() - started
    finally:
        os.dup2(saved_stderr, 2)
        os.close(saved_stderr)
        os.close(devnull)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trainees", type=int, default=100)
    parser.add_argument("--workers", type=int, help="passed to course grade (default: its own)")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the temporary courses and print where")
    args = parser.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="grade-cohort-"))
    try:
        print(f"Building a course with {args.trainees} synthetic trainees ...")
        plain = tmp / "plain"
        plain.mkdir()
        assignments = build_course(plain, args.trainees, args.seed)
        ours = tmp / "course"
        shutil.copytree(plain, ours)
        print(f"  assignments: {', '.join(assignments)}; "
              f"{args.trainees * len(assignments)} submissions; {os.cpu_count()} core(s)")

        sequential = sum(nbgrader("autograde", a, cwd=plain) for a in assignments)
        print(f"sequential nbgrader autograde (one run per assignment): {sequential:8.1f} s")
        cmd = [sys.executable, "-m", "course_lib.cli", "grade", *assignments, "--no-feedback"]
        cmd += [f"--workers={args.workers}"] if args.workers else []
        parallel = run(cmd, ours)
        print(f"course grade (one run, parallel):                      {parallel:8.1f} s")
        print(f"speed-up: {sequential / parallel:.2f}x   (goal on 2 cores: 1.8x for 100 trainees)")

        a, b = scores(plain), scores(ours)
        differ = sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))
        print(f"scores identical: {not differ} ({len(a)} grades compared)")
        for key in differ[:10]:
            print(f"  differs: {key}: nbgrader {a.get(key)} vs course {b.get(key)}")

        # One trainee: the first one graded again, against a bare kernel run of the same notebooks.
        one = "trainee000"
        timeout = 120
        bare = min(bare_run(plain / "submitted" / one, timeout) for _ in range(2))
        base = [sys.executable, "-m", "course_lib.cli", "grade", *assignments, "--no-feedback", "--force",
                f"--student={one}"]
        cold = min(run(base, ours) for _ in range(2))
        sys.path.insert(0, str(ROOT))
        from course_lib.grader.cohort import grade_cohort

        warm = grade_cohort(ours, assignments, students=[one], force=True, feedback=False, workers=1,
                            stream=open(os.devnull, "w"))  # noqa: SIM115
        in_worker = sum(o.seconds for o in warm.outcomes)
        print(f"one trainee ({len(assignments)} notebooks): bare nbclient run {bare:.2f} s; "
              f"course grade {cold:.2f} s as a command (ratio {cold / bare:.2f}x, incl. ~4 s of imports), "
              f"{in_worker:.2f} s of grading work in the worker (ratio {in_worker / bare:.2f}x; goal <= 1.3x)")
        print(json.dumps({"trainees": args.trainees, "assignments": assignments, "sequential_s": round(sequential, 1),
                          "course_grade_s": round(parallel, 1), "speedup": round(sequential / parallel, 2),
                          "scores_identical": not differ, "one_trainee_bare_s": round(bare, 2),
                          "one_trainee_command_s": round(cold, 2), "one_trainee_worker_s": round(in_worker, 2)}))
        return 1 if differ else 0
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
