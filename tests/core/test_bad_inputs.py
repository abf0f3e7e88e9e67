"""Bad input through the CLI: each case is one line on stderr naming the problem and the fix,
exit status 2, never a traceback, and no finished work lost (issue 17)."""

from __future__ import annotations

import http.server
import json
import shutil
import sys
import threading
from pathlib import Path

import pytest

from harness.cli import main
from harness.results import load_results
from harness.store import STORE_FILE
from tests.conftest import FIXTURES

ARITH = FIXTURES / "core" / "arith"
ROWS = [{"id": "fr", "country": "France", "target": "Paris", "region": "Europe"},
        {"id": "jp", "country": "Japan", "target": "Tokyo", "region": "Asia"}]


def one_line_error(capsys, argv: list[str]) -> str:
    """Run the CLI; it must exit 2 with exactly one line on stderr: `error: PROBLEM (FIX)`."""
    try:
        rc = main(argv)
    except SystemExit as e:  # argparse's own errors
        rc = e.code
    got = capsys.readouterr()
    errors = [line for line in got.err.splitlines() if line.startswith("error:")]
    assert rc == 2, (argv, got.err)
    assert "Traceback" not in got.err + got.out, got.err
    assert len(errors) == 1 and got.err.rstrip("\n").splitlines()[-1] == errors[0], got.err
    assert errors[0].endswith(")"), f"no fix named: {errors[0]}"  # `... (what to do)`
    return errors[0]


def yaml_task(tmp_path: Path, name: str, body: str, rows=ROWS) -> str:
    d = tmp_path / name
    d.mkdir()
    (d / "rows.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (d / "task.yaml").write_text(body)
    return str(d / "task.yaml")


GOOD = 'name: capitals\ndata: rows.jsonl\nprompt: "Capital of {{ country }}?"\nscorer: exact_match\nanswer_field: target\n'


@pytest.fixture
def run_args(tmp_path):
    """`harness run` on the arith YAML task with its replay predictions."""
    def make(*extra: str, output: Path | None = None) -> list[str]:
        return ["run", "--model", f"replay:{ARITH / 'predictions.jsonl'}", "--tasks", str(ARITH / "task.yaml"),
                "--output", str(output or tmp_path / "run"), "--no-progress", *extra]
    return make


@pytest.mark.parametrize("extra, expected", [
    (["--limit", "0"], "--limit 0 asks for no documents per task"),
    (["--limit", "-1"], "--limit -1 asks for no documents per task"),
    (["--max-tokens", "0"], "--max-tokens 0"),
    (["--samples", "0"], "--samples 0"),
    (["--temperature", "-0.5"], "--temperature -0.5 is negative"),
    (["--top-p", "1.5"], "--top-p 1.5 is outside (0, 1]"),
    (["--spread"], "--spread needs --limit N"),
    (["--limit", "abc"], "argument --limit: invalid int value: 'abc'"),
    (["--score-option", "sandbox"], "--score-option 'sandbox' is not KEY=VALUE"),
    (["--executor", "local", "--replicas", "2"], "--replicas 2 needs a distributed executor"),
])
def test_bad_run_options(capsys, run_args, tmp_path, extra, expected):
    assert expected in one_line_error(capsys, run_args(*extra))
    assert not (tmp_path / "run").exists()  # nothing left behind by a command that did nothing


def test_output_that_cannot_be_a_directory(capsys, run_args, tmp_path):
    a_file = tmp_path / "results.txt"
    a_file.write_text("mine")
    assert "is a file, not a directory" in one_line_error(capsys, run_args(output=a_file))
    assert a_file.read_text() == "mine"
    # /proc takes no new directories, even from root (a read-only place for any user)
    assert "cannot create the run directory" in one_line_error(capsys, run_args(output=Path("/proc/harness-test/run")))


@pytest.mark.parametrize("name, body, expected", [
    ("typo", GOOD.replace("{{ country }}", "{{ contry }}"), "the prompt template fails on document fr: 'contry' is undefined"),
    ("syntax", GOOD.replace("{{ country }}", "{{ country }"), "the prompt template has a syntax error at line 1"),
    ("noscorer", GOOD.replace("scorer: exact_match\n", ""), "scorer: missing"),
    ("gold", GOOD.replace("answer_field: target", "answer_field: gold"), "the documents have no field 'gold'"),
    ("nogold", GOOD.replace("answer_field: target\n", ""), "the documents have no field 'answer'"),
    ("norm", GOOD + "normalize: [upper]\n", "normalize: unknown step upper"),
    ("key", GOOD + "scorers: math\n", "scorers: Extra inputs are not permitted"),
    ("sampling", GOOD + "sampling: {max_token: 5}\n", "sampling.max_token"),
    ("notyaml", "name: x\ndata: [unclosed\n", "is not valid YAML at line"),
    ("list", "- name: x\n", "a task file is a mapping of keys"),
    ("scorer", GOOD.replace("exact_match", "exakt"), "unknown scorer 'exakt'"),
    ("both", GOOD + "template: prompt.j2\n", "needs exactly one of `template:`"),
])
def test_bad_yaml_tasks_fail_when_they_load(capsys, tmp_path, name, body, expected):
    task = yaml_task(tmp_path, name, body)
    out = tmp_path / "run"
    err = one_line_error(capsys, ["run", "--model", f"replay:{ARITH / 'predictions.jsonl'}", "--tasks", task,
                                  "--output", str(out)])
    assert expected in err
    assert not out.exists()  # said before anything ran


def test_unknown_task_and_missing_files(capsys, tmp_path, run_args):
    assert "did you mean math500" in one_line_error(capsys, ["run", "--model", "replay:x.jsonl", "--tasks", "math50"])
    assert "does not exist" in one_line_error(capsys, ["run", "--model", "replay:x.jsonl", "--tasks",
                                                       str(tmp_path / "nope.yaml")])
    assert "predictions file" in one_line_error(capsys, ["run", "--model", f"replay:{tmp_path / 'nope.jsonl'}",
                                                          "--tasks", str(ARITH / "task.yaml"), "--output", str(tmp_path / "r")])
    bad = tmp_path / "bad.jsonl"
    bad.write_text("not json\n")
    assert "bad.jsonl:1 is not a valid prediction line" in one_line_error(
        capsys, ["run", "--model", f"replay:{bad}", "--tasks", str(ARITH / "task.yaml"), "--output", str(tmp_path / "r")])
    assert "no results file" in one_line_error(capsys, ["results", "show", str(tmp_path)])
    assert "is not a run directory" in one_line_error(capsys, ["score", str(tmp_path)])
    assert "out of range" in one_line_error(capsys, ["tasks", "show", "math500", "--prompt", "99999"])


def test_incomplete_replay_keeps_its_work(capsys, tmp_path):
    preds = tmp_path / "p.jsonl"
    preds.write_text("".join((ARITH / "predictions.jsonl").read_text().splitlines(keepends=True)[:2]))
    out = tmp_path / "run"
    err = one_line_error(capsys, ["run", "--model", f"replay:{preds}", "--tasks", str(ARITH / "task.yaml"),
                                  "--output", str(out), "--no-progress"])
    assert "1 document(s) of arith-demo have no answer in p.jsonl" in err and "--allow-missing" in err
    tr = load_results(out).tasks["arith-demo"]
    assert tr.n_docs == 2 and tr.failed_docs == 1  # scored what it had, and said so


def test_disk_full_while_writing_results_keeps_the_generations(capsys, tmp_path, run_args):
    out = tmp_path / "run"
    out.mkdir()
    (out / "results.json.tmp").symlink_to("/dev/full")  # every write there: ENOSPC, as on a full disk
    err = one_line_error(capsys, run_args(output=out))
    assert "No space left on device" in err and f"harness score {out}" in err
    assert len((out / "store" / STORE_FILE).read_text().splitlines()) == 3  # all three generations kept
    (out / "results.json.tmp").unlink()
    assert main(["score", str(out)]) == 0  # the fix the line names works, without the model
    assert load_results(out).tasks["arith-demo"].metrics["accuracy"].value == 2 / 3


class _Server:
    """A local HTTP server answering every request with one fixed (status, content type, body)."""

    def __init__(self, status: int, ctype: str, body: bytes):
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_POST = do_GET

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.mark.parametrize("status, ctype, body, expected", [
    (500, "text/plain", b"Internal Server Error: CUDA out of memory", "answered HTTP 500 to GET"),
    (200, "text/html", b"<html><body>Welcome to nginx</body></html>", "with something that is not JSON (text/html"),
    (200, "application/json", b'{"object": "error"}', "without a model list"),
])
def test_openai_server_errors_are_worded_as_they_are(capsys, tmp_path, status, ctype, body, expected):
    server = _Server(status, ctype, body)
    try:
        err = one_line_error(capsys, ["run", "--model", f"openai:{server.url}", "--tasks", str(ARITH / "task.yaml"),
                                      "--output", str(tmp_path / "r")])
    finally:
        server.close()
    assert expected in err and "does not answer" not in err


def test_openai_server_that_is_not_there(capsys, tmp_path):
    err = one_line_error(capsys, ["run", "--model", "openai:http://127.0.0.1:9/v1", "--tasks", str(ARITH / "task.yaml"),
                                  "--output", str(tmp_path / "r")])
    assert "does not answer" in err


def test_a_task_whose_extra_is_missing(capsys, monkeypatch, tmp_path):
    """Without json5 (the proactivebench extra) only the ProactiveBench tasks are unavailable."""
    monkeypatch.setitem(sys.modules, "json5", None)  # `import json5` now fails as if not installed
    for mod in [m for m in sys.modules if m.startswith("tasks.proactivebench.")]:
        monkeypatch.delitem(sys.modules, mod)
    err = one_line_error(capsys, ["run", "--model", "replay:x.jsonl", "--tasks", "proactivebench-judge",
                                  "--output", str(tmp_path / "r")])
    assert "the Python package json5 is not installed" in err and "[proactivebench]" in err
    assert main(["tasks", "list"]) == 0
    listed = capsys.readouterr().out
    assert "proactivebench-judge             unavailable:" in listed and "math500                          v1" in listed


def test_argparse_errors_are_one_line_too(capsys):
    assert "invalid choice: 'rnu'" in one_line_error(capsys, ["rnu"])
    assert "the following arguments are required: --tasks" in one_line_error(capsys, ["run", "--model", "x"])


def test_the_checks_leave_the_good_task_working(capsys, tmp_path):
    """The same YAML task without the mistakes runs: gold from `target`, normalised."""
    task = yaml_task(tmp_path, "good", GOOD + "normalize: [lower, punctuation]\n")
    preds = tmp_path / "p.jsonl"
    preds.write_text('{"task": "capitals", "doc_id": "fr", "outputs": ["paris."]}\n'
                     '{"task": "capitals", "doc_id": "jp", "outputs": ["Kyoto"]}\n')
    out = tmp_path / "run"
    assert main(["run", "--model", f"replay:{preds}", "--tasks", task, "--output", str(out), "--no-progress"]) == 0
    tr = load_results(out).tasks["capitals"]
    assert tr.metrics["accuracy"].value == 0.5 and tr.config["answer_field"] == "target"
    shutil.rmtree(out)
