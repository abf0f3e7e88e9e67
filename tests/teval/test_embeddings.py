"""The shared sentence-embedding helper (harness/embeddings.py)."""

import numpy as np
import pytest

from harness import embeddings
from harness.errors import HarnessError


def test_missing_model_is_one_line_with_the_install_command(tmp_path, monkeypatch):
    monkeypatch.setenv("HARNESS_CACHE", str(tmp_path))
    monkeypatch.delenv(embeddings.PATH_ENV, raising=False)
    monkeypatch.setattr(embeddings, "PART_PACKAGES", ("no-such-part-package-001",))
    with pytest.raises(HarnessError) as err:
        embeddings.locate(allow_hub=False)
    msg = str(err.value)
    assert "\n" not in msg and "no-such-part-package-001" in msg
    assert "harness models install all-mpnet-base-v2" in msg


def test_explicit_path_without_weights_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv(embeddings.PATH_ENV, str(tmp_path))
    with pytest.raises(HarnessError, match="holds no model.safetensors"):
        embeddings.locate()


def test_installed_model_verifies_and_embeds(embedder):
    info = embedder.describe()
    assert info["model"] == "sentence-transformers/all-mpnet-base-v2"
    assert info["sha256"] == embeddings.UPSTREAM_SHA256 and info["sentence_transformers"]
    vecs = embedder.encode(["plan a trip", "book a flight", "plan a trip"])
    assert vecs.shape == (3, 768) and vecs.dtype == np.float32
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)
    assert np.array_equal(vecs[0], vecs[2])  # identical texts embed once
    sims = embeddings.cosine(vecs, vecs)
    assert 0.0 < sims[0, 1] < 0.99
    assert embedder.encode([]).shape == (0, 768)
