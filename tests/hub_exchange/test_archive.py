"""Uploads as tar.gz: packed without links, unpacked only when every member is safe."""

from __future__ import annotations

import io
import os
import tarfile
from pathlib import Path

import pytest

from course_lib.hub_exchange.archive import ArchiveError, Limits, TooLarge, pack, unpack


def _tar(*members: tuple[str, bytes | None, bytes]) -> bytes:
    """A tar.gz of (name, type, content) members; type None = regular file."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, kind, content in members:
            info = tarfile.TarInfo(name)
            if kind is None:
                info.size = len(content)
                tar.addfile(info, io.BytesIO(content))
            else:
                info.type = kind
                info.linkname = content.decode()
                tar.addfile(info)
    return buffer.getvalue()


def test_pack_then_unpack_keeps_files_and_hidden_folders(tmp_path: Path) -> None:
    source = tmp_path / "module1"
    (source / "answers").mkdir(parents=True)
    (source / "module1.ipynb").write_text("{}", encoding="utf-8")
    (source / "answers" / "m1-brainstorm.json").write_text('{"answer": ["a"]}', encoding="utf-8")
    (source / ".hidden").mkdir()
    (source / ".hidden" / "x").write_bytes(b"1")
    os.symlink("/etc/passwd", source / "answers" / "stolen.json")
    os.symlink(source / "answers", source / "linked-folder")
    skipped: list[str] = []
    data = pack(source, skipped=skipped)
    assert sorted(skipped) == ["answers/stolen.json", "linked-folder"]
    files = unpack(data, tmp_path / "out")
    assert sorted(files) == [".hidden/x", "answers/m1-brainstorm.json", "module1.ipynb"]
    assert (tmp_path / "out" / "answers" / "m1-brainstorm.json").read_text(encoding="utf-8") == '{"answer": ["a"]}'
    assert not (tmp_path / "out" / "answers" / "stolen.json").exists()


def test_pack_leaves_out_what_ignore_says(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "keep.ipynb").write_text("{}", encoding="utf-8")
    (tmp_path / "a" / ".ipynb_checkpoints").mkdir()
    (tmp_path / "a" / ".ipynb_checkpoints" / "old.ipynb").write_text("{}", encoding="utf-8")
    data = pack(tmp_path / "a", lambda folder, names: [n for n in names if n == ".ipynb_checkpoints"])
    assert unpack(data, tmp_path / "b") == ["keep.ipynb"]


@pytest.mark.parametrize("member", [
    ("../escape.txt", None, b"x"),
    ("/etc/cron.d/evil", None, b"x"),
    ("a/../../escape", None, b"x"),
    ("link", tarfile.SYMTYPE, b"/etc/shadow"),
    ("hard", tarfile.LNKTYPE, b"/etc/shadow"),
    ("fifo", tarfile.FIFOTYPE, b""),
    ("dev", tarfile.CHRTYPE, b""),
])
def test_unpack_refuses_the_whole_archive_for_one_bad_member(tmp_path: Path, member) -> None:
    data = _tar(("module1.ipynb", None, b"{}"), member)
    with pytest.raises(ArchiveError):
        unpack(data, tmp_path / "out")
    assert not (tmp_path / "out").exists()
    assert not (tmp_path / "escape.txt").exists() and not (tmp_path.parent / "escape").exists()


def test_unpack_refuses_a_file_twice(tmp_path: Path) -> None:
    with pytest.raises(ArchiveError, match="twice"):
        unpack(_tar(("a", None, b"1"), ("a", None, b"2")), tmp_path / "out")


def test_limits_give_too_large(tmp_path: Path) -> None:
    many = _tar(*[(f"f{i}", None, b"x") for i in range(11)])
    with pytest.raises(TooLarge, match="more than 10 files"):
        unpack(many, tmp_path / "a", Limits(max_files=10))
    big = _tar(("big", None, b"0" * 5000))  # compresses to a few bytes, unpacks to 5000
    with pytest.raises(TooLarge, match="unpacked"):
        unpack(big, tmp_path / "b", Limits(max_bytes=4000))
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


@pytest.mark.parametrize("data", [b"", b"not a tarball", b"\x1f\x8b\x08\x00garbage"])
def test_unpack_refuses_what_is_not_a_tar_gz(tmp_path: Path, data: bytes) -> None:
    with pytest.raises(ArchiveError, match="not a readable"):
        unpack(data, tmp_path / "out")
