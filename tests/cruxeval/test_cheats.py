"""The cheating corpus (tasks/cruxeval_x/cheats.py, at least 3 per language for the 17 languages
with a toolchain, plus Python CRUXEval), run the way a user scores a model: `harness run --model
replay:FILE` in both sandbox kinds. Every cheat must fail or be rejected. Without the answer check
(a sample of languages, to keep CI short) the completion proof alone must still fail every cheat
that stops the program early; the README lists what only the answer check stops."""

from __future__ import annotations

import pytest

from harness.cli import main
from harness.results import load_results, load_samples
from harness.verdicts import verdict_counts
from tasks.cruxeval_x import cheats
from tasks.cruxeval_x.audit import prepare

#: cheats that end the program before its check: the completion proof fails them by itself
STOPS_EARLY = {"early_exit", "closure", "hidden_name", "unicode_escape", "interpolation", "kill_runner"}
GUARD_OFF_SAMPLE = ["py", "sh", "js", "php", "lua", "pl"]


def test_corpus_covers_every_language_three_times():
    from sandboxes.languages import debian_languages

    for lang in debian_languages():
        entries = cheats.CHEATS[lang]
        assert len(entries) >= 3, lang
        assert {"always_true"} <= {kind for _, kind, _ in entries}, lang
        assert {kind for _, kind, _ in entries} & (STOPS_EARLY | {"glob", "pipe", "disabled_check"}), lang


def replayed(tmp_path, fixture_dir, kind: str, guard: bool, languages: list[str]):
    """Every cheat's (task, class, sample record) after `harness run --model replay:`."""
    replay, data, tasks, samples, classes = prepare(fixture_dir, tmp_path / "in", languages, True)
    run_dir = tmp_path / f"run-{kind}-{guard}"
    code = main(["run", "--model", f"replay:{replay}", "--tasks", ",".join(tasks), "--limit", "1",
                 "--samples", str(samples), "--temperature", "1", "--data-dir", str(data),
                 "--score-option", f"sandbox={kind}", "--score-option", f"splice_guard={str(guard).lower()}",
                 "--output", str(run_dir), "--no-progress"])
    assert code == 0
    out = []
    for task in tasks:
        (record,) = load_samples(run_dir, task)
        for i, sample in enumerate(record.record["samples"]):
            if (task, i) in classes:
                out.append((task, classes[(task, i)], sample))
    assert len(out) == len(classes)
    return out, run_dir


@pytest.mark.parametrize("kind", ["bwrap", "docker"])
def test_every_cheat_fails_or_is_rejected(tmp_path, fixture_dir, sandbox_pool, kind):
    box = sandbox_pool._box(kind)
    if box is None:
        pytest.skip(f"{kind}: {sandbox_pool.errors.get(kind)}")
    results, run_dir = replayed(tmp_path, fixture_dir, kind, True, sorted(cheats.CHEATS))
    passed = [(task, cls, s["answer"]) for task, cls, s in results if s["passed"]]
    assert not passed
    assert all(s["verdict"] == "rejected" for _, _, s in results)
    # `harness results show RUN --by verdict` counts them per language
    counts, _ = verdict_counts(load_results(run_dir), run_dir)
    assert set(counts) == set(cheats.CHEATS) | set(cheats.CRUXEVAL_CHEATS)
    assert all(set(c) == {"rejected"} for c in counts.values())
    assert main(["results", "show", str(run_dir), "--by", "verdict"]) == 0


@pytest.mark.parametrize("kind", ["bwrap", "docker"])
def test_without_the_answer_check_the_proof_fails_every_early_stop(tmp_path, fixture_dir, sandbox_pool, kind):
    box = sandbox_pool._box(kind)
    if box is None:
        pytest.skip(f"{kind}: {sandbox_pool.errors.get(kind)}")
    results, _ = replayed(tmp_path, fixture_dir, kind, False, GUARD_OFF_SAMPLE)
    early = [(task, cls, s) for task, cls, s in results if cls in STOPS_EARLY]
    assert len(early) >= 15
    assert not [(t, c, s["answer"]) for t, c, s in early if s["passed"]]
    verdicts = {s["verdict"] for _, _, s in early}
    assert {"incomplete", "runner_killed"} <= verdicts  # stopped early, or killed the runner
    assert "sandbox_error" not in verdicts and "memory" not in verdicts
    # and the rest are real cheats: some pass when nothing checks the answer
    assert any(s["passed"] for _, cls, s in results if cls not in STOPS_EARLY)
