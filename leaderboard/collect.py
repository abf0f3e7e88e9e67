"""Gather result files into a board: entries (models) x task versions, plus what was left out.

Everything is read through harness.results (the pydantic schema); nothing else of the harness.
A board entry is one model (fingerprint, judge) under one sampling setup: runs of the same model
join one entry when they agree on the sampling of every task they share, so a model evaluated on
different benchmarks in separate runs still reads as one row.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from harness.errors import HarnessError
from harness.results import RESULTS_FILE, SAMPLES_DIR, RunResult, SampleRecord, TaskResult, load_results, load_samples

CONFIG_FILE = "leaderboard.json"


@dataclass(frozen=True, order=True)
class TaskKey:
    """A benchmark as it is ranked: results of different task versions never mix."""

    task: str
    version: str

    @property
    def slug(self) -> str:
        return slugify(f"{self.task}-v{self.version}")

    @property
    def label(self) -> str:
        return f"{self.task} v{self.version}"


@dataclass
class Run:
    path: Path  # the run directory
    result: RunResult

    @property
    def created_at(self) -> str:
        return self.result.provenance.created_at


@dataclass
class Cell:
    """One task result of one entry, with where its sample records live."""

    run: Run
    task_result: TaskResult
    _samples: list[SampleRecord] | None = None
    samples_error: str | None = None

    @property
    def samples(self) -> list[SampleRecord] | None:
        """The per-document records, or None when the run has none (or they are broken)."""
        if self._samples is None and self.samples_error is None:
            path = self.run.path / SAMPLES_DIR / f"{self.task_result.task}.jsonl"
            if not path.exists():
                self.samples_error = f"no sample records at {path}"
            else:
                try:
                    self._samples = load_samples(self.run.path, self.task_result.task)
                except (ValidationError, ValueError, HarnessError) as e:
                    self.samples_error = f"{path}: sample records do not match the schema ({_short(e)})"
        return self._samples


@dataclass
class Entry:
    """A row of the leaderboard."""

    key: tuple[str, str]  # (model fingerprint, judge fingerprint)
    runs: list[Run] = field(default_factory=list)
    cells: dict[TaskKey, Cell] = field(default_factory=dict)
    superseded: list[str] = field(default_factory=list)  # older duplicate results, by run id
    label: str = ""
    slug: str = ""

    @property
    def model(self):
        return self.runs[0].result.model

    @property
    def newest(self) -> Run:
        return self.runs[0]


@dataclass
class LeftOut:
    path: str
    reason: str

    def line(self) -> str:
        return f"left out {self.path}: {self.reason}"


@dataclass
class Board:
    entries: list[Entry]
    task_keys: list[TaskKey]
    left_out: list[LeftOut]
    config: dict[str, Any]

    def cells_for(self, key: TaskKey) -> list[tuple[Entry, Cell]]:
        return [(e, e.cells[key]) for e in self.entries if key in e.cells]

    def versions_of(self, task: str) -> list[TaskKey]:
        return [k for k in self.task_keys if k.task == task]

    @property
    def task_names(self) -> list[str]:
        return sorted({k.task for k in self.task_keys})


def slugify(text: str) -> str:
    out = "".join(c if c.isalnum() or c in "-_." else "-" for c in text)
    return out.strip("-") or "x"


def bench_href(task: str) -> str:
    """A benchmark's page, relative to the site root."""
    return f"bench/{slugify(task)}.html"


def _short(e: Exception) -> str:
    if isinstance(e, ValidationError):
        first = e.errors()[0]
        return ".".join(str(x) for x in first["loc"]) + ": " + first["msg"]
    return str(e).splitlines()[0][:200]


def find_result_files(root: Path) -> list[Path]:
    root = Path(root)
    if root.is_file():
        return [root]
    if not root.is_dir():
        raise HarnessError(f"no results directory at {root}", "pass the --output directory of `harness run`")
    return sorted(_walk_results(root))


def _walk_results(root: Path) -> list[Path]:
    """Every results.json under root, following symlinked directories (a results tree often links
    runs kept elsewhere); each real directory is read once, so a link cycle ends."""
    found: list[Path] = []
    seen: set[str] = set()
    for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
        real = os.path.realpath(dirpath)
        if real in seen:
            dirnames[:] = []
            continue
        seen.add(real)
        dirnames[:] = sorted(d for d in dirnames if d != SAMPLES_DIR)
        if RESULTS_FILE in filenames:
            found.append(Path(dirpath) / RESULTS_FILE)
    return found


def load_config(results_root: Path, config_path: Path | None) -> dict[str, Any]:
    """Optional settings: known task versions, per-family view overrides."""
    path = config_path or (Path(results_root) / CONFIG_FILE if Path(results_root).is_dir() else None)
    if path is None or not path.exists():
        if config_path is not None:
            raise HarnessError(f"no leaderboard config at {config_path}", "pass an existing JSON file")
        return {}
    try:
        cfg = json.loads(path.read_text())
    except json.JSONDecodeError as e:
        raise HarnessError(f"{path} is not valid JSON ({e.msg} at line {e.lineno})") from None
    if not isinstance(cfg, dict):
        raise HarnessError(f"{path} must hold a JSON object", 'e.g. {"known_versions": {"math500": ["1"]}}')
    return cfg


def _version_problem(tr: TaskResult, known: dict[str, list[str]]) -> str | None:
    if not str(tr.version).strip():
        return f"task '{tr.task}' has no version"
    allowed = known.get(tr.task)
    if allowed is not None and str(tr.version) not in [str(v) for v in allowed]:
        return f"task '{tr.task}' has unknown version '{tr.version}' (known: {', '.join(map(str, allowed))})"
    return None


def _sampling_signature(tr: TaskResult) -> str:
    return json.dumps(tr.sampling, sort_keys=True, default=str)


def collect(results_root: Path, config_path: Path | None = None) -> Board:
    """Read every results.json under `results_root`; bad files are reported and left out."""
    config = load_config(results_root, config_path)
    known: dict[str, list[str]] = config.get("known_versions", {})
    runs: list[Run] = []
    left_out: list[LeftOut] = []
    seen_ids: dict[str, Path] = {}
    for path in find_result_files(results_root):
        try:
            result = load_results(path)
        except HarnessError as e:
            # the schema's message starts with the path: say it once
            left_out.append(LeftOut(str(path), e.problem.removeprefix(f"{path} ")))
            continue
        if result.run_id in seen_ids:
            left_out.append(LeftOut(str(path), f"run id '{result.run_id}' already read from {seen_ids[result.run_id]}"))
            continue
        seen_ids[result.run_id] = path
        for name in list(result.tasks):
            problem = _version_problem(result.tasks[name], known)
            if problem:
                left_out.append(LeftOut(f"{path} [{name}]", problem))
                del result.tasks[name]
        if result.tasks:
            runs.append(Run(path.parent, result))
        elif not any(lo.path.startswith(str(path)) for lo in left_out):
            left_out.append(LeftOut(str(path), "the run holds no task results"))
    entries = _group_into_entries(runs)
    _label_entries(entries)
    task_keys = sorted({k for e in entries for k in e.cells})
    return Board(entries, task_keys, left_out, config)


USER_SAMPLING_KEYS = ("temperature", "top_p", "top_k", "n", "seed")


def _user_sampling(results) -> set[tuple[str, str]]:
    """The sampling settings a user changes on the command line, as (key, value) pairs."""
    return {(k, str(tr.sampling[k])) for tr in results for k in USER_SAMPLING_KEYS if k in tr.sampling}


def _group_into_entries(runs: list[Run]) -> list[Entry]:
    entries: list[Entry] = []
    # newest first, so that a newer result of the same setup wins over an older one
    for run in sorted(runs, key=lambda r: (r.created_at, r.result.run_id), reverse=True):
        model = run.result.model
        key = (model.fingerprint, run.result.judge.fingerprint if run.result.judge else "")
        cells = {TaskKey(tr.task, tr.ranked_version): tr for tr in run.result.tasks.values()}
        target, best = None, -1
        for entry in entries:
            if entry.key != key:
                continue
            shared = [k for k in cells if k in entry.cells]
            if not all(_sampling_signature(entry.cells[k].task_result) == _sampling_signature(cells[k]) for k in shared):
                continue
            # among compatible rows, the one whose sampling looks most like this run's
            similarity = len(_user_sampling(cells.values()) & _user_sampling(c.task_result for c in entry.cells.values()))
            if similarity > best:
                target, best = entry, similarity
        if target is None:
            target = Entry(key=key)
            entries.append(target)
        target.runs.append(run)
        for k, tr in cells.items():
            if k in target.cells:
                target.superseded.append(f"{run.result.run_id} [{k.label}]")
            else:
                target.cells[k] = Cell(run, tr)
    return entries


def _descriptors(entry: Entry) -> dict[str, str]:
    """What may tell two entries of one model name apart, most telling first."""
    d: dict[str, str] = {}
    model = entry.model
    d["backend"] = model.backend
    if model.revision:
        d["revision"] = model.revision[:12]
    for cell in entry.cells.values():
        for k, v in cell.task_result.sampling.items():
            if k in ("temperature", "top_p", "top_k", "n", "seed", "max_tokens"):
                d.setdefault(k, str(v))
    for k, v in sorted(model.settings.items()):
        d.setdefault(k, str(v))
    if entry.newest.result.judge:
        d["judge"] = entry.newest.result.judge.name
    return d


def _label_entries(entries: list[Entry]) -> None:
    by_name: dict[str, list[Entry]] = {}
    for e in entries:
        by_name.setdefault(e.model.name, []).append(e)
    for name, group in by_name.items():
        if len(group) == 1:
            group[0].label = name
            continue
        descs = [_descriptors(e) for e in group]
        keys = [k for k in descs[0] if len({d.get(k) for d in descs}) > 1]
        keys += [k for d in descs for k in d if k not in keys and len({x.get(k) for x in descs}) > 1]
        for e, d in zip(group, descs):
            parts = [f"{k}={d[k]}" for k in keys[:3] if k in d]
            e.label = f"{name} ({', '.join(parts)})" if parts else f"{name} ({e.newest.result.run_id})"
    used: set[str] = set()
    for e in entries:
        base = slugify(e.label.lower())[:60]
        slug, i = base, 2
        while slug in used:
            slug, i = f"{base}-{i}", i + 1
        used.add(slug)
        e.slug = slug
