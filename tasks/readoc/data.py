"""Where READoc documents come from.

Two layouts are read:
- the official repository's sample (and /work/shared/data/readoc): `<subset>/pdf/<id>.pdf` and
  `<subset>/markdown/<id>.md`, with an optional manifest.tsv of sha256 prefixes;
- the HF hub dataset `lazyc/READoc`: `<subset>.zip` (the PDFs) and `<subset>_ground_truth/<id>.md`,
  either as a local copy (a directory holding that layout) or downloaded from the hub.
"""

from __future__ import annotations

import csv
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

from harness.errors import DataMissing, HarnessError
from harness.hashing import sha256_file
from harness.paths import cache_dir, data_root

HUB_REPO = "lazyc/READoc"
SUBSETS = ("arxiv", "github", "zenodo")


@dataclass(frozen=True)
class ReadocDoc:
    subset: str
    doc_id: str
    pdf: Path
    gold: Path


def find_documents(subset: str, data_dir: Path | None) -> list[ReadocDoc]:
    """The subset's documents from the first place that has them (see the module docstring)."""
    for base in _candidate_dirs(data_dir):
        if (base / subset / "markdown").is_dir():
            return _sample_layout(base, subset)
        if (base / f"{subset}_ground_truth").is_dir():
            return _hub_layout(base, subset)
    if os.environ.get("HF_HUB_OFFLINE") != "1":
        return _hub_layout(_download(subset), subset)
    raise DataMissing(
        f"no READoc {subset} documents found (looked in {', '.join(map(str, _candidate_dirs(data_dir))) or 'nowhere'})",
        "pass --data-dir DIR holding readoc/<subset>/{pdf,markdown}, or a copy of the hub dataset lazyc/READoc",
    )


def _candidate_dirs(data_dir: Path | None) -> list[Path]:
    out: list[Path] = []
    root = data_root(data_dir)
    if root is not None:
        out += [root / "readoc", root / "readoc" / "hub", root]
    return [d for d in out if d.is_dir()]


def _sample_layout(base: Path, subset: str) -> list[ReadocDoc]:
    docs = []
    for md in sorted((base / subset / "markdown").glob("*.md")):
        pdf = base / subset / "pdf" / f"{md.stem}.pdf"
        if not pdf.is_file():
            raise DataMissing(f"READoc {subset}/{md.stem}: gold Markdown without its PDF ({pdf})",
                              "restore the PDF or remove the orphan Markdown file")
        docs.append(ReadocDoc(subset, md.stem, pdf, md))
    _check_manifest(base / "manifest.tsv", docs)
    return docs


def _check_manifest(manifest: Path, docs: list[ReadocDoc]) -> None:
    if not manifest.is_file():
        return
    with manifest.open() as f:
        rows = {(r["subset"], r["doc_id"]): r for r in csv.DictReader(f, delimiter="\t")}
    for d in docs:
        row = rows.get((d.subset, d.doc_id))
        if row is None:
            continue
        for path, key in ((d.pdf, "pdf_sha256_16"), (d.gold, "md_sha256_16")):
            if key in row and not sha256_file(path).startswith(row[key]):
                raise HarnessError(f"{path} does not match {manifest.name} (sha256 prefix {row[key]})",
                                   "the data copy is damaged or modified: restore it from its source")


def _hub_layout(base: Path, subset: str) -> list[ReadocDoc]:
    gold_dir = base / f"{subset}_ground_truth"
    pdfs = _hub_pdfs(base, subset)
    docs = []
    for md in sorted(gold_dir.glob("*.md")):
        pdf = pdfs.get(md.stem)
        if pdf is None:
            raise DataMissing(f"READoc {subset}/{md.stem}: no PDF for this gold file in {base}",
                              f"the copy of {HUB_REPO} lacks {subset}.zip or it is incomplete")
        docs.append(ReadocDoc(subset, md.stem, pdf, md))
    return docs


def _hub_pdfs(base: Path, subset: str) -> dict[str, Path]:
    """PDFs by id: an unpacked `<subset>/` folder, or `<subset>.zip` unpacked into the cache."""
    unpacked = base / subset
    if not unpacked.is_dir():
        archive = base / f"{subset}.zip"
        if not archive.is_file():
            return {}
        unpacked = cache_dir() / "readoc" / "hub" / f"{subset}-{sha256_file(archive)[:16]}"
        if not (unpacked / ".complete").exists():
            _unzip(archive, unpacked)
    return {p.stem: p for p in sorted(unpacked.rglob("*.pdf")) if not p.name.startswith("._")}


def _unzip(archive: Path, target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    try:
        with zipfile.ZipFile(archive) as z:
            for member in z.infolist():
                if member.filename.endswith(".pdf") and not Path(member.filename).is_absolute() \
                        and ".." not in Path(member.filename).parts:
                    z.extract(member, target)
    except zipfile.BadZipFile as e:
        raise HarnessError(f"{archive} is not a readable zip file ({e})", "download it again") from None
    (target / ".complete").write_text("ok\n")


def _download(subset: str) -> Path:
    """The hub dataset's files for one subset, fetched into the HF cache (needs network)."""
    try:
        from huggingface_hub import snapshot_download

        path = snapshot_download(repo_id=HUB_REPO, repo_type="dataset",
                                 allow_patterns=[f"{subset}.zip", f"{subset}_ground_truth/*"])
    except Exception as e:  # noqa: BLE001 - any hub failure means the same thing to the user
        raise DataMissing(f"READoc {subset}: no local copy and the hub download failed ({type(e).__name__})",
                          f"pass --data-dir with readoc/{subset}/{{pdf,markdown}} or a copy of {HUB_REPO}") from None
    return Path(path)
