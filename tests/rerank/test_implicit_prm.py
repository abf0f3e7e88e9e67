"""Implicit PRM with two real checkpoints that differ: SmolLM2-135M-Instruct (reference) and a
copy trained for a few steps (policy), on real MATH candidates.

- vLLM prompt log-probabilities give the same step rewards as a transformers forward pass;
- the arithmetic (beta, per-step sums, min / sum / last aggregation) matches a direct
  computation written out here from the model's logits;
- rewards go through the sample store: a second rerank, or one with another beta/agg, is a cache hit.
"""

from __future__ import annotations

import numpy as np
import pytest

from harness.rerank.implicit_prm import ImplicitPRM, step_sums
from harness.rerank.scoring import score_candidates
from harness.rerank.spec import parse_spec
from harness.rerank.steps import split_steps
from harness.store import SampleStore

pytestmark = [pytest.mark.slow, pytest.mark.needs_shared_data]
BETA = 0.05


@pytest.fixture(scope="module")
def candidates(short_candidates):
    return short_candidates


@pytest.fixture(scope="module")
def prm(smollm2, trained_copy):
    return ImplicitPRM(parse_spec(f"implicit-prm:policy={trained_copy},ref={smollm2},beta={BETA},engine=hf"))


@pytest.fixture(scope="module")
def hf_ratios(prm, candidates):
    seqs = prm.sequences(candidates)
    return seqs, prm.token_logratios(seqs, engine="hf")


def test_checkpoints_differ(hf_ratios):
    seqs, ratios = hf_ratios
    assert all(len(r) == len(s.step_of) for s, r in zip(seqs, ratios))
    step_ratio = np.concatenate([step_sums(r, s.step_of, s.n_steps) for s, r in zip(seqs, ratios)])
    assert np.abs(step_ratio).max() > 0.05  # the trained copy is a different policy


def test_vllm_prompt_logprobs_equal_transformers(prm, hf_ratios):
    pytest.importorskip("vllm")
    seqs, hf = hf_ratios
    vl = prm.token_logratios(seqs, engine="vllm")
    for s, a, b in zip(seqs, hf, vl):
        assert a.shape == b.shape
        np.testing.assert_allclose(b, a, atol=2e-3)  # per token, float32 on both sides
        ra = BETA * step_sums(a, s.step_of, s.n_steps)
        rb = BETA * step_sums(b, s.step_of, s.n_steps)
        np.testing.assert_allclose(rb, ra, atol=BETA * 1e-2)
        assert float(rb.min()) == pytest.approx(float(ra.min()), abs=BETA * 1e-2)


def _direct_token_logprobs(path, ids):
    import torch
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32).eval()
    with torch.no_grad():
        logp = torch.log_softmax(model(torch.tensor([ids])).logits[0].double(), dim=-1)
    return [float(logp[t - 1, ids[t]]) for t in range(1, len(ids))]


def test_arithmetic_against_direct_computation(prm, candidates, smollm2, trained_copy):
    c = candidates[0]
    seq = prm.sequences([c])[0]
    tok = prm.tokenizer
    steps = split_steps(c.text)
    # The step assignment: each step's tokens decode to that step's text (the last step also
    # carries the end-of-turn token).
    scored = seq.ids[seq.first:]
    decoded = [tok.decode([t for t, s in zip(scored, seq.step_of) if s == k], clean_up_tokenization_spaces=False)
               for k in range(len(steps))]
    assert decoded[:-1] == steps[:-1]
    assert decoded[-1] == steps[-1] + "<|im_end|>"
    # Direct: full forward of each model, log-softmax, per-step sums with a loop, times beta.
    pol = _direct_token_logprobs(trained_copy, seq.ids)
    ref = _direct_token_logprobs(smollm2, seq.ids)
    rewards = [0.0] * len(steps)
    for t in range(seq.first, len(seq.ids)):
        rewards[seq.step_of[t - seq.first]] += BETA * (pol[t - 1] - ref[t - 1])
    payload = prm.score([c])[0]
    np.testing.assert_allclose(prm.step_rewards(payload), rewards, atol=1e-6)
    assert prm.response_score(payload) == pytest.approx(min(rewards), abs=1e-6)
    for agg, want in (("sum", sum(rewards)), ("last", np.cumsum(rewards)[-1]), ("qmin", min(np.cumsum(rewards)))):
        other = ImplicitPRM(parse_spec(f"implicit-prm:policy={trained_copy},ref={smollm2},beta={BETA},agg={agg}"))
        # each step is within 1e-6 of the direct computation, so a sum of them within n * 1e-6
        assert other.response_score(payload) == pytest.approx(want, abs=1e-6 * len(steps))
    half = ImplicitPRM(parse_spec(f"implicit-prm:policy={trained_copy},ref={smollm2},beta={BETA / 2},engine=hf"))
    assert half.response_score(payload) == pytest.approx(min(rewards) / 2, abs=1e-6)


def test_scores_are_stored_and_reused(prm, candidates, tmp_path, smollm2, trained_copy):
    subset = candidates[:2]
    with SampleStore(tmp_path) as store:
        first, counts = score_candidates(prm, subset, store)
        assert counts == {"cached": 0, "scored": 2}
        assert sum(1 for _ in store.records("reward")) == 2
        assert sum(1 for _ in store.records("step_logprob")) == 4  # policy and reference, per candidate
    with SampleStore(tmp_path) as store:  # a new process reading the same store
        other = ImplicitPRM(parse_spec(f"implicit-prm:policy={trained_copy},ref={smollm2},beta=0.2,agg=sum,engine=hf"))
        again, counts = score_candidates(other, subset, store)
        assert counts == {"cached": 2, "scored": 0}
        assert again == first
        assert other.response_score(again[0]) == pytest.approx(0.2 * sum(first[0]["step_logratio"]))
        # The reference's log-probabilities serve a new implicit PRM that shares it.
        swapped = ImplicitPRM(parse_spec(f"implicit-prm:policy={smollm2},ref={smollm2},beta=0.2,engine=hf"))
        zero, counts = score_candidates(swapped, subset, store)
        assert counts == {"cached": 0, "scored": 2}
        assert np.abs(zero[0]["step_logratio"]).max() == 0.0
