"""``--shard K/N``: every trainee in exactly one shard, the same on every machine; bad input named."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from course_lib.grader.shards import Shard


@given(st.text(min_size=1, max_size=40), st.integers(min_value=1, max_value=64))
def test_every_trainee_is_in_exactly_one_shard(student: str, count: int) -> None:
    owners = [k for k in range(1, count + 1) if Shard(k, count).owns(student)]
    assert len(owners) == 1


def test_shards_split_a_cohort_roughly_evenly() -> None:
    students = [f"trainee-{n}" for n in range(3000)]
    sizes = [sum(Shard(k, 3).owns(s) for s in students) for k in (1, 2, 3)]
    assert sum(sizes) == 3000 and min(sizes) > 900


@pytest.mark.parametrize("text", ["", "2", "0/3", "4/3", "a/b", "1/0", "-1/3", "2 of 3"])
def test_a_bad_shard_is_refused_with_the_form_it_must_take(text: str) -> None:
    with pytest.raises(ValueError, match="K/N|between 1 and N"):
        Shard.parse(text)


def test_a_good_shard_reads_as_written() -> None:
    assert Shard.parse(" 2/3 ") == Shard(2, 3)
    assert str(Shard.parse("1/1")) == "shard 1 of 1"
