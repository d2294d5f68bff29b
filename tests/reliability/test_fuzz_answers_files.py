"""Fuzzed answers files, for every exercise: grading never fails, overflows, beats honesty or leaks.

``tests/scoring/test_limits.py`` feeds any *JSON value* to the parsers and to
``grade_saved``. Here the *file* itself is hostile, as a trainee with a text
editor (or a script) could leave it: random bytes, non-UTF-8 encodings,
``NaN``/``Infinity`` tokens, huge numbers, duplicate keys, deep nesting, a
10 MB string, and in place of the file a link to another trainee's answers or
to /etc/passwd, a folder, or a named pipe. For every case:

- ``grade_saved`` returns (nothing raises out of it);
- the score is within 0 and the exercise's points, and never above what the
  honest "good" answer (``tests.synthetic``) earns;
- the feedback never contains a byte of another file.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from course_lib.grading import grade_saved
from course_lib.models import exercise_ids, load_exercise
from course_lib.store import AnswerStore
from tests.synthetic import answer_for

EXERCISES = exercise_ids()
SECRET = "SECRET-OF-ANOTHER-TRAINEE"
SAVED_AT = "2026-03-02T10:00:00+00:00"


def _record(exercise_id: str, answer_json: str) -> str:
    return f'{{"format": 1, "exercise": "{exercise_id}", "saved_at": "{SAVED_AT}", "answer": {answer_json}}}'


def _good_json(exercise: Any) -> str:
    return json.dumps(answer_for(exercise, "good"))


def _best_honest(exercise_id: str, folder: Path) -> float:
    exercise = load_exercise(exercise_id)
    AnswerStore(folder).save(exercise_id, answer_for(exercise, "good"))
    return grade_saved(exercise_id, folder).score


_BEST: dict[str, float] = {}


def _check(exercise_id: str, folder: Path) -> Any:
    """Grade what is in ``folder`` and assert the promises of the module docstring."""
    exercise = load_exercise(exercise_id)
    if exercise_id not in _BEST:
        with tempfile.TemporaryDirectory() as honest:
            _BEST[exercise_id] = _best_honest(exercise_id, Path(honest))
    graded = grade_saved(exercise_id, folder, quarantine=False)
    report = graded.report()
    assert 0 <= graded.score <= exercise.points
    assert graded.score <= _BEST[exercise_id]
    assert graded.result.points <= graded.result.max_points
    assert SECRET not in report and "root:x:0:0" not in report, "another file's content in the feedback"
    assert report.splitlines()[-1].startswith("Score: ")
    return graded


# -- hostile bytes, drawn by hypothesis -------------------------------------------------------------
def _mutations(exercise_id: str) -> st.SearchStrategy[bytes]:
    exercise = load_exercise(exercise_id)
    good = _good_json(exercise)
    whole = _record(exercise_id, good)
    encodings = st.sampled_from(["latin-1", "utf-16", "utf-32", "cp1252"])
    return st.one_of(
        st.binary(max_size=2000),  # any bytes at all
        st.builds(lambda n, b: whole.encode()[:n] + b, st.integers(0, len(whole)), st.binary(max_size=20)),  # cut
        st.builds(lambda enc: (_record(exercise_id, good).replace("answer", "answér")).encode(enc, "replace"),
                  encodings),  # not UTF-8
        st.builds(lambda tok: _record(exercise_id, f"[{tok}, {good}]").encode(),
                  st.sampled_from(["NaN", "Infinity", "-Infinity", "1e999", "-1e999", "9" * 5000])),
        st.builds(lambda tok: _record(exercise_id, good).replace(f'"{SAVED_AT}"', tok).encode(),
                  st.sampled_from(["NaN", "Infinity", "1e999", '"0001-01-01T00:00:00+14:00"', "null", "[]"])),
        # duplicate keys: JSON keeps the last one; a good answer must not be doubled by repeating it
        st.builds(lambda dup: _record(exercise_id, f'{good}, "answer": {dup}').encode(),
                  st.sampled_from([good, "null", "[]", "{}", '"x"'])),
        st.builds(lambda depth: _record(exercise_id, "[" * depth + "]" * depth).encode(),
                  st.integers(100, 200_000)),  # deep nesting
        st.builds(lambda depth: _record(exercise_id, '{"a":' * depth + "1" + "}" * depth).encode(),
                  st.integers(100, 50_000)),
    )


@pytest.mark.parametrize("exercise_id", EXERCISES)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_hostile_bytes_in_an_answers_file_are_graded_safely(exercise_id, data):
    content = data.draw(_mutations(exercise_id))
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, f"{exercise_id}.json").write_bytes(content)
        _check(exercise_id, Path(folder))


# -- fixed cases: size, links, a folder, a pipe ----------------------------------------------------------
TEN_MB = 10 * 1024 * 1024


@pytest.mark.parametrize("exercise_id", EXERCISES)
def test_a_10_mb_string_is_refused_with_the_reason_and_a_short_report(tmp_path, exercise_id):
    exercise = load_exercise(exercise_id)
    answer = answer_for(exercise, "good")
    # The long string goes where the type has text (or an id), so it is not refused for its shape alone.
    huge = "listen to the customer " * (TEN_MB // 23)
    if isinstance(answer, list):
        answer = [huge, *answer]
    elif isinstance(answer, dict):
        key = "text" if "text" in answer else "notes" if "notes" in answer else next(iter(answer))
        answer = {**answer, key: huge}
    tmp_path.joinpath(f"{exercise_id}.json").write_text(_record(exercise_id, json.dumps(answer)), encoding="utf-8")
    graded = _check(exercise_id, tmp_path)
    assert graded.score == 0 and "too large" in (graded.problem or "")
    assert len(graded.report()) < 5000


def _other_trainee(tmp_path: Path, exercise_id: str) -> Path:
    """Another trainee's answers file with a full, honest answer (and a marker to spot in feedback)."""
    exercise = load_exercise(exercise_id)
    other = AnswerStore(tmp_path / "other" / "answers")
    answer = answer_for(exercise, "good")
    if isinstance(answer, list):
        answer = [f"{SECRET} listen well", *answer[1:]]
    elif "text" in answer:
        answer = {"text": f"{SECRET} " + answer["text"]}
    elif "notes" in answer:
        answer = {**answer, "notes": SECRET}
    other.save(exercise_id, answer)
    return other.path(exercise_id)


PLACES = ["link to another trainee", "link to /etc/passwd", "linked folder", "folder", "named pipe", "hard link"]


@pytest.mark.parametrize("place", PLACES)
@pytest.mark.parametrize("exercise_id", EXERCISES)
def test_something_else_in_place_of_the_answers_file_scores_nothing_and_leaks_nothing(tmp_path, exercise_id, place):
    other = _other_trainee(tmp_path, exercise_id)
    mine = tmp_path / "mine" / "answers"
    mine.parent.mkdir()
    if place == "linked folder":
        mine.symlink_to(other.parent)
    else:
        mine.mkdir()
        target = mine / f"{exercise_id}.json"
        if place == "link to another trainee":
            target.symlink_to(other)
        elif place == "link to /etc/passwd":
            target.symlink_to("/etc/passwd")
        elif place == "folder":
            target.mkdir()
            (target / "answer.json").write_text(other.read_text(encoding="utf-8"), encoding="utf-8")
        elif place == "named pipe":
            os.mkfifo(target)
        else:  # a hard link is the same file: it is read as the trainee's own copy (a copy of another's work)
            os.link(other, target)
    before = other.read_bytes()
    if place == "hard link":
        graded = grade_saved(exercise_id, mine, quarantine=False)
        assert graded.score <= _BEST.get(exercise_id, load_exercise(exercise_id).points)
    else:
        graded = _check(exercise_id, mine)
        assert graded.score == 0 and graded.problem, graded.report()
    assert other.read_bytes() == before, "the other trainee's file changed"
