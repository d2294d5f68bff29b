"""The collector is spared the run's long-lived objects only while the run lasts."""

from __future__ import annotations

import gc

import pytest

from course_lib.grader.cohort import long_lived_objects


def test_frozen_objects_are_given_back_after_the_run_even_when_it_fails():
    before = gc.get_freeze_count()
    kept = [object() for _ in range(10)] + [[i] for i in range(1000)]  # tracked by the collector
    with pytest.raises(RuntimeError), long_lived_objects() as settled:
        settled()
        assert gc.get_freeze_count() >= before + 1000  # the lists made above are out of its sight now
        raise RuntimeError("a run that stopped half-way")
    assert gc.get_freeze_count() == 0  # nothing stays frozen, so nothing is kept from collection for good
    assert len(kept) == 1010
