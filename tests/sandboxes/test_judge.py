"""The verdict rules on raw step results (pure: runs anywhere, no sandbox needed)."""

from __future__ import annotations

from sandboxes import LANGUAGES, Reason
from sandboxes.judge import judge


def step(name="run", code=0, sig=None, out="", err="", timed_out=False, exceeded=False):
    return {"name": name, "exit_code": code, "signal": sig, "stdout": out, "stderr": err,
            "timed_out": timed_out, "output_exceeded": exceeded, "duration_s": 0.1}


def reason(language, *steps, **flags):
    return judge(LANGUAGES[language], {"steps": list(steps)}, **flags).reason


def test_exit_status_decides_first():
    assert reason("py", step(code=0)) is Reason.OK
    assert reason("py", step(code=1, err="AssertionError")) is Reason.RUNTIME_ERROR
    assert reason("cpp", step("compile"), step(sig=6)) is Reason.RUNTIME_ERROR


def test_mono_failed_debug_assert_exits_zero_but_fails():
    err = "---- DEBUG ASSERTION FAILED ----\n  at System.Diagnostics.DefaultTraceListener.Fail"
    assert reason("cs", step("compile"), step(code=0, err=err)) is Reason.RUNTIME_ERROR
    assert reason("cs", step("compile"), step(code=0, err="Unhandled Exception:")) is Reason.RUNTIME_ERROR
    assert reason("cs", step("compile"), step(code=0)) is Reason.OK


def test_rackunit_and_scala_fail_on_any_stderr():
    assert reason("rkt", step(code=0, err="--------------------\nFAILURE\n")) is Reason.RUNTIME_ERROR
    assert reason("scala", step("compile"), step(code=0, err="warning")) is Reason.RUNTIME_ERROR
    assert reason("rkt", step(code=1, err="read-syntax: expected a `)`")) is Reason.COMPILE_ERROR
    assert reason("js", step(code=0, err="(node:1) Warning")) is Reason.OK


def test_go_build_failure_is_a_compile_error():
    out = "FAIL\tcommand-line-arguments [build failed]\n"
    assert reason("go", step(code=1, out=out)) is Reason.COMPILE_ERROR
    assert reason("go", step(code=1, out="--- FAIL: TestF")) is Reason.RUNTIME_ERROR


def test_perl_error_marker_and_php_parse_error():
    assert reason("pl", step(code=0, out="ERROR: mismatch")) is Reason.RUNTIME_ERROR
    assert reason("php", step(code=255, out="PHP Parse error: syntax")) is Reason.COMPILE_ERROR


def test_compile_failure_stops_before_running():
    verdict = judge(LANGUAGES["java"], {"steps": [step("compile", code=1, err="error: ';' expected")]})
    assert verdict.reason is Reason.COMPILE_ERROR and not verdict.passed


def test_limits_reasons():
    assert reason("py", step(timed_out=True, sig=9)) is Reason.TIMEOUT
    assert reason("py", step(exceeded=True, sig=9)) is Reason.OUTPUT_LIMIT
    assert reason("py", step(sig=9)) is Reason.MEMORY
    assert reason("py", step(code=1, err="MemoryError")) is Reason.MEMORY
    assert reason("py", step(code=1), pids_exhausted=True) is Reason.PROCESS_LIMIT
    assert reason("sh", step(timed_out=True, err="fork: retry: Resource temporarily unavailable")) \
        is Reason.PROCESS_LIMIT


def test_denials_say_why():
    verdict = judge(LANGUAGES["py"], {"steps": [step(code=1, err="OSError: [Errno 101] Network is unreachable")]})
    assert verdict.reason is Reason.DENIED and "network" in verdict.detail
    assert reason("py", step(code=1, err="OSError: [Errno 30] Read-only file system")) is Reason.DENIED


def test_missing_result_is_a_sandbox_error():
    verdict = judge(LANGUAGES["py"], {"steps": [], "error": "exec failed"})
    assert verdict.reason is Reason.SANDBOX_ERROR and not verdict.passed


def test_exit_zero_without_the_proof_is_incomplete():
    proof = "0123abcd\n"
    ok = step(code=0)
    assert judge(LANGUAGES["py"], {"steps": [dict(ok, proof=proof)]}, proof=proof).reason is Reason.OK
    assert judge(LANGUAGES["py"], {"steps": [dict(ok, proof="")]}, proof=proof).reason is Reason.INCOMPLETE
    assert judge(LANGUAGES["py"], {"steps": [dict(ok, proof="other\n")]}, proof=proof).reason is Reason.INCOMPLETE
    # the reference's failure rules come first: a failed test stays a failed test
    failed = dict(step(code=1, err="AssertionError"), proof="")
    assert judge(LANGUAGES["py"], {"steps": [failed]}, proof=proof).reason is Reason.RUNTIME_ERROR
    rkt = dict(step(code=0, err="FAILURE"), proof=proof)
    assert judge(LANGUAGES["rkt"], {"steps": [rkt]}, proof=proof).reason is Reason.RUNTIME_ERROR
    # a compile error never reaches the proof
    assert judge(LANGUAGES["cpp"], {"steps": [step("compile", code=1)]}, proof=proof).reason is Reason.COMPILE_ERROR


def test_a_runner_that_died_after_starting_was_killed_by_the_program():
    from sandboxes.common import read_result

    started = '{"started": true, "oom_kills": 0}\n'
    raw, flags = read_result(started, "", {"oom_killed": False})
    assert judge(LANGUAGES["sh"], raw, **flags).reason is Reason.RUNNER_KILLED
    raw, flags = read_result(started, "", {"oom_killed": True})  # the memory cgroup did it
    assert judge(LANGUAGES["sh"], raw, **flags).reason is Reason.MEMORY
    raw, flags = read_result("", "bwrap: cannot mount", {"oom_killed": False})  # never started
    assert judge(LANGUAGES["sh"], raw, **flags).reason is Reason.SANDBOX_ERROR
    raw, flags = read_result(started, "", {"oom_killed": False}, stopped=True)
    assert "stopped" in judge(LANGUAGES["sh"], raw, **flags).detail


def test_each_distinct_program_runs_once():
    from sandboxes import Program, Verdict
    from sandboxes.base import run_each_once

    calls = []

    def run(programs):
        calls.append(len(programs))
        return [Verdict(True, Reason.OK, stdout=p.files["main.py"]) for p in programs]

    a, b = Program("py", {"main.py": "a"}), Program("py", {"main.py": "b"})
    proved = Program("py", {"main.py": "a"}, proof=True)  # another run: the proof is asked
    verdicts = run_each_once([a, b, a, proved, b, a], run)
    assert calls == [3]
    assert [v.stdout for v in verdicts] == ["a", "b", "a", "a", "b", "a"]
    assert [bool(v.meta.get("duplicate")) for v in verdicts] == [False, False, True, False, True, True]
