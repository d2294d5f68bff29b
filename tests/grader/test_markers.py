"""The graded-marker: what it vouches for, and markers written by earlier versions still matching."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from course_lib.grader.markers import MARKER, fingerprint, is_marked, mark_graded, read_marker, stat_signature


def walk_fingerprint(submission: Path) -> str:
    """The fingerprint as markers written before this version computed it (os.walk, a stat per question)."""
    digest = hashlib.sha256()
    for folder, dirs, files in sorted(os.walk(submission)):
        for name in sorted(files + [d for d in dirs if os.path.islink(os.path.join(folder, d))]):
            path = os.path.join(folder, name)
            digest.update(os.path.relpath(path, submission).encode("utf-8", "surrogateescape") + b"\0")
            if os.path.islink(path) or not os.path.isfile(path):
                digest.update(b"not a regular file\0")
                continue
            with open(path, "rb") as handle:
                digest.update(handle.read())
            digest.update(b"\0")
    return digest.hexdigest()


NAMES = st.sampled_from(["a", "b", "a b", "a.b", "a-b", "ab", "answers", "Z", "é", "x.json", "nb.ipynb"])
KINDS = st.sampled_from(["file", "empty", "folder", "link-to-file", "link-to-folder", "broken-link", "fifo"])
TREES = st.lists(st.tuples(st.lists(NAMES, min_size=1, max_size=3), KINDS, st.binary(max_size=40)), max_size=12)


def build(root: Path, tree: list) -> None:
    root.mkdir()
    for parts, kind, content in tree:
        path = root.joinpath(*parts)
        if os.path.lexists(path):
            continue  # a name taken already (writing to a FIFO made before would block)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            if kind == "file":
                path.write_bytes(content or b"x")
            elif kind == "empty":
                path.write_bytes(b"")
            elif kind == "folder":
                path.mkdir()
            elif kind == "link-to-file":
                path.symlink_to("/etc/hostname")
            elif kind == "link-to-folder":
                path.symlink_to(root)
            elif kind == "broken-link":
                path.symlink_to(root / "nowhere")
            else:
                os.mkfifo(path)
        except (FileExistsError, NotADirectoryError, IsADirectoryError):
            continue  # a name taken already by another kind of entry


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tree=TREES)
def test_the_fingerprint_is_the_one_earlier_markers_recorded(tmp_path_factory, tree):
    root = tmp_path_factory.mktemp("tree") / "submission"
    build(root, tree)
    assert fingerprint(root) == walk_fingerprint(root)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tree=TREES)
def test_a_marker_records_the_folder_as_it_is_and_stops_matching_once_a_file_changes(tmp_path_factory, tree):
    base = tmp_path_factory.mktemp("marked")
    submission, autograded = base / "submission", base / "autograded"
    build(submission, tree)
    autograded.mkdir()
    mark_graded(autograded, submission, "inputs")
    record, _ = read_marker(autograded)
    assert record == {"submission": walk_fingerprint(submission), "inputs": "inputs",
                      "files": stat_signature(submission)}
    assert is_marked(autograded, submission, "inputs") and not is_marked(autograded, submission, "other")
    assert [path.name for path in autograded.iterdir()] == [MARKER]  # no temporary file left behind
    (submission / "added.json").write_text("{}")
    assert not is_marked(autograded, submission)


def test_a_marker_written_by_an_earlier_version_still_matches(tmp_path):
    submission, autograded = tmp_path / "submission", tmp_path / "autograded"
    build(submission, [(["nb.ipynb"], "file", b"{}"), (["answers", "x.json"], "file", b"[1]"),
                       (["answers", "link"], "link-to-file", b"")])
    autograded.mkdir()
    old = {"submission": walk_fingerprint(submission), "inputs": "", "files": [["stale", 1, 1]]}
    (autograded / MARKER).write_text(json.dumps(old))  # sizes and times no longer match: the content decides
    assert is_marked(autograded, submission)


def test_a_leftover_temporary_marker_of_a_killed_run_is_written_over(tmp_path):
    submission, autograded = tmp_path / "submission", tmp_path / "autograded"
    build(submission, [(["nb.ipynb"], "file", b"{}")])
    autograded.mkdir()
    (autograded / f".course-graded-{os.getpid()}.tmp").write_text("half a marker")
    mark_graded(autograded, submission)
    assert is_marked(autograded, submission)
    assert [path.name for path in autograded.iterdir()] == [MARKER]
