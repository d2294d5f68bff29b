"""Scoring of the telephone role-play against the organisation's phone standards.

A call is the path taken through it. Each checked standard is worth one point
when some reply on the path meets it and none breaks it; a standard the path
never reached earns nothing. The answer keeps every attempt at the call; the
one graded is the trainee's choice, by default the best (:func:`counted`), so
exploring another path never costs a good call. Whether a pick-up was quick enough is
decided here from ``phone.answer_within_rings`` of the standards the exercise
was loaded with (``exercise.organisation_standards``), so the organisation's
numbers drive scoring and feedback alike, and scoring reads no file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..models.roleplay import CallNode, CheckedStandard, Choice, RoleplayExercise
from ..models.standards import Standards
from .limits import MAX_IDS, at_most, check_ids
from .result import Result

__all__ = [
    "MAX_ATTEMPTS", "AttemptScore", "Step", "Walk", "as_attempts", "attempt_scores", "counted", "counted_line",
    "drop_to_limit", "empty_answer", "parse_answer", "render", "score", "step_verdicts", "transcript", "walk",
]

# Attempts kept per trainee: enough to explore every branch of a call several
# times, and small enough to keep the file and the grading time bounded.
MAX_ATTEMPTS = 20


def empty_answer() -> dict[str, Any]:
    """No call played yet: one attempt, not started; the best attempt counts."""
    return {"attempts": [{"path": []}], "chosen": None}


def _parse_path(raw: Any, exercise: RoleplayExercise | None) -> list[dict[str, str]]:
    if not isinstance(raw, list):
        raise ValueError('a role-play attempt must be {"path": [...]}')
    at_most(raw, len(exercise.nodes) if exercise else MAX_IDS, "steps")
    path = []
    for step in raw:
        if (not isinstance(step, dict) or set(step) != {"node", "choice"}
                or not all(isinstance(v, str) for v in step.values())):
            raise ValueError('each role-play step must be {"node": "...", "choice": "..."}')
        check_ids(step.values(), "node or choice id")
        path.append({"node": step["node"], "choice": step["choice"]})
    return path


def _tidy(attempts: list[dict[str, list]], chosen: int | None) -> dict[str, Any]:
    """Attempts with no reply are dropped, except the last (the call being played); ``chosen`` follows."""
    kept: list[dict[str, list]] = []
    new_chosen = None
    for index, attempt in enumerate(attempts):
        if attempt["path"] or index == len(attempts) - 1:
            if index == chosen and attempt["path"]:
                new_chosen = len(kept)
            kept.append(attempt)
    return {"attempts": kept or [{"path": []}], "chosen": new_chosen}


def parse_answer(raw: Any, exercise: RoleplayExercise | None = None) -> dict[str, Any]:
    """The saved answer as ``{"attempts": [{"path": [step, ...]}, ...], "chosen": index or None}``.

    A step is ``{"node": id, "choice": id}``. Every attempt at the call is kept
    (at most ``MAX_ATTEMPTS``); the last one is the call being played.
    ``chosen`` is the attempt the trainee picked to count (None: the best).
    A file saved before attempts were kept, ``{"path": [...]}``, reads as a
    single attempt, so nothing saved then is lost. The call has no loops, so a
    path has at most one step per node of the call.
    """
    if raw is None:
        return empty_answer()
    if isinstance(raw, dict) and set(raw) == {"path"}:  # the single-attempt format
        return _tidy([{"path": _parse_path(raw["path"], exercise)}], None)
    if not isinstance(raw, dict) or set(raw) != {"attempts", "chosen"} or not isinstance(raw["attempts"], list):
        raise ValueError('a role-play answer must be {"attempts": [...], "chosen": ...}')
    at_most(raw["attempts"], MAX_ATTEMPTS, "attempts")
    attempts = []
    for attempt in raw["attempts"]:
        if not isinstance(attempt, dict) or set(attempt) != {"path"}:
            raise ValueError('a role-play attempt must be {"path": [...]}')
        attempts.append({"path": _parse_path(attempt["path"], exercise)})
    chosen = raw["chosen"]
    if chosen is not None and (type(chosen) is not int or not 0 <= chosen < len(attempts)):
        raise ValueError(f"'chosen' must be the number of one of the {len(attempts)} attempts, or null")
    return _tidy(attempts, chosen)


def as_attempts(answer: dict[str, Any]) -> dict[str, Any]:
    """``answer`` in the attempts shape; a bare ``{"path": [...]}`` (one call) is taken as one attempt."""
    return {"attempts": [answer], "chosen": None} if "path" in answer else answer


def context(exercise: RoleplayExercise, standards: Standards) -> dict[str, Any]:
    """Placeholder values for the call's text: the standards' numbers plus the role names."""
    return {
        **standards.placeholders(),
        "name": exercise.your_name,
        "caller": exercise.caller_name,
        "greeting": standards.greeting_for(exercise.your_name),
    }


def render(exercise: RoleplayExercise, text: str, standards: Standards | None = None, **extra: Any) -> str:
    """Content text with the organisation's numbers and the role names filled in."""
    return text.format(**context(exercise, standards or exercise.organisation_standards), **extra)


@dataclass(frozen=True)
class Step:
    node: CallNode
    choice: Choice


@dataclass(frozen=True)
class Walk:
    """The valid part of a saved path; ``current`` is the node waiting for a reply (None once ended)."""

    steps: tuple[Step, ...]
    current: CallNode | None
    problem: str | None = None

    @property
    def ended(self) -> bool:
        return self.current is None


def walk(exercise: RoleplayExercise, answer: dict[str, list[dict[str, str]]]) -> Walk:
    """Follow the saved path from the start; stop at the first step that does not fit the call."""
    nodes = exercise.node_map
    current: CallNode | None = nodes[exercise.start]
    steps: list[Step] = []
    for number, saved in enumerate(answer["path"], start=1):
        choice = None
        if current is not None and saved["node"] == current.id:
            choice = next((c for c in current.choices if c.id == saved["choice"]), None)
        if current is None or choice is None:
            problem = (f"Step {number} of your saved call does not fit this call (its content may have changed); "
                       "only the steps before it were scored. Start the call again to finish it.")
            return Walk(tuple(steps), current, problem)
        steps.append(Step(current, choice))
        current = nodes[choice.next] if choice.next else None
    return Walk(tuple(steps), current)


def step_verdicts(exercise: RoleplayExercise, choice: Choice, standards: Standards) -> list[tuple[str, bool]]:
    """(standard id, met?) for one reply; a pick-up is judged against the standards' ring count."""
    verdicts = [(s, True) for s in choice.meets] + [(s, False) for s in choice.breaks]
    if choice.rings is not None:
        verdicts.insert(0, (exercise.ring_standard, choice.rings <= standards.phone.answer_within_rings))
    return verdicts


def transcript(exercise: RoleplayExercise, answer: dict, standards: Standards | None = None) -> list[tuple[str, str]]:
    """The call so far as (speaker, line) pairs: "Caller" and "You", in order."""
    standards = standards or exercise.organisation_standards
    result = walk(exercise, answer)
    lines = []
    for step in result.steps:
        lines.append(("Caller", render(exercise, step.node.caller, standards)))
        lines.append(("You", render(exercise, step.choice.text, standards)))
    return lines


def _standard_line(mark: str, standard: CheckedStandard, exercise: RoleplayExercise, standards: Standards) -> str:
    return f"{mark} {standard.label}: {render(exercise, standard.description, standards)}"


def _points(exercise: RoleplayExercise, steps: tuple[Step, ...], standards: Standards) -> int:
    """Standards met by some reply of ``steps`` and broken by none."""
    met: set[str] = set()
    broken: set[str] = set()
    for step in steps:
        for standard_id, ok in step_verdicts(exercise, step.choice, standards):
            (met if ok else broken).add(standard_id)
    return len({s.id for s in exercise.standards} & (met - broken))


@dataclass(frozen=True)
class AttemptScore:
    """One attempt at the call, as the attempt list and the 'counts' choice describe it."""

    index: int  # position in the answer's attempts (0-based); the trainee sees index + 1
    steps: int
    points: int
    ended: bool

    def describe(self, max_points: int) -> str:
        state = "call ended" if self.ended else "not finished"
        return f"Attempt {self.index + 1}: {self.points} of {max_points} standards met ({state})"


def attempt_scores(exercise: RoleplayExercise, answer: dict[str, Any],
                   standards: Standards | None = None) -> list[AttemptScore]:
    """Every attempt with at least one reply, in the order played."""
    standards = standards or exercise.organisation_standards
    scores = []
    for index, attempt in enumerate(as_attempts(answer)["attempts"]):
        result = walk(exercise, attempt)
        if result.steps:
            scores.append(AttemptScore(index, len(result.steps), _points(exercise, result.steps, standards),
                                       result.ended))
    return scores


def counted(exercise: RoleplayExercise, answer: dict[str, Any], standards: Standards | None = None) -> int | None:
    """Index of the attempt that is graded (None: no reply given yet).

    The trainee's ``chosen`` attempt if it has replies; otherwise the best:
    most standards met, then a finished call before an unfinished one, then
    the later attempt.
    """
    answer = as_attempts(answer)
    scores = attempt_scores(exercise, answer, standards)
    chosen = answer["chosen"]
    if chosen is not None and any(s.index == chosen for s in scores):
        return chosen
    best = max(scores, key=lambda s: (s.points, s.ended, s.index), default=None)
    return best.index if best else None


def counted_line(exercise: RoleplayExercise, answer: dict[str, Any], standards: Standards | None = None) -> str:
    """E.g. 'Attempt 2 of 3 — this is the one that counts (your best call).'"""
    answer = as_attempts(answer)
    scores = attempt_scores(exercise, answer, standards)
    index = counted(exercise, answer, standards)
    if index is None:
        return "No attempt yet: the call counts once you have given your first reply."
    number = [s.index for s in scores].index(index) + 1
    why = "you chose it" if answer["chosen"] == index else "your best call"
    return f"Attempt {number} of {len(scores)} — this is the one that counts ({why})."


def drop_to_limit(exercise: RoleplayExercise, answer: dict[str, Any], limit: int = MAX_ATTEMPTS,
                  standards: Standards | None = None) -> tuple[dict[str, Any], list[AttemptScore]]:
    """``answer`` with at most ``limit`` attempts, and what was dropped to get there.

    The oldest attempts go first; never the one that counts, nor the last (the call being played).
    """
    attempts, chosen = list(answer["attempts"]), answer["chosen"]
    keep = {counted(exercise, answer, standards), len(attempts) - 1}
    scores = {s.index: s for s in attempt_scores(exercise, answer, standards)}
    dropped: list[int] = []
    for index in range(len(attempts)):
        if len(attempts) - len(dropped) <= limit:
            break
        if index not in keep:
            dropped.append(index)
    survivors = [i for i in range(len(attempts)) if i not in dropped]
    new_chosen = survivors.index(chosen) if chosen is not None and chosen in survivors else None
    trimmed = {"attempts": [attempts[i] for i in survivors], "chosen": new_chosen}
    return trimmed, [scores[i] for i in dropped if i in scores]


def _quote(text: str, limit: int = 60) -> str:
    """The start of a reply, cut at a word, to name a step of the call."""
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + " …"


def _score_call(exercise: RoleplayExercise, call: dict[str, list[dict[str, str]]], standards: Standards) -> Result:
    """One point per standard met (and never broken) along one call's path."""
    result = walk(exercise, call)
    lines = transcript(exercise, call, standards)
    answer_lines = [f"Your call ({len(result.steps)} replies):" if result.steps else "Your call: not started"]
    answer_lines += [f"  {speaker}: {line}" for speaker, line in lines]
    if result.steps:
        answer_lines.append("  (call ended)" if result.ended else "  (call not finished)")
    if not result.steps:
        feedback = ["You have not started the call yet: pick your first reply in the role-play above, "
                    "then run this cell again."]
        if result.problem:
            feedback.insert(0, result.problem)
        return Result(0.0, exercise.max_points, tuple(feedback), tuple(answer_lines))

    by_id = {s.id: s for s in exercise.standards}
    met: dict[str, list[int]] = {}
    broken: dict[str, list[int]] = {}
    step_lines = ["Step by step:"]
    for number, step in enumerate(result.steps, start=1):
        # The whole reply is in the transcript above; a short quote names the step without repeating it.
        step_lines.append(f"  {number}. {_quote(render(exercise, step.choice.text, standards))}")
        for standard_id, ok in step_verdicts(exercise, step.choice, standards):
            (met if ok else broken).setdefault(standard_id, []).append(number)
            standard = by_id[standard_id]
            if standard_id == exercise.ring_standard and step.choice.rings is not None:
                why = exercise.ring_feedback.met if ok else exercise.ring_feedback.broken
                step_lines.append(f"     {'✓' if ok else '✗'} {standard.label}: "
                                  + render(exercise, why, standards, picked_up_at=step.choice.rings))
            else:
                step_lines.append(f"     {'✓' if ok else '✗'} {standard.label}")
        if step.choice.feedback:
            step_lines.append(f"     {render(exercise, step.choice.feedback, standards)}")

    points = 0
    summary = []
    for standard in exercise.standards:
        if standard.id in broken:
            steps = ", ".join(map(str, broken[standard.id]))
            summary.append(_standard_line("✗", standard, exercise, standards) + f" (not met at step {steps})")
        elif standard.id in met:
            points += 1
            summary.append(_standard_line("✓", standard, exercise, standards))
        else:
            summary.append(_standard_line("–", standard, exercise, standards) + " (your call never got that far)")
    feedback = [f"Phone standards met in this call: {points} of {len(exercise.standards)}", *summary]
    if result.problem:
        feedback.insert(0, result.problem)
    elif not result.ended:
        feedback.insert(0, "The call is not finished yet: carry on in the role-play above, then check again. "
                           "Standards your call has not reached yet do not count.")
    return Result(float(points), exercise.max_points, (*feedback, *step_lines), tuple(answer_lines))


def score(exercise: RoleplayExercise, answer: dict[str, Any]) -> Result:
    """The score of the attempt that counts (see :func:`counted`), with the other attempts listed.

    ``answer`` is a parsed answer, or a single call ``{"path": [...]}``.
    """
    standards = exercise.organisation_standards
    answer = as_attempts(answer)
    index = counted(exercise, answer, standards)
    if index is None:  # nothing played: feedback on the call being played (it may say why)
        return _score_call(exercise, answer["attempts"][-1], standards)
    result = _score_call(exercise, answer["attempts"][index], standards)
    header = [counted_line(exercise, answer, standards)]
    scores = attempt_scores(exercise, answer, standards)
    if len(scores) > 1:
        header.append("Your attempts:")
        for number, attempt in enumerate(scores, start=1):
            renumbered = AttemptScore(number - 1, attempt.steps, attempt.points, attempt.ended)
            mark = "  ← counts" if attempt.index == index else ""
            header.append(f"  {renumbered.describe(len(exercise.standards))}{mark}")
        header.append("To choose another attempt, use 'Attempt that counts' in the role-play above.")
    return Result(result.points, result.max_points, result.feedback, (*header, *result.answer_lines))
