"""A judge that is the model under test shares the model's engine: one load, one close."""

import pytest

from harness.backends import models
from harness.backends.base import Backend
from harness.errors import BackendError
from harness.requests import Generation
from tests.conftest import live_engines_of


class FakeEngine(Backend):
    kind = "vllm"
    built: list["FakeEngine"] = []

    def __init__(self, path, info, revision=None, **kw):
        self.path, self._info, self.kw, self.closed, self.llm = path, info, kw, False, object()
        FakeEngine.built.append(self)

    def info(self):
        return self._info

    def generate(self, requests, on_result, on_error):
        for i, r in enumerate(requests):
            on_result(i, [Generation(text=f"{r.role}:{r.tag}")])

    def close(self):
        assert not self.closed, "engine closed twice"
        self.closed = True


@pytest.fixture
def fake_vllm(monkeypatch, tmp_path):
    import harness.backends.vllm as vllm_mod

    FakeEngine.built = []
    monkeypatch.setattr(vllm_mod, "VLLMBackend", FakeEngine)
    monkeypatch.setattr(vllm_mod, "vllm_version", lambda: "test")
    model = tmp_path / "ckpt"
    model.mkdir()
    (model / "config.json").write_text("{}")
    return f"vllm:{model}"


def test_same_spec_and_options_share_one_engine(fake_vllm):
    model = models.make_backend(fake_vllm, options={"dtype": "float32"})
    judge = models.make_backend(fake_vllm, options={"dtype": "float32"})
    assert len(FakeEngine.built) == 1 and model.shared and judge.shared
    assert model.kind == judge.kind == "vllm" and model.info() is judge.info()
    assert model.llm is judge.llm  # the engine's attributes reach through the handle
    judge.batch_size = 1
    assert FakeEngine.built[0].batch_size == model.batch_size == 1
    judge.close()
    judge.close()  # closing a handle twice is harmless
    assert not FakeEngine.built[0].closed and not model.shared  # the model still uses it
    got = []
    model.generate([], lambda i, g: got.append(g), lambda i, m: None)
    with pytest.raises(BackendError):
        judge.generate([], lambda i, g: None, lambda i, m: None)
    model.close()
    assert FakeEngine.built[0].closed and not live_engines_of(fake_vllm.removeprefix("vllm:"))
    # after the last handle, the next request for the model loads it again
    again = models.make_backend(fake_vllm, options={"dtype": "float32"})
    assert len(FakeEngine.built) == 2 and not again.shared
    again.close()


def test_other_options_or_spec_load_another_engine(fake_vllm):
    a = models.make_backend(fake_vllm, options={"dtype": "float32"})
    b = models.make_backend(fake_vllm, options={"dtype": "bfloat16"})
    c = models.make_backend(fake_vllm.removeprefix("vllm:"))  # same files, another spec: its own identity
    assert len(FakeEngine.built) == 3 and not any(x.shared for x in (a, b, c))
    for x in (a, b, c):
        x.close()
    assert all(e.closed for e in FakeEngine.built) and not live_engines_of(fake_vllm.removeprefix("vllm:"))
