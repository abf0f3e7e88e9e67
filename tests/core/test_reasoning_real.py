"""--chat-template-kwargs through the real engines (the session's vLLM and transformers backends,
no extra model load): the tokenizer is swapped for a copy with a chat template that honours
enable_thinking (tests/thinking_model.py). enable_thinking=true opens a thinking block in the
prompt, which SmolLM2 never closes: every output is an unfinished thought, reported, not graded."""

from __future__ import annotations

import pytest
from transformers import AutoTokenizer

from harness.backends.prompting import encode_request
from harness.evaluate import RunConfig, evaluate
from harness.requests import Request, SamplingParams
from harness.results import load_samples
from harness.store import SampleStore
from tests.thinking_model import thinking_checkpoint

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def thinking_tokenizer(smollm2_path, tmp_path_factory):
    return AutoTokenizer.from_pretrained(thinking_checkpoint(smollm2_path, tmp_path_factory.mktemp("thinker"), weights=False))


@pytest.mark.parametrize("engine", ["vllm", "hf"])
def test_template_kwargs_reach_the_template(engine, request, thinking_tokenizer, tmp_path):
    backend = request.getfixturevalue(f"{engine}_backend")
    original, backend.tokenizer = backend.tokenizer, thinking_tokenizer
    try:
        runs = {}
        for flag in (True, False):
            cfg = RunConfig(model=f"{engine}:smollm2-135m-instruct", tasks="math500", limit=2, max_tokens=12,
                            chat_template_kwargs={"enable_thinking": flag})
            runs[flag] = evaluate(cfg, tmp_path, backends={"model": backend}, progress=False)
            # two settings never share outputs: the second is generated anew in the same run directory
            assert runs[flag].timing.generations_new == 2, flag
            recs = load_samples(tmp_path, "math500")
            verdicts = [r.reasoning_info[0]["verdict"] for r in recs]
            if flag:  # the prompt opened the thinking: nothing after it to grade
                assert set(verdicts) <= {"reasoning_truncated", "reasoning_unterminated"}, verdicts
                assert all(r.outputs == [""] and r.values["accuracy"] == 0.0 for r in recs)
                assert runs[flag].tasks["math500"].reasoning.verdicts["reasoning_truncated"] >= 1
            else:
                assert verdicts == ["no_reasoning", "no_reasoning"] and all(r.reasoning == [] for r in recs)
        # the prompts the engine read are the template's with the kwargs applied, token for token
        with SampleStore(tmp_path / "store") as store:
            stored = [(r["meta"]["doc_id"], r["generation"]) for r in store.records("generation")]
        assert sum(bool(g["meta"].get("thinking_opened")) for _, g in stored) == 2 and len(stored) == 4
        prompts = {r.doc_id: r.prompt for r in load_samples(tmp_path, "math500")}
        for doc_id, g in stored:
            flag = bool(g["meta"].get("thinking_opened"))
            sp = SamplingParams(chat_template_kwargs=(("enable_thinking", flag),))
            req = Request(task="math500", doc_id=doc_id, sampling=sp, messages=tuple(prompts[doc_id]))
            assert g["prompt_tokens"] == len(encode_request(thinking_tokenizer, req))
    finally:
        backend.tokenizer = original
