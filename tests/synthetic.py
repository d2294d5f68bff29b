"""Synthetic trainees' answers of a chosen quality, for tests and benchmarks.

``answer_for(exercise, quality)`` returns an answer in the exercise type's
canonical shape, as the widget would save it. Qualities:

- ``good``: what a thorough trainee would give (right options, right order,
  the best path through a call, a complete reply and plan);
- ``poor``: a weak attempt that earns something: every other answer wrong,
  neighbouring steps swapped, a call handled well only half the time;
- ``empty``: None (nothing saved);
- ``hostile``: markup and script where text is allowed, unknown ids and odd
  shapes where it is not (the grader must neither crash nor execute them).
"""

from __future__ import annotations

from typing import Any

from course_lib.models import ExerciseBase

__all__ = ["GOOD_BRAINSTORM", "QUALITIES", "SCRIPT", "answer_for"]

QUALITIES = ("good", "poor", "empty", "hostile")
SCRIPT = "<script>alert('synthetic')</script>"

GOOD_BRAINSTORM = [
    "Listen to the whole question before answering",
    "Call the customer back at the time I promised",
    "Ask questions to understand what they really need",
    "Take ownership of the problem until it is solved",
    "Greet every caller politely and use their name",
    "Explain the next steps in plain language",
]
_GOOD_REPLY = (  # a reply to the Module 5 complaint (Mrs Alvarez's missing kettle refund) a trainer rates 6
    "Dear Mrs Alvarez,\n\nThank you for writing to us again, and for staying with us all these years. I am "
    "sorry: your refund should have been on your card within five working days, and three weeks on you were "
    "sent to the wrong department and then cut off after fifteen minutes on hold. I can see why you are "
    "thinking of going elsewhere.\n\nI have looked into it myself. The refund for your kettle was never "
    "released by our till system, so I sent it to your card this morning, and it will reach you by "
    "Thursday.\n\nI am looking after this from now on: you can ring me directly on 0161 555 0142, and nobody "
    "will pass you on again. I will call you on Thursday afternoon to make sure the money has arrived.\n\n"
    "Kind regards,\nSam Okafor, Customer Service Manager"
)


def answer_for(exercise: ExerciseBase, quality: str) -> Any:
    """An answer of ``quality`` for ``exercise`` (None for ``empty``)."""
    if quality not in QUALITIES:
        raise ValueError(f"quality must be one of {QUALITIES}, not {quality!r}")
    if quality == "empty":
        return None
    return globals()[f"_{exercise.type}"](exercise, quality)


def _brainstorm(exercise: Any, quality: str) -> list[str]:
    if quality == "good":
        return list(GOOD_BRAINSTORM)
    if quality == "poor":
        return ["be nice", "Listen to the customer carefully"]
    return [f"{SCRIPT} listen to every customer", "<img src=x onerror=alert(1)> follow up on every promise made"]


def _choice(exercise: Any, quality: str) -> dict[str, list[str]]:
    answer = {}
    for number, question in enumerate(exercise.questions):
        right = [o.id for o in question.options if o.correct]
        wrong = [o.id for o in question.options if not o.correct]
        if quality == "good" or (quality == "poor" and number % 2 == 0):
            answer[question.id] = right if question.multiple else right[:1]
        elif quality == "poor":
            answer[question.id] = wrong[:1]
        else:
            answer[question.id] = [SCRIPT]
    return answer


def _classify(exercise: Any, quality: str) -> dict[str, str]:
    groups = [g.id for g in exercise.groups]
    if quality == "good":
        return {item.id: item.group for item in exercise.items}
    if quality == "poor":  # every other item in a wrong group
        return {
            item.id: item.group if n % 2 == 0 else next(g for g in groups if g != item.group)
            for n, item in enumerate(exercise.items)
        }
    return {item.id: SCRIPT for item in exercise.items}


def _order(exercise: Any, quality: str) -> list[str]:
    ids = [step.id for step in exercise.steps]
    if quality == "good":
        return ids
    if quality == "poor":  # neighbours swapped pairwise
        swapped = list(ids)
        for i in range(0, len(swapped) - 1, 2):
            swapped[i], swapped[i + 1] = swapped[i + 1], swapped[i]
        return swapped
    return [SCRIPT, *ids[:1]]


def _true_false(exercise: Any, quality: str) -> dict[str, bool]:
    statements = [s.id for s in exercise.statements]
    if quality == "good":
        return {s: True for s in statements}
    if quality == "poor":  # half answered
        return {s: False for s in statements[: len(statements) // 2]}
    return {SCRIPT: True}


def _roleplay(exercise: Any, quality: str) -> dict[str, list[dict[str, str]]]:
    if quality == "hostile":
        return {"path": [{"node": SCRIPT, "choice": SCRIPT}]}
    nodes = {node.id: node for node in exercise.nodes}
    path, node_id = [], exercise.start
    while node_id is not None:
        node = nodes[node_id]

        def merit(choice: Any) -> tuple:
            quick = -(choice.rings or 0)
            return (len(choice.meets) - len(choice.breaks), quick)

        best_first = quality == "good" or len(path) % 2 == 0
        ranked = sorted(node.choices, key=merit, reverse=best_first)
        choice = ranked[0]
        path.append({"node": node.id, "choice": choice.id})
        node_id = choice.next
    return {"path": path}


def _written_reply(exercise: Any, quality: str) -> dict[str, str]:
    if quality == "good":
        return {"text": _GOOD_REPLY}
    if quality == "poor":
        return {"text": (
            "Thank you for your message about the parcel. Deliveries are handled by the warehouse team and "
            "the courier company, and I am sorry they can sometimes take longer than the date shown online, "
            "especially at busy times of the year. Please wait a few more days and contact the courier "
            "directly with your tracking number if it still has not arrived by then. It's our policy "
            "not to send replacements before ten working days have passed."
        )}
    return {"text": f"{SCRIPT} <b>bold</b> " + _GOOD_REPLY}


def _action_plan(exercise: Any, quality: str) -> dict[str, Any]:
    if quality == "good":
        return {
            "behaviours": exercise.suggested_behaviours[:2],
            "first_step": "Call back every customer I promised a reply to by the end of the day",
            "date": "2030-01-15",
            "helper": "My team leader, Jo",
            "notes": "Review progress at our Friday team meeting.",
        }
    if quality == "poor":
        empty = {"first_step": "", "date": "", "helper": "", "notes": ""}
        return {"behaviours": exercise.suggested_behaviours[:1], **empty}
    return {"behaviours": [SCRIPT], "first_step": SCRIPT + " start now please", "date": "not a date",
            "helper": "<b>me</b>", "notes": SCRIPT}


def _reaction(exercise: Any, quality: str) -> dict[str, Any]:
    if quality == "good":
        return {"ratings": {r.id: 5 for r in exercise.ratings}, "text": "Giving a date I can keep"}
    if quality == "poor":
        return {"ratings": {exercise.ratings[0].id: 2}, "text": ""}
    return {"ratings": {r.id: 3 for r in exercise.ratings}, "text": SCRIPT}


def _follow_up(exercise: Any, quality: str) -> dict[str, Any]:
    kept = next(o.id for o in exercise.outcomes if o.kept)
    not_kept = next(o.id for o in exercise.outcomes if not o.kept)
    if quality == "good":
        return {"plan_date": "2030-01-15", "next_step": "Share the call-back log with my team leader",
                "commitments": [
                    {"behaviour": "Call customers back when promised", "outcome": kept,
                     "happened": "Fewer chasing calls", "obstacle": ""},
                    {"behaviour": "Listen before answering", "outcome": not_kept, "happened": "",
                     "obstacle": "Busy Monday mornings"}]}
    if quality == "poor":
        return {"plan_date": "", "next_step": "", "commitments": [
            {"behaviour": "Listen before answering", "outcome": "", "happened": "", "obstacle": ""},
            {"behaviour": "Smile on the phone", "outcome": kept, "happened": "ok", "obstacle": ""}]}
    return {"plan_date": "not a date", "next_step": SCRIPT, "commitments": [
        {"behaviour": SCRIPT, "outcome": kept, "happened": "<img src=x onerror=alert(1)>", "obstacle": SCRIPT}]}
