"""`harness sandbox check`: the command's parser and a real run on fixture problems."""

from __future__ import annotations

import argparse
import json

import pytest

from tasks.cruxeval_x.check import add_check_command, main, register_cli


def test_check_command_registers_under_a_sandbox_parser():
    parser = argparse.ArgumentParser(prog="harness")
    sub = parser.add_subparsers(dest="command")
    sandbox = sub.add_parser("sandbox").add_subparsers(dest="sandbox_command")
    add_check_command(sandbox)
    register_cli(sub)
    args = parser.parse_args(["sandbox", "check", "--tasks", "cruxeval-x", "--limit", "5", "--kind", "bwrap",
                              "--languages", "cpp,java", "--repeat", "3"])
    assert (args.tasks, args.limit, args.kind, args.languages, args.repeat) == ("cruxeval-x", 5, "bwrap", "cpp,java", 3)
    assert callable(args.func)
    assert parser.parse_args(["sandbox-check"]).tasks == "cruxeval-x"


def test_register_cli_attaches_to_the_sandbox_command():
    import sandboxes.cli

    parser = argparse.ArgumentParser(prog="harness")
    sub = parser.add_subparsers(dest="command")
    sandboxes.cli.register_cli(sub)
    register_cli(sub)
    args = parser.parse_args(["sandbox", "check", "--languages", "py", "--programs", "gold"])
    assert args.func.__name__ == "run_check" and args.programs == "gold"
    assert parser.parse_args(["sandbox", "build"]).func.__name__ != "run_check"


def test_unknown_task_is_one_line_error(capsys):
    assert main(["--tasks", "no-such-task"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: unknown task 'no-such-task'") and len(err.strip().splitlines()) == 1


def test_check_runs_reference_and_gold_programs(fixture_dir, sandbox_pool, tmp_path, capsys):
    box, why = sandbox_pool.for_language("py")
    if box is None:
        pytest.skip(f"no sandbox can run py here: {why}")
    report = tmp_path / "check.json"
    rc = main(["--tasks", "cruxeval-x-output-py,cruxeval-output", "--data-dir", str(fixture_dir), "--kind", box.kind,
               "--limit", "3", "--repeat", "2", "--report", str(report)])
    out = capsys.readouterr().out
    assert rc == 0, out
    assert "py               3/3     100.00%" in out and "cruxeval-output" in out
    data = json.loads(report.read_text())
    assert data["languages"]["py"] == {"n": 3, "passed": 3, "seconds": data["languages"]["py"]["seconds"],
                                       "failing": {}, "unexpected": [], "flaky": {}}
    assert main(["--tasks", "cruxeval-x-input-py", "--data-dir", str(fixture_dir), "--kind", box.kind,
                 "--programs", "gold"]) == 0
    assert "py:input         3/3" in capsys.readouterr().out


def test_languages_without_toolchain_are_skipped_with_the_reason(fixture_dir, sandbox_pool, capsys):
    box, why = sandbox_pool.for_language("py")
    if box is None:
        pytest.skip(f"no sandbox can run py here: {why}")
    if box.unavailable("jl") is None:
        pytest.skip(f"this machine's {box.kind} sandbox has Julia; the skip path needs a language it lacks")
    rc = main(["--tasks", "cruxeval-x-output-py,cruxeval-x-output-jl", "--data-dir", str(fixture_dir),
               "--kind", box.kind, "--limit", "1"])
    out = capsys.readouterr().out
    assert rc == 0, out
    assert "jl           skipped: no Julia" in out and "julia:1.10" in out
    assert "py               1/1" in out and "skipped: jl" in out.splitlines()[-1]
    assert main(["--tasks", "cruxeval-x-output-jl", "--data-dir", str(fixture_dir), "--kind", box.kind]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: the {box.kind} sandbox can run none of the languages") and len(err.strip().splitlines()) == 1
