"""A task from a YAML file, scored from predictions made elsewhere (replay), end to end."""

import shutil

from harness.cli import main
from harness.results import load_results, load_samples

from tests.conftest import FIXTURES

ARITH = FIXTURES / "core" / "arith"


def test_yaml_task_with_replay_predictions(tmp_path, capsys):
    out = tmp_path / "run"
    rc = main(["run", "--model", f"replay:{ARITH / 'predictions.jsonl'}", "--tasks", str(ARITH / "task.yaml"),
               "--output", str(out), "--no-progress"])
    assert rc == 0
    res = load_results(out)
    tr = res.tasks["arith-demo"]
    assert tr.metrics["accuracy"].value == 2 / 3 and tr.n_docs == 3
    assert tr.breakdown["kind"]["add"]["accuracy"].value == 1.0
    assert tr.breakdown["kind"]["mul"]["accuracy"].value == 0.0
    assert tr.config["scorer"] == "math" and len(tr.prompt_hash) == 16
    assert str(ARITH / "rows.jsonl") in tr.data_files
    recs = {r.doc_id: r for r in load_samples(out, "arith-demo")}
    assert recs["a3"].record["extracted"] == ["0.75"] and recs["a3"].values["accuracy"] == 1.0
    assert recs["a1"].prompt[-1]["content"].startswith("Compute 2 + 3.")
    assert res.model.backend == "replay" and res.model.files


def test_rescore_from_store_needs_no_model(tmp_path):
    out = tmp_path / "run"
    preds = tmp_path / "p.jsonl"
    shutil.copy(ARITH / "predictions.jsonl", preds)
    assert main(["run", "--model", f"replay:{preds}", "--tasks", str(ARITH / "task.yaml"), "--output", str(out),
                 "--no-progress"]) == 0
    preds.unlink()  # the predictions are gone: score must answer from the store alone
    assert main(["score", str(out)]) == 0
    assert load_results(out).tasks["arith-demo"].metrics["accuracy"].value == 2 / 3
    assert load_results(out).timing.generations_cached == 3


def test_missing_prediction_is_an_error_unless_allowed_and_the_rest_scored(tmp_path, capsys):
    preds = tmp_path / "p.jsonl"
    lines = (ARITH / "predictions.jsonl").read_text().splitlines()
    preds.write_text("\n".join(lines[:2]) + "\n")
    out = tmp_path / "run"
    argv = ["run", "--model", f"replay:{preds}", "--tasks", str(ARITH / "task.yaml"), "--output", str(out),
            "--no-progress"]
    assert main(argv) == 2  # a partial score must not pass for a full one
    got = capsys.readouterr()
    tr = load_results(out).tasks["arith-demo"]  # the work is kept: scored over what the file answers
    assert tr.n_docs == 2 and tr.failed_docs == 1 and tr.docs_total == 3
    assert "2 of 3 documents scored" in got.out and "have no answer in the replay file" in got.out
    errors = [line for line in got.err.splitlines() if line.startswith("error:")]
    assert got.err.endswith("\n") and errors == [got.err.splitlines()[-1]]  # one line, the last
    assert errors[0].startswith("error: 1 document(s) of arith-demo have no answer in p.jsonl")
    assert "run again" not in got.out + got.err  # running again cannot fill a replay file
    assert main(argv + ["--allow-missing"]) == 0
    assert "2 of 3 documents scored" in capsys.readouterr().out


def _one_line_error(capsys, argv) -> str:
    rc = main(argv)
    err = capsys.readouterr().err.strip()
    assert rc == 2
    assert err.startswith("error: ") and "\n" not in err and "Traceback" not in err
    return err


def test_bad_input_gets_one_line_errors(tmp_path, capsys):
    task = str(ARITH / "task.yaml")
    assert "unknown task 'math50'" in _one_line_error(capsys, ["run", "--model", "hf:x/y", "--tasks", "math50"])
    assert "did you mean math500" in _one_line_error(capsys, ["tasks", "show", "math50"])
    err = _one_line_error(capsys, ["run", "--model", "/no/such/model", "--tasks", task, "--output", str(tmp_path / "r")])
    assert "/no/such/model" in err
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"task": "arith-demo", "doc_id": "a1", "outputs": "not a list"}\n')
    assert "bad.jsonl:1" in _one_line_error(capsys, ["run", "--model", f"replay:{bad}", "--tasks", task,
                                                     "--output", str(tmp_path / "r2")])
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: x\ndata: [unclosed\n")
    assert "not valid YAML" in _one_line_error(capsys, ["run", "--model", "replay:x", "--tasks", str(broken)])
    assert "dataset file" in _one_line_error(capsys, ["run", "--model", "replay:x", "--tasks", "math",
                                                      "--data-dir", str(tmp_path)])
    assert "does not answer" in _one_line_error(capsys, ["run", "--model", "openai:http://127.0.0.1:9/v1", "--tasks",
                                                         task, "--output", str(tmp_path / "r3")])
    empty = tmp_path / "empty-model"
    empty.mkdir()
    assert "no config.json" in _one_line_error(capsys, ["run", "--model", f"hf:{empty}", "--tasks", task,
                                                        "--output", str(tmp_path / "r4")])


def test_results_show_and_compare(tmp_path, capsys):
    runs = []
    for name, lines in (("a", None), ("b", 1)):
        preds = tmp_path / f"{name}.jsonl"
        rows = (ARITH / "predictions.jsonl").read_text().splitlines()
        if lines is not None:  # model b gets a2 right
            rows[lines] = '{"task": "arith-demo", "doc_id": "a2", "outputs": ["\\\\boxed{42}"]}'
        preds.write_text("\n".join(rows) + "\n")
        out = tmp_path / name
        assert main(["run", "--model", f"replay:{preds}", "--tasks", str(ARITH / "task.yaml"), "--output", str(out),
                     "--no-progress"]) == 0
        runs.append(out)
    capsys.readouterr()
    assert main(["results", "show", str(runs[0]), "--by", "kind"]) == 0
    shown = capsys.readouterr().out
    assert "66.67" in shown and "accuracy by kind" in shown
    assert main(["results", "compare", str(runs[0]), str(runs[1])]) == 0
    cmp = capsys.readouterr().out
    assert "66.67" in cmp and "100.00" in cmp and "+33.33" in cmp


def test_tasks_show_renders_a_prompt(capsys):
    assert main(["tasks", "show", "math500", "--prompt", "3"]) == 0
    out = capsys.readouterr().out
    assert "document: test/number_theory/572.json" in out
    assert "How many positive whole-number divisors does 196 have?" in out
    assert "\\boxed{}" in out and "prompt hash:" in out
