"""The sample browser and the any-pair comparison in headless chromium, over a site built from
twelve runs: two real MATH-500 runs, two real CRUXEval-X runs (sandbox verdicts and tracebacks,
one reached through a symlink), two real ProactiveBench runs (the agent loop with the judge's
calls), a T-Eval run with multi-turn prompts and reasoning, and a constructed ranking where the
old tie rule inverted scores. One browser session for the module."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import lb_synth as synth
from conftest import real_run_dirs
from lb_browser import chromium_session, full_page_screenshot
from leaderboard.browser import PAGE_SIZE
from leaderboard.site import build_site

FIXTURES = Path(__file__).parent.parent / "fixtures" / "leaderboard"


def records(run: Path, task: str) -> list[dict]:
    return [json.loads(x) for x in (run / "samples" / f"{task}.jsonl").read_text().splitlines()]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("browser")
    root = tmp / "results"
    for d in real_run_dirs() + sorted((FIXTURES / "proactivebench").glob("*-agent")):
        shutil.copytree(d, root / d.name)
    shutil.copytree(FIXTURES / "cruxeval-x" / "crux-careful", root / "crux-careful")
    shutil.copytree(FIXTURES / "cruxeval-x" / "crux-sloppy", tmp / "elsewhere" / "crux-sloppy")
    (root / "crux-sloppy").symlink_to(tmp / "elsewhere" / "crux-sloppy", target_is_directory=True)
    synth.tie_inversion_runs(root)
    synth.teval_chat_run(root)
    build_site(root, tmp / "site")
    shots = tmp / "screenshots"
    shots.mkdir()
    runs = {json.loads(p.read_text())["run_id"]: p.parent for p in root.glob("*/results.json")}
    return tmp / "site", runs, shots


@pytest.fixture(scope="module")
def browser():
    with chromium_session() as b:
        yield b


def wait_ready(browser, selector: str) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, 20).until(lambda b: b.execute_script(
        f"return document.querySelector('{selector}').getAttribute('data-ready') === '1'"))


def no_console_errors(browser) -> None:
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert not errors, errors


def shown(browser) -> list[str]:
    from selenium.webdriver.common.by import By

    return [a.get_attribute("data-doc") for a in browser.find_elements(By.CSS_SELECTOR, "#sample-list article.sample")]


def count_text(browser) -> str:
    from selenium.webdriver.common.by import By

    return browser.find_element(By.ID, "shown-count").text


def test_every_run_has_a_browser_page_per_task(site, browser):
    from selenium.webdriver.common.by import By

    site_dir, runs, shots = site
    assert len(runs) >= 6
    for run_id, run_dir in sorted(runs.items()):
        result = json.loads((run_dir / "results.json").read_text())
        browser.get((site_dir / "samples" / run_id / "index.html").as_uri())
        links = [a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, "#run-tasks a")
                 if a.text.startswith("browse")]
        assert len(links) == len(result["tasks"]), run_id
        for task in result["tasks"]:
            recs = records(run_dir, task)
            browser.get((site_dir / "samples" / run_id / f"{task}-v{result['tasks'][task]['version']}.html").as_uri())
            wait_ready(browser, "#sample-list")
            assert count_text(browser).startswith(f"{len(recs)} of {len(recs)} match")
            assert shown(browser) == sorted((r["doc_id"] for r in recs), key=_natural)[:PAGE_SIZE]
            no_console_errors(browser)


def _natural(text: str):
    import re

    return [(0, int(p)) if p.isdigit() else (1, p.lower()) for p in re.split(r"(\d+)", text)]


def test_filters_by_verdict_group_value_and_text(site, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    site_dir, runs, shots = site
    run_dir = runs["crux-sloppy-66e4d760"]
    recs = {r["doc_id"]: r for r in records(run_dir, "cruxeval-x-input-py")}
    browser.get((site_dir / "samples" / "crux-sloppy-66e4d760" / "cruxeval-x-input-py-v1.html").as_uri())
    wait_ready(browser, "#sample-list")
    Select(browser.find_element(By.ID, "f-verdict")).select_by_value("wrong")
    wait_ready(browser, "#sample-list")
    wrong = sorted(d for d, r in recs.items() if r["values"]["pass@1"] == 0)
    assert sorted(shown(browser)) == wrong and count_text(browser).startswith(f"{len(wrong)} of {len(recs)}")
    assert all("v-wrong" in a.get_attribute("class") for a in browser.find_elements(By.CSS_SELECTOR, "article.sample"))
    Select(browser.find_element(By.ID, "f-verdict")).select_by_value("")
    # a value filter: pass@1 > 0
    Select(browser.find_element(By.ID, "f-metric")).select_by_visible_text("pass@1")
    Select(browser.find_element(By.ID, "f-op")).select_by_value("gt")
    browser.find_element(By.ID, "f-num").send_keys("0")
    wait_ready(browser, "#sample-list")
    import time

    time.sleep(0.5)  # the number box waits for typing to pause
    wait_ready(browser, "#sample-list")
    assert sorted(shown(browser)) == sorted(d for d, r in recs.items() if r["values"]["pass@1"] > 0)
    Select(browser.find_element(By.ID, "f-op")).select_by_value("")
    # free text: the documents whose tracebacks say ZeroDivisionError
    box = browser.find_element(By.ID, "f-text")
    box.send_keys("ZeroDivisionError")
    time.sleep(0.5)
    wait_ready(browser, "#sample-list")
    want = sorted(d for d, r in recs.items() if "ZeroDivisionError" in json.dumps(r["record"]))
    assert want and sorted(shown(browser)) == want
    # the traceback is collapsed until opened, pre-formatted when it is
    stream = browser.find_element(By.CSS_SELECTOR, "article.sample details.stream")
    output = stream.find_element(By.XPATH, "ancestor::details[contains(@class, 'out')]")  # one of two outputs
    assert stream.get_attribute("open") is None and output.get_attribute("open") is None
    output.find_element(By.TAG_NAME, "summary").click()
    stream.find_element(By.TAG_NAME, "summary").click()
    assert "ZeroDivisionError" in stream.find_element(By.TAG_NAME, "pre").text
    full_page_screenshot(browser, shots / "browser-cruxeval-x.png")
    no_console_errors(browser)

    # a group filter on a real MATH-500 run
    run_id = next(r for r in runs if r.startswith("t1-"))
    recs = records(runs[run_id], "math500")
    browser.get((site_dir / "samples" / run_id / "math500-v1.html").as_uri())
    wait_ready(browser, "#sample-list")
    subject = recs[0]["groups"]["subject"]
    Select(browser.find_element(By.CSS_SELECTOR, ".f-group[data-key='0']")).select_by_visible_text(subject)
    wait_ready(browser, "#sample-list")
    assert sorted(shown(browser)) == sorted(r["doc_id"] for r in recs if r["groups"]["subject"] == subject)


def test_a_multi_turn_run_reads_as_a_conversation(site, browser):
    from selenium.webdriver.common.by import By

    site_dir, runs, shots = site
    recs = records(runs["eager-agent-b56e45cc"], "proactivebench")
    browser.get((site_dir / "samples" / "eager-agent-b56e45cc" / "proactivebench-v1.html").as_uri())
    wait_ready(browser, "#sample-list")
    for article, rec in zip(browser.find_elements(By.CSS_SELECTOR, "article.sample"), recs):
        steps = article.find_elements(By.CSS_SELECTOR, "li.step")
        events = rec["record"]["events"]
        assert len(steps) == len(events)
        for step, event in zip(steps, events):
            agent, judge = step.find_elements(By.CSS_SELECTOR, ".turn")
            assert "turn-judge" in judge.get_attribute("class")
            n = event["event"]
            assert agent.find_element(By.TAG_NAME, "pre").text == rec["extra_outputs"][f"event-{n:03d}"][0]
            assert judge.find_element(By.TAG_NAME, "pre").text == rec["extra_outputs"][f"judge-{n:03d}"][0]
            assert f"outcome {event['outcome']}" in step.find_element(By.CSS_SELECTOR, ".entry").text
    full_page_screenshot(browser, shots / "browser-proactivebench.png")
    # T-Eval: the multi-turn prompt as chat turns, reasoning apart from the answer
    browser.get((site_dir / "samples" / "teval-chat" / "teval-reason-str-v1.html").as_uri())
    wait_ready(browser, "#sample-list")
    first = browser.find_element(By.CSS_SELECTOR, "article.sample")
    first.find_element(By.CSS_SELECTOR, "details.prompt summary").click()
    roles = [r.text.lower() for r in first.find_elements(By.CSS_SELECTOR, "li.msg .role")]
    assert roles == ["system", "user", "assistant", "function"]
    first.find_element(By.CSS_SELECTOR, "details.reasoning summary").click()
    rec = records(runs["teval-chat"], "teval-reason-str")[0]
    assert first.find_element(By.CSS_SELECTOR, "details.reasoning pre").text == rec["reasoning"][0]
    assert first.find_element(By.CSS_SELECTOR, "pre.output-text").text == rec["outputs"][0]
    full_page_screenshot(browser, shots / "browser-teval.png")
    no_console_errors(browser)


def test_any_two_rows_compare_and_ranks_agree_with_the_overview(site, browser):
    from scipy.stats import binomtest
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    site_dir, runs, shots = site
    # the overview's rank of each row on toy-rank is the benchmark page's; scores never invert
    browser.get((site_dir / "index.html").as_uri())
    heads = browser.find_elements(By.CSS_SELECTOR, "#overview thead th")
    col = next(i for i, h in enumerate(heads) if h.text.startswith("toy-rank"))
    overview = {}
    for row in browser.find_elements(By.CSS_SELECTOR, "#overview tbody tr"):
        cell = row.find_elements(By.TAG_NAME, "td")[col]
        badge = cell.find_elements(By.CSS_SELECTOR, ".rank-badge")
        if badge:
            overview[row.get_attribute("data-entry")] = int(badge[0].text.lstrip("#"))
        if row.get_attribute("data-entry") == "tie-solo":  # alone on its benchmark: no mean rank
            assert "(alone)" in row.find_elements(By.TAG_NAME, "td")[1].text
    full_page_screenshot(browser, shots / "overview.png")
    heads[col].find_element(By.TAG_NAME, "a").click()
    page = {}
    scores = {}
    for row in browser.find_elements(By.CSS_SELECTOR, "table.ranking tbody tr"):
        page[row.get_attribute("data-entry")] = int(row.get_attribute("data-rank"))
        scores[row.get_attribute("data-entry")] = float(row.find_elements(By.TAG_NAME, "td")[3].get_attribute("data-sort"))
    assert page == overview == {"tie-lead": 1, "tie-second": 2, "tie-short": 2}
    order = sorted(page, key=scores.get, reverse=True)
    assert [page[e] for e in order] == sorted(page.values())
    # the old rule would have ranked tie-short first: nothing beats it significantly
    acc = {e: {r["doc_id"]: r["values"]["accuracy"] for r in records(runs[e], "toy-rank")} for e in page}

    def mcnemar(a, b):
        shared = set(acc[a]) & set(acc[b])
        x = sum(acc[a][d] > acc[b][d] for d in shared)
        y = sum(acc[a][d] < acc[b][d] for d in shared)
        return binomtest(x, x + y).pvalue, x, y, len(shared)

    assert mcnemar("tie-lead", "tie-second")[0] < 0.05
    assert mcnemar("tie-lead", "tie-short")[0] >= 0.05 and mcnemar("tie-second", "tie-short")[0] >= 0.05
    tie_note = browser.find_element(By.CSS_SELECTOR, "tr[data-entry='tie-short'] td.tie").text
    assert tie_note.startswith("≈ tie-second")
    assert "lower score never ranks above a higher one" in browser.find_element(By.CSS_SELECTOR, "p.rule").text

    # any pair, not only neighbours: lead against short, picked in the form
    form = browser.find_element(By.CSS_SELECTOR, "form.pick-pair")
    Select(form.find_element(By.NAME, "a")).select_by_value("tie-lead")
    Select(form.find_element(By.NAME, "b")).select_by_value("tie-short")
    form.find_element(By.TAG_NAME, "button").click()
    wait_ready(browser, "table#samples")
    p, x, y, n_shared = mcnemar("tie-lead", "tie-short")
    line = browser.find_element(By.ID, "test-line").text
    assert line.startswith(f"{n_shared} shared documents") and f"p = {p:.3f}" in line
    assert f"{x} vs {y} discordant" in line
    assert count_text(browser).startswith(f"{len(set(acc['tie-lead']) | set(acc['tie-short']))} of ")
    browser.find_element(By.ID, "only-differ").click()
    wait_ready(browser, "table#samples")
    differ = sorted(d for d in set(acc["tie-lead"]) & set(acc["tie-short"]) if acc["tie-lead"][d] != acc["tie-short"][d])
    rows = browser.find_elements(By.CSS_SELECTOR, "table#samples tbody tr")
    assert sorted(r.get_attribute("data-doc") for r in rows) == differ
    assert count_text(browser).startswith(f"{len(differ)} of ")
    no_console_errors(browser)

    # CRUXEval-X through the same page: records read as key/value, tracebacks pre-formatted
    browser.get((site_dir / "pair.html").as_uri() + "?key=cruxeval-x-input-py-v1&a=crux-careful&b=crux-sloppy")
    wait_ready(browser, "table#samples")
    table = browser.find_element(By.ID, "samples")
    assert "{'" not in table.text and "Traceback" not in table.text  # collapsed until opened
    stream = table.find_element(By.CSS_SELECTOR, "details.stream")
    stream.find_element(By.XPATH, "ancestor::details[contains(@class, 'out')]/summary").click()
    stream.find_element(By.TAG_NAME, "summary").click()
    pre = stream.find_element(By.TAG_NAME, "pre")
    assert pre.value_of_css_property("white-space") == "pre-wrap" and "Error" in pre.text
    box = table.find_element(By.CSS_SELECTOR, "td.side-cell").rect
    assert box["width"] < 560  # the cell keeps its column: nothing overflows sideways
    full_page_screenshot(browser, shots / "pair-cruxeval-x.png")
    no_console_errors(browser)
    for name in ("overview", "pair-cruxeval-x", "browser-cruxeval-x", "browser-proactivebench", "browser-teval"):
        assert (shots / f"{name}.png").stat().st_size > 10_000
