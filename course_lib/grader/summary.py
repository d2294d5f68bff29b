"""What a grading run did: each submission's outcome and the closing summary for the instructor.

Plain data, no nbgrader: the parent prints it, the workers return ``Outcome`` s.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .notes import TO_MARK
from .paths import GradingPath
from .task import Task

__all__ = ["LOG_NAME", "GradeSummary", "GradingRefused", "Outcome", "Task"]

LOG_NAME = "course-grade.log"


class GradingRefused(ValueError):
    """Grading with this configuration could let a trainee change grades; the message says why."""


@dataclass
class Outcome:
    """What happened to one submission."""

    task: Task
    status: str  # "graded", "skipped" (already graded) or "failed"
    notes: list[str] = field(default_factory=list)
    error: str | None = None
    seconds: float = 0.0


@dataclass
class GradeSummary:
    """Every submission's outcome, and the closing summary printed for the instructor.

    The submissions a re-run skipped as already graded are kept as tasks (``skipped``), not as an outcome
    each: a re-run of 10,000 trainees x 11 skips 110,000, and nothing more is said about them.
    """

    worked: list[Outcome]  # the submissions the run graded, or tried to (sorted by task)
    workers: int
    seconds: float
    confinement: str = ""  # how trainees' code ran (ConfinedExecute's mode), said in the summary
    stopped: str | None = None  # the signal that stopped the run early
    paths: list[GradingPath] = field(default_factory=list)  # how each assignment was graded
    feedback_only: bool = False  # ``course feedback``: feedback written again, nothing graded
    saving: str | None = None  # how kernel-free submissions' gradebook rows were written
    shard: str | None = None  # ``--shard K/N``: which part of the cohort this run graded
    skipped: list[Task] = field(default_factory=list)  # already graded as they are (sorted)

    @property
    def outcomes(self) -> list[Outcome]:
        """Every submission's outcome, the skipped ones included, by task."""
        skipped = [Outcome(task, "skipped") for task in self.skipped]
        return sorted(self.worked + skipped, key=lambda o: o.task) if skipped else list(self.worked)

    def count(self, status: str) -> int:
        return sum(o.status == status for o in self.worked) + (len(self.skipped) if status == "skipped" else 0)

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.worked if o.status == "failed"]

    def text(self) -> str:
        if self.feedback_only:
            return self._feedback_text()
        lines = [
            f"Graded {self.count('graded')} submission(s), skipped {self.count('skipped')} already graded "
            f"(use --force to regrade), failed {self.count('failed')}; "
            f"{self.workers} worker(s), {self.seconds:.1f} s."
        ]
        if self.shard:
            lines.append(self.shard)
        if self.stopped:
            lines.append(f"Stopped by {self.stopped} before the end: run `course grade` again to grade the rest.")
        if self.paths:
            lines.append("How each assignment was graded (the same scores either way):")
            lines += [f"  {path.text()}" for path in self.paths]
        if self.saving:
            lines.append(self.saving)
        if self.confinement:
            lines.append(self.confinement)
        if self.failed:
            lines.append("Not graded (fix the submission and run the command again; the others are done):")
            lines += [f"  {o.task.student} / {o.task.assignment}: {o.error}" for o in self.failed]
            lines.append(f"  (nbgrader's full log of this run: {LOG_NAME})")
        to_mark = sum(note.startswith(TO_MARK) for o in self.worked if o.status != "failed" for note in o.notes)
        if to_mark:
            lines.append(f"Sent to the trainer: {to_mark} answer(s) the scorer could not judge are left to mark by "
                         "hand in Formgrader (needs manual grade; the automatic suggestion and its reasons are in "
                         "the cell); they count once marked.")
        noted = [o for o in self.worked if o.notes and o.status != "failed"]
        if noted:
            lines.append("Graded, with problems worth a look:")
            lines += [f"  {o.task.student} / {o.task.assignment}: {'; '.join(o.notes)}" for o in noted]
        return "\n".join(lines)

    def _feedback_text(self) -> str:
        lines = [f"Wrote the feedback of {self.count('graded')} submission(s) from the gradebook, failed "
                 f"{self.count('failed')}; {self.workers} worker(s), {self.seconds:.1f} s."]
        if self.stopped:
            lines.append(f"Stopped by {self.stopped} before the end: run `course feedback` again.")
        if self.failed:
            lines.append("No feedback written for:")
            lines += [f"  {o.task.student} / {o.task.assignment}: {o.error}" for o in self.failed]
        return "\n".join(lines)
