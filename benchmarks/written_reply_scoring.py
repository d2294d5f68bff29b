"""Cost of scoring a written reply: the meaning-based scorer beside the pattern scorer it replaced.

    .venv/bin/python benchmarks/written_reply_scoring.py [--repeat 3]

Prints, in one run: the sentence model's load time and the memory it adds (RSS), then per reply the median
and the maximum scoring time over the rated corpora, for the pattern scorer (read from git history, commit
``PATTERN_COMMIT``) and today's scorer; the first pass of today's scorer (every sentence new to the model's
cache) and a second pass (as when the same replies are graded again) are shown apart.
"""

from __future__ import annotations

import argparse
import importlib.util
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PATTERN_COMMIT = "9dd13a9"  # the last commit with the pattern scorer
CORPORA = ["m5-replies-dev.yaml", "written_replies.yaml"]


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _pattern_scorer():
    source = subprocess.run(["git", "show", f"{PATTERN_COMMIT}:course_lib/scoring/written_reply.py"], cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout
    folder = Path(tempfile.mkdtemp())
    path = folder / "pattern_scorer.py"
    path.write_text(source, encoding="utf-8")
    # Loaded as a module of course_lib.scoring so that its relative imports resolve.
    spec = importlib.util.spec_from_file_location("course_lib.scoring._pattern_scorer", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def _times(score, exercise, texts: list[str]) -> list[float]:
    found = []
    for text in texts:
        start = time.perf_counter()
        score(exercise, {"text": text})
        found.append(time.perf_counter() - start)
    return found


def _line(name: str, times: list[float]) -> str:
    return (f"{name:<34} median {1000 * statistics.median(times):7.2f} ms   max {1000 * max(times):7.2f} ms   "
            f"({len(times)} replies)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="passes of the pattern scorer (best is shown)")
    args = parser.parse_args()
    from course_lib.models import load_exercise

    exercise = load_exercise("m5-recovery-reply")
    texts = [r["text"] for name in CORPORA
             for r in yaml.safe_load((ROOT / "tests" / "scoring" / "corpus" / name).read_text("utf-8"))["replies"]]
    pattern = _pattern_scorer()
    best = min((_times(pattern.score, exercise, texts) for _ in range(args.repeat)), key=statistics.median)

    before = _rss_mb()
    start = time.perf_counter()
    from course_lib.scoring import sentence_model
    from course_lib.scoring.written_reply import score

    sentence_model.model()
    load = time.perf_counter() - start
    after_load = _rss_mb()
    first = _times(score, exercise, texts)  # includes embedding the content's example sentences once
    again = _times(score, exercise, texts)
    from course_lib.scoring.reply_text import sentences
    from course_lib.scoring.whole_reply import whole_rating

    # The whole-reply reading on its own (its sentence vectors are the rubric reading's, cached by now).
    whole = _times(lambda ex, answer: whole_rating(ex, sentences(answer["text"])), exercise, texts)
    print(f"sentence model: loaded (with the weights' SHA-256 check) in {load:.2f} s; "
          f"peak RSS {before:.0f} MB before, {after_load:.0f} MB after, {_rss_mb():.0f} MB after scoring")
    print(_line("pattern scorer (before)", best))
    print(_line("meaning scorer, first pass", first))
    print(_line("meaning scorer, replies seen before", again))
    print(_line("  of which the whole-reply reading", whole))
    print(f"ratio of medians, first pass / pattern: {statistics.median(first) / statistics.median(best):.0f}x")


if __name__ == "__main__":
    main()
