"""Table tree edit-distance similarity (TEDS) with one-to-one matching (the reference's
`TableEvaluate` and `TableTEDS`).

Each LaTeX table is converted to HTML by pandoc. TEDS between two HTML tables: APTED over the
<table> element's tree; renaming costs 1 when tag, colspan or rowspan differ, and for two cells
the normalized Levenshtein distance of their token lists (tags and characters); similarity is
1 - distance / max(element count below <table>). Gold and predicted tables are paired by the
Hungarian algorithm on TEDS; precision = matched TEDS sum / #pred, recall = sum / #gold, and the
column reports min(precision, recall).

The score is undefined (None) when the gold has no table or pandoc fails on a gold table.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from apted import APTED, Config
from Levenshtein import distance
from lxml import html as lxml_html
from scipy.optimize import linear_sum_assignment

from harness.errors import HarnessError
from tasks.readoc.s3 import pandoc

_CELL_TAGS = ("td", "th")


@dataclass(frozen=True)
class TableMatch:
    precision: float
    recall: float
    f1: float

    @property
    def min(self) -> float:
        return min(self.precision, self.recall)


class CellNode:
    def __init__(self, tag: str, colspan: int | None, rowspan: int | None, content: list[str] | None):
        self.tag = tag
        self.colspan = colspan
        self.rowspan = rowspan
        self.content = content
        self.children: list[CellNode] = []


class _TableConfig(Config):
    def rename(self, a: CellNode, b: CellNode) -> float:
        if a.tag != b.tag or a.colspan != b.colspan or a.rowspan != b.rowspan:
            return 1.0
        if a.tag in _CELL_TAGS and (a.content or b.content):
            return distance(a.content, b.content) / max(len(a.content), len(b.content))
        return 0.0

    def children(self, node: CellNode) -> list[CellNode]:
        return node.children


def latex_table_to_html(latex: str) -> str:
    """pandoc LaTeX -> HTML, wrapped the way the reference wraps it."""
    return "<html><body>" + pandoc.convert(latex, "latex", "html") + "</body></html>"


def _cell_tokens(node) -> list[str]:
    """A cell's content: its inner tags and characters (the cell's own tags left out)."""
    tokens: list[str] = []

    def walk(el) -> None:
        tokens.append(f"<{el.tag}>")
        if el.text is not None:
            tokens.extend(el.text)
        for child in el.getchildren():
            walk(child)
        if el.tag != "unk":
            tokens.append(f"</{el.tag}>")
        if el.tag not in _CELL_TAGS and el.tail is not None:
            tokens.extend(el.tail)

    walk(node)
    return tokens[1:-1]


def _tree(el) -> CellNode:
    if el.tag in _CELL_TAGS:
        node = CellNode(el.tag, int(el.attrib.get("colspan", "1")), int(el.attrib.get("rowspan", "1")),
                        _cell_tokens(el))
        return node
    node = CellNode(el.tag, None, None, None)
    node.children = [_tree(child) for child in el.getchildren()]
    return node


@lru_cache(maxsize=256)
def _parsed(doc: str) -> tuple[CellNode, int] | None:
    """The APTED tree of the document's body/table and its element count below <table>
    (cached: in the all-pairs matching every table meets every other)."""
    parser = lxml_html.HTMLParser(remove_comments=True, encoding="utf-8")
    found = lxml_html.fromstring(doc, parser=parser).xpath("body/table")
    if not found:
        return None
    return _tree(found[0]), len(found[0].xpath(".//*"))


def teds(pred_html: str, gold_html: str) -> float:
    if not pred_html or not gold_html:
        return 0.0
    pred, gold = _parsed(pred_html), _parsed(gold_html)
    if pred is None or gold is None:
        return 0.0
    n_nodes = max(pred[1], gold[1])
    if pred_html == gold_html and n_nodes:
        return 1.0  # identical tables: distance 0, so skip the cubic APTED run
    dist = APTED(pred[0], gold[0], _TableConfig()).compute_edit_distance()
    return 1.0 - float(dist) / n_nodes


def _to_html_or_empty(latex: str) -> str:
    try:
        return latex_table_to_html(latex)
    except HarnessError:
        raise
    except Exception:  # noqa: BLE001 - the reference scores an unreadable predicted table as 0
        return ""


def table_match(pred_tables: list[str], gold_tables: list[str]) -> TableMatch | None:
    if not gold_tables:
        return None
    try:
        gold_html = [latex_table_to_html(t) for t in gold_tables]
    except HarnessError:
        raise
    except Exception:  # noqa: BLE001 - the reference drops the document from this column
        return None
    pred_html = [_to_html_or_empty(t) for t in pred_tables]
    sims = np.zeros((len(gold_html), len(pred_html)))
    for i, g in enumerate(gold_html):
        for j, p in enumerate(pred_html):
            sims[i, j] = teds(g, p)
    rows, cols = linear_sum_assignment(sims, maximize=True)
    total = sims[rows, cols].sum()
    precision = total / len(pred_html) if pred_html else 0
    recall = total / len(gold_html)
    f1 = 0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)
    return TableMatch(float(precision), float(recall), float(f1))
