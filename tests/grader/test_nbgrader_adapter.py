"""nbgrader's copy of a submission's files, as ``course grade`` runs it (regular files only)."""

from __future__ import annotations

import os
import shutil
import stat

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nbgrader.converters import base as converters_base

from course_lib.grader.nbgrader_adapter import copy_regular_file, regular_files_only


@settings(max_examples=60, deadline=None)
@given(content=st.binary(max_size=3 << 16), mode=st.sampled_from([0o600, 0o644, 0o444, 0o755, 0o640, 0o4755]))
def test_a_copy_has_what_shutil_copy_gives(tmp_path_factory, content, mode):
    folder = tmp_path_factory.mktemp("copy")
    source = folder / "answers.json"
    source.write_bytes(content)
    os.chmod(source, mode)
    shutil.copy(source, folder / "by-shutil")
    copy_regular_file(str(source), str(folder / "ours"))
    assert (folder / "ours").read_bytes() == content
    assert stat.S_IMODE((folder / "ours").stat().st_mode) == stat.S_IMODE((folder / "by-shutil").stat().st_mode) == mode


@pytest.mark.parametrize("kind", ["link", "fifo", "folder"])
def test_what_is_not_a_regular_file_is_not_copied(tmp_path, kind):
    source = tmp_path / "answers.json"
    if kind == "link":
        source.symlink_to("/etc/passwd")
    elif kind == "fifo":
        os.mkfifo(source)
    else:
        source.mkdir()
    with pytest.raises(OSError):
        copy_regular_file(str(source), str(tmp_path / "copy"))
    assert not (tmp_path / "copy").exists()


def test_nbgrader_copies_with_it_only_within_the_block(tmp_path):
    original = converters_base.shutil
    with regular_files_only():
        assert converters_base.shutil.copy is copy_regular_file
        assert converters_base.shutil.rmtree is shutil.rmtree  # the rest of shutil as it was
    assert converters_base.shutil is original is shutil
