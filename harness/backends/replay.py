"""Score outputs produced elsewhere: one JSON line per request {task, doc_id, outputs}.

A line may name the request's `tag` (default "main") and `role` ("model" or "judge"; default:
any), so multi-turn tasks replay too: ProactiveBench's agent turns are tags `event-003`,
`event-003.2` (a retry), its judge calls `judge-003`. A request is answered by the line with its
task, document and tag, and with its role if the line names one.
"""

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
        #: (task, doc_id, tag, role or None) -> outputs
        self.outputs: dict[tuple[str, str, str, str | None], list[str]] = {}
        #: optional per output: why it ended ("length": it hit max_tokens, which tells a truncated
        #: thought from a finished one -- harness/reasoning.py)
        self.finish: dict[tuple[str, str, str, str | None], list[str | None]] = {}
        try:
            text = self.path.read_text()
        except (OSError, UnicodeDecodeError) as e:
            raise HarnessError(f"predictions file {self.path} cannot be read ({e})", "pass a JSON-lines text file") from None
        for lineno, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                if not isinstance(row, dict):
                    raise TypeError("a line must be a JSON object")
                role = row.get("role")
                key = (str(row["task"]), str(row.get("doc_id", row.get("sample_id"))), str(row.get("tag", "main")),
                       None if role is None else str(role))
                outs = row["outputs"] if "outputs" in row else [row["output"]]
                if not isinstance(outs, list) or not all(isinstance(o, str) for o in outs):
                    raise TypeError("outputs must be a list of strings")
            except (ValueError, KeyError, TypeError) as e:
                raise HarnessError(
                    f"{self.path}:{lineno} is not a valid prediction line ({type(e).__name__}: {e})",
                    'each line must be {"task": ..., "doc_id": ..., "outputs": ["..."]} (optional: "tag", "role")',
                ) from None
            self.outputs[key] = outs
            self.finish[key] = list(row.get("finish_reasons") or [])

    def info(self) -> ModelInfo:
        digest = sha256_file(self.path)
        return ModelInfo(spec=f"replay:{self.path}", backend=self.kind, name=self.path.stem,
                         fingerprint=digest[:16], path=str(self.path), files={self.path.name: digest})

    def generate(self, requests: list[Request], on_result: OnResult, on_error: OnError) -> None:
        for i, r in enumerate(requests):
            key = (r.task, r.doc_id, r.tag, r.role)
            if key not in self.outputs:
                key = (r.task, r.doc_id, r.tag, None)  # a line that names no role answers either
            outs = self.outputs.get(key)
            if outs is None:
                what = f"doc {r.doc_id}" + (f" tag {r.tag}" if r.tag != "main" else "")
                on_error(i, f"no prediction for task {r.task} {what} ({r.role}) in {self.path.name}")
            elif len(outs) < r.sampling.n:
                on_error(i, f"{len(outs)} predictions for {r.task}/{r.doc_id}, {r.sampling.n} needed")
            else:
                ends = self.finish.get(key, [])
                on_result(i, [Generation(text=t, finish_reason=ends[j] if j < len(ends) else None)
                              for j, t in enumerate(outs[: r.sampling.n])])
