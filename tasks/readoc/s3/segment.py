"""S3 step 2, Segmentation: split standardized Markdown into what each metric scores.

Follows icip-cas/READoc src/evaluation/segmentation.py (`extract_materials`):
- headings: ATX lines `#{1,6} +text`;
- tables: `\\begin{table} .. \\end{table}` starting on a new line (no nested table);
- display math: `\\[ .. \\]` (may span lines); inline math: `\\( .. \\)` (one line);
- plain text: what is left after removing tables, then headings, then inline, then display
  math (in that order), with runs of 3+ newlines squeezed to one blank line;
- blocks (for reading order): headings, tables and display formulas in document order, and the
  paragraphs (split at blank lines) of the text between them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_INLINE_MATH = re.compile(r"\\\(((.*?)(?<!\\))\\\)")
_DISPLAY_MATH = re.compile(r"\\\[((.+?)(?<!\\))\\\]", re.DOTALL)
_TABLE = re.compile(r"(\n\\begin\{table\}((?:(?!\\begin\{table\}).)*?)\\end\{table\})", re.DOTALL)
_HEADING = re.compile(r"^((#{1,6}) +(.+))", re.MULTILINE)
_MANY_NEWLINES = re.compile(r"\n{3,}")


@dataclass(frozen=True)
class Segments:
    overall: str
    blocks: list[str]
    plain: str
    tables: list[str]
    headings: list[str]
    inline_math: list[str]
    display_math: list[str]


def segment(md: str) -> Segments:
    located: list[tuple[int, int, str]] = []  # (start, end, text) of headings, tables, display math
    headings, tables, display = [], [], []
    for pattern, found in ((_HEADING, headings), (_TABLE, tables), (_DISPLAY_MATH, display)):
        for m in pattern.finditer(md):
            located.append((m.start(), m.end(), m.group()))
            found.append(m.group())
    inline = [m.group() for m in _INLINE_MATH.finditer(md)]

    plain = md
    for pattern in (_TABLE, _HEADING, _INLINE_MATH, _DISPLAY_MATH):
        plain = pattern.sub("", plain)
    plain = _MANY_NEWLINES.sub("\n\n", plain)

    return Segments(
        overall=md.strip(),
        blocks=_blocks(md, located),
        plain=plain.strip(),
        tables=tables,
        headings=headings,
        inline_math=inline,
        display_math=display,
    )


def _blocks(md: str, located: list[tuple[int, int, str]]) -> list[str]:
    # stable sort by start: at equal starts headings come before tables before formulas
    located = sorted(located, key=lambda x: x[0])
    out: list[str] = []
    pos = 0
    for start, end, text in located:
        if start < pos:  # overlaps an element already taken (a formula inside a table)
            continue
        if start > pos:
            out.extend(md[pos:start].strip().split("\n\n"))
        out.append(text)
        pos = end
    if pos < len(md):
        out.extend(md[pos:].strip().split("\n\n"))
    return [b.strip() for b in out if b.strip() != ""]
