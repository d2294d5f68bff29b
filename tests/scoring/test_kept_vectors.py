"""Example vectors kept on disk (scoring/kept_vectors.py): the model's own, read back, never trusted blindly."""

from __future__ import annotations

import numpy as np
import pytest

from course_lib.scoring import kept_vectors
from course_lib.scoring.kept_vectors import kept_encoding
from course_lib.scoring.sentence_model import model

TEXTS = ["I have put the refund through myself this morning.", "Please accept my apologies for the wait."]


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def _no_model():
    raise AssertionError("the model was asked although the vectors were kept")


def test_kept_vectors_are_the_models_and_are_read_back_without_it(cache, monkeypatch):
    first = kept_encoding(TEXTS)
    assert np.array_equal(first, model().encode(TEXTS))
    assert len(list(cache.glob("*.npy"))) == 1
    monkeypatch.setattr(kept_vectors, "model", _no_model)
    assert np.array_equal(kept_encoding(TEXTS), first)


def test_other_sentences_are_another_file(cache):
    kept_encoding(TEXTS)
    changed = kept_encoding([TEXTS[0], TEXTS[1].replace("wait", "delay")])
    assert len(list(cache.glob("*.npy"))) == 2
    assert np.array_equal(changed, model().encode([TEXTS[0], TEXTS[1].replace("wait", "delay")]))


@pytest.mark.parametrize("content", [b"", b"not a numpy file", (5, 384), (2, 3)])
def test_a_torn_or_foreign_file_is_computed_again(cache, content):
    kept_encoding(TEXTS)
    (path,) = cache.glob("*.npy")
    if isinstance(content, tuple):
        np.save(path, np.zeros(content, dtype=np.float32))  # the wrong shape: not these sentences' vectors
    else:
        path.write_bytes(content)
    assert np.array_equal(kept_encoding(TEXTS), model().encode(TEXTS))
    assert np.array_equal(np.load(path), model().encode(TEXTS))  # and kept right this time


def test_nowhere_to_keep_them_still_gives_the_vectors(tmp_path, monkeypatch):
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("COURSE_CACHE_DIR", str(blocked / "cache"))
    assert np.array_equal(kept_encoding(TEXTS), model().encode(TEXTS))
