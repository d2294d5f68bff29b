"""Benchmark: the answer store's crash soak, run long.

    .venv/bin/python benchmarks/crash_soak.py [--rounds 2000] [--seed N]

Runs the rounds of ``tests/reliability/soak.py`` (the suite runs 200 of each):
one process saving answers in a loop, killed with SIGKILL at a random moment,
then two processes saving one exercise at once, both killed. Prints, for each,
the rounds, the saves that finished, how many rounds left every answer in place
(survived), lost one or left a file that is not a whole answer (torn), and
where the kills landed. Exit status 1 if anything was lost or torn.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.reliability.soak import soak  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2000, help="kills per scenario (default 2000)")
    parser.add_argument("--seed", type=int, default=None, help="seed for the kill moments")
    args = parser.parse_args()
    bad = 0
    for writers, label in ((1, "one writer, SIGKILL"), (2, "two writers on one exercise, SIGKILL")):
        with tempfile.TemporaryDirectory() as work:
            started = time.monotonic()
            result = soak(Path(work), args.rounds, writers, args.seed)
            print(f"{result.text(label)} [{time.monotonic() - started:.1f} s]")
            for problem in result.problems[:10]:
                print(f"  {problem}")
            bad += result.lost + result.torn
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
