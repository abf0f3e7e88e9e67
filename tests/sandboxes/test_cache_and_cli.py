"""The verdict cache, the language table, the factory and the CLI."""

from __future__ import annotations

import argparse
import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest

from harness.errors import HarnessError
from sandboxes import LANGUAGES, Program, get_language, get_sandbox
from sandboxes.build import debian_mirror, group_packages
from sandboxes.cache import VerdictCache
from sandboxes.languages import debian_languages, parse_languages

REPO = Path(__file__).resolve().parents[2]
DATA = Path(__import__("os").environ.get("HARNESS_DATA_DIR", REPO.parent / "shared" / "data"))


def test_table_covers_the_dataset_languages():
    folder = DATA / "cruxeval-x" / "datasets" / "cruxeval_preprocessed"
    if not folder.is_dir():
        pytest.skip(f"no CRUXEval-X data at {folder}")
    assert {p.stem for p in folder.glob("*.jsonl")} == set(LANGUAGES)
    assert len(debian_languages()) == 17 and {"jl", "swift"}.isdisjoint(debian_languages())


def test_aliases_resolve():
    assert get_language("python").key == "py"
    assert get_language("C++").key == "cpp"
    assert get_language("racket").key == "rkt"
    assert parse_languages("java,bash") == ["java", "sh"]
    with pytest.raises(HarnessError, match="unknown language"):
        get_language("cobol")


def test_images_install_every_debian_package():
    for key in debian_languages():
        spec = LANGUAGES[key]
        if spec.image != "base":
            assert set(spec.debian_packages) <= set(group_packages(spec.image))
    assert debian_mirror().startswith("http")


def test_cache_returns_the_stored_verdict_until_the_commands_change(tmp_path, monkeypatch):
    from sandboxes.bwrap import BwrapSandbox
    try:
        sandbox = BwrapSandbox(cache=VerdictCache(tmp_path / "v.sqlite"))
    except HarnessError as exc:
        pytest.skip(str(exc))
    program = Program("py", {"main.py": "print('hi')"})
    first = sandbox.run(program)
    second = sandbox.run(program)
    assert first.passed and second.passed and second.meta.get("cached") is True
    assert not first.meta.get("cached")
    # a new flag in the language's run command: the old verdict no longer applies
    monkeypatch.setitem(LANGUAGES, "py", dataclasses.replace(LANGUAGES["py"], run=("python3", "-B", "main.py")))
    third = sandbox.run(program)
    assert third.passed and not third.meta.get("cached")


def test_unknown_kind_is_one_line_error():
    with pytest.raises(HarnessError, match="unknown sandbox kind"):
        get_sandbox("vm")


def test_cli_run_prints_the_verdict(tmp_path):
    source = tmp_path / "prog.py"
    source.write_text("assert 1 + 1 == 3\n")
    code = ("import argparse, sys\nfrom sandboxes.cli import register_cli\n"
            "p = argparse.ArgumentParser(); s = p.add_subparsers()\nregister_cli(s)\n"
            "a = p.parse_args(sys.argv[1:]); sys.exit(a.func(a))\n")
    result = subprocess.run([sys.executable, "-c", code, "sandbox", "run", "--language", "python",
                             str(source), "--kind", "bwrap", "--no-cache"],
                            capture_output=True, text=True, cwd=REPO, timeout=120)
    if "cannot run" in result.stderr:
        pytest.skip(result.stderr.strip())
    assert result.returncode == 1
    assert result.stdout.startswith("FAIL runtime_error")
    assert "AssertionError" in result.stderr


def test_register_cli_returns_the_subcommands():
    parser = argparse.ArgumentParser()
    from sandboxes.cli import register_cli
    commands = register_cli(parser.add_subparsers())
    commands.add_parser("check")  # other areas add theirs
    args = parser.parse_args(["sandbox", "run", "--language", "java", "x.java"])
    assert args.language == "java" and callable(args.func)
