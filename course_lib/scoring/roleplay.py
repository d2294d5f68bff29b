"""Scoring of the telephone role-play against the organisation's phone standards.

The answer is the path taken through the call. Each checked standard is worth
one point when some reply on the path meets it and none breaks it; a standard
the path never reached earns nothing. Whether a pick-up was quick enough is
decided here from ``standards.yaml`` (``phone.answer_within_rings``), so the
organisation's numbers drive scoring and feedback alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..models.roleplay import CallNode, CheckedStandard, Choice, RoleplayExercise
from ..standards import Standards, load_standards
from .limits import MAX_IDS, at_most, check_ids
from .result import Result

__all__ = ["Step", "Walk", "empty_answer", "parse_answer", "render", "score", "step_verdicts", "transcript", "walk"]


def empty_answer() -> dict[str, list[dict[str, str]]]:
    return {"path": []}


def parse_answer(raw: Any, exercise: RoleplayExercise | None = None) -> dict[str, list[dict[str, str]]]:
    """The saved answer as {"path": [{"node": id, "choice": id}, ...]} (None: not started).

    The call has no loops, so a path has at most one step per node of the call.
    """
    if raw is None:
        return empty_answer()
    if not isinstance(raw, dict) or set(raw) != {"path"} or not isinstance(raw["path"], list):
        raise ValueError('a role-play answer must be {"path": [...]}')
    at_most(raw["path"], len(exercise.nodes) if exercise else MAX_IDS, "steps")
    path = []
    for step in raw["path"]:
        if (not isinstance(step, dict) or set(step) != {"node", "choice"}
                or not all(isinstance(v, str) for v in step.values())):
            raise ValueError('each role-play step must be {"node": "...", "choice": "..."}')
        check_ids(step.values(), "node or choice id")
        path.append({"node": step["node"], "choice": step["choice"]})
    return {"path": path}


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
    return text.format(**context(exercise, standards or load_standards()), **extra)


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
        if choice is None:
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
    standards = standards or load_standards()
    result = walk(exercise, answer)
    lines = []
    for step in result.steps:
        lines.append(("Caller", render(exercise, step.node.caller, standards)))
        lines.append(("You", render(exercise, step.choice.text, standards)))
    return lines


def _standard_line(mark: str, standard: CheckedStandard, exercise: RoleplayExercise, standards: Standards) -> str:
    return f"{mark} {standard.label}: {render(exercise, standard.description, standards)}"


def score(exercise: RoleplayExercise, answer: dict[str, list[dict[str, str]]]) -> Result:
    """One point per standard met (and never broken) along the path taken."""
    standards = load_standards()
    result = walk(exercise, answer)
    lines = transcript(exercise, answer, standards)
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
        step_lines.append(f"  {number}. You: {render(exercise, step.choice.text, standards)}")
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
