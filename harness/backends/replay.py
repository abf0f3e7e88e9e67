"""Score outputs produced elsewhere: one JSON line per sample {task, doc_id, outputs}."""

from __future__ import annotations

import json
from pathlib import Path

from harness.backends.base import Backend, OnError, OnResult
from harness.errors import HarnessError
from harness.hashing import sha256_file
from harness.requests import Generation, Request
from harness.results import ModelInfo


class ReplayBackend(Backend):
    kind = "replay"

    def __init__(self, path: Path):
        self.path = Path(path)
        if not self.path.is_file():
            raise HarnessError(f"predictions file {self.path} does not exist", "pass --model replay:FILE.jsonl")
        self.outputs: dict[tuple[str, str], list[str]] = {}
        for lineno, line in enumerate(self.path.read_text().splitlines(), 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                key = (str(row["task"]), str(row.get("doc_id", row.get("sample_id"))))
                outs = row["outputs"] if "outputs" in row else [row["output"]]
                if not isinstance(outs, list) or not all(isinstance(o, str) for o in outs):
                    raise TypeError("outputs must be a list of strings")
            except (ValueError, KeyError, TypeError) as e:
                raise HarnessError(
                    f"{self.path}:{lineno} is not a valid prediction line ({type(e).__name__}: {e})",
                    'each line must be {"task": ..., "doc_id": ..., "outputs": ["..."]}',
                ) from None
            self.outputs[key] = outs

    def info(self) -> ModelInfo:
        digest = sha256_file(self.path)
        return ModelInfo(spec=f"replay:{self.path}", backend=self.kind, name=self.path.stem,
                         fingerprint=digest[:16], path=str(self.path), files={self.path.name: digest})

    def generate(self, requests: list[Request], on_result: OnResult, on_error: OnError) -> None:
        for i, r in enumerate(requests):
            outs = self.outputs.get((r.task, r.doc_id))
            if outs is None:
                on_error(i, f"no prediction for task {r.task} doc {r.doc_id} in {self.path.name}")
            elif len(outs) < r.sampling.n:
                on_error(i, f"{len(outs)} predictions for {r.task}/{r.doc_id}, {r.sampling.n} needed")
            else:
                on_result(i, [Generation(text=t) for t in outs[: r.sampling.n]])
