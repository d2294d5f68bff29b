"""Crash soak: answers survive a saving process killed with SIGKILL at any moment (see soak.py).

200 kills per test, each at a random moment; the counts are printed (``pytest -s``)
and must show nothing torn and nothing lost. ``benchmarks/crash_soak.py`` runs
the same rounds for longer.
"""

from __future__ import annotations

from .soak import soak

ROUNDS = 200


def test_one_writer_killed_200_times_never_tears_or_loses_an_answer(tmp_path):
    result = soak(tmp_path, ROUNDS, writers=1)
    print("\n" + result.text("one writer, SIGKILL"))
    assert result.rounds == ROUNDS
    assert result.problems == [], result.problems[:5]
    assert result.survived == ROUNDS and result.lost == 0 and result.torn == 0
    # The kills really fell inside saves, not only between them (otherwise the soak proved little).
    assert result.landed["mid-save"] > 0, result.landed


def test_two_writers_on_one_exercise_killed_200_times_never_lose_an_answer(tmp_path):
    result = soak(tmp_path, ROUNDS, writers=2)
    print("\n" + result.text("two writers on one exercise, SIGKILL"))
    assert result.rounds == ROUNDS
    assert result.problems == [], result.problems[:5]
    assert result.survived == ROUNDS and result.lost == 0 and result.torn == 0
    assert result.landed["mid-save"] > 0, result.landed
