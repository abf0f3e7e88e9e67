"""READoc tasks: whole-document PDF -> Markdown, scored with the S3 suite.

Two request shapes:
- "document": one request per document whose media is the PDF; a document converter
  (`harness run --system NAME`, answered by harness.systems.SystemBackend) converts it.
- "pages": one request per page (tag `page-0001`, ...), media = that page's 216-DPI image, with the
  paper's per-subset prompt; the page outputs, stripped, are joined with a blank line. A page
  that fails (too long for the model's context) leaves the rest of its document standing: the
  document is scored without it and the failure is listed in its record; `--max-pages N` sends
  the first N pages and the results say how many were left out.
In "auto" mode (the default) the runner's `bind_backend(model_info)` picks "document" for a
system or replay backend and "pages" for any model; unbound, "document" is used.
"""

from __future__ import annotations

import importlib.metadata as md
from pathlib import Path
from typing import Any

import jinja2

from harness.errors import HarnessError
from harness.hashing import sha256_file
from harness.requests import Request, SamplingParams
from harness.results import MetricValue, ModelInfo
from harness.task import Doc, DocState, RunSettings, SampleScore, ScoringContext, Task
from tasks.readoc import data, pages
from tasks.readoc.s3 import pandoc
from tasks.readoc.s3.suite import COLUMNS, KNOWN_FIXES, SUBSET_COLUMNS, average, score_document

PROMPTS = Path(__file__).parent / "prompts"
#: the reference's scripts/pdf_to_markdown.sh: arXiv gets its own prompt, every other subset the second one
PROMPT_FILE = {"arxiv": "arxiv.j2", "github": "github.j2", "zenodo": "github.j2"}
MODES = ("auto", "document", "pages")
PAGE_TAG = "page-"
#: backends that answer with a whole document's Markdown
DOCUMENT_BACKENDS = ("system", "replay")
REFERENCE = "icip-cas/READoc src/evaluation (standardization.py, segmentation.py, scoring.py, utils.py, suite_e2e.py)"


class ReadocTask(Task):
    version = "1"
    # the paper's VLM settings (vlm_gpt-4o-mini.py); a converter ignores them
    default_sampling = SamplingParams(temperature=0.7, top_p=0.8, max_tokens=2048)

    def __init__(self, subset: str, mode: str = "auto", fixes: tuple[str, ...] = ()):
        if subset not in data.SUBSETS:
            raise HarnessError(f"unknown READoc subset '{subset}'", f"use one of {', '.join(data.SUBSETS)}")
        if mode not in MODES:
            raise HarnessError(f"unknown READoc mode '{mode}'", f"use one of {', '.join(MODES)}")
        bad = set(fixes) - set(KNOWN_FIXES)
        if bad:
            raise HarnessError(f"unknown READoc fix(es) {sorted(bad)}", f"known fixes: {', '.join(KNOWN_FIXES)}")
        self.subset = subset
        self.mode = mode
        self.fixes = tuple(sorted(fixes))
        self.name = f"readoc-{subset}" + ("-pages" if mode == "pages" else "")
        self.description = f"READoc-{subset}: PDF to Markdown, S3 suite (Li et al. 2024)" + (
            ", page images for VLMs" if mode == "pages" else "")
        self._bound_mode: str | None = None
        self._template = jinja2.Template((PROMPTS / PROMPT_FILE[subset]).read_text())
        self._pages = pages.PageSettings()
        self._page_counts: dict[str, tuple[int, int]] = {}  # doc id -> (pages in the PDF, pages sent)

    def configure(self, settings: RunSettings) -> None:
        self._pages = pages.PageSettings(dpi=settings.image_dpi or pages.DPI, max_pixels=settings.max_pixels,
                                         max_pages=settings.max_pages)

    @property
    def partial_failures(self) -> bool:
        """A page that failed costs only itself: the document is scored from the other pages."""
        return self.effective_mode == "pages"

    # -- planning ---------------------------------------------------------------------------
    def bind_backend(self, info: ModelInfo) -> None:
        """Called by the runner before planning: converters (and replayed whole-document
        predictions) get the PDF, models get page images."""
        self._bound_mode = "document" if info.backend in DOCUMENT_BACKENDS else "pages"

    @property
    def effective_mode(self) -> str:
        if self.mode != "auto":
            return self.mode
        return self._bound_mode or "document"

    def prompt(self) -> str:
        return self._template.render(subset=self.subset)

    def load_docs(self, data_dir: Path | None) -> list[Doc]:
        docs = []
        for d in data.find_documents(self.subset, data_dir):
            docs.append(Doc(id=d.doc_id, data={
                "subset": d.subset, "pdf": str(d.pdf), "pdf_sha256": sha256_file(d.pdf),
                "gold_path": str(d.gold), "gold": d.gold.read_text(encoding="utf-8"),
            }))
        return docs

    def next_requests(self, doc: Doc, state: DocState, sampling: SamplingParams) -> list[Request]:
        if state.outputs or state.failed:
            return []  # one round: everything is asked at once
        messages = ({"role": "user", "content": self.prompt()},)
        if self.effective_mode == "document":
            return [Request(task=self.name, doc_id=doc.id, sampling=sampling, messages=messages,
                            tag="main", media=((doc.data["pdf"], doc.data["pdf_sha256"]),))]
        images = pages.render_pages(Path(doc.data["pdf"]), doc.data["pdf_sha256"], self._pages)
        self._page_counts[doc.id] = (pages.page_count(Path(doc.data["pdf"])), len(images))
        return [Request(task=self.name, doc_id=doc.id, sampling=sampling, messages=messages,
                        tag=f"{PAGE_TAG}{i + 1:04d}", media=(img,)) for i, img in enumerate(images)]

    # -- scoring ----------------------------------------------------------------------------
    def score(self, doc: Doc, state: DocState, ctx: ScoringContext) -> SampleScore:
        prediction, seconds, how = prediction_of(state)
        fixes = tuple(sorted(set(self.fixes) | set(ctx.options.get("readoc_fixes", ()))))
        result = score_document(doc.data["gold"], prediction, self.subset, fixes)
        record: dict[str, Any] = {
            "seconds": seconds, "input": how, "counts": result.counts, "gold_path": doc.data["gold_path"],
        }
        if how != "document":  # a whole-document answer is already the sample's outputs[0]
            record["prediction"] = prediction
        if doc.id in self._page_counts:
            total, sent = self._page_counts[doc.id]
            record["pages"] = {"total": total, "sent": sent, "not_sent": total - sent}
        if fixes:
            record["fixes"] = list(fixes)
        if state.failed:
            record["failed"] = dict(state.failed)
        return SampleScore(doc_id=doc.id, values=result.values, groups={}, record=record)

    def aggregate(self, scores: list[SampleScore], seed: int = 0):
        metrics, breakdown = super().aggregate(scores, seed)
        means = {k: (metrics[k].value if k in metrics else None) for k in SUBSET_COLUMNS[self.subset]}
        metrics["average"] = MetricValue(value=average(means, self.subset), n=len(scores))
        return metrics, breakdown

    # -- provenance -------------------------------------------------------------------------
    def prompt_sources(self) -> list[str]:
        mp = self._pages.max_pixels
        return [(PROMPTS / PROMPT_FILE[self.subset]).read_text(), self.effective_mode, f"dpi={self._pages.dpi}",
                *([f"max_pixels={mp}"] if mp else [])]

    def data_files(self, data_dir: Path | None) -> list[Path]:
        return [p for d in data.find_documents(self.subset, data_dir) for p in (d.pdf, d.gold)]

    def config(self) -> dict[str, Any]:
        cfg: dict[str, Any] = {
            "subset": self.subset, "mode": self.effective_mode, "fixes": list(self.fixes),
            "columns": {k: COLUMNS[k] for k in SUBSET_COLUMNS[self.subset]},
            "average": "mean of the columns above", "scale": "fraction (the paper shows x100)",
            "reference": REFERENCE,
            "scorer": {"pandoc": _safe(pandoc.pandoc_version), **_versions("levenshtein", "apted", "lxml",
                                                                             "beautifulsoup4", "scipy")},
        }
        notes = []
        if "table_tree" in SUBSET_COLUMNS[self.subset] and (warning := _safe(pandoc.version_warning)):
            notes.append(warning)
        if self.effective_mode == "pages":
            cfg["pages"] = {**self._pages.describe(), "renderer": _safe(pages.renderer),
                            "join": "page outputs stripped, joined by a blank line"}
            cut = {d: total - sent for d, (total, sent) in self._page_counts.items() if sent < total}
            if cut:
                cfg["pages"]["not_sent"] = {"documents": len(cut), "pages": sum(cut.values())}
                notes.append(f"{sum(cut.values())} pages of {len(cut)} documents were not sent "
                             f"(--max-pages {self._pages.max_pages}); those documents are scored against "
                             "their whole gold, see record.pages in the samples")
        if notes:
            cfg["notes"] = notes  # shown under the scores (harness.report)
        return cfg


def prediction_of(state: DocState) -> tuple[str, float | None, str]:
    """The document's Markdown, its conversion time in seconds, and which shape produced it."""
    page_tags = sorted(t for t in state.outputs if t.startswith(PAGE_TAG))
    if page_tags:
        gens = [state.outputs[t][0] for t in page_tags if state.outputs[t]]
        text = "".join(g.text.strip() + "\n\n" for g in gens).strip()
        secs = [g.meta.get("seconds") for g in gens if g.meta.get("seconds") is not None]
        return text, (sum(secs) if secs else None), f"{len(page_tags)} pages"
    gens = state.outputs.get("main", [])
    if not gens:
        return "", None, "missing"  # the reference scores a missing prediction as empty
    return gens[0].text, gens[0].meta.get("seconds"), "document"


def _versions(*dists: str) -> dict[str, str]:
    out = {}
    for name in dists:
        try:
            out[name] = md.version(name)
        except md.PackageNotFoundError:
            out[name] = "missing"
    return out


def _safe(fn) -> str:
    try:
        return fn()
    except HarnessError as e:
        return f"unavailable: {e.problem}"
