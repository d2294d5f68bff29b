"""The grader's file listing gives nbgrader's own answer (which files a copy into autograded/ takes)."""

from __future__ import annotations

import os
import tempfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from nbgrader import utils as nbgrader_utils

from course_lib.grader.file_listing import find_all_files, is_ignored

# Names and patterns from a small alphabet, so that they often match: dots (hidden files), glob characters.
NAME = st.text(alphabet="ab.*?[]!-", min_size=1, max_size=4).filter(lambda n: n not in (".", ".."))
PATTERN = st.one_of(st.text(alphabet="ab.*?[]!-", min_size=1, max_size=4),
                    st.sampled_from([".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", ".*", "*", "a/b"]))
TREE = st.recursive(st.just("file"), lambda inner: st.dictionaries(NAME, inner, max_size=4), max_leaves=12)


def _make(root: str, tree: object) -> None:
    if not isinstance(tree, dict):
        return
    for name, sub in tree.items():
        path = os.path.join(root, name)
        if isinstance(sub, dict):
            os.mkdir(path)
            _make(path, sub)
        else:
            with open(path, "w") as handle:
                handle.write("x")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tree=st.dictionaries(NAME, TREE, max_size=5), patterns=st.none() | st.lists(PATTERN, max_size=4),
       folder=st.sampled_from(["submission", "sub[mi]ssion", "module*1"]), link=st.booleans())
def test_the_same_files_as_nbgrader_find_all_files(tree, patterns, folder, link) -> None:
    with tempfile.TemporaryDirectory() as top:
        root = os.path.join(top, folder)
        os.mkdir(root)
        _make(root, tree)
        if link:
            os.symlink(top, os.path.join(root, "up"))
        links: list[str] = []
        assert find_all_files(root, patterns, links) == nbgrader_utils.find_all_files(root, patterns)
        expected_links = [os.path.join(d, n) for d, dirs, _ in os.walk(root) for n in dirs
                          if os.path.islink(os.path.join(d, n))]
        assert links == expected_links


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=NAME, patterns=st.lists(PATTERN, max_size=4))
def test_a_file_is_ignored_exactly_when_nbgrader_ignores_it(name, patterns) -> None:
    with tempfile.TemporaryDirectory() as top:
        path = os.path.join(top, name)
        with open(path, "w") as handle:
            handle.write("x")
        assert is_ignored(path, patterns) == nbgrader_utils.is_ignored(path, patterns)


def test_the_course_defaults_leave_out_checkpoints_and_feedback(tmp_path) -> None:
    for relative in ["a.ipynb", ".ipynb_checkpoints/a-checkpoint.ipynb", "feedback/a.html", "x.pyc", "answers/q.json"]:
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text("x")
    found = find_all_files(str(tmp_path), [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback"])
    assert sorted(os.path.relpath(p, tmp_path) for p in found) == ["a.ipynb", "answers/q.json"]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(names=st.lists(st.text(alphabet="ab.ipynbIPY\n*", min_size=1, max_size=9).filter(lambda n: n not in (".", "..")),
                      max_size=6, unique=True), folders=st.sets(st.integers(0, 5)))
def test_a_submission_s_notebooks_are_those_pathlib_s_glob_finds(names, folders) -> None:
    from pathlib import Path

    from course_lib.grader.kernel_free import _notebooks_in

    with tempfile.TemporaryDirectory() as top:
        for number, name in enumerate(names):
            path = Path(top, name)
            path.mkdir() if number in folders else path.write_text("x")
        assert _notebooks_in(Path(top)) == sorted(Path(top).glob("*.ipynb"))
    assert _notebooks_in(Path(top)) == sorted(Path(top).glob("*.ipynb")) == []  # gone
