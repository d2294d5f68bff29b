"""The NumPy encoder gives sentence-transformers' own vectors for all-MiniLM-L6-v2, offline."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

from course_lib.scoring.sentence_model import MODEL_SHA256, SentenceModel, model_dir

SENTENCES = [
    "From now on you deal with me.",
    "Your refund went back to your card this morning; it should be there by Thursday.",
    "Please contact your bank.",
    "Ünïcödé, £42.99 — and a tab\there?",
    "word " * 400,  # longer than the model's 256 tokens: cut as sentence-transformers cuts it
    "x",
]


def test_vectors_equal_sentence_transformers_own():
    from sentence_transformers import SentenceTransformer

    reference = SentenceTransformer(str(model_dir()), device="cpu").encode(SENTENCES, normalize_embeddings=True)
    ours = SentenceModel().encode(SENTENCES)
    assert ours.shape == (len(SENTENCES), 384) and ours.dtype == np.float32
    assert np.abs(ours - reference).max() < 1e-4


def test_meaning_is_closer_than_topic():
    vectors = SentenceModel().encode(["I am so sorry.", "Please accept my apologies.", "The kettle was returned."])
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.2


def test_a_changed_weights_file_is_refused(tmp_path):
    for item in model_dir().rglob("*"):
        if item.is_file():
            target = tmp_path / item.relative_to(model_dir())
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(item.read_bytes())
    weights = tmp_path / "model.safetensors"
    data = bytearray(weights.read_bytes())
    data[-1] ^= 1
    weights.write_bytes(bytes(data))
    with pytest.raises(RuntimeError, match=MODEL_SHA256):
        SentenceModel(tmp_path)


def test_scoring_never_imports_torch_and_needs_no_network():
    code = ("import sys; from course_lib.models import load_exercise; "
            "from course_lib.scoring.written_reply import judge; "
            "judge(load_exercise('m5-recovery-reply'), 'I am sorry. I refunded you today and will call on Friday.'); "
            "print(sorted(m for m in ('torch', 'transformers', 'sentence_transformers') if m in sys.modules))")
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HTTPS_PROXY": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
