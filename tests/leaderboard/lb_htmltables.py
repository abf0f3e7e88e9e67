"""Tables of a built page as lists of rows of cell texts (stdlib html.parser only), as a reader
sees them before opening any collapsed panel (<details>)."""

from __future__ import annotations

from html.parser import HTMLParser


class _Tables(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tables: list[dict] = []
        self._stack: list[dict] = []
        self._cell: list[str] | None = None
        self._cell_attrs: dict = {}
        self._folded = 0  # inside <details>: collapsed panels are not part of a cell's text

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "details":
            self._folded += 1
        if self._folded:
            return
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
        if tag == "details":
            self._folded -= 1
            return
        if self._folded or not self._stack:
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
        if self._cell is not None and not self._folded:
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


class _Panels(HTMLParser):
    """{data-entry of the row: {label: text}} from each row's provenance panel (top-level pairs)."""

    def __init__(self, table_id: str):
        super().__init__()
        self.table_id, self.panels = table_id, {}
        self._in_table = self._dl = 0
        self._entry = self._key = None
        self._text: list[str] | None = None
        self._in_panel = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and attrs.get("id") == self.table_id:
            self._in_table = 1
        elif tag == "tr" and self._in_table:
            self._entry = attrs.get("data-entry")
        elif tag == "details" and "prov-panel" in (attrs.get("class") or "") and self._entry:
            self._in_panel = True
            self.panels[self._entry] = {}
        elif self._in_panel and tag == "dl":
            self._dl += 1
        elif self._in_panel and self._dl == 1 and tag in ("dt", "dd"):
            self._text = []

    def handle_endtag(self, tag):
        if tag == "table" and self._in_table and not self._in_panel:
            self._in_table = 0
        elif self._in_panel and tag == "dl":
            self._dl -= 1
        elif self._in_panel and tag == "details" and self._dl == 0:
            self._in_panel = False
        elif self._in_panel and self._dl == 1 and tag in ("dt", "dd") and self._text is not None:
            text = " ".join("".join(self._text).split())
            if tag == "dt":
                self._key = text
            else:
                self.panels[self._entry][self._key] = text
            self._text = None

    def handle_data(self, data):
        if self._text is not None:
            self._text.append(data)


def provenance_panels(html: str, table_id: str) -> dict[str, dict[str, str]]:
    parser = _Panels(table_id)
    parser.feed(html)
    return parser.panels
