"""Crash soak for the answer store: saving processes killed with SIGKILL at random moments.

Each round forks one (or two) child processes that save answers to one
exercise in a loop with :class:`~course_lib.store.AnswerStore`, exactly as the
widgets do, and logs each finished save to a file of its own (one small
``write`` after ``save`` returns). The parent kills the children with SIGKILL
at a random moment and then reads what is on disk:

- *torn*: the answers file (or a kept-aside copy) cannot be read as a whole
  answer;
- *lost*: an answer that must still exist is gone. With one writer that is
  the last answer whose save finished (unless the save in progress already
  replaced it); with two writers, every answer the same copy's next save did
  not knowingly replace, and the last finished one of each copy (or the one
  in progress after it);
- *survived*: neither.

Forking (instead of starting Python afresh) keeps a round to a few
milliseconds, so hundreds of kills fit in seconds. Used by
``tests/reliability/test_crash_soak.py`` (a bounded run in the suite) and
``benchmarks/crash_soak.py`` (a long run that prints the figures).
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from course_lib.store import AnswerStore, CorruptAnswersError

__all__ = ["EXERCISE", "SoakResult", "one_writer_round", "soak", "two_writer_round"]

EXERCISE = "m1-brainstorm"
# Up to this long after a writer's first finished save, the kill lands: long enough to
# fall anywhere in a save (serialising ~100 kB, fsync, rename) or between saves.
MAX_KILL_DELAY = 0.03


@dataclass
class SoakResult:
    """Counts over many rounds; ``landed`` says where kills fell (judged from what was left behind)."""

    rounds: int = 0
    survived: int = 0
    lost: int = 0
    torn: int = 0
    landed: Counter = field(default_factory=Counter)
    saves: int = 0  # finished saves logged by all writers
    problems: list[str] = field(default_factory=list)

    def add(self, outcome: str, landed: str, saves: int, problem: str | None = None) -> None:
        self.rounds += 1
        setattr(self, outcome, getattr(self, outcome) + 1)
        self.landed[landed] += 1
        self.saves += saves
        if problem:
            self.problems.append(problem)

    def text(self, label: str) -> str:
        where = ", ".join(f"{n} {k}" for k, n in sorted(self.landed.items()))
        return (f"{label}: {self.rounds} rounds, {self.saves} saves finished; survived {self.survived}, "
                f"lost {self.lost}, torn {self.torn} (kills landed: {where})")


def _answer(writer: str, n: int) -> list[str]:
    """A brainstorm-shaped answer of varying size (10-100 kB), so kills land inside writes too."""
    return [f"{writer} answer {n}", *(["listen to the customer " * 90] * (5 + n % 40)), f"end {writer} {n}"]


def _label(answer: object) -> str | None:
    """``"<writer> answer <n>"`` of a whole answer (None: not one this soak wrote, or cut short)."""
    if not isinstance(answer, list) or len(answer) < 2 or not isinstance(answer[0], str):
        return None
    writer, _, n = answer[0].partition(" answer ")
    return answer[0] if answer[-1] == f"end {writer} {n}" and answer == _answer(writer, int(n)) else None


def _writer(folder: Path, name: str, log_path: Path, ready: int, go: int) -> None:
    """Child: save as fast as possible, logging ``<n> <kept aside 0/1>`` after each finished save."""
    store = AnswerStore(folder)
    seen = store.saved_at(EXERCISE)  # what this copy shows when it opens (nothing yet)
    log = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    # Both copies have looked before either saves: on a busy machine a copy scheduled late would
    # otherwise open on the other's answers and rightly replace them, which this soak counts as lost.
    os.write(ready, b"r")
    os.read(go, 1)
    n = 0
    while True:
        n += 1
        saved = store.save(EXERCISE, _answer(name, n), replaces=seen)
        seen = saved.saved_at
        os.write(log, f"{n} {int(saved.kept_aside is not None)}\n".encode())


def _fork_writers(folder: Path, names: list[str]) -> tuple[list[int], list[Path]]:
    go_read, go_write = os.pipe()
    ready_read, ready_write = os.pipe()
    pids, logs = [], []
    for name in names:
        log_path = folder.parent / f"{folder.name}-{name}.log"
        log_path.unlink(missing_ok=True)
        pid = os.fork()
        if pid == 0:  # child: never returns into the test runner
            try:
                os.close(go_write)
                os.close(ready_read)
                _writer(folder, name, log_path, ready_write, go_read)
            finally:
                os._exit(1)
        pids.append(pid)
        logs.append(log_path)
    os.close(go_read)
    os.close(ready_write)
    for _ in names:
        os.read(ready_read, 1)  # every copy has opened the exercise
    os.close(ready_read)
    os.write(go_write, b"x" * len(names))
    os.close(go_write)
    return pids, logs


def _kill_at_random(pids: list[int], logs: list[Path], rng: random.Random) -> None:
    """Wait for each writer's first finished save, then SIGKILL each at its own random moment."""
    deadline = time.monotonic() + 30
    while not all(p.exists() and p.stat().st_size > 0 for p in logs):
        if time.monotonic() > deadline:
            break  # kill anyway; the round is judged on what is there
        time.sleep(0.001)
    for pid in pids:
        time.sleep(rng.uniform(0, MAX_KILL_DELAY))
        os.kill(pid, signal.SIGKILL)
    for pid in pids:
        os.waitpid(pid, 0)


def _log(path: Path) -> list[bool]:
    """Per finished save (1, 2, ...): whether it kept an answer aside."""
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    return [line.split()[1] == "1" for line in lines]


def _on_disk(folder: Path) -> tuple[str | None, set[str], list[str]]:
    """The answer in the answers file, every kept-aside answer, and any file that is not a whole answer."""
    torn: list[str] = []
    try:
        saved = AnswerStore(folder).load(EXERCISE, quarantine=False)
        current = _label(saved.answer) if saved else None
        if saved is not None and current is None:
            torn.append(f"{EXERCISE}.json holds a cut answer")
    except CorruptAnswersError as exc:
        current = None
        torn.append(f"{EXERCISE}.json: {exc.reason}")
    kept = set()
    for aside in folder.glob(f"{EXERCISE}.json.*-*"):
        try:
            label = _label(json.loads(aside.read_text(encoding="utf-8"))["answer"])
        except (ValueError, KeyError, TypeError):
            label = None
        if label is None:
            torn.append(f"{aside.name} is not a whole answer")
        else:
            kept.add(label)
    return current, kept, torn


def _landed(folder: Path) -> str:
    return "mid-save" if any(folder.glob(f".{EXERCISE}.json.*.tmp")) else "between saves"


def one_writer_round(folder: Path, rng: random.Random) -> tuple[str, str, int, str | None]:
    """One writer killed at a random moment: the file is the last finished answer or the one in progress."""
    folder.mkdir(parents=True, exist_ok=True)
    pids, logs = _fork_writers(folder, ["solo"])
    _kill_at_random(pids, logs, rng)
    done = len(_log(logs[0]))
    current, _kept, torn = _on_disk(folder)
    landed = _landed(folder)
    allowed = {f"solo answer {done}", f"solo answer {done + 1}"} if done else {None, "solo answer 1"}
    if torn:
        return "torn", landed, done, "; ".join(torn)
    if current not in allowed:
        return "lost", landed, done, f"after {done} finished saves the file holds {current!r}"
    return "survived", landed, done, None


def two_writer_round(folder: Path, rng: random.Random) -> tuple[str, str, int, str | None]:
    """Two copies of one exercise saving at once, both killed: no answer lost that must survive."""
    folder.mkdir(parents=True, exist_ok=True)
    names = ["first", "second"]
    pids, logs = _fork_writers(folder, names)
    _kill_at_random(pids, logs, rng)
    current, kept, torn = _on_disk(folder)
    present = kept | {current}
    missing = []
    finished = 0
    for name, log_path in zip(names, logs, strict=True):
        log = _log(log_path)
        finished += len(log)
        # An answer may vanish only when the same copy's next save had seen it and replaced it knowingly.
        for n in range(1, len(log)):
            if log[n] and f"{name} answer {n}" not in present:
                missing.append(f"{name} answer {n}")
        last = len(log)
        if last and not {f"{name} answer {last}", f"{name} answer {last + 1}"} & present:
            missing.append(f"{name} answer {last} (its last finished save)")
    landed = _landed(folder)
    if torn:
        return "torn", landed, finished, "; ".join(torn)
    if missing:
        return "lost", landed, finished, f"missing: {', '.join(missing[:5])}"
    return "survived", landed, finished, None


def soak(work: Path, rounds: int, writers: int, seed: int | None = None) -> SoakResult:
    """``rounds`` rounds of one or two writers (``writers``), each in a fresh answers folder under ``work``."""
    rng = random.Random(seed)
    play = one_writer_round if writers == 1 else two_writer_round
    result = SoakResult()
    for n in range(rounds):
        folder = work / f"round-{n}"
        outcome = play(folder / "answers", rng)
        result.add(*outcome)
        if outcome[0] == "survived":
            shutil.rmtree(folder)  # keep only the rounds that went wrong, for a look
    return result
