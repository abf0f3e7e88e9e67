"""Loading, requests, groups, missing and broken files, the cross-task summary."""

import pytest

from harness.errors import DataMissing
from harness.registry import group_names, resolve
from tasks.teval import files
from tasks.teval.summary import summarize
from tasks.teval.task import TEvalTask


def test_loads_the_hf_layout_and_renders_chats(teval_data):
    task = resolve("teval-plan-json")[0]
    docs = task.load_docs(None)
    assert len(docs) == 553 and docs[0].id == "query_0_1"
    req = task.example_request(docs[0])
    assert [m["role"] for m in req.messages] == ["system", "user"]
    assert req.messages[1]["content"].startswith("As a researcher studying sustainable energy")
    assert req.sampling.greedy and req.sampling.max_tokens == 512
    assert task.data_files(None)[0].name == "plan_json_v1.json"
    cfg = task.config()
    assert (cfg["data_version"], cfg["match_threshold"]) == ("v1", 0.7)
    assert resolve("teval-plan-json-v2")[0].config()["match_threshold"] == 0.8


def test_group_runs_the_files_present(teval_data, monkeypatch):
    monkeypatch.setenv("HARNESS_DATA_DIR", str(teval_data.parent.parent))
    monkeypatch.delenv("HARNESS_TEVAL_DIR", raising=False)
    assert group_names()["teval"] == ["teval-plan-json", "teval-plan-str", "teval-review"]


def test_missing_file_is_one_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("HARNESS_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("HARNESS_TEVAL_DIR", raising=False)
    monkeypatch.delenv("HARNESS_ALLOW_DOWNLOADS", raising=False)
    with pytest.raises(DataMissing) as err:
        TEvalTask(files.SPECS["teval-instruct-v2"]).load_docs(tmp_path)
    assert "instruct_v2.json" in str(err.value) and "HARNESS_ALLOW_DOWNLOADS" in str(err.value)


@pytest.mark.parametrize("content,message", [("{not json", "not valid JSON"), ("[1, 2]", "keyed by id"),
                                             ('{"q": {"origin_prompt": []}}', "lacks ground_truth")])
def test_broken_file_is_one_clear_error(tmp_path, content, message):
    (tmp_path / "plan_json_v1.json").write_text(content)
    with pytest.raises(DataMissing, match=message):
        TEvalTask(files.SPECS["teval-plan-json"]).load_docs(tmp_path)


def test_unanswered_doc_asks_once(teval_data):
    task = resolve("teval-review")[0]
    doc = task.load_docs(None)[0]
    from harness.task import DocState
    from harness.requests import Generation
    assert len(task.next_requests(doc, DocState(), task.default_sampling)) == 1
    assert task.next_requests(doc, DocState(outputs={"main": [Generation("A")]}), task.default_sampling) == []


def _result(**metrics):
    return {"metrics": {k: {"value": v, "n": 10} for k, v in metrics.items()}, "n_docs": 10}


def test_summary_is_the_mean_of_six_abilities():
    tasks = {
        "teval-instruct": _result(json_score=0.9, string_score=0.7, parse_failure=0.0),
        "teval-plan-json": _result(f1_score=0.6, parse_failure=0.2),
        "teval-plan-str": _result(f1_score=0.8, parse_failure=0.0),
        "teval-reason-str": _result(thought=0.5, parse_failure=0.0),
        "teval-retrieve-str": _result(name=0.4, parse_failure=0.0),
        "teval-understand-str": _result(args=0.3, parse_failure=0.0),
        "teval-rru-json": _result(thought=0.7, name=0.6, args=0.5, parse_failure=0.1),
        "teval-review": _result(review_quality=0.9, parse_failure=0.0),
    }
    s = summarize(tasks)
    expected = {"instruct": 0.8, "plan": 0.7, "reason": 0.6, "retrieve": 0.5, "understand": 0.4, "review": 0.9}
    assert s["abilities"] == pytest.approx(expected)
    assert s["overall"] == pytest.approx(sum(expected.values()) / 6) and s["complete"]
    assert s["parse_failure_rate"] == pytest.approx(0.3 / 8)

    partial = summarize({k: tasks[k] for k in ("teval-plan-json", "teval-plan-str", "teval-review")})
    assert partial["overall"] is None and not partial["complete"]
    assert partial["overall_of_present"] == pytest.approx((0.7 + 0.9) / 2)
    assert "teval-rru-json:thought" in partial["missing"]
