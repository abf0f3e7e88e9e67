"""The built site in headless chromium: overview, a benchmark page and a comparison page show the
numbers of the result files, a column sorts by clicking, the differing-samples filter works."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lb_browser import chromium_session, full_page_screenshot
from leaderboard.fmt import fmt_value
from leaderboard.site import build_site


def read_json(path: Path):
    return json.loads(path.read_text())


def read_samples(run: Path, task: str) -> dict[str, dict]:
    return {r["doc_id"]: r for r in map(json.loads, (run / "samples" / f"{task}.jsonl").read_text().splitlines())}


def test_site_in_chromium(real_runs, tmp_path):
    from selenium.webdriver.common.by import By

    site = tmp_path / "site"
    build_site(real_runs, site)
    runs = {read_json(p)["run_id"]: read_json(p) for p in real_runs.glob("*/results.json")}
    run_dirs = {read_json(p)["run_id"]: p.parent for p in real_runs.glob("*/results.json")}
    task = sorted(next(iter(runs.values()))["tasks"])[0]
    shots = tmp_path / "screenshots"
    shots.mkdir()

    with chromium_session() as browser:
        # overview: one row per run, each score the headline metric of its results.json
        browser.get((site / "index.html").as_uri())
        table = browser.find_element(By.ID, "overview")
        heads = table.find_elements(By.CSS_SELECTOR, "thead th")
        col = next(i for i, h in enumerate(heads) if h.text.startswith(task))
        metric = heads[col].find_element(By.CSS_SELECTOR, ".metric").text.split(" ")[0]
        rows = table.find_elements(By.CSS_SELECTOR, "tbody tr")
        assert len(rows) == len(runs)
        shown, run_of = {}, {}
        for row in rows:
            label = row.find_element(By.CSS_SELECTOR, "td.model").text
            run_id = next(r for r in runs if r in label)
            run_of[row.get_attribute("data-entry")] = run_id
            cell = row.find_elements(By.TAG_NAME, "td")[col]
            mv = runs[run_id]["tasks"][task]["metrics"][metric]
            assert cell.find_element(By.CSS_SELECTOR, ".score").text == fmt_value(mv["value"])
            assert f"n={mv['n']}" in cell.text
            shown[run_id] = mv["value"]
        full_page_screenshot(browser, shots / "overview.png")

        # click the column: best first; click again: worst first
        heads[col].click()
        order = [float(td.get_attribute("data-sort")) for td in
                 browser.find_elements(By.CSS_SELECTOR, f"#overview tbody tr td:nth-child({col + 1})")]
        assert order == sorted(shown.values(), reverse=True)
        assert heads[col].get_attribute("aria-sort") == "descending"
        heads[col].click()
        order = [float(td.get_attribute("data-sort")) for td in
                 browser.find_elements(By.CSS_SELECTOR, f"#overview tbody tr td:nth-child({col + 1})")]
        assert order == sorted(shown.values())
        # the run dates always differ: sorting them moves rows
        date_col = next(i for i, h in enumerate(heads) if h.text == "date") + 1
        dates = sorted(r["provenance"]["created_at"] for r in runs.values())
        for want in (dates, dates[::-1]):
            heads[date_col - 1].click()
            got = [td.get_attribute("data-sort") for td in
                   browser.find_elements(By.CSS_SELECTOR, f"#overview tbody tr td:nth-child({date_col})")]
            assert got == want

        # benchmark page: ranking best first, the paired test recomputed from the sample files
        heads = browser.find_element(By.ID, "overview").find_elements(By.CSS_SELECTOR, "thead th")
        heads[col].find_element(By.TAG_NAME, "a").click()
        assert browser.current_url.split("#")[0].endswith(f"bench/{task}.html")
        ranking = browser.find_element(By.CSS_SELECTOR, "table.ranking")
        scores = [float(td.get_attribute("data-sort")) for td in
                  ranking.find_elements(By.CSS_SELECTOR, "tbody tr td:nth-child(4)")]
        assert scores == sorted(shown.values(), reverse=True)
        n_docs = {r["tasks"][task]["n_docs"] for r in runs.values()}
        notes = " ".join(n.text for n in browser.find_elements(By.CSS_SELECTOR, "p.note"))
        assert ("scored different numbers of documents" in notes) == (len(n_docs) > 1)
        pair_row = browser.find_element(By.CSS_SELECTOR, "table.pairs tbody tr")
        a_id, b_id = run_of[pair_row.get_attribute("data-a")], run_of[pair_row.get_attribute("data-b")]
        assert shown[a_id] >= shown[b_id]  # A is the better of the two
        pair = pair_row.find_elements(By.TAG_NAME, "td")
        sa, sb = read_samples(run_dirs[a_id], task), read_samples(run_dirs[b_id], task)
        shared = sorted(set(sa) & set(sb))
        a_only = sum(sa[d]["values"][metric] == 1 and sb[d]["values"][metric] == 0 for d in shared)
        b_only = sum(sa[d]["values"][metric] == 0 and sb[d]["values"][metric] == 1 for d in shared)
        assert pair[2].text == str(len(shared))
        assert f"({a_only} vs {b_only} discordant)" in pair[5].text
        from scipy.stats import binomtest

        p = 1.0 if a_only + b_only == 0 else binomtest(a_only, a_only + b_only).pvalue
        assert float(pair[4].get_attribute("data-sort")) == pytest.approx(p)
        full_page_screenshot(browser, shots / "benchmark.png")

        # the static comparison page (readable without JavaScript): every document, and the
        # filter keeps those whose verdicts differ
        pair[7].find_element(By.CSS_SELECTOR, "a.static-link").click()
        samples = browser.find_elements(By.CSS_SELECTOR, "#samples tbody tr")
        assert len(samples) == len(set(sa) | set(sb))
        differ = {d for d in shared if sa[d]["values"] != sb[d]["values"]}
        first = samples[0]
        doc = first.get_attribute("data-doc")
        words = " ".join(first.find_elements(By.TAG_NAME, "td")[2].text.split())
        assert " ".join(sa[doc]["outputs"][0].split())[:60] in words
        browser.find_element(By.ID, "only-differ").click()
        visible = {r.get_attribute("data-doc") for r in samples if r.is_displayed()}
        assert visible == differ
        assert browser.find_element(By.ID, "shown-count").text == f"{len(differ)} of {len(samples)} shown"
        full_page_screenshot(browser, shots / "comparison.png")
    for name in ("overview", "benchmark", "comparison"):
        assert (shots / f"{name}.png").stat().st_size > 10_000
