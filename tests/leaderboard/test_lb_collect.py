"""Reading result trees: bad files are named and left out, versions never mix, runs group into rows."""

from __future__ import annotations

import json

import lb_synth as synth
from harness.results import load_results
from leaderboard.cli import main
from leaderboard.collect import TaskKey, collect
from leaderboard.site import build_site


def _one_model_run(root, run_id, name="m", version="1", temperature=0.0, created="2026-11-20T10:00:00+00:00",
                   task="math500", seed=0):
    scores = synth.math_scores(0.6, seed, n=20)
    tr = synth.task_result(task, scores, version=version,
                           sampling={"temperature": temperature, "top_p": 1.0, "max_tokens": 512, "n": 1})
    return synth.write_run(root, run_id, synth.model_info(name), {task: (tr, scores)}, created_at=created)


def test_bad_files_are_reported_by_name_and_the_build_completes(tmp_path, capsys):
    root = tmp_path / "results"
    _one_model_run(root, "good")
    (root / "not-json").mkdir()
    (root / "not-json" / "results.json").write_text("{ this is not json")
    (root / "wrong-schema").mkdir()
    (root / "wrong-schema" / "results.json").write_text(json.dumps({"run_id": "x", "tasks": {}}))
    bad_version = _one_model_run(root, "future", name="other", version="7")
    (root / "leaderboard.json").write_text(json.dumps({"known_versions": {"math500": ["1"]}}))

    rc = main(["leaderboard", "build", str(root), "--out", str(tmp_path / "site")])
    err = capsys.readouterr().err
    assert rc == 0
    assert "not-json/results.json" in err and "Invalid JSON" in err
    assert "wrong-schema/results.json" in err and "does not match the results schema" in err
    assert str(bad_version / "results.json") in err and "unknown version '7'" in err
    index = (tmp_path / "site" / "index.html").read_text()
    assert "3 result file(s) or task result(s) were left out" in index
    runs_page = (tmp_path / "site" / "runs.html").read_text()
    assert "wrong-schema/results.json" in runs_page and "unknown version" in runs_page
    # the good run is on the site
    board = collect(root)
    assert [e.label for e in board.entries] == ["m"]
    assert rc == 0 and main(["leaderboard", "build", str(root), "--out", str(tmp_path / "s2"), "--strict"]) == 1


def test_broken_sample_records_leave_the_scores_but_no_test(tmp_path):
    root = tmp_path / "results"
    a = _one_model_run(root, "a", name="a")
    _one_model_run(root, "b", name="b", seed=1)
    (a / "samples" / "math500.jsonl").write_text('{"task": "math500"}\n')
    board = collect(root)
    cell = board.entries[[e.label for e in board.entries].index("a")].cells[TaskKey("math500", "1")]
    assert cell.samples is None and "do not match the schema" in cell.samples_error
    report = build_site(root, tmp_path / "site")
    page = (tmp_path / "site" / "bench" / "math500.html").read_text()
    assert "no sample records" in page  # the pair is untested, and says why
    assert report.n_entries == 2


def test_task_versions_are_never_ranked_together(tmp_path):
    root = tmp_path / "results"
    _one_model_run(root, "old", name="a", version="1")
    _one_model_run(root, "new", name="b", version="2", seed=3)
    build_site(root, tmp_path / "site")
    page = (tmp_path / "site" / "bench" / "math500.html").read_text()
    assert 'id="ranking-math500-v1"' in page and 'id="ranking-math500-v2"' in page
    assert "ranked in their own section, never together with version 1" in page
    v1 = page.split('id="ranking-math500-v1"')[1].split("</table>")[0]
    assert 'data-entry="a"' in v1 and 'data-entry="b"' not in v1
    index = (tmp_path / "site" / "index.html").read_text()
    assert "math500 has results from versions 1, 2" in index


def test_results_graded_by_another_scorer_are_ranked_apart(tmp_path):
    """Same task version (same generations), new grading rules: a result written before the scorer
    changed (no scorer_version) is never ranked with one graded by scorer 2."""
    root = tmp_path / "results"
    _one_model_run(root, "old-grading", name="a")
    new = _one_model_run(root, "new-grading", name="b", seed=3)
    res = load_results(new)
    res.tasks["math500"].scorer_version = "2"
    (new / "results.json").write_text(res.model_dump_json())
    board = collect(root)
    keys = {k for e in board.entries for k in e.cells}
    assert keys == {TaskKey("math500", "1"), TaskKey("math500", "1-scorer2")}
    build_site(root, tmp_path / "site")
    page = (tmp_path / "site" / "bench" / "math500.html").read_text()
    v1 = page.split('id="ranking-math500-v1"')[1].split("</table>")[0]
    assert 'data-entry="a"' in v1 and 'data-entry="b"' not in v1
    assert 'id="ranking-math500-v1-scorer2"' in page


def test_runs_of_one_model_group_into_rows(tmp_path):
    root = tmp_path / "results"
    _one_model_run(root, "t0-old", temperature=0.0, created="2026-11-19T10:00:00+00:00")
    _one_model_run(root, "t0-new", temperature=0.0, created="2026-11-20T10:00:00+00:00", seed=5)
    _one_model_run(root, "t07", temperature=0.7, seed=6)
    _one_model_run(root, "crux", task="cruxeval_x", seed=7)  # another benchmark, same model: same row
    board = collect(root)
    labels = sorted(e.label for e in board.entries)
    assert labels == ["m (temperature=0.0)", "m (temperature=0.7)"]
    t0 = next(e for e in board.entries if e.label == "m (temperature=0.0)")
    assert t0.cells[TaskKey("math500", "1")].run.result.run_id == "t0-new"  # the newer result wins
    assert t0.superseded == ["t0-old [math500 v1]"]
    assert TaskKey("cruxeval_x", "1") in t0.cells
    assert load_results(root / "t0-new").run_id == "t0-new"


def test_build_refuses_to_replace_a_directory_that_is_not_a_site(tmp_path, capsys):
    root = tmp_path / "results"
    _one_model_run(root, "good")
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "thesis.tex").write_text("do not delete")
    assert main(["leaderboard", "build", str(root), "--out", str(precious)]) == 2
    assert "is not a leaderboard site" in capsys.readouterr().err
    assert (precious / "thesis.tex").exists()
    # a site made by a previous build is replaced
    assert main(["leaderboard", "build", str(root), "--out", str(tmp_path / "site")]) == 0
    assert main(["leaderboard", "build", str(root), "--out", str(tmp_path / "site")]) == 0
