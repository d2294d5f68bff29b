"""Benchmark: kernel-free ``course grade`` of a large synthetic cohort, against plain ``nbgrader autograde``.

    .venv/bin/python benchmarks/grade_kernel_free.py --trainees 1000 --sample 20

1. Builds a temporary course from this project (nbgrader_config.py and
   solutions/), generates every assignment, and makes N synthetic trainees,
   each with every assignment: the released notebook (hard-linked, it is
   only read) and answers of a random quality (tests/synthetic.py) for each
   widget exercise.
2. Grades the whole cohort with ``course grade <every assignment>`` (kernel
   free, feedback included) as the instructor runs it; reports wall time and
   the peak resident memory of the command and all its workers together
   (sampled from /proc every 0.2 s).
3. In the same run, grades a sample of S trainees of one assignment with plain
   ``nbgrader autograde`` (one process, kernels) in a copy: per-submission
   cost side by side. nbgrader's start is taken out by a second run on four
   times the sample (each further submission's cost); and, since ``course
   grade`` writes the feedback pages too, ``nbgrader generate_feedback`` is
   run on both samples after their ``autograde``: the same work on both sides.
   With ``--feedback-again``: ``course feedback`` (every page again, as after
   hand grading) against ``nbgrader generate_feedback`` on the sample.
   And (``--steps-sample``) the same trainees graded with ``--nbgrader-steps``
   and with the bulk path, in two fresh copies: the bulk path's gain alone.
4. Changes the answers of 50 submissions (each really different) and runs
   ``course grade`` again: only those are graded (incremental re-run), timed;
   three times (``--reruns``), then once more with nothing changed.
5. Checks that the plain nbgrader run and ``course grade`` recorded the same
   scores for the sample.

Prints figures; asserts nothing about time. Goals (2 cores, issue 21): 10,000
trainees x every assignment in < 10 min and < 1 GB; >= 100x cheaper per
submission than nbgrader autograde by wall time and by CPU (CPU counted for
every process a command starts, kernels included: tree_cpu.py); a re-run after
50 changed submissions < 5 s from the shell.
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
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
REPLY_EXERCISE = "m5-recovery-reply"

import nbformat  # noqa: E402

from benchmarks.tree_cpu import TreeCpu  # noqa: E402
from course_lib.grader.cohort import default_workers  # noqa: E402
from course_lib.models import exercise_ids, load_exercise  # noqa: E402
from course_lib.nbgrader_cells import graded_exercise_id  # noqa: E402
from course_lib.store import AnswerStore  # noqa: E402
from tests.synthetic import QUALITIES, answer_for  # noqa: E402


def env() -> dict[str, str]:
    bindir = str(Path(sys.executable).parent)
    return {**os.environ, "PATH": bindir + os.pathsep + os.environ.get("PATH", "")}


def tree_rss(pid: int) -> int:
    """Resident memory (bytes) of ``pid`` and every descendant, from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
        rss[int(entry)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        total += rss.get(current, 0)
        todo += children.get(current, [])
    return total


def tree_pss(pid: int) -> int:
    """Proportional memory (bytes) of ``pid`` and its descendants: a page shared by n processes counts 1/n.

    Forked grading workers share the parent's pages (the sentence model, nbgrader's modules) copy-on-write;
    summing their RSS counts those pages once per process, PSS counts them once.
    """
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    children.setdefault(int(handle.read().rsplit(")", 1)[1].split()[1]), []).append(int(entry))
            except OSError:
                continue
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            with open(f"/proc/{current}/smaps_rollup") as handle:
                total += next(int(line.split()[1]) * 1024 for line in handle if line.startswith("Pss:"))
        except (OSError, StopIteration):
            pass
        todo += children.get(current, [])
    return total


PEAK_PSS = [0]  # of the last run()
CPU_MEASURE = [""]  # how the last run() counted CPU


def run(args: list[str], cwd: Path) -> tuple[float, int, str, float]:
    """Run a command; (wall seconds, peak RSS of its process tree, stdout, CPU seconds of the tree). Fails loudly.

    CPU seconds (user + system of the command and every process it started, kernels included: ``TreeCpu``)
    are the figure to trust on a shared machine: wall time there depends on what else runs.
    """
    meter = TreeCpu()
    CPU_MEASURE[0] = meter.measure
    started = time.perf_counter()
    proc = subprocess.Popen(args, cwd=cwd, env=env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=meter.preexec)
    peak = [0]
    PEAK_PSS[0] = 0

    def sample() -> None:
        while proc.poll() is None:
            peak[0] = max(peak[0], tree_rss(proc.pid))
            PEAK_PSS[0] = max(PEAK_PSS[0], tree_pss(proc.pid))
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    seconds = time.perf_counter() - started
    sampler.join()
    cpu = meter.seconds()
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(args)} failed ({proc.returncode}):\n{out[-3000:]}\n{err[-3000:]}")
    return seconds, peak[0], out, cpu


def graded_exercises(notebook: Path) -> list[str]:
    known = exercise_ids()
    return [i for c in nbformat.read(notebook, as_version=4).cells if (i := graded_exercise_id(c, known))]


def build(course: Path, trainees: int, seed: int, only: list[str] | None = None) -> list[str]:
    shutil.copy(ROOT / "nbgrader_config.py", course / "nbgrader_config.py")
    shutil.copytree(ROOT / "solutions", course / "solutions", ignore=shutil.ignore_patterns("answers", ".*"))
    assignments = sorted(d.name for d in (course / "solutions").iterdir()
                         if d.is_dir() and (not only or d.name in only))
    for assignment in assignments:
        subprocess.run([sys.executable, "-m", "nbgrader", "generate_assignment", assignment, "--force"],
                       cwd=course, env=env(), check=True, capture_output=True)
    exercises = {a: {nb.name: graded_exercises(nb) for nb in (course / "exercises" / a).glob("*.ipynb")}
                 for a in assignments}
    loaded = {e: load_exercise(e) for a in exercises.values() for ids in a.values() for e in ids}
    # One answers folder per assignment and quality, written once through the answer store; each trainee's
    # submission links to one of them (chosen at random), as building 80,000 folders file by file took hours.
    templates = course / "answer-templates"
    for assignment in assignments:
        for quality in QUALITIES:
            store = AnswerStore(templates / assignment / quality)
            (templates / assignment / quality).mkdir(parents=True, exist_ok=True)
            for ids in exercises[assignment].values():
                for exercise_id in ids:
                    answer = answer_for(loaded[exercise_id], quality)
                    if answer is not None:
                        store.save(exercise_id, answer)
    rng = random.Random(seed)
    for n in range(trainees):
        for assignment in assignments:
            folder = course / "submitted" / f"t{n:05d}" / assignment
            (folder / "answers").mkdir(parents=True)
            for name in exercises[assignment]:
                os.link(course / "exercises" / assignment / name, folder / name)
            source = templates / assignment / rng.choice(QUALITIES)
            for answers in source.glob("*.json"):
                os.link(answers, folder / "answers" / answers.name)
    return assignments


def steps_versus_bulk(course: Path, tmp: Path, fresh_db: Path, assignments: list[str], trainees: int,
                      extra: list[str]) -> dict[str, float]:
    """The same trainees graded with nbgrader's saving steps and with the bulk path, in two fresh copies."""
    students = sorted(p.name for p in (course / "submitted").iterdir())[:trainees]
    figures = {}
    for name, flags in (("steps", ["--nbgrader-steps"]), ("bulk", [])):
        copy = tmp / f"sample-{name}"
        copy.mkdir()
        for item in ("nbgrader_config.py", "solutions", "exercises"):
            (shutil.copytree if (course / item).is_dir() else shutil.copy)(course / item, copy / item)
        shutil.copy(fresh_db, copy / "gradebook.db")
        for student in students:
            shutil.copytree(course / "submitted" / student, copy / "submitted" / student, symlinks=True)
        wall, _peak, _out, cpu = run([sys.executable, "-m", "course_lib.cli", "grade", *assignments, *extra, *flags],
                                     copy)
        count = len(students) * len(assignments)
        figures[f"{name}_cpu_ms_per_submission"] = round(cpu / count * 1000, 1)
        figures[f"{name}_wall_ms_per_submission"] = round(wall / count * 1000, 1)
        print(f"{name:5}: {count} submissions in {wall:.1f} s wall ({wall / count * 1000:.1f} ms each), "
              f"{cpu:.1f} CPU s ({cpu / count * 1000:.1f} ms each, start-up included)")
    print(f"bulk path / nbgrader's saving steps, CPU per submission: "
          f"{figures['steps_cpu_ms_per_submission'] / figures['bulk_cpu_ms_per_submission']:.2f}x cheaper")
    return figures


def distinct_reply_cost(course: Path, trainees: int, workers: int) -> str:
    """What the synthetic cohort hides: its written replies are copies of a few texts (one per quality), which
    the sentence model's cache then answers; a real cohort writes every reply anew. Measures the CPU cost of
    a reply the model has not seen (40 rated corpus replies, first pass) and what N distinct ones would add."""
    import statistics

    import yaml

    from course_lib.models.written_reply import WrittenReplyExercise
    from course_lib.scoring.reply_reading import preload
    from course_lib.scoring.written_reply import judge

    texts = {path.read_bytes() for path in (course / "answer-templates").glob(f"*/*/{REPLY_EXERCISE}.json")}
    if not texts:
        return "written replies: none in these assignments"
    exercise = load_exercise(REPLY_EXERCISE)
    assert isinstance(exercise, WrittenReplyExercise)
    corpus = yaml.safe_load((ROOT / "tests/scoring/corpus/m5-replies-holdout-k.yaml").read_text("utf-8"))["replies"]
    preload(exercise)  # the model and the examples' vectors, as a grading worker inherits them
    costs = []
    for reply in corpus[:40]:
        started = time.process_time()
        judge(exercise, reply["text"])
        costs.append(time.process_time() - started)
    each = statistics.median(costs)
    return (f"written replies: this cohort's {trainees} are copies of {len(texts)} texts, which the sentence "
            f"model's cache answers after the first; a reply it has not seen costs {each * 1000:.0f} ms CPU "
            f"(median of {len(costs)}, max {max(costs) * 1000:.0f} ms): {trainees} distinct replies would add "
            f"about {trainees * each / workers:.0f} s on {workers} workers")


def scores(course: Path, assignment: str, students: set[str]) -> dict[tuple, float | None]:
    from nbgrader.api import Gradebook

    found = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "customer-service") as gb:
        for submission in gb.find_assignment(assignment).submissions:
            if submission.student_id in students:
                for notebook in submission.notebooks:
                    for grade in notebook.grades:
                        found[(submission.student_id, notebook.name, grade.name)] = grade.auto_score
    return found


# Between changing files and timing a re-run: the index records a folder only once it has settled (2 s).
SETTLE_S = 3.0


def change_answers(course: Path, count: int, rng: random.Random) -> int:
    """Give ``count`` random submissions other answers (each really different: a re-run must grade it); returns
    how many were changed (fewer only if no quality this script writes differs for some submission)."""
    changed = 0
    folders = sorted((course / "submitted").glob("*/*"))
    for folder in rng.sample(folders, len(folders)):
        if changed == count:
            break
        before = {p.name: p.read_bytes() for p in (folder / "answers").glob("*.json")}
        for quality in rng.sample(["good", "poor", "empty"], 3):
            for linked in (folder / "answers").glob("*.json"):
                linked.unlink()  # a link to the shared template: replace, never write through it
            store = AnswerStore(folder / "answers")
            for notebook in folder.glob("*.ipynb"):
                for exercise_id in graded_exercises(notebook):
                    answer = answer_for(load_exercise(exercise_id), quality)
                    if answer is not None:
                        store.save(exercise_id, answer)
            if {p.name: p.read_bytes() for p in (folder / "answers").glob("*.json")} != before:
                changed += 1
                break
        else:  # every quality gives these same answers: put them back as they were
            for name, data in before.items():
                (folder / "answers" / name).write_bytes(data)
    return changed


def same_work(plain: Path, more: Path, assignment: str, extra_n: int, autograde_wall: float,
              autograde_cpu: float, per: float, cpu_per: float) -> dict[str, object]:
    """The same work on both sides: ``course grade`` writes the feedback pages as it grades, so nbgrader's
    ``generate_feedback`` joins its ``autograde``; each further submission's cost, as for ``autograde``.
    Run on the two plain copies after their ``autograde``."""
    small_wall, _, _, small_cpu = run([sys.executable, "-m", "nbgrader", "generate_feedback", assignment], plain)
    large_wall, _, _, large_cpu = run([sys.executable, "-m", "nbgrader", "generate_feedback", assignment], more)
    feedback_wall, feedback_cpu = (large_wall - small_wall) / extra_n, (large_cpu - small_cpu) / extra_n
    both_wall, both_cpu = autograde_wall + feedback_wall, autograde_cpu + feedback_cpu
    print(f"plain nbgrader generate_feedback on the same two samples: {small_wall:.1f} and {large_wall:.1f} s "
          f"wall; each further submission {feedback_wall * 1000:.0f} ms wall, {feedback_cpu * 1000:.0f} ms CPU")
    print(f"the same work (grades and feedback pages), each further submission: nbgrader autograde + "
          f"generate_feedback {both_wall * 1000:.0f} ms wall, {both_cpu * 1000:.0f} ms CPU; course grade "
          f"{per * 1000:.1f} ms wall, {cpu_per * 1000:.1f} ms CPU: wall {both_wall / per:.0f}x, "
          f"CPU {both_cpu / cpu_per:.0f}x")
    return {"nbgrader_feedback_further_cpu_ms": round(feedback_cpu * 1000),
            "same_work_ratio": round(both_wall / per), "same_work_cpu_ratio": round(both_cpu / cpu_per)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trainees", type=int, default=200)
    parser.add_argument("--sample", type=int, default=20, help="trainees graded by plain nbgrader autograde")
    parser.add_argument("--changed", type=int, default=50, help="submissions changed before the re-run")
    parser.add_argument("--reruns", type=int, default=3, help="re-runs, each after --changed fresh changes")
    parser.add_argument("--no-feedback", action="store_true", help="grade without writing feedback pages")
    parser.add_argument("--feedback-again", action="store_true",
                        help="also time `course feedback` (after hand grading) against nbgrader generate_feedback")
    parser.add_argument("--assignments", nargs="*", metavar="assignment",
                        help="only these assignments (default: every assignment in solutions/)")
    parser.add_argument("--steps-sample", type=int, default=200,
                        help="trainees (every assignment) graded both with --nbgrader-steps and in bulk, side by side")
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args(argv)

    print(f"machine: {os.cpu_count()} core(s); load before: {os.getloadavg()}")
    tmp = Path(tempfile.mkdtemp(prefix="grade-kernel-free-"))
    try:
        course = tmp / "course"
        course.mkdir()
        started = time.perf_counter()
        assignments = build(course, args.trainees, args.seed, args.assignments)
        submissions = args.trainees * len(assignments)
        print(f"built {args.trainees} trainees x {len(assignments)} assignments = {submissions} submissions "
              f"in {time.perf_counter() - started:.0f} s ({', '.join(assignments)})")

        fresh_db = tmp / "fresh-gradebook.db"
        shutil.copy(course / "gradebook.db", fresh_db)
        sample_assignment = assignments[0]
        plain = tmp / "plain"
        plain.mkdir()
        shutil.copy(course / "nbgrader_config.py", plain)
        shutil.copytree(course / "solutions", plain / "solutions")
        shutil.copytree(course / "exercises", plain / "exercises")
        shutil.copy(course / "gradebook.db", plain / "gradebook.db")
        sample = {f"t{n:05d}" for n in range(min(args.sample, args.trainees))}
        for student in sample:
            shutil.copytree(course / "submitted" / student / sample_assignment,
                            plain / "submitted" / student / sample_assignment)

        extra = ["--no-feedback"] if args.no_feedback else []
        grade = [sys.executable, "-m", "course_lib.cli", "grade", *assignments, *extra]
        wall, peak, out, cpu = run(grade, course)
        peak_pss = PEAK_PSS[0]
        print(out.split("Graded, with problems")[0].rstrip())
        print(f"CPU counted by: {CPU_MEASURE[0]}")
        per, cpu_per = wall / submissions, cpu / submissions
        print(f"course grade, kernel-free, {submissions} submissions{' (no feedback)' if extra else ''}: "
              f"{wall:.1f} s wall ({per * 1000:.1f} ms per submission), {cpu:.1f} CPU s "
              f"({cpu_per * 1000:.1f} ms per submission), peak RSS {peak / 2**20:.0f} MB, "
              f"peak PSS {peak_pss / 2**20:.0f} MB (command + workers); load after: {os.getloadavg()}")

        print(distinct_reply_cost(course, args.trainees, max(1, default_workers() // 2)))

        plain_wall, plain_peak, _, plain_cpu = run(
            [sys.executable, "-m", "nbgrader", "autograde", sample_assignment], plain)
        plain_per, plain_cpu_per = plain_wall / len(sample), plain_cpu / len(sample)
        print(f"plain nbgrader autograde, {len(sample)} submissions of {sample_assignment} (no feedback): "
              f"{plain_wall:.1f} s wall ({plain_per * 1000:.0f} ms per submission), {plain_cpu:.1f} CPU s "
              f"({plain_cpu_per * 1000:.0f} ms per submission; nbgrader's start included)")
        print(f"per submission, nbgrader autograde / course grade kernel-free: wall {plain_per / per:.0f}x, "
              f"CPU {plain_cpu_per / cpu_per:.0f}x (goal >= 100x; nbgrader's start spread over the sample)")
        # nbgrader's start (about 2.5 s of CPU) weighs on a small sample: its cost for each further submission
        # is the fairer comparison, from a second run on four times the sample.
        larger = min(4 * len(sample), args.trainees)
        figures: dict[str, object] = {}
        if larger > len(sample):
            more = tmp / "plain-larger"
            shutil.copytree(plain, more, ignore=shutil.ignore_patterns("submitted", "autograded", "gradebook.db"))
            shutil.copy(fresh_db, more / "gradebook.db")
            for n in range(larger):
                shutil.copytree(course / "submitted" / f"t{n:05d}" / sample_assignment,
                                more / "submitted" / f"t{n:05d}" / sample_assignment)
            more_wall, _, _, more_cpu = run([sys.executable, "-m", "nbgrader", "autograde", sample_assignment],
                                            more)
            extra_n = larger - len(sample)
            marginal_wall, marginal_cpu = (more_wall - plain_wall) / extra_n, (more_cpu - plain_cpu) / extra_n
            print(f"plain nbgrader autograde, {larger} submissions: {more_wall:.1f} s wall, {more_cpu:.1f} CPU s; "
                  f"each submission beyond the first {len(sample)}: {marginal_wall * 1000:.0f} ms wall, "
                  f"{marginal_cpu * 1000:.0f} ms CPU: wall {marginal_wall / per:.0f}x, CPU "
                  f"{marginal_cpu / cpu_per:.0f}x course grade's (which writes the feedback pages too)")
            figures.update(nbgrader_further_ms=round(marginal_wall * 1000),
                           nbgrader_further_cpu_ms=round(marginal_cpu * 1000),
                           further_ratio=round(marginal_wall / per), further_cpu_ratio=round(marginal_cpu / cpu_per))
            if not extra:
                figures.update(same_work(plain, more, sample_assignment, extra_n, marginal_wall, marginal_cpu,
                                         per, cpu_per))

        a, b = scores(plain, sample_assignment, sample), scores(course, sample_assignment, sample)
        differ = sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))
        print(f"sample scores identical to plain nbgrader: {not differ} ({len(a)} grades compared)")
        for key in differ[:10]:
            print(f"  differs: {key}: nbgrader {a.get(key)} vs course grade {b.get(key)}")

        if args.feedback_again:
            # After hand grading: every page written again from the gradebook, against nbgrader's own command
            # on the sample (whose autograded/ the plain run above made).
            fb_wall, fb_peak, _, fb_cpu = run([sys.executable, "-m", "course_lib.cli", "feedback", *assignments],
                                              course)
            nb_wall, _, _, nb_cpu = run([sys.executable, "-m", "nbgrader", "generate_feedback", sample_assignment,
                                         "--force"], plain)
            fb_per, nb_per = fb_wall / submissions, nb_wall / len(sample)
            print(f"course feedback, {submissions} submissions: {fb_wall:.1f} s wall ({fb_per * 1000:.1f} ms per "
                  f"submission), {fb_cpu:.1f} CPU s, peak RSS {fb_peak / 2**20:.0f} MB; nbgrader generate_feedback, "
                  f"{len(sample)} of {sample_assignment}: {nb_wall:.1f} s ({nb_per * 1000:.0f} ms per submission), "
                  f"{nb_cpu:.1f} CPU s; per submission {nb_per / fb_per:.0f}x")
            figures.update(feedback_wall_s=round(fb_wall, 1), feedback_ms_per_submission=round(fb_per * 1000, 1),
                           nbgrader_feedback_ms_per_submission=round(nb_per * 1000))

        if args.steps_sample:
            figures.update(steps_versus_bulk(course, tmp, fresh_db, assignments, args.steps_sample, extra))

        rng = random.Random(args.seed + 1)
        reruns = []
        for _ in range(args.reruns):
            changed = change_answers(course, args.changed, rng)
            time.sleep(SETTLE_S)
            again, again_peak, out, _ = run(grade, course)
            reruns.append(round(again, 2))
            print(out.splitlines()[0])
            print(f"incremental re-run after {changed} changed submissions: {again:.2f} s "
                  f"(goal < 5 s), peak RSS {again_peak / 2**20:.0f} MB")
        time.sleep(SETTLE_S)
        unchanged_wall, _, out, _ = run(grade, course)
        print(f"re-run with nothing changed: {unchanged_wall:.2f} s ({out.splitlines()[0]})")
        print(json.dumps({"trainees": args.trainees, "assignments": len(assignments), "submissions": submissions,
                          "feedback": not extra, "wall_s": round(wall, 1), "ms_per_submission": round(per * 1000, 1),
                          "peak_rss_mb": round(peak / 2**20), "nbgrader_ms_per_submission": round(plain_per * 1000),
                          "ratio": round(plain_per / per), "cpu_ms_per_submission": round(cpu_per * 1000, 1),
                          "nbgrader_cpu_ms_per_submission": round(plain_cpu_per * 1000),
                          "cpu_ratio": round(plain_cpu_per / cpu_per), "incremental_s": reruns,
                          "unchanged_rerun_s": round(unchanged_wall, 2),
                          "sample_identical": not differ, "load_after": os.getloadavg(), **figures}))
        return 1 if differ else 0
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
