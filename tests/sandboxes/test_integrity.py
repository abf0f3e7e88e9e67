"""Verdict integrity and secrets, in both sandbox kinds: the completion proof, the runner a program
cannot read or kill unnoticed, a launcher environment no language can see, duplicate programs run
once."""

from __future__ import annotations

import uuid

import pytest

from sandboxes import LANGUAGES, Limits, Program, Reason
from sandboxes.languages import with_proof

FAST = Limits(timeout_s=10, memory_mb=512, output_bytes=64 * 1024)
COMPILED = Limits(timeout_s=20, compile_timeout_s=240, memory_mb=1024, output_bytes=64 * 1024)  # a loaded machine


def proof_program(source: str, language: str = "py") -> Program:
    spec = LANGUAGES[language]
    return Program(language, {spec.source_file: with_proof(language, source, len(source))}, limits=FAST,
                   proof=True)


def test_exit_status_alone_never_passes(sandbox):
    honest = proof_program("x = [1, 2]\nassert sum(x) == 3\nprint('checked')\n")
    early = proof_program("import os\nos._exit(0)\nassert 1 == 2\n")
    exec_true = proof_program("import os\nos.execv('/bin/true', ['true'])\n")
    signal_zero = proof_program("import sys\nsys.exit()\n")
    plain = Program("py", {"main.py": "import os\nos._exit(0)\n"}, limits=FAST)  # no proof asked
    v_honest, v_early, v_exec, v_sys, v_plain = sandbox.run_many([honest, early, exec_true, signal_zero, plain])
    assert v_honest.passed and v_honest.stdout == "checked\n", v_honest  # stdout as the program wrote it
    for v in (v_early, v_exec, v_sys):
        assert not v.passed and v.reason is Reason.INCOMPLETE and v.exit_code == 0, v
    assert v_plain.passed  # programs that do not ask for the proof keep the exit-status rule


def test_the_secret_is_nowhere_a_program_can_look_before_the_end(sandbox):
    """Before reading its own proof channel, the program searches every place a hostile answer
    could: its environment, its files, every /proc/*/{environ,cmdline} and the runner's memory.
    Then it reads the secret and reports whether any of those held it."""
    code = r'''
import os, re
seen = []
for pid in [p for p in os.listdir('/proc') if p.isdigit()]:
    for part in ('environ', 'cmdline'):
        try:
            seen.append(open(f'/proc/{pid}/{part}', 'rb').read())
        except OSError:
            pass
for root, _, files in os.walk('.'):
    for name in files:
        seen.append(open(os.path.join(root, name), 'rb').read())
seen.append(repr(dict(os.environ)).encode())
blocked = []
for what in ('mem', 'environ', 'fd/0'):
    try:
        with open(f'/proc/{os.getppid()}/{what}', 'rb') as handle:
            handle.read(1)
    except OSError:
        blocked.append(what)
secret = os.read(3, 64).strip()
os.write(4, secret + b'\n')
print('LEAK' if any(secret in blob for blob in seen) else 'clean', len(seen), 'blocked:', ','.join(blocked))
'''
    verdict = sandbox.run(proof_program(code))
    assert verdict.passed, verdict
    words = verdict.stdout.split()
    assert words[0] == "clean" and int(words[1]) >= 3, verdict.stdout
    assert words[-1] == "mem,environ,fd/0", verdict.stdout  # the runner is not dumpable


def test_a_program_that_kills_its_runner_gets_that_verdict(sandbox):
    for program in (Program("sh", {"main.sh": "kill -9 -1\necho survived\n"}, limits=FAST),
                    proof_program("import os, signal\nos.kill(-1, signal.SIGKILL)\n")):
        verdict = sandbox.run(program)
        assert not verdict.passed and verdict.reason is Reason.RUNNER_KILLED, verdict
        assert "killed the sandbox's runner" in verdict.detail
    after = sandbox.run(proof_program("assert True\n"))
    assert after.passed, after  # the next program runs in a clean place


#: per language: print the program's environment, as the language sees it
ENV_DUMPS = {
    "cpp": "#include <cstdio>\nextern char **environ;\nint main() { for (char **e = environ; *e; e++) puts(*e); }\n",
    "cs": ("class Problem { static void Main() { foreach (System.Collections.DictionaryEntry e in "
           "System.Environment.GetEnvironmentVariables()) System.Console.WriteLine(e.Key + \"=\" + e.Value); } }\n"),
    "d": "import std.stdio, std.process;\nvoid main() { foreach (k, v; environment.toAA) writeln(k, \"=\", v); }\n",
    "go": ("package f_test\nimport (\"os\"; \"testing\")\n"
           "func TestF(t *testing.T) { t.Fatalf(\"%v\", os.Environ()) }\n"),  # go test prints a failing test's output
    "java": "public class Problem { public static void main(String[] a) { System.out.println(System.getenv()); } }\n",
    "js": "console.log(JSON.stringify(process.env));\n",
    "ts": "declare var process: any;\nconsole.log(JSON.stringify(process.env));\n",
    "lua": "print(io.open('/proc/self/environ'):read('a'))\n",
    "pl": "print \"$_=$ENV{$_}\\n\" for keys %ENV;\n",
    "php": "<?php print_r(getenv());\n",
    "py": "import os\nprint(dict(os.environ))\n",
    "r": "print(Sys.getenv())\n",
    "rb": "puts ENV.to_h\n",
    "rkt": ("#lang racket\n(for ([n (environment-variables-names (current-environment-variables))])\n"
            "  (printf \"~a=~a\\n\" n (environment-variables-ref (current-environment-variables) n)))\n"),
    "rs": "fn main() { for (k, v) in std::env::vars() { println!(\"{}={}\", k, v); } }\n",
    "scala": "object Problem { def main(a: Array[String]) = println(sys.env) }\n",
    "sh": "env\n",
}
#: and what any process of the sandbox can read of the others: every /proc/*/{environ,cmdline}
PROC_SCAN = "for f in /proc/[0-9]*/environ /proc/[0-9]*/cmdline; do tr '\\0' '\\n' < \"$f\"; done 2>/dev/null\necho SCANNED\n"


def test_no_language_sees_the_launchers_environment(sandbox, monkeypatch):
    """A secret exported in the harness's own environment (an API key, a token) reaches no
    program of any language: not its environment, not any /proc entry it can read."""
    sentinel = f"sentinel-{uuid.uuid4().hex}"
    monkeypatch.setenv("HARNESS_TEST_SENTINEL", sentinel)
    monkeypatch.setenv("OPENAI_API_KEY", sentinel)
    languages = [lang for lang in ENV_DUMPS if not sandbox.unavailable(lang)]
    assert "py" in languages and "sh" in languages
    programs = [Program(lang, {LANGUAGES[lang].source_file: ENV_DUMPS[lang]}, limits=COMPILED) for lang in languages]
    programs.append(Program("sh", {"main.sh": PROC_SCAN}, limits=FAST))
    verdicts = sandbox.run_many(programs)
    for lang, verdict in zip(languages + ["sh /proc scan"], verdicts):
        assert sentinel not in verdict.stdout + verdict.stderr, lang
        assert "PATH" in verdict.stdout + verdict.stderr or lang == "sh /proc scan", (lang, verdict)
    assert verdicts[-1].stdout.rstrip().endswith("SCANNED") and "PATH=" in verdicts[-1].stdout


def test_identical_programs_run_once(sandbox):
    counter = Program("py", {"main.py": "import os\nprint(os.getpid())\n"}, limits=FAST)
    other = Program("py", {"main.py": "print('other')\n"}, limits=FAST)
    verdicts = sandbox.run_many([counter, other, counter, counter])
    assert [v.passed for v in verdicts] == [True] * 4
    assert verdicts[0].stdout == verdicts[2].stdout == verdicts[3].stdout  # one run, one pid
    assert [bool(v.meta.get("duplicate")) for v in verdicts] == [False, False, True, True]
    assert verdicts[2] is not verdicts[0]  # copies: a caller may change one


@pytest.mark.parametrize("language", ["java", "ts"])
def test_batched_programs_do_not_see_each_other(sandbox, need, language):
    """Programs compiled in one batch run apart: none sees another's directory."""
    need(sandbox, language)
    if language == "java":
        source = ("public class Problem { public static void main(String[] a) { "
                  "System.out.println(new java.io.File(\"..\").list().length + \" \" + "
                  "String.join(\",\", new java.io.File(\".\").list())); } }\n")
    else:
        source = ("declare var require: any;\nconst fs = require('fs');\n"
                  "console.log(fs.readdirSync('..').length + ' ' + fs.readdirSync('.').join(','));\n")
    programs = [Program(language, {"main": source + f"// {i}\n"}, limits=COMPILED) for i in range(3)]
    verdicts = sandbox.run_many(programs)
    assert all(v.passed for v in verdicts), verdicts
    assert all(v.meta.get("batched") for v in verdicts)
    assert all(v.stdout.split()[0] == "1" for v in verdicts), [v.stdout for v in verdicts]
