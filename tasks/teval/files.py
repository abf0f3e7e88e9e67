"""T-Eval's data files: which task reads which file, where the file is found, how it loads.

The layout is the HF dataset `lovesnowbest/T-Eval`: `data/<name>.json`, each one JSON object
mapping a row id to a row. v1 files sit at the hub commit V1_REVISION (the paper's protocol and
the leaderboard's), v2 files at `main`. A local copy of that layout works anywhere: the shared
mirror (`<data root>/teval/data/`), `$HARNESS_TEVAL_DIR`, or `--data-dir`.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.errors import DataMissing
from harness.task import Doc

log = logging.getLogger(__name__)

HUB_REPO = "lovesnowbest/T-Eval"
V1_REVISION = "03f691b72257bfc47578bdfe4b094e858279d22c"  # last hub commit holding the v1 files
DIR_ENV = "HARNESS_TEVAL_DIR"
DOWNLOAD_ENV = "HARNESS_ALLOW_DOWNLOADS"  # set to 1 to fetch missing files from the hub


@dataclass(frozen=True)
class FileSpec:
    task: str          # harness task name
    stem: str          # the reference's file name without .json and version
    kind: str          # evaluator: instruct, plan, review, rru
    eval_type: str     # the reference's --eval (reason/retrieve/understand/rru/plan/...)
    default_type: str  # the reference's --prompt_type: json or str
    version: str       # v1 or v2

    @property
    def filename(self) -> str:
        return f"{self.stem}_{self.version}.json"


_BASE = [
    # task suffix, file stem, evaluator, eval_type, prompt_type  (as in T-Eval's test_all_en.sh)
    ("instruct", "instruct", "instruct", "instruct", "json"),
    ("plan-json", "plan_json", "plan", "plan", "json"),
    ("plan-str", "plan_str", "plan", "plan", "str"),
    ("reason-str", "reason_str", "rru", "reason", "str"),
    ("retrieve-str", "retrieve_str", "rru", "retrieve", "str"),
    ("understand-str", "understand_str", "rru", "understand", "str"),
    ("rru-json", "reason_retrieve_understand_json", "rru", "rru", "json"),
    ("review", "review_str", "review", "review", "str"),
]

SPECS: dict[str, FileSpec] = {}
for _version, _suffix in (("v1", ""), ("v2", "-v2")):
    for _name, _stem, _kind, _eval, _type in _BASE:
        _spec = FileSpec(f"teval-{_name}{_suffix}", _stem, _kind, _eval, _type, _version)
        SPECS[_spec.task] = _spec


def _candidates(spec: FileSpec, data_dir: Path | None) -> list[Path]:
    roots: list[Path] = []
    if data_dir:
        roots += [Path(data_dir), Path(data_dir) / "data", Path(data_dir) / "teval" / "data"]
    if os.environ.get(DIR_ENV):
        roots += [Path(os.environ[DIR_ENV]) / "data", Path(os.environ[DIR_ENV])]
    try:
        from harness.paths import data_root
        root = data_root()
    except ImportError:
        root = None
    if root:
        roots.append(Path(root) / "teval" / "data")
    return [r / spec.filename for r in roots]


def _hub_file(spec: FileSpec, download: bool) -> Path | None:
    """The file from the HF hub cache, or fetched from the hub when downloads are allowed."""
    try:
        from huggingface_hub import hf_hub_download, try_to_load_from_cache
    except ImportError:
        return None
    revision = V1_REVISION if spec.version == "v1" else "main"
    name = f"data/{spec.filename}"
    cached = try_to_load_from_cache(HUB_REPO, name, revision=revision, repo_type="dataset")
    if isinstance(cached, str):
        return Path(cached)
    if not download:
        return None
    try:
        return Path(hf_hub_download(HUB_REPO, name, revision=revision, repo_type="dataset"))
    except Exception as e:  # noqa: BLE001 - reported as missing data below
        log.warning("could not fetch %s from %s: %s", name, HUB_REPO, type(e).__name__)
        return None


def find(spec: FileSpec, data_dir: Path | None = None, download: bool | None = None) -> Path | None:
    for cand in _candidates(spec, data_dir):
        if cand.is_file():
            return cand
    if download is None:
        download = os.environ.get(DOWNLOAD_ENV, "") == "1"
    return _hub_file(spec, download)


def locate(spec: FileSpec, data_dir: Path | None = None) -> Path:
    path = find(spec, data_dir)
    if path is None:
        looked = ", ".join(str(p.parent) for p in _candidates(spec, data_dir)) or "no local folder"
        raise DataMissing(
            f"T-Eval file {spec.filename} for task {spec.task} is absent (looked in {looked} and the HF cache)",
            f"put the {HUB_REPO} file data/{spec.filename} in one of them, set ${DIR_ENV} to a copy of that "
            f"layout, or set {DOWNLOAD_ENV}=1 to fetch it from the hub",
        )
    return path


def load_rows(spec: FileSpec, path: Path) -> list[Doc]:
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as e:
        raise DataMissing(f"cannot read T-Eval file {path}: {e}", "re-download it") from None
    except json.JSONDecodeError as e:
        raise DataMissing(f"T-Eval file {path} is not valid JSON ({e.msg} at line {e.lineno})",
                          f"re-download data/{spec.filename} from {HUB_REPO}") from None
    if not isinstance(data, dict):
        raise DataMissing(f"T-Eval file {path} is not a JSON object of rows keyed by id",
                          f"expected the {HUB_REPO} layout (one dict per file)")
    required = {"instruct": ("origin_prompt", "ground_truth", "meta_data", "template"),
                "plan": ("origin_prompt", "ground_truth", "meta"),
                "review": ("origin_prompt", "ground_truth", "meta_data"),
                "rru": ("origin_prompt", "ground_truth")}[spec.kind]
    docs = []
    for key, row in data.items():
        missing = [f for f in required if not isinstance(row, dict) or f not in row]
        if missing:
            raise DataMissing(f"T-Eval file {path}: row {key} lacks {', '.join(missing)}",
                              f"is this really data/{spec.filename} of {HUB_REPO}?")
        docs.append(Doc(id=str(key), data=row))
    return docs


def present(version: str, data_dir: Path | None = None) -> list[str]:
    """The tasks of one version whose files can be read without downloading."""
    return [s.task for s in SPECS.values() if s.version == version and find(s, data_dir, download=False)]
