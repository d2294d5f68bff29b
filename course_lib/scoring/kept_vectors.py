"""The vectors of an exercise's example sentences, kept on disk between processes.

Judging the first written reply in a process also embeds every example
sentence of the exercise (about a hundred): close to a second before the
trainee's first check answers, and again in every ``course grade`` run that
grades a reply. The examples change only when the content does, so their
vectors are kept in a file named by the model's SHA-256 and the sentences
themselves: another model or another wording is another file. A missing,
torn or foreign file is simply computed again; a folder that cannot be
written (a confined workspace) only means no file is kept.

The folder is ``$COURSE_CACHE_DIR``, else ``$XDG_CACHE_HOME/customer-service-course``,
else ``~/.cache/customer-service-course``.
"""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..atomic import write_bytes_atomic
from .sentence_model import MODEL_SHA256, model

__all__ = ["CACHE_ENV", "cache_dir", "kept_encoding"]

CACHE_ENV = "COURSE_CACHE_DIR"
_DIMENSION = 384  # the model's sentence vectors


def cache_dir() -> Path:
    """Where kept vectors live (see the module docstring)."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "customer-service-course"


def _file_for(texts: Sequence[str]) -> Path:
    digest = hashlib.sha256("\0".join([MODEL_SHA256, *texts]).encode("utf-8", "surrogatepass")).hexdigest()
    return cache_dir() / f"sentence-vectors-{digest[:40]}.npy"


def kept_encoding(texts: Sequence[str]) -> np.ndarray:
    """``model().encode(texts)``, read from the kept file when one is there for exactly these sentences."""
    path = _file_for(texts)
    try:
        vectors = np.load(path, allow_pickle=False)
        if vectors.dtype == np.float32 and vectors.shape == (len(texts), _DIMENSION):
            return vectors
    except (OSError, ValueError, EOFError):
        pass
    vectors = model().encode(list(texts))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_bytes_atomic(path, _npy_bytes(vectors), mode=0o600)
    except OSError:
        pass  # nowhere to keep it: computed again next time
    return vectors


def _npy_bytes(vectors: np.ndarray) -> bytes:
    out = io.BytesIO()
    np.save(out, vectors, allow_pickle=False)
    return out.getvalue()
