"""Best-of-N on a thinking model's run: candidates are the answer parts (their answers extracted
from those), the thinking rides along, and a step-tag PRM splits its steps in the reasoning
only when asked (`part=reasoning`). No model is loaded."""

from __future__ import annotations

import json

import pytest

from harness.cli import main
from harness.errors import HarnessError
from harness.rerank.answers import checker_for
from harness.rerank.candidates import from_run_dir
from harness.rerank.prm import StepTagPRM
from harness.rerank.spec import parse_spec

DOC = "test/number_theory/572.json"  # gold 9
OUTPUTS = [
    "<think>Step 1: try 8.\n\nStep 2: 8 fails, so \\boxed{8} is out.</think>\n\nThe answer is \\boxed{9}.",
    "<think>Step 1: guess \\boxed{9}.\n\nStep 2: no, it must be</think>\n\nSo \\boxed{7}.",
]


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("bon")
    replay = tmp / "thinker.jsonl"
    replay.write_text(json.dumps({"task": "math500", "doc_id": DOC, "outputs": OUTPUTS}) + "\n")
    (tmp / "bundled").mkdir()
    main(["run", "--model", f"replay:{replay}", "--tasks", "math500", "--limit", "4", "--samples", "2",
          "--temperature", "0.5", "--data-dir", str(tmp / "bundled"), "--output", str(tmp / "run"), "--no-progress"])
    return tmp / "run"


def test_candidates_are_the_answer_parts(run_dir):
    (doc,) = [d for d in from_run_dir(run_dir, "math500", checker_for("math500")) if d.doc_id == DOC]
    assert [c.text for c in doc.candidates] == ["The answer is \\boxed{9}.", "So \\boxed{7}."]
    assert [c.answer for c in doc.candidates] == ["9", "7"] and [c.correct for c in doc.candidates] == [True, False]
    assert doc.candidates[1].reasoning.startswith("Step 1: guess \\boxed{9}.")


def test_prm_steps_on_the_reasoning_only_when_asked(run_dir, smollm2_path):
    (doc,) = [d for d in from_run_dir(run_dir, "math500", checker_for("math500")) if d.doc_id == DOC]
    c = doc.candidates[0]
    on_answer = StepTagPRM(parse_spec("prm:smollm2-135m-instruct"))
    on_thought = StepTagPRM(parse_spec("prm:smollm2-135m-instruct,part=reasoning"))
    text, ends = on_answer.tagged_input(c)
    assert "The answer is \\boxed{9}. ки" in text and "Step 1" not in text and len(ends) == 1
    text, ends = on_thought.tagged_input(c)
    assert "Step 1: try 8. ки" in text and "Step 2:" in text and "The answer is" not in text and len(ends) == 2
    assert on_answer.fingerprint() != on_thought.fingerprint()
    with pytest.raises(HarnessError, match="part=thinking is not one of answer, reasoning"):
        StepTagPRM(parse_spec("prm:smollm2-135m-instruct,part=thinking"))
