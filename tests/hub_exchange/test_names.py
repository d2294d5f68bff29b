"""What the exchange service accepts as names and paths inside uploads (course_lib.hub_exchange.names)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from course_lib.hub_exchange.names import (
    BadName,
    check_assignment_id,
    check_member_path,
    check_stamp,
    check_student_id,
    nbgrader_timestamp,
    new_stamp,
    stamp_from_timestamp,
)


@pytest.mark.parametrize("name", ["module1", "Module_2", "a", "x" * 64])
def test_assignment_ids_accepted(name: str) -> None:
    assert check_assignment_id(name) == name


@pytest.mark.parametrize("name", ["", "..", ".", "../module1", "module1/..", "a/b", "-x", ".hidden", "x" * 65,
                                  "mod ule", "m\0", "m\n", "módulo"])
def test_assignment_ids_refused(name: str) -> None:
    with pytest.raises(BadName):
        check_assignment_id(name)


@pytest.mark.parametrize("name", ["", "..", "a..b", "ana/ben", ".ana", "Ana", "ana\n", "a" * 65, "*", "ana+1"])
def test_student_ids_refused(name: str) -> None:
    with pytest.raises(BadName):
        check_student_id(name)


@pytest.mark.parametrize("path", ["/etc/passwd", "../x", "a/../../x", "a/./b", "a//b", "", ".", "a\\..\\b",
                                  "a\0b", "/".join(["d"] * 17), "x" * 256])
def test_member_paths_refused(path: str) -> None:
    with pytest.raises(BadName):
        check_member_path(path)


def test_member_paths_accepted() -> None:
    assert str(check_member_path("answers/m1-brainstorm.json")) == "answers/m1-brainstorm.json"
    assert str(check_member_path(".ipynb_checkpoints/")) == ".ipynb_checkpoints"


@given(st.lists(st.text(min_size=1, max_size=12), min_size=1, max_size=6))
def test_an_accepted_member_path_never_leaves_its_folder(parts: list[str]) -> None:
    name = "/".join(parts)
    try:
        path = check_member_path(name)
    except BadName:
        return
    assert not path.is_absolute()
    assert ".." not in path.parts and "." not in path.parts
    assert all(part and "\0" not in part and "\\" not in part for part in path.parts)


@given(st.text(max_size=80))
def test_any_accepted_assignment_id_is_one_plain_name(name: str) -> None:
    try:
        check_assignment_id(name)
    except BadName:
        return
    assert "/" not in name and ".." not in name and not name.startswith((".", "-"))


def test_stamps_round_trip_through_nbgrader_timestamps() -> None:
    stamp = new_stamp()
    assert check_stamp(stamp) == stamp
    text = nbgrader_timestamp(stamp)
    assert text.endswith(" UTC")
    assert stamp_from_timestamp(text) == stamp
    assert stamp_from_timestamp(text + "\n") == stamp
    with pytest.raises(BadName):
        stamp_from_timestamp("yesterday")
    with pytest.raises(BadName):
        check_stamp("../20250101T000000.000000Z")
