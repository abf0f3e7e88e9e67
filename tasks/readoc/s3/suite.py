"""One document through S3: standardize both sides, segment, and compute the paper's columns
(the reference's `file_evaluate`). Values are fractions in [0, 1] like the reference's (the
harness and the paper show them x100); None marks a column that is undefined for the document
(the reference leaves the document out of that column's average).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tasks.readoc.s3.metrics.heading import heading_tree_similarity
from tasks.readoc.s3.metrics.order import block_order, token_order
from tasks.readoc.s3.metrics.table import table_match
from tasks.readoc.s3.metrics.text import concat_score, join_items
from tasks.readoc.s3.segment import Segments, segment
from tasks.readoc.s3.standardize import FIX_HTML_TABLES, standardize

#: column key -> the paper's header
COLUMNS: dict[str, str] = {
    "text_concat": "Text Concat",
    "text_vocab": "Text Vocab",
    "heading_concat": "Heading Concat",
    "heading_tree": "Heading Tree",
    "formula_embed": "Formula Embed",
    "formula_isolate": "Formula Isolate",
    "table_concat": "Table Concat",
    "table_tree": "Table Tree",
    "order_block": "RO Block",
    "order_token": "RO Token",
}

_BASE = ["text_concat", "text_vocab", "heading_concat", "heading_tree", "order_block", "order_token"]
_FORMULA = ["formula_embed", "formula_isolate"]
_TABLE = ["table_concat", "table_tree"]

#: what the reference scores per subset (suite_e2e.py: data_type)
SUBSET_COLUMNS: dict[str, list[str]] = {
    "arxiv": [c for c in COLUMNS],
    "github": [c for c in COLUMNS if c in _BASE],
    "zenodo": [c for c in COLUMNS if c in _BASE or c in _TABLE],
}

KNOWN_FIXES = (FIX_HTML_TABLES,)


@dataclass
class DocumentScore:
    values: dict[str, float | None]
    counts: dict[str, Any] = field(default_factory=dict)


def _val(x: float | None) -> float | None:
    return None if x is None else float(x)


def score_document(gold_md: str, pred_md: str, subset: str, fixes: tuple[str, ...] = ()) -> DocumentScore:
    unknown = set(fixes) - set(KNOWN_FIXES)
    if unknown:
        raise ValueError(f"unknown READoc fix(es): {sorted(unknown)}; known: {list(KNOWN_FIXES)}")
    html = FIX_HTML_TABLES in fixes
    gold = segment(standardize(gold_md, convert_html_tables=html))
    pred = segment(standardize(pred_md, convert_html_tables=html))
    wanted = SUBSET_COLUMNS[subset]
    values = {k: v for k, v in _all_columns(gold, pred, wanted).items() if k in wanted}
    return DocumentScore(values=values, counts=_counts(gold, pred))


def _all_columns(gold: Segments, pred: Segments, wanted: list[str]) -> dict[str, float | None]:
    out: dict[str, float | None] = {}
    text = concat_score(pred.plain, gold.plain)
    out["text_concat"] = _val(text.eds) if text else None
    out["text_vocab"] = _val(text.f1) if text else None

    if gold.headings:
        heads = concat_score(join_items(pred.headings), join_items(gold.headings))
        out["heading_concat"] = _val(heads.eds) if heads else None
        out["heading_tree"] = _val(heading_tree_similarity(pred.headings, gold.headings))
    else:
        out["heading_concat"] = out["heading_tree"] = None

    if "formula_embed" in wanted:
        inline = concat_score(join_items(pred.inline_math), join_items(gold.inline_math))
        display = concat_score(join_items(pred.display_math), join_items(gold.display_math))
        out["formula_embed"] = _val(inline.eds) if inline else None
        out["formula_isolate"] = _val(display.eds) if display else None

    if "table_concat" in wanted:
        tables = concat_score(join_items(pred.tables), join_items(gold.tables))
        out["table_concat"] = _val(tables.eds) if tables else None
        match = table_match(pred.tables, gold.tables)
        out["table_tree"] = _val(match.min) if match else None

    out["order_block"] = _val(block_order(pred.blocks, gold.blocks))
    out["order_token"] = _val(token_order(pred.overall, gold.overall))
    return out


def _counts(gold: Segments, pred: Segments) -> dict[str, Any]:
    def c(s: Segments) -> dict[str, int]:
        return {
            "headings": len(s.headings), "tables": len(s.tables), "inline_math": len(s.inline_math),
            "display_math": len(s.display_math), "blocks": len(s.blocks), "chars": len(s.overall),
        }

    return {"gold": c(gold), "pred": c(pred)}


def average(column_means: dict[str, float | None], subset: str) -> float | None:
    """The paper's Average: the mean of the subset's columns (each already a mean over docs)."""
    vals = [column_means.get(k) for k in SUBSET_COLUMNS[subset]]
    if any(v is None for v in vals):
        vals = [v for v in vals if v is not None]
    return sum(vals) / len(vals) if vals else None
