"""The candidates a reranker scores: N stored responses per document, with their answers.

They come from a finished run directory (results.json + samples/TASK.jsonl) or from a
best-of-N file in the Qwen2.5-Math `eval_rm_maj_example` format; nothing is regenerated.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.errors import DataMissing, HarnessError
from harness.rerank.answers import AnswerChecker
from harness.task import canonical_json


@dataclass
class Candidate:
    task: str
    doc_id: str
    index: int
    prompt: Any  # the generation prompt: a string, or a list of chat messages
    text: str  # the answer part of a thinking model's output (the whole output otherwise)
    answer: str | None = None
    correct: bool = False
    reasoning: str | None = None  # its thinking, where the run split one off (harness/reasoning.py)

    def text_of(self, part: str = "answer") -> str:
        """What a reward model scores: the answer part (the default), or the thinking for a PRM
        that splits steps in the reasoning (`part=reasoning`; a candidate without one: its answer)."""
        return self.reasoning if part == "reasoning" and self.reasoning else self.text

    @property
    def question(self) -> str:
        """What the reward model is shown as the user turn: the last user message, or the prompt."""
        if isinstance(self.prompt, list):
            users = [m.get("content", "") for m in self.prompt if m.get("role") == "user"]
            return users[-1] if users else str(self.prompt[-1].get("content", ""))
        if isinstance(self.prompt, dict):  # prompt with media: {"text": ..., "media": [...]}
            return str(self.prompt.get("text", ""))
        return str(self.prompt)

    @property
    def key(self) -> str:
        """Content address of the candidate: the same response to the same prompt, whatever the run."""
        ident = {"task": self.task, "doc": self.doc_id, "i": self.index, "prompt": self.prompt, "text": self.text}
        if self.reasoning is not None:
            ident["reasoning"] = self.reasoning
        return hashlib.sha256(canonical_json(ident).encode()).hexdigest()


@dataclass
class DocCandidates:
    task: str
    doc_id: str
    gold: str | None
    candidates: list[Candidate]
    groups: dict[str, str] = field(default_factory=dict)  # breakdown keys (level, subject)


GOLD_KEYS = ("gold", "gold_answer", "answer", "target", "gt")


def _gold_of(record: dict[str, Any]) -> str | None:
    for k in GOLD_KEYS:
        v = record.get(k)
        if isinstance(v, (str, int, float)) and not isinstance(v, bool):
            return str(v)
    return None


def from_run_dir(run_dir: Path, task: str, checker: AnswerChecker, golds: dict[str, str] | None = None) -> list[DocCandidates]:
    """Candidates of one task of a run, answers extracted and checked against the gold answer."""
    from harness.results import load_samples

    records = load_samples(run_dir, task)
    docs: list[DocCandidates] = []
    for rec in records:
        gold = _gold_of(rec.record)
        if gold is None and golds is not None:
            gold = golds.get(rec.doc_id)
        if gold is None:
            raise HarnessError(f"sample record {task}/{rec.doc_id} in {run_dir} carries no gold answer",
                               "re-score the run with `harness score RUN_DIR`")
        # The task's own verdicts when its scorer recorded them (one per output), else the checker's.
        extracted, correct = rec.record.get("extracted"), rec.record.get("correct")
        reuse = isinstance(extracted, list) and isinstance(correct, list) and \
            len(extracted) == len(correct) == len(rec.outputs)
        cands = []
        for i, text in enumerate(rec.outputs):
            if reuse:
                ans, ok = extracted[i], bool(correct[i])
            else:
                ans = checker.extract_answer(text)
                ok = ans is not None and checker.answers_equivalent(gold, ans)
            thought = rec.reasoning[i] if i < len(rec.reasoning) else None
            cands.append(Candidate(task, rec.doc_id, i, rec.prompt, text, ans, ok, thought))
        docs.append(DocCandidates(task, rec.doc_id, gold, cands, dict(rec.groups)))
    return docs


def from_bon_file(path: Path, task: str = "math-bon") -> tuple[list[DocCandidates], list[list[float]]]:
    """A Qwen2.5-Math rm/maj example file: candidates with the file's own answers (`pred`),
    correctness (`score`) and reward scores (`pred_score`), returned beside the candidates."""
    path = Path(path)
    if not path.exists():
        raise DataMissing(f"no best-of-N file at {path}", "set HARNESS_DATA_DIR or pass the file's path")
    docs, rewards = [], []
    with path.open() as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                texts, preds, scores = row["response"], row["pred"], row["score"]
            except (ValueError, KeyError) as e:
                raise HarnessError(f"{path}:{lineno} is not a best-of-N record ({e})",
                                   "each line needs response, pred, score (and pred_score)") from None
            if not (len(texts) == len(preds) == len(scores)):
                raise HarnessError(f"{path}:{lineno}: response/pred/score lengths differ")
            prompt = [{"role": "system", "content": row.get("system", "")},
                      {"role": "user", "content": row.get("question", row.get("query", ""))}]
            doc_id = str(row.get("idx", lineno - 1))
            cands = [Candidate(task, doc_id, i, prompt, t, p, bool(s))
                     for i, (t, p, s) in enumerate(zip(texts, preds, scores))]
            docs.append(DocCandidates(task, doc_id, str(row.get("answer", row.get("gt", ""))), cands,
                                      {"level": str(row.get("level", ""))}))
            rewards.append([float(x[0]) if isinstance(x, list) else float(x) for x in row.get("pred_score", [])])
    return docs, rewards
