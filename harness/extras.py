"""Optional dependencies: which extra of harness brings a missing module, and the one line that
installs it. Task packages and commands import their extras where they use them; when one is
missing, the user gets this line instead of a traceback, and nothing else is affected."""

from __future__ import annotations

import configparser
import functools
import importlib.metadata
import os
import re
from pathlib import Path

from harness.errors import HarnessError

#: import names whose distribution is called something else
IMPORT_TO_DIST = {
    "bs4": "beautifulsoup4",
    "Levenshtein": "levenshtein",
    "sentence_transformers": "sentence-transformers",
    "PIL": "pillow",
    "yaml": "pyyaml",
    "pypandoc": "pypandoc-binary",
    "sklearn": "scikit-learn",
}
#: packages of this repository: a missing one is a bug, never an extra
OWN_PACKAGES = ("harness", "tasks", "sandboxes", "leaderboard", "tests")
REPO_ROOT = Path(__file__).resolve().parent.parent


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement_name(req: str) -> str:
    return _norm(re.split(r"[\s<>=!~;\[(@]", req.strip(), maxsplit=1)[0])


@functools.lru_cache(maxsize=1)
def extras_table() -> dict[str, set[str]]:
    """extra -> the distributions it installs: from setup.cfg in a checkout, else the metadata."""
    table: dict[str, set[str]] = {}
    cfg = REPO_ROOT / "setup.cfg"
    if cfg.is_file():
        parser = configparser.ConfigParser()
        parser.read(cfg)
        if parser.has_section("options.extras_require"):
            for extra, body in parser.items("options.extras_require"):
                table[extra] = {_requirement_name(r) for r in body.splitlines() if r.strip()}
        return table
    try:
        reqs = importlib.metadata.requires("harness") or []
    except importlib.metadata.PackageNotFoundError:
        return table
    for req in reqs:
        m = re.search(r"""extra\s*==\s*["']([^"']+)["']""", req)
        if m:
            table.setdefault(m.group(1), set()).add(_requirement_name(req))
    return table


def distribution_of(module: str) -> str:
    top = module.split(".")[0]
    return IMPORT_TO_DIST.get(top, _norm(top))


def extra_for(module: str, prefer: str | None = None) -> str | None:
    """The extra that installs `module` (`prefer` first when several do, e.g. scipy)."""
    dist = _norm(distribution_of(module))
    found = [extra for extra, dists in extras_table().items() if dist in dists]
    if prefer and _norm(prefer) in map(_norm, found):
        return next(e for e in found if _norm(e) == _norm(prefer))
    return found[0] if found else None


def install_line(extra: str) -> str:
    """How to add an extra to this install: an editable checkout (as .ci/install.sh makes) or a wheel."""
    if (REPO_ROOT / "setup.cfg").is_file():
        where = "." if Path(os.getcwd()).resolve() == REPO_ROOT else str(REPO_ROOT)
        return f"pip install -e '{where}[{extra}]'"
    return f"pip install 'harness[{extra}]'"


def is_optional(error: ModuleNotFoundError) -> bool:
    """True when the missing module is a third-party package (not a module of this repository)."""
    name = error.name or ""
    return bool(name) and name.split(".")[0] not in OWN_PACKAGES


def missing(error: ModuleNotFoundError, what: str, prefer: str | None = None) -> HarnessError:
    """The one-line error for `what` (a task, a command) whose optional dependency is missing."""
    module = error.name or "?"
    dist = distribution_of(module)
    extra = extra_for(module, prefer)
    fix = install_line(extra) if extra else f"pip install {dist}"
    return HarnessError(f"{what}: the Python package {dist} is not installed", fix)
