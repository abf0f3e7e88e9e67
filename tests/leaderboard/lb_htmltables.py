"""Tables of a built page as lists of rows of cell texts (stdlib html.parser only)."""

from __future__ import annotations

from html.parser import HTMLParser


class _Tables(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tables: list[dict] = []
        self._stack: list[dict] = []
        self._cell: list[str] | None = None
        self._cell_attrs: dict = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self._stack.append({"id": attrs.get("id"), "class": attrs.get("class", ""), "head": [], "rows": [],
                                "sort": []})
        elif not self._stack:
            return
        elif tag == "tr":
            self._stack[-1]["_row"], self._stack[-1]["_sort"] = [], []
        elif tag in ("td", "th"):
            self._cell, self._cell_attrs = [], attrs

    def handle_endtag(self, tag):
        if not self._stack:
            return
        t = self._stack[-1]
        if tag in ("td", "th") and self._cell is not None:
            t["_row"].append(" ".join("".join(self._cell).split()))
            t["_sort"].append(self._cell_attrs.get("data-sort"))
            self._cell = None
        elif tag == "tr":
            row = t.pop("_row", [])
            sort = t.pop("_sort", [])
            if not t["head"]:
                t["head"] = row
            else:
                t["rows"].append(row)
                t["sort"].append(sort)
        elif tag == "table":
            self.tables.append(self._stack.pop())

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def page_tables(html: str) -> list[dict]:
    """[{id, class, head: [...], rows: [[...]], sort: [[data-sort or None]]}] in document order of closing."""
    parser = _Tables()
    parser.feed(html)
    return parser.tables


def table_dict(table: dict, key: str | None = None) -> dict[str, dict[str, str]]:
    """Rows by the text of column `key` (default: the first column) -> {header: cell text}."""
    col = table["head"].index(key) if key else 0
    return {row[col]: dict(zip(table["head"], row)) for row in table["rows"]}
