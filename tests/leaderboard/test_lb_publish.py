"""Publishing runs to a git repository (a local bare one here), and the other CLI commands."""

from __future__ import annotations

import io
import json
import subprocess
import threading
import urllib.request

import pandas as pd
import pytest

from lb_synth import write_family_runs
from leaderboard.cli import main, make_server
from leaderboard.publish import publish


def git(*args, cwd=None) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


def test_publish_twice_to_a_bare_repository(tmp_path, capsys):
    results = tmp_path / "results"
    write_family_runs(results, small=True)
    runs = sorted(p for p in results.iterdir() if p.is_dir())
    bare = tmp_path / "board.git"
    git("init", "--quiet", "--bare", "--initial-branch=main", str(bare))

    assert main(["leaderboard", "publish", str(runs[0]), "--to", str(bare)]) == 0
    first = publish(runs[1], str(bare))
    assert first.commit is not None and first.branch == "main"

    log = git("log", "--format=%H %s", "main", cwd=bare).splitlines()
    assert len(log) == 2
    assert log[0].startswith(first.commit) and f"Add run {runs[1].name}" in log[0]
    assert f"Add run {runs[0].name}" in log[1]
    files = git("ls-tree", "-r", "--name-only", "main", cwd=bare).splitlines()
    for run in runs[:2]:
        assert f"runs/{run.name}/results.json" in files
        assert f"runs/{run.name}/samples/math500.jsonl" in files
    assert "site/index.html" in files and "site/bench/math500.html" in files
    # the first commit's site knew one model, the rebuilt one knows both
    old_index = git("show", f"{log[1].split()[0]}:site/index.html", cwd=bare)
    new_index = git("show", "main:site/index.html", cwd=bare)
    assert old_index.count('data-entry="') == 1 and new_index.count('data-entry="') == 2
    assert "alpha-7b" in new_index and "beta-3b" in new_index

    again = publish(runs[1], str(bare))  # the same run again: nothing to commit
    assert again.commit is None
    assert len(git("log", "--format=%H", "main", cwd=bare).splitlines()) == 2
    assert "Add run" not in capsys.readouterr().err


def test_publish_reports_a_missing_repository_in_one_line(tmp_path, capsys):
    results = tmp_path / "results"
    write_family_runs(results, small=True)
    run = next(p for p in results.iterdir() if p.is_dir())
    rc = main(["leaderboard", "publish", str(run), "--to", str(tmp_path / "nowhere.git")])
    err = capsys.readouterr().err.strip()
    assert rc == 2 and len(err.splitlines()) == 1 and "git clone failed" in err


def test_export_formats(tmp_path, capsys):
    results = tmp_path / "results"
    write_family_runs(results, small=True)
    n_metrics = sum(len(t["metrics"]) for p in results.glob("*/results.json")
                    for t in json.loads(p.read_text())["tasks"].values())
    assert main(["leaderboard", "export", str(results), "--format", "csv"]) == 0
    frame = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert len(frame) == n_metrics
    for col in ("entry", "task", "version", "metric", "value", "ci_low", "ci_high", "n", "prompt_hash",
                "harness_version", "backend", "backend_version", "model_revision", "sandbox", "date"):
        assert col in frame.columns
    row = frame[(frame.entry == "alpha-7b") & (frame.task == "math500") & (frame.metric == "accuracy")].iloc[0]
    raw = json.loads((results / "family-alpha-7b" / "results.json").read_text())["tasks"]["math500"]["metrics"]
    assert row.value == pytest.approx(raw["accuracy"]["value"]) and row.n == raw["accuracy"]["n"]

    out = tmp_path / "scores.json"
    assert main(["leaderboard", "export", str(results), "--format", "json", "--out", str(out)]) == 0
    assert len(json.loads(out.read_text())) == n_metrics
    assert main(["leaderboard", "export", str(results), "--format", "markdown"]) == 0
    md = capsys.readouterr().out.splitlines()
    assert md[0].startswith("| entry") and len(md) == n_metrics + 2


def test_serve_answers_on_loopback(tmp_path):
    results = tmp_path / "results"
    write_family_runs(results, small=True)
    assert main(["leaderboard", "build", str(results), "--out", str(tmp_path / "site")]) == 0
    server = make_server(tmp_path / "site", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        assert host == "127.0.0.1"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/bench/math500.html", timeout=10) as resp:
            assert resp.status == 200 and b"math500 v1" in resp.read()
    finally:
        server.shutdown()
        server.server_close()
    assert main(["leaderboard", "serve", str(tmp_path / "nothing")]) == 2
