"""Per-benchmark pages follow the data: breakdown keys, metric names and the family view config."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from lb_htmltables import page_tables, provenance_panels, table_dict
from leaderboard.fmt import fmt_ci, fmt_value
from leaderboard.site import build_site
from leaderboard.views import curve_points

MODELS = ["alpha-7b", "beta-3b", "gamma-1b"]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from lb_synth import write_family_runs

    tmp = tmp_path_factory.mktemp("views")
    family_runs = tmp / "results"
    write_family_runs(family_runs)
    site = tmp / "site"
    build_site(family_runs, site)  # once for the module: the pages are only read below
    results = {m: json.loads((family_runs / f"family-{m}" / "results.json").read_text()) for m in MODELS}
    return family_runs, site, results


def tables_of(site: Path, task: str) -> dict[str, dict]:
    return {t["id"]: t for t in page_tables((site / "bench" / f"{task}.html").read_text()) if t["id"]}


def test_math_breakdown_by_subject_and_level_and_best_of_n(built):
    _, site, results = built
    tables = tables_of(site, "math500")
    by_subject = table_dict(tables["breakdown-math500-v1-subject-1"])
    by_level = table_dict(tables["breakdown-math500-v1-level-1"])
    for m in MODELS:
        bd = results[m]["tasks"]["math500"]["breakdown"]
        for subject, metrics in bd["subject"].items():
            assert by_subject[m][subject] == fmt_value(metrics["accuracy"]["value"])
        assert list(by_level[m])[1:] == [f"Level {i}" for i in range(1, 6)]  # natural order
        assert by_level[m]["Level 3"] == fmt_value(bd["level"]["Level 3"]["accuracy"]["value"])
    svg = (site / "plots" / "math500-v1" / "best-of-n.svg").read_text()
    for m in MODELS:
        assert f"{m}: maj" in svg and f"{m}: rm" in svg


def test_curve_points_from_metric_names_and_extra():
    from harness.results import MetricValue

    metrics = {"pass@1": MetricValue(value=0.3), "pass@4": MetricValue(value=0.5), "maj@8": MetricValue(value=0.4),
               "accuracy": MetricValue(value=0.3)}
    curves = curve_points(metrics, {"best_of_n": {"rm": {"1": 0.3, "8": {"value": 0.6}}}})
    assert curves == {"pass": {1: 0.3, 4: 0.5}, "rm": {1: 0.3, 8: 0.6}}  # maj has one point: no curve


def family_tables(site: Path, family: str) -> list[dict]:
    return page_tables((site / "bench" / f"family-{family}.html").read_text())


def test_cruxeval_x_family_tables_heatmaps_and_language_correlation(built):
    root, site, results = built
    langs, modes = ["cpp", "java", "py", "rs"], ["input", "output"]

    def score(m, mode, lang):
        return results[m]["tasks"][f"cruxeval-x-{mode}-{lang}"]["metrics"]["pass@1"]["value"]

    tables = {t["id"]: t for t in family_tables(site, "cruxeval-x") if t["id"]}
    for k, mode in enumerate(modes, start=1):
        t = tables[f"family-table-{k}"]
        assert t["head"][1:] == langs
        rows = table_dict(t)
        for m in MODELS:
            assert [rows[m][lang] for lang in langs] == [fmt_value(score(m, mode, lang)) for lang in langs]
    for m in MODELS:
        svg = (site / "plots" / "family-cruxeval-x" / f"heatmap-{m}.svg").read_text()
        assert f">{score(m, 'input', 'rs'):.2f}<" in svg and f">{score(m, 'output', 'cpp'):.2f}<" in svg
    # language-by-language Pearson correlation over the three models (mean of the two modes)
    mat = np.array([[np.mean([score(m, mode, lang) for mode in modes]) for lang in langs] for m in MODELS])
    corr = np.corrcoef(mat.T)
    svg = (site / "plots" / "family-cruxeval-x" / "correlation.svg").read_text()
    assert f">{corr[0, 1]:.2f}<" in svg and f">{corr[2, 3]:.2f}<" in svg
    # family ranking: mean over the 8 tasks, its interval from the members' standard errors and
    # n = their documents; the paired test pools every member's documents
    ranking = table_dict(tables["family-ranking"], key="model")
    means = {m: np.mean([score(m, mode, lang) for mode in modes for lang in langs]) for m in MODELS}
    shown = {}
    for m in MODELS:
        mvs = [results[m]["tasks"][f"cruxeval-x-{mode}-{lang}"]["metrics"]["pass@1"] for mode in modes for lang in langs]
        half = 1.959963984540054 * np.sqrt(sum(mv["stderr"] ** 2 for mv in mvs)) / len(mvs)
        shown[m] = f"{fmt_value(means[m])}{fmt_ci(means[m] - half, means[m] + half)} n={sum(mv['n'] for mv in mvs)}"
        assert ranking[m]["mean"] == shown[m] and ranking[m]["member tasks"] == "8/8"
    best, second = sorted(MODELS, key=means.get, reverse=True)[:2]
    pooled = {}
    for m in (best, second):
        for line in (root / f"family-{m}" / "samples").glob("cruxeval-x-*.jsonl"):
            for rec in map(json.loads, line.read_text().splitlines()):
                pooled.setdefault(m, {})[f"{line.stem}/{rec['doc_id']}"] = rec["values"]["pass@1"]
    a_only = sum(pooled[best][d] == 1 and pooled[second][d] == 0 for d in pooled[best])
    b_only = sum(pooled[best][d] == 0 and pooled[second][d] == 1 for d in pooled[best])
    from scipy.stats import binomtest

    p = binomtest(a_only, a_only + b_only).pvalue
    group = ranking[second]["tie group"]  # the second row: tied with the best, or below it
    assert (group.startswith(f"≈ {best}") and p >= 0.05) or (group.startswith(f"< {best}") and p < 0.05)
    assert f"{p:.3f}" in group or (p < 0.001 and "<0.001" in group)
    assert ranking[best]["rank"] == "1" and ranking[second]["rank"] == ("1" if p >= 0.05 else "2")
    # the overview shows the family as one column, with the family page's rank, interval and n
    overview = next(t for t in page_tables((site / "index.html").read_text()) if t["id"] == "overview")
    col = next(i for i, h in enumerate(overview["head"]) if h.startswith("CRUXEval-X"))
    row = next(r for r in overview["rows"] if r[0].startswith(best))
    value, ci_n = shown[best].split("[")
    assert row[col] == f"{value} #1[{ci_n} 8/8 tasks"
    assert not any(h.startswith("cruxeval-x-") for h in overview["head"])


def test_readoc_columns_per_subset(built):
    _, site, results = built
    from lb_synth import READOC_COLUMNS, READOC_GITHUB_COLUMNS

    tables = {t["id"]: t for t in family_tables(site, "readoc") if t["id"]}
    for k, (subset, cols) in enumerate([("arxiv", READOC_COLUMNS), ("github", READOC_GITHUB_COLUMNS)], start=1):
        t = tables[f"family-table-{k}"]
        assert t["head"][1:] == cols + ["average"]
        rows = table_dict(t)
        for m in MODELS:
            mv = results[m]["tasks"][f"readoc-{subset}"]["metrics"]
            assert [rows[m][c] for c in cols + ["average"]] == [fmt_value(mv[c]["value"]) for c in cols + ["average"]]


def test_a_family_added_in_leaderboard_json_gets_sample_heatmaps(tmp_path):
    import lb_synth as synth

    root = tmp_path / "results"
    for i, (name, skill) in enumerate([("a", 0.8), ("b", 0.5), ("c", 0.3)]):
        scores = synth.crux_scores(skill, i)
        synth.write_run(root, name, synth.model_info(name), {"toy": (synth.task_result("toy", scores), scores)})
    (root / "leaderboard.json").write_text(json.dumps({"families": [
        {"name": "Toy", "match": "^toy$", "primary": ["pass@1"], "heatmap": ["language", "mode"],
         "correlation": "language", "description": "a toy family"}]}))
    build_site(root, tmp_path / "site")
    page = (tmp_path / "site" / "bench" / "toy.html").read_text()
    assert "Toy: a toy family" in page and "Pearson correlation over 3 models" in page
    svg = (tmp_path / "site" / "plots" / "toy-v1" / "heatmap-a.svg").read_text()
    recs = [json.loads(x) for x in (root / "a" / "samples" / "toy.jsonl").read_text().splitlines()]
    cell = np.mean([r["values"]["pass@1"] for r in recs if r["groups"] == {"language": "rust", "mode": "input"}])
    assert f">{cell:.2f}<" in svg


def test_teval_abilities_and_proactive_five_rates_per_split(built):
    _, site, results = built
    t = next(t for t in family_tables(site, "t-eval") if t["id"] == "family-table-1")
    assert t["head"][1:] == ["instruct", "plan/json", "plan/str", "review"]
    rows = table_dict(t)
    for m in MODELS:
        assert rows[m]["plan/json"] == fmt_value(results[m]["tasks"]["teval-plan-json"]["metrics"]["score"]["value"])
    tables = tables_of(site, "proactivebench")
    ranking = tables["ranking-proactivebench-v1"]
    assert ranking["head"][3:8] == ["f1", "recall", "precision", "accuracy", "false_alarm"]
    for i, split in enumerate(["real_average", "real_coding", "real_writing"], start=1):
        t = tables[f"breakdown-proactivebench-v1-split-{i}"]
        assert t["head"][1:6] == ["recall", "precision", "accuracy", "false_alarm", "f1"]
        assert "tp (count)" in t["head"]  # counts are declared counts, not percentages
        rows = table_dict(t)
        for m in MODELS:
            mv = results[m]["tasks"]["proactivebench"]["breakdown"]["split"][split]
            assert rows[m]["f1"] == fmt_value(mv["f1"]["value"])
            assert rows[m]["tp (count)"] == fmt_value(mv["tp"]["value"], pct=False)
    # no per-sample f1 exists: the pairs are reported untested, not invented
    pairs = tables["pairs-proactivebench-v1"]
    assert all(row[5] == "no per-document f1 values" for row in pairs["rows"])


def test_provenance_in_a_panel_per_row_and_sandboxes_only_where_programs_ran(built):
    _, site, results = built
    for task in ("math500", "cruxeval-x-input-py", "readoc-arxiv", "teval-review", "proactivebench"):
        html = (site / "bench" / f"{task}.html").read_text()
        t = tables_of(site, task)[f"ranking-{task}-v1"]
        assert t["head"][:3] == ["rank", "model", "tie group"]  # no provenance columns
        panels = provenance_panels(html, f"ranking-{task}-v1")
        assert len(panels) == len(t["rows"]) == 3
        for slug, panel in panels.items():
            r = results[slug]
            tr = r["tasks"][task]
            assert panel["run"] == r["run_id"] and panel["task version"] == tr["version"]
            assert panel["prompt hash"] == tr["prompt_hash"]
            assert panel["backend"] == f"{r['model']['backend']} {r['model']['backend_version']}"
            assert panel["model revision"] == r["model"]["revision"]
            assert panel["date"] == r["provenance"]["created_at"]
            assert panel["harness"].startswith(r["provenance"]["harness_version"])
            digest = r["provenance"]["sandbox"]["images"]["cruxeval-x"]
            if task.startswith("cruxeval"):
                assert digest in panel["sandbox"]
            else:
                assert not any(k.startswith("sandbox") for k in panel) and digest not in html
    # the overview's panel lists the sandbox once, for the tasks that ran programs
    panel = provenance_panels((site / "index.html").read_text(), "overview")["alpha-7b"]
    (label, text), = [(k, v) for k, v in panel.items() if k.startswith("sandbox")]
    assert label.startswith("sandbox of cruxeval-x-") and "more" in label and "sha256:" in text


def test_a_run_that_does_not_say_which_task_ran_programs_says_so(tmp_path):
    import lb_synth as synth

    scores = synth.math_scores(0.5, 0, n=8)
    tasks = {name: (synth.task_result(name, scores), scores) for name in ("math500", "other")}
    synth.write_run(tmp_path / "results", "old", synth.model_info("m"), tasks, sandbox={"kind": "bwrap"})
    build_site(tmp_path / "results", tmp_path / "site")
    panel = provenance_panels((tmp_path / "site" / "bench" / "math500.html").read_text(), "ranking-math500-v1")["m"]
    (label,) = [k for k in panel if k.startswith("sandbox")]
    assert "does not say which of its tasks ran programs" in label


def test_units_are_declared_not_read_from_the_values(tmp_path):
    """One negative value does not turn a % column raw; an unknown metric stays raw even in [0, 1];
    a result's own declaration (extra["units"]) wins."""
    import lb_synth as synth
    from harness.task import SampleScore

    root = tmp_path / "results"
    for i, name in enumerate(("a", "b")):
        scores = [SampleScore(doc_id=f"d{j}", values={"accuracy": 0.5 - i, "bleu": 0.25, "delta": 0.1})
                  for j in range(4)]
        tr = synth.task_result("toy", scores, extra={"units": {"delta": "%"}})
        synth.write_run(root, name, synth.model_info(name), {"toy": (tr, scores)})
    build_site(root, tmp_path / "site")
    t = tables_of(tmp_path / "site", "toy")["ranking-toy-v1"]
    assert t["head"][3:] == ["accuracy", "bleu (raw)", "delta"]
    rows = table_dict(t, key="model")
    assert rows["b"]["accuracy"].startswith("-50.0") and rows["a"]["bleu (raw)"] == "0.25"
    assert rows["a"]["delta"] == "10.0"
