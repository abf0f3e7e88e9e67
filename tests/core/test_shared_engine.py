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
    assert not FakeEngine.built  # nothing loads until a request misses the store
    model.start()
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
    again.start()
    assert len(FakeEngine.built) == 2 and not again.shared
    again.close()


def test_other_options_or_spec_load_another_engine(fake_vllm):
    a = models.make_backend(fake_vllm, options={"dtype": "float32"})
    b = models.make_backend(fake_vllm, options={"dtype": "bfloat16"})
    c = models.make_backend(fake_vllm.removeprefix("vllm:"))  # same files, another spec: its own identity
    for x in (a, b, c):
        x.start()
    assert len(FakeEngine.built) == 3 and not any(x.shared for x in (a, b, c))
    for x in (a, b, c):
        x.close()
    assert all(e.closed for e in FakeEngine.built) and not live_engines_of(fake_vllm.removeprefix("vllm:"))


def test_engine_loads_on_first_request_and_its_identity_is_known_before(fake_vllm, capfd):
    """`harness run` again on a finished run reads everything from the store: the fingerprint
    (the store's key) and the settings are known without loading the engine."""
    backend = models.make_backend(fake_vllm, options={"dtype": "float32"})
    info = backend.info()
    assert not FakeEngine.built and info.fingerprint and info.backend_version == "test"
    assert info.settings["dtype"] == "float32" and backend.kind == "vllm"
    assert "loading model" not in capfd.readouterr().err
    got = []
    backend.generate([], lambda i, g: got.append(g), lambda i, m: None)
    assert len(FakeEngine.built) == 1 and backend.info() is info  # the same identity once loaded
    err = capfd.readouterr().err
    assert "loading model ckpt (vllm) ..." in err and "done in" in err
    backend.close()
    assert FakeEngine.built[0].closed
    unused = models.make_backend(fake_vllm, options={"dtype": "float32"})
    unused.close()  # never asked anything: never loaded
    assert len(FakeEngine.built) == 1
