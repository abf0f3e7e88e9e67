"""Sandbox fixtures: one sandbox per kind for the whole session, skipped with a reason when that
kind cannot run here (CI runs .ci/setup-sandboxes.sh first, so both run there)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.errors import HarnessError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "sandboxes"


def _make(kind: str):
    if kind == "docker":
        from sandboxes.docker import DockerSandbox
        return DockerSandbox(cache=False, workers=1)  # one container per image keeps CI light
    from sandboxes.bwrap import BwrapSandbox
    return BwrapSandbox(cache=False)


_SANDBOXES: dict = {}


@pytest.fixture(scope="session", params=["bwrap", "docker"])
def sandbox(request):
    kind = request.param
    if kind not in _SANDBOXES:
        try:
            _SANDBOXES[kind] = _make(kind)
        except HarnessError as exc:
            _SANDBOXES[kind] = exc
    made = _SANDBOXES[kind]
    if isinstance(made, HarnessError):
        pytest.skip(f"{kind} sandbox unavailable here: {made}")
    return made


def pytest_sessionfinish(session, exitstatus):
    for made in _SANDBOXES.values():
        if not isinstance(made, HarnessError):
            made.close()


@pytest.fixture
def need():
    """need(sandbox, language): skip unless the sandbox has the language's toolchain."""
    def check(sandbox, language: str) -> None:
        why = sandbox.unavailable(language)
        if why:
            pytest.skip(f"{language} in the {sandbox.kind} sandbox: {why}")
    return check


@pytest.fixture(scope="session")
def smoke_programs() -> dict[str, str]:
    return json.loads((FIXTURES / "smoke_programs.json").read_text())["programs"]
