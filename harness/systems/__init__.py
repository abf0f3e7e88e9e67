"""Document converters as systems under test (`harness run --system NAME`).

`get_system("pymupdf4llm")` gives a System; `SystemBackend(system)` answers a task's requests
with it. Register a new converter with `register_system(name, factory)`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from harness.errors import HarnessError
from harness.systems.base import System, SystemBackend

_SYSTEMS: dict[str, Callable[..., System]] = {}


def register_system(name: str, factory: Callable[..., System]) -> None:
    _SYSTEMS[name] = factory


def system_names() -> list[str]:
    return sorted(_SYSTEMS)


def get_system(name: str, **settings: Any) -> System:
    """A system by name; `name` may carry settings as `name:key=value,key=value`."""
    base, _, opts = name.partition(":")
    if base not in _SYSTEMS:
        import difflib

        close = difflib.get_close_matches(base, list(_SYSTEMS), n=3)
        hint = f"did you mean {', '.join(close)}?" if close else f"known systems: {', '.join(system_names())}"
        raise HarnessError(f"unknown system '{base}'", hint)
    for part in filter(None, opts.split(",")):
        key, eq, value = part.partition("=")
        if not eq:
            raise HarnessError(f"bad system setting '{part}' in '{name}'", "write NAME:key=value[,key=value]")
        settings[key.strip()] = _parse_value(value.strip())
    try:
        return _SYSTEMS[base](**settings)
    except TypeError as e:
        raise HarnessError(f"bad settings for system '{base}': {e}", "see harness/systems/ for its settings") from None


def _parse_value(v: str) -> Any:
    low = v.lower()
    if low in ("true", "yes", "1"):
        return True
    if low in ("false", "no", "0"):
        return False
    return v


def make_system_backend(name: str) -> SystemBackend:
    """What `harness run --system NAME[:key=value,...]` uses (model spec `system:NAME`)."""
    return SystemBackend(get_system(name))


backend_for = make_system_backend


def _register_builtins() -> None:
    from harness.systems.pdftotext import PdfToText
    from harness.systems.plaintext import PlainText
    from harness.systems.pymupdf4llm import PyMuPDF4LLM

    register_system("pymupdf4llm", PyMuPDF4LLM)
    register_system("pdftotext", PdfToText)
    register_system("plaintext", PlainText)


_register_builtins()

__all__ = ["System", "SystemBackend", "backend_for", "get_system", "make_system_backend", "register_system",
           "system_names"]
