"""Where tasks are found. Built-in tasks live in the `tasks` package and register themselves on
import; other packages add tasks through the `harness.tasks` entry-point group; a task can also
be a YAML file given by path.
"""

from __future__ import annotations

import importlib
import pkgutil
from importlib.metadata import entry_points
from pathlib import Path
from typing import Callable

from harness.errors import HarnessError, UnknownTask
from harness.task import Task

_TASKS: dict[str, Callable[[], Task]] = {}
_GROUPS: dict[str, Callable[[], list[str]]] = {}
_CLI_PLUGINS: list[Callable] = []
_DOCTOR_SECTIONS: dict[str, Callable] = {}
_UNAVAILABLE: dict[str, HarnessError] = {}  # task family -> why it is not available
_loaded = False


def register(name: str, factory: Callable[[], Task]) -> None:
    _TASKS[name] = factory


def register_group(name: str, members: Callable[[], list[str]]) -> None:
    """A name that stands for several tasks (`cruxeval-x`, `teval`)."""
    _GROUPS[name] = members


def register_cli(add_commands: Callable) -> None:
    """A task package's own sub-commands: add_commands(subparsers) is called by the CLI."""
    _CLI_PLUGINS.append(add_commands)


def register_doctor_section(title: str, lines: Callable) -> None:
    """A section of `harness doctor`: lines(missing) returns (key, value) rows and appends
    (what, fix) pairs to missing."""
    _DOCTOR_SECTIONS[title] = lines


def doctor_sections() -> list[tuple[str, Callable]]:
    return list(_DOCTOR_SECTIONS.items())


def cli_plugins() -> list[Callable]:
    _discover()
    return list(_CLI_PLUGINS)


def _discover() -> None:
    global _loaded
    if _loaded:
        return
    _loaded = True
    import tasks as builtin

    for mod in pkgutil.iter_modules(builtin.__path__):
        if mod.ispkg:
            _import_package(mod.name, lambda name=mod.name: importlib.import_module(f"tasks.{name}"))
    for ep in entry_points(group="harness.tasks"):
        _import_package(ep.name, ep.load)


def _import_package(family: str, load: Callable) -> None:
    """A task package whose optional dependency is missing costs only its own tasks."""
    from harness import extras

    try:
        load()
    except ModuleNotFoundError as e:
        if not extras.is_optional(e):
            raise
        _UNAVAILABLE[family.replace("_", "-")] = extras.missing(e, f"the {family.replace('_', '-')} tasks", prefer=family)


def unavailable() -> dict[str, HarnessError]:
    """Task families that could not be imported, with the one-line error that says how to add them."""
    _discover()
    return dict(_UNAVAILABLE)


def task_names() -> list[str]:
    _discover()
    return sorted(_TASKS)


def group_names() -> dict[str, list[str]]:
    _discover()
    return {g: f() for g, f in sorted(_GROUPS.items())}


def resolve(spec: str) -> list[Task]:
    """Turn a comma-separated task list (names, group names, YAML paths) into tasks."""
    _discover()
    out: list[Task] = []
    seen: set[str] = set()
    for part in [p.strip() for p in spec.split(",") if p.strip()]:
        for task in _resolve_one(part):
            if task.name not in seen:
                seen.add(task.name)
                out.append(task)
    if not out:
        raise UnknownTask("no task given", "pass --tasks NAME[,NAME...]; `harness tasks list` shows them")
    return out


def _resolve_one(part: str) -> list[Task]:
    if part.endswith((".yaml", ".yml")):
        from harness.yaml_task import load_yaml_task

        return [load_yaml_task(Path(part))]
    if part in _TASKS:
        return [make_task(part)]
    if part in _GROUPS:
        return [t for name in _GROUPS[part]() for t in _resolve_one(name)]
    family = max((f for f in _UNAVAILABLE if part == f or part.startswith(f + "-")), key=len, default=None)
    if family is not None:
        raise _UNAVAILABLE[family]
    import difflib

    close = difflib.get_close_matches(part, list(_TASKS) + list(_GROUPS), n=3)
    hint = f"did you mean {', '.join(close)}?" if close else "`harness tasks list` shows the known tasks"
    raise UnknownTask(f"unknown task '{part}'", hint)


def make_task(name: str) -> Task:
    """A registered task; its package's optional dependencies are imported here, by its factory."""
    from harness import extras

    factory = _TASKS[name]
    try:
        return factory()
    except ModuleNotFoundError as e:
        if not extras.is_optional(e):
            raise
        family = (getattr(factory, "__module__", "") or "").split(".")
        raise extras.missing(e, f"task {name}", prefer=family[1] if len(family) > 1 else None) from None
