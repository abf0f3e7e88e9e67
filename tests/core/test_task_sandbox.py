"""Each task result says which sandbox its programs ran in: the run's sandbox for a task that
asked the scoring context for one, {} for a task that ran none (the leaderboard shows sandbox
digests only where a task ran programs)."""

import json
from pathlib import Path

from harness import registry
from harness.cli import main
from harness.requests import Request
from harness.results import load_results
from harness.task import Doc, DocState, SampleScore, ScoringContext, Task


class Box:
    """A resource standing for a sandbox: what the runner records is its describe()."""

    def describe(self):
        return {"kind": "test-box", "images": {"py": {"digest": "sha256:0123"}}}

    def close(self):
        pass


class EchoTask(Task):
    version = "1"

    def __init__(self, name: str, runs_programs: bool):
        self.name, self.runs_programs = name, runs_programs

    def load_docs(self, data_dir: Path | None) -> list[Doc]:
        return [Doc(id=f"d{i}", data={}) for i in range(2)]

    def next_requests(self, doc: Doc, state: DocState, sampling) -> list[Request]:
        if "main" in state.outputs:
            return []
        return [Request(task=self.name, doc_id=doc.id, sampling=sampling, prompt=f"say {doc.id}")]

    def score(self, doc: Doc, state: DocState, ctx: ScoringContext) -> SampleScore:
        if self.runs_programs:
            ctx.get("sandbox", Box)
        return SampleScore(doc.id, {"accuracy": float(state.texts("main")[0] == doc.id)})


def test_a_task_records_the_sandbox_only_when_it_ran_programs(tmp_path, monkeypatch):
    monkeypatch.setitem(registry._TASKS, "sbx-uses", lambda: EchoTask("sbx-uses", True))
    monkeypatch.setitem(registry._TASKS, "sbx-plain", lambda: EchoTask("sbx-plain", False))
    preds = tmp_path / "p.jsonl"
    preds.write_text("".join(json.dumps({"task": t, "doc_id": d, "outputs": [d]}) + "\n"
                             for t in ("sbx-uses", "sbx-plain") for d in ("d0", "d1")))
    out = tmp_path / "run"
    assert main(["run", "--model", f"replay:{preds}", "--tasks", "sbx-plain,sbx-uses", "--output", str(out),
                 "--no-progress"]) == 0
    res = load_results(out)
    assert res.provenance.sandbox == Box().describe()
    assert res.tasks["sbx-uses"].sandbox == Box().describe()
    assert res.tasks["sbx-plain"].sandbox == {}
    assert res.tasks["sbx-uses"].metrics["accuracy"].value == 1.0
