"""ORM and step-tag PRM scoring on real models, and `harness rerank` end to end on a run directory
built from the real best-of-N file: tables, plots, results.json, store cache."""

from __future__ import annotations

import argparse
import json

import numpy as np
import pytest

from harness.errors import HarnessError
from harness.rerank.answers import checker_for
from harness.rerank.candidates import from_bon_file
from harness.rerank.cli import register_cli
from harness.rerank.orm import SequenceClassifierORM
from harness.rerank.prm import StepTagPRM
from harness.rerank.spec import parse_spec
from harness.rerank.steps import split_steps
from harness.results import ModelInfo, Provenance, RunResult, SampleRecord, TaskResult, load_results, write_samples

pytestmark = [pytest.mark.slow, pytest.mark.needs_shared_data]


@pytest.fixture(scope="module")
def orm_dir(smollm2, tmp_path_factory):
    """SmolLM2 with a seeded one-logit classification head: a real sequence-classification checkpoint."""
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    torch.manual_seed(0)
    model = AutoModelForSequenceClassification.from_pretrained(smollm2, num_labels=1, dtype=torch.float32)
    out = tmp_path_factory.mktemp("orm")
    model.save_pretrained(out)
    AutoTokenizer.from_pretrained(smollm2).save_pretrained(out)
    return out


def test_orm_batched_equals_one_at_a_time(orm_dir, short_candidates):
    orm = SequenceClassifierORM(parse_spec(f"orm:{orm_dir}"))
    batched = [p["score"] for p in orm.score(short_candidates)]
    single = [orm.score([c])[0]["score"] for c in short_candidates]
    np.testing.assert_allclose(batched, single, atol=1e-4)  # right padding does not leak into the score
    assert len(set(np.round(batched, 4))) > 1


def test_steptag_prm_reads_good_token_probability(smollm2, short_candidates):
    import torch

    prm = StepTagPRM(parse_spec(f"prm:{smollm2}"))
    payloads = prm.score(short_candidates[:2])
    c = short_candidates[0]
    text, ends = prm.tagged_input(c)
    assert text.count(" ки") == len([s for s in split_steps(c.text) if s.strip()]) == len(payloads[0]["step_scores"])
    ids, pos = prm.tag_positions(text, ends)
    with torch.no_grad():
        logits = prm.model(torch.tensor([ids])).logits[0]
    good, bad = prm.candidate_ids
    direct = [float(torch.softmax(logits[p, [good, bad]], -1)[0]) for p in pos]
    np.testing.assert_allclose(payloads[0]["step_scores"], direct, atol=1e-5)
    assert prm.response_score(payloads[0]) == pytest.approx(min(direct))
    assert all(0.0 < s < 1.0 for s in direct)


def _make_run(bon_file, run_dir, shorten, n_docs=3, n=4):
    docs, _ = from_bon_file(bon_file)
    records = []
    for d in docs[30:30 + n_docs]:
        cands = d.candidates[:n]
        records.append(SampleRecord(task="math500", doc_id=d.doc_id, prompt=cands[0].prompt,
                                    outputs=[shorten(c.text) for c in cands], values={"accuracy": float(cands[0].correct)},
                                    record={"gold": d.gold}))
    write_samples(run_dir, "math500", records)
    RunResult(run_id="t", model=ModelInfo(spec="replay", backend="replay", name="qwen", fingerprint="x"),
              tasks={"math500": TaskResult(task="math500", version="1", prompt_hash="p", n_docs=n_docs, sampling={},
                                           metrics={})},
              provenance=Provenance(harness_version="0")).write(run_dir)
    return docs[30:30 + n_docs]


def _cli(argv):
    parser = argparse.ArgumentParser(prog="harness")
    register_cli(parser.add_subparsers())
    args = parser.parse_args(argv)
    return args.func(args)


def test_rerank_command_end_to_end(bon_file, orm_dir, tmp_path, capsys, shorten):
    docs = _make_run(bon_file, tmp_path, shorten)
    assert _cli(["rerank", str(tmp_path), "--rerank", f"orm:{orm_dir},name=orm-test"]) == 0
    sec = load_results(tmp_path).tasks["math500"].extra["best_of_n"]
    assert sec["schema"] == "harness.best_of_n/1" and sec["n"] == 4 and sec["ks"] == [1, 2, 4]
    entry = sec["rerankers"]["orm-test"]
    assert entry["scored"] == 12 and entry["cached"] == 0
    # The same selection recomputed here from the stored scores and the file's correctness labels.
    stored = {}
    for line in (tmp_path / "store" / "generations.jsonl").read_text().splitlines():
        rec = json.loads(json.loads(line)["body"])
        if rec["kind"] == "selection":
            stored[rec["selection"]["doc_id"]] = rec["selection"]
    checker = checker_for("math500")
    picked = [shorten(d.candidates[int(np.argmax(stored[d.doc_id]["scores"][:4]))].text) for d in docs]
    want = np.mean([checker.answers_equivalent(d.gold, checker.extract_answer(t)) for d, t in zip(docs, picked)])
    assert entry["metrics"]["bon_first"]["4"]["value"] == pytest.approx(want)
    assert (tmp_path / "rerank" / "math500" / "orm-test.svg").exists()
    assert "orm-test: best-of-4" in capsys.readouterr().out
    # Again, with the model gone: everything comes from the store.
    assert _cli(["rerank", str(tmp_path), "--rerank", f"orm:{orm_dir},name=orm-test"]) == 0
    entry2 = load_results(tmp_path).tasks["math500"].extra["best_of_n"]["rerankers"]["orm-test"]
    assert entry2["cached"] == 12 and entry2["scored"] == 0
    assert entry2["metrics"] == entry["metrics"]


def test_bad_specs_and_run_dirs_fail_with_one_line(tmp_path):
    for bad in ("rm:foo", "orm:", "implicit-prm:policy=a", "implicit-prm:policy=a,ref=b,agg=max",
                "implicit-prm:policy=a,ref=b,beta=x", "prm:p,colour=red"):
        with pytest.raises(HarnessError):
            parse_spec(bad)
    with pytest.raises(HarnessError, match="no run directory"):
        _cli(["rerank", str(tmp_path / "nope"), "--rerank", "orm:x"])
    with pytest.raises(HarnessError, match="no results file"):
        _cli(["rerank", str(tmp_path), "--rerank", "orm:x"])
