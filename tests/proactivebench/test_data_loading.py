"""Loading the traces and the reward items; bad data gets a one-line error."""

import shutil

import pytest

from harness.errors import DataMissing
from tasks.proactivebench.judge_task import ProactiveBenchJudge
from tasks.proactivebench.task import ProactiveBench

from .conftest import FIXTURES


def test_all_traces_and_splits(real_data):
    task = ProactiveBench()
    docs = task.load_docs(real_data)
    assert [d.id for d in docs][:2] == ["code_11", "code_12"] and len(docs) == 12
    assert sum(len(d.data["observations"]) for d in docs) == 233
    coding = [d for d in docs if "real_coding" in d.data["splits"]]
    assert len(coding) == 6 and sum(len(d.data["observations"]) for d in coding) == 112
    assert all("real_average" in d.data["splits"] for d in docs)
    files = task.data_files(real_data)
    assert len(files) == 13 and all(f.is_file() for f in files)
    assert ProactiveBenchJudge().data_files(real_data)[0].name == "test_data.jsonl"


def test_upstream_checkout_layout(tmp_path):
    shutil.copytree(FIXTURES / "proactivebench", tmp_path / "ProactiveAgent" / "dataset")
    docs = ProactiveBench().load_docs(tmp_path / "ProactiveAgent")
    assert [d.id for d in docs] == ["code_11", "writing_13"]


def test_broken_trace_is_named(tmp_path):
    shutil.copytree(FIXTURES / "proactivebench", tmp_path / "proactivebench")
    bad = tmp_path / "proactivebench" / "test_data" / "writing_13.json"
    bad.chmod(0o644)
    bad.write_text('[{"observation": {"time": "1"}}]')
    with pytest.raises(DataMissing, match="writing_13.json is not a ProactiveBench trace"):
        ProactiveBench().load_docs(tmp_path)


def test_missing_data_says_where_to_put_it(tmp_path):
    with pytest.raises(DataMissing, match="no ProactiveBench data") as e:
        ProactiveBench().load_docs(tmp_path)
    assert "--data-dir" in e.value.hint
    (tmp_path / "proactivebench" / "test_data").mkdir(parents=True)
    with pytest.raises(DataMissing, match="splits.json is missing"):
        ProactiveBench().load_docs(tmp_path)


def test_broken_reward_item_is_named(tmp_path):
    shutil.copytree(FIXTURES / "proactivebench", tmp_path / "proactivebench")
    f = tmp_path / "proactivebench" / "reward_data" / "test_data.jsonl"
    f.write_text(f.read_text() + '{"obs": []}\n')
    with pytest.raises(DataMissing, match="line 9 is not a reward-model item"):
        ProactiveBenchJudge().load_docs(tmp_path)
