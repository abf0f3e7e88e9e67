"""The real model end to end on CRUXEval-X: SmolLM2 through vLLM (the session's engine) answers one
output-prediction problem in every language a sandbox can run here, the run scores them in that
sandbox kind, and each stored verdict equals what the sandbox says when the stored answer's
program is run again on its own."""

from __future__ import annotations

import pytest

from harness.evaluate import RunConfig, evaluate
from harness.results import load_samples
from harness.task import ScoringContext
from sandboxes.base import Reason
from tasks.cruxeval.execution import run_attempts
from tasks.cruxeval_x.data import load_problems
from tasks.cruxeval_x.languages import LANGUAGE_CODES
from tasks.cruxeval_x.task import CruxEvalXTask

pytestmark = pytest.mark.slow
VERDICTS = {r.value for r in Reason if r is not Reason.SANDBOX_ERROR} | {"rejected"}


def runnable_languages(pool) -> tuple[str, list[str]]:
    """The kind that runs Python here, and every language that kind can run."""
    box, why = pool.for_language("py")
    if box is None:
        pytest.skip(f"no sandbox can run programs here: {why}")
    kind = box.describe()["kind"]
    langs = [lang for lang in LANGUAGE_CODES
             if (b := pool.for_language(lang)[0]) is not None and b.describe()["kind"] == kind]
    return kind, langs


def test_smollm2_through_vllm_on_every_language(vllm_backend, sandbox_pool, fixture_dir, tmp_path):
    kind, langs = runnable_languages(sandbox_pool)
    tasks = ",".join(f"cruxeval-x-output-{lang}" for lang in langs)
    cfg = RunConfig(model="vllm:smollm2-135m-instruct", tasks=tasks, limit=1, max_tokens=64,
                    data_dir=str(fixture_dir), scoring_options={"sandbox": kind})
    run = evaluate(cfg, tmp_path, backends={"model": vllm_backend}, progress=False)

    assert run.timing.generations_new == len(langs)
    recorded = run.provenance.sandbox.get("images") or run.provenance.sandbox.get("toolchains") or {}
    box = sandbox_pool.for_language("py")[0]
    ran = set()  # languages whose answer reached the sandbox (a rejected answer is never run)
    for lang in langs:
        name = f"cruxeval-x-output-{lang}"
        tr = run.tasks[name]
        assert tr.n_docs == 1 and tr.failed_docs == 0, name
        assert tr.metrics["sandbox_error"].value == 0.0, name  # the sandbox ran every program
        assert 0.0 <= tr.metrics["pass@1"].value <= 1.0
        (rec,) = load_samples(tmp_path, name)
        assert f"```{lang}\n" in rec.prompt and "[/ANSWER]" not in rec.outputs[0]  # stop honoured
        (sample,) = rec.record["samples"]
        assert sample["verdict"] in VERDICTS, (name, sample)
        if sample["verdict"] != "rejected":
            ran.add(lang)
        assert rec.values["pass@1"] == (1.0 if sample["passed"] else 0.0)
        # the same answer judged again, outside the run, gets the same verdict
        task = CruxEvalXTask(lang, "output")
        problem = next(p for p in load_problems(fixture_dir, lang) if str(p.id) == str(rec.record["id"]))
        again = task.attempt(problem, rec.outputs[0])
        run_attempts([again], ScoringContext(resources={"sandbox": box}))
        if "timeout" not in (again.reason, sample["verdict"]):  # a timeout depends on the load then
            assert (again.passed, again.reason) == (sample["passed"], sample["verdict"]), (name, sample, again.detail)
    assert ran and set(recorded) >= ran, run.provenance.sandbox  # image digests or toolchain versions
