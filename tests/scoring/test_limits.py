"""Every exercise type's parser keeps the widget's limits, and grading any file never fails or overflows.

Open-ended inputs come from hypothesis: arbitrary JSON, and answers shaped
like the real thing (the exercise's own ids mixed with made-up ones, texts of
any length) so that the limits are really reached.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from course_lib.grading import grade_saved, parser_for, scorer_for
from course_lib.models import exercise_ids, load_exercise
from course_lib.scoring.limits import ID_MAX_CHARS
from course_lib.scoring.roleplay import MAX_ATTEMPTS

EXERCISES = exercise_ids()

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=10), inner, max_size=5),
    max_leaves=20,
)
# Long texts without generating every character: a short text repeated.
LONG_TEXT = st.builds(lambda text, times: text * times, st.text(min_size=1, max_size=40), st.integers(0, 800))
TEXT = st.text(max_size=30) | LONG_TEXT


def _ids(known: list[str]) -> st.SearchStrategy[str]:
    return st.sampled_from(known) | st.text(max_size=80)


def _shaped(exercise: Any) -> st.SearchStrategy[Any]:
    """Answers in the type's shape, made of the exercise's ids and some unknown ones, of any size."""
    kind = exercise.type
    if kind == "brainstorm":
        return st.lists(TEXT, max_size=130)
    if kind == "choice":
        options = [o.id for q in exercise.questions for o in q.options]
        return st.dictionaries(_ids([q.id for q in exercise.questions]), st.lists(_ids(options), max_size=8),
                               max_size=len(exercise.questions) + 2)
    if kind == "classify":
        return st.dictionaries(_ids([i.id for i in exercise.items]), _ids([g.id for g in exercise.groups]),
                               max_size=len(exercise.items) + 2)
    if kind == "order":
        return st.lists(_ids([s.id for s in exercise.steps]), max_size=len(exercise.steps) + 2, unique=True)
    if kind == "true_false":
        return st.dictionaries(_ids([s.id for s in exercise.statements]), st.booleans(),
                               max_size=len(exercise.statements) + 2)
    if kind == "roleplay":
        nodes = [n.id for n in exercise.nodes]
        choices = [c.id for n in exercise.nodes for c in n.choices]
        step = st.fixed_dictionaries({"node": _ids(nodes), "choice": _ids(choices)})
        call = st.fixed_dictionaries({"path": st.lists(step, max_size=len(nodes) + 2)})
        return call | st.fixed_dictionaries({"attempts": st.lists(call, max_size=MAX_ATTEMPTS + 2),
                                             "chosen": st.none() | st.integers(-1, MAX_ATTEMPTS + 2)})
    if kind == "action_plan":
        return st.fixed_dictionaries({}, optional={
            "behaviours": st.lists(TEXT, max_size=exercise.max_behaviours + 2),
            "first_step": TEXT, "date": st.dates().map(str) | TEXT, "helper": TEXT, "notes": TEXT,
        })
    if kind == "written_reply":
        return st.fixed_dictionaries({"text": TEXT | LONG_TEXT.map(lambda t: t * 10)})
    if kind == "reaction":
        return st.fixed_dictionaries({"ratings": st.dictionaries(_ids([r.id for r in exercise.ratings]),
                                                                 st.integers(-1, 7) | st.booleans()),
                                      "text": TEXT | LONG_TEXT})
    if kind == "follow_up":
        outcome = _ids([o.id for o in exercise.outcomes]) | st.just("")
        item = st.fixed_dictionaries({"behaviour": TEXT, "outcome": outcome, "happened": TEXT, "obstacle": TEXT})
        return st.fixed_dictionaries({"commitments": st.lists(item, max_size=7)},
                                     optional={"plan_date": TEXT, "next_step": TEXT | LONG_TEXT})
    raise AssertionError(f"no strategy for exercise type {kind}")  # a new type needs one here


def _within_limits(exercise: Any, answer: Any) -> None:
    """What the exercise's widget could have saved, type by type."""
    kind = exercise.type
    if kind == "brainstorm":
        assert len(answer) <= exercise.limits.max_items
        assert all(0 < len(item) <= exercise.limits.max_chars for item in answer)
    elif kind == "choice":
        assert len(answer) <= len(exercise.questions)
        for question in exercise.questions:
            assert len(answer.get(question.id, [])) <= len(question.options)
        assert all(len(i) <= ID_MAX_CHARS for picked in answer.values() for i in [*picked])
    elif kind == "classify":
        assert len(answer) <= len(exercise.items)
    elif kind == "order":
        assert len(answer) <= len(exercise.steps)
    elif kind == "true_false":
        assert len(answer) <= len(exercise.statements)
    elif kind == "roleplay":
        assert 1 <= len(answer["attempts"]) <= MAX_ATTEMPTS
        assert all(len(attempt["path"]) <= len(exercise.nodes) for attempt in answer["attempts"])
    elif kind == "action_plan":
        assert len(answer["behaviours"]) <= exercise.max_behaviours
        texts = [*answer["behaviours"], *(answer[k] for k in ("first_step", "date", "helper", "notes"))]
        assert all(len(text) <= exercise.max_chars for text in texts)
    elif kind == "written_reply":
        assert len(answer["text"]) <= exercise.length.max_chars
    elif kind == "reaction":
        assert all(1 <= v <= 5 for v in answer["ratings"].values()) and len(answer["text"]) <= exercise.max_chars
    elif kind == "follow_up":
        assert len(answer["commitments"]) <= 5
        assert all(len(v) <= exercise.max_chars for c in answer["commitments"] for v in c.values())
    if isinstance(answer, dict):
        assert all(len(key) <= ID_MAX_CHARS for key in answer
                   if kind not in ("action_plan", "written_reply", "reaction", "follow_up"))


@pytest.mark.parametrize("exercise_id", EXERCISES)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_parsed_answer_is_within_the_widgets_limits(exercise_id, data):
    exercise = load_exercise(exercise_id)
    raw = data.draw(JSON | _shaped(exercise))
    try:
        answer = parser_for(exercise)(raw)
    except ValueError:
        return  # refused: the exercise scores 0 with this reason
    _within_limits(exercise, answer)
    result = scorer_for(exercise).score(exercise, answer)
    assert 0 <= result.scaled(exercise.points) <= exercise.points


@pytest.mark.parametrize("exercise_id", EXERCISES)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_grading_any_json_in_an_answers_file_never_fails_or_overflows(exercise_id, data):
    exercise = load_exercise(exercise_id)
    answer = data.draw(JSON | _shaped(exercise))
    whole_file = data.draw(st.booleans())
    content = answer if whole_file else {
        "format": 1, "exercise": exercise_id, "saved_at": "2026-03-02T10:00:00+00:00", "answer": answer,
    }
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{exercise_id}.json"
        path.write_text(json.dumps(content), encoding="utf-8")
        graded = grade_saved(exercise_id, folder)
        report = graded.report()
    assert 0 <= graded.score <= exercise.points
    assert report.splitlines()[-1].startswith("Score: ")
    if graded.saved is None:
        assert graded.score == 0


def test_the_hostile_400_entry_brainstorm_is_refused_with_the_reason(tmp_path):
    exercise = load_exercise("m1-brainstorm")
    entries = [f"entry {n} " + "word " * 400 for n in range(400)]
    most = exercise.limits.max_items
    with pytest.raises(ValueError, match=f"it has 400 entries; the exercise allows at most {most}"):
        parser_for(exercise)(entries)
    with pytest.raises(ValueError, match=f"entry 2 has 400 characters; the exercise allows at most "
                                         f"{exercise.limits.max_chars}"):
        parser_for(exercise)(["listen well", "x" * 400])
    # exactly at the limits is fine
    assert len(parser_for(exercise)([f"{n} " + "y" * 150 for n in range(exercise.limits.max_items)])) == 12
