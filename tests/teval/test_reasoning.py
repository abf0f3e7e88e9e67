"""T-Eval INSTRUCT (JSON and string formats) on a thinking model's outputs (a replay file over the
hand-written rows of tests/fixtures/teval): the reference parsing reads the answer after the
thinking, a thought cut off by max_tokens is reported and not parsed, and `harness score
--reasoning off` gives the old numbers (the reference evaluator on each raw output)."""

from __future__ import annotations

import json
from pathlib import Path

from harness.cli import main
from harness.results import load_results, load_samples
from harness.task import ScoringContext
from tasks.teval import files
from tasks.teval.task import TEvalTask

from .conftest import answered

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "teval"
CALL = '{"thought": "Search Berlin", "name": "AirbnbSearch.search_property_by_place", "args": {"place": "Berlin"}}'
OUTPUTS = {
    "query_0_0_0": ('<think>Maybe {"name": "AirbnbSearch.get_property_details", "args": {}}? No, search first.</think>\n\n'
                    + CALL, "stop"),
    # the string-format answer written out inside a thought that max_tokens cut off
    "query_0_0_1": ('<think>goal: find stays\nname: AirbnbSearch.search_property_by_place\n'
                    'args: {"place": "Berlin", "limit": 3}\n', "length"),
}


def test_thinking_outputs_on_teval_instruct(tmp_path):
    replay = tmp_path / "thinker.jsonl"
    replay.write_text("".join(json.dumps({"task": "teval-instruct", "doc_id": d, "outputs": [o], "finish_reasons": [f]})
                              + "\n" for d, (o, f) in OUTPUTS.items()))
    run_dir = tmp_path / "run"
    assert main(["run", "--model", f"replay:{replay}", "--tasks", "teval-instruct", "--data-dir", str(FIXTURES),
                 "--output", str(run_dir), "--no-progress"]) == 0
    recs = {r.doc_id: r for r in load_samples(run_dir, "teval-instruct")}
    assert recs["query_0_0_0"].reasoning_info[0]["verdict"] == "complete"
    assert recs["query_0_0_0"].record["scored_output"] == CALL  # parsed from the answer part
    assert recs["query_0_0_0"].values["json_args_em_metric"] == 1.0 and recs["query_0_0_0"].values["parse_rate"] == 1.0
    assert recs["query_0_0_1"].reasoning_info[0]["verdict"] == "reasoning_truncated"
    assert recs["query_0_0_1"].outputs == [""] and recs["query_0_0_1"].values["string_args_em_metric"] == 0.0
    assert load_results(run_dir).tasks["teval-instruct"].reasoning.truncated_share == 0.5

    assert main(["score", str(run_dir), "--reasoning", "off"]) == 0
    old = {r.doc_id: r for r in load_samples(run_dir, "teval-instruct")}
    task = TEvalTask(files.SPECS["teval-instruct"])
    docs = {d.id: d for d in task.load_docs(FIXTURES)}
    for doc_id, (text, _) in OUTPUTS.items():
        direct = task.score_all([(docs[doc_id], answered(text))], ScoringContext())[0]
        assert old[doc_id].outputs == [text] and old[doc_id].values == direct.values
    assert old["query_0_0_0"].values["parse_rate"] == 0.0  # the raw text with its thinking does not parse
    assert old["query_0_0_1"].values["string_args_em_metric"] == 1.0  # and the old number graded the thought
