"""The reward-model interface: score candidates into storable payloads, read a score back."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from harness.errors import HarnessError
from harness.rerank.candidates import Candidate
from harness.rerank.spec import RerankSpec
from harness.store import SampleStore


PARTS = ("answer", "reasoning")


class RewardModel(ABC):
    kind: str = ""

    def __init__(self, spec: RerankSpec):
        self.spec = spec
        #: which part of a thinking model's output is scored: the answer (default) or the reasoning
        self.part = spec.get("part", "answer")
        if self.part not in PARTS:
            raise HarnessError(f"part={self.part} is not one of {', '.join(PARTS)}",
                               "part=reasoning splits a PRM's steps in the thinking; part=answer scores the answer")

    def part_identity(self) -> tuple[str, ...]:
        """Goes into fingerprint(): empty for the answer, so earlier payloads stay valid."""
        return () if self.part == "answer" else (f"part={self.part}",)

    @abstractmethod
    def fingerprint(self) -> str:
        """Identity of what `score` computes (models, tokenisation, step splitting); options
        applied when reading a payload back (beta, aggregation) are left out, so changing
        them reuses the stored payloads."""

    #: whole-run scoring (the model keeps its own partial results in the store) instead of chunks
    scores_all_at_once: bool = False

    @abstractmethod
    def score(self, candidates: list[Candidate], store: SampleStore | None = None) -> list[dict[str, Any]]:
        """One JSON-able payload per candidate, in order."""

    @abstractmethod
    def response_score(self, payload: dict[str, Any]) -> float:
        """The scalar a best-of-N selection ranks by."""

    def describe(self) -> dict[str, Any]:
        return {"kind": self.kind, "spec": self.spec.text, "name": self.spec.name, "fingerprint": self.fingerprint()}

    def close(self) -> None:
        pass


def make_reward_model(spec: RerankSpec) -> RewardModel:
    if spec.kind == "implicit-prm":
        from harness.rerank.implicit_prm import ImplicitPRM

        return ImplicitPRM(spec)
    if spec.kind == "orm":
        from harness.rerank.orm import SequenceClassifierORM

        return SequenceClassifierORM(spec)
    from harness.rerank.prm import StepTagPRM

    return StepTagPRM(spec)
