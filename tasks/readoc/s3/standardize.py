"""S3 step 1, Standardization: bring gold and prediction Markdown to one dialect.

Follows icip-cas/READoc src/evaluation/standardization.py (`clean_md`), rule by rule and in the
same order, because each rule sees the output of the previous one:

1. setext headings (a paragraph underlined by === or ---) become ATX `#` / `##` headings;
2. LaTeX figure environments and Markdown images are removed; links keep their text;
3. formula delimiters are unified: equation/multline -> \\[ \\], gather/align -> \\[ gathered/aligned \\],
   $$..$$ -> \\[..\\], $..$ -> \\(..\\);
4. pipe tables (>= 2 consecutive lines that start and end with '|') go through pandoc to HTML and
   from there to a LaTeX tabular; a table that fails any step is left as it was;
5. runs of three or more line breaks collapse to one blank line.

Known defect kept by default: HTML `<table>` markup in a prediction is never converted, so it
is scored as plain text. `convert_html_tables=True` (fix "html-tables") converts it too.
"""

from __future__ import annotations

import re

from bs4 import BeautifulSoup

from harness.errors import HarnessError
from tasks.readoc.s3 import pandoc

_SETEXT_1 = re.compile(r"((?:[^\n]+\n)+)=+\n")
_SETEXT_2 = re.compile(r"((?:[^\n]+\n)+)-+\n")
_LATEX_FIGURE = re.compile(r"\\begin\{figure\*?\}(.*?)\\end\{figure\*?\}", re.DOTALL)
_MD_IMAGE = re.compile(r"!\[.*?\]\(.*?\)")
_MD_LINK = re.compile(r"\[(.*?)\]\(.*?\)")
_DISPLAY_DOLLARS = re.compile(r"(?<!\\)\$\$((?:(?!\n\n).)+?)(?<!\\)\$\$", re.DOTALL)
_INLINE_DOLLAR = re.compile(r"(?<!\\)(?<!\$)\$(?!\$)((?:(?!\n\n).)+?)(?<!\\)\$(?!\$)")
_HTML_TABLE = re.compile(r"<table\b.*?</table>", re.DOTALL | re.IGNORECASE)
_MANY_BREAKS = re.compile(r"(\n\s*){3,}")

# (pattern, replacement) in the reference's order; replacements are literal text
_ENV_RULES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\\begin\{(equation|multline)\*?\}"), "\\["),
    (re.compile(r"\\end\{(equation|multline)\*?\}"), "\\]"),
    (re.compile(r"\\begin\{gather\*?\}"), "\\[\n\\begin{gathered}"),
    (re.compile(r"\\begin\{align\*?\}"), "\\[\n\\begin{aligned}"),
    (re.compile(r"\\end\{gather\*?\}"), "\\end{gathered}\n\\]"),
    (re.compile(r"\\end\{align\*?\}"), "\\end{aligned}\n\\]"),
]

_ALIGN_LETTER = {"right": "r", "left": "l", "center": "c"}

FIX_HTML_TABLES = "html-tables"


def standardize(md: str, *, convert_html_tables: bool = False) -> str:
    md = _setext_to_atx(md)
    md = _drop_figures_and_links(md)
    md = _unify_formulas(md)
    md = _pipe_tables_to_latex(md)
    if convert_html_tables:
        md = _html_tables_to_latex(md)
    return _MANY_BREAKS.sub("\n\n", md)


def _setext_to_atx(md: str) -> str:
    md = setext_pass(md, "=", "#")
    return setext_pass(md, "-", "##")


def setext_pass_regex(md: str, mark: str, prefix: str) -> str:
    """The reference's rule as a regex: `((?:[^\\n]+\\n)+)=+\\n` -> '# <lines joined>'. Quadratic in
    the paragraph length (it retries from every character), so only used to check setext_pass."""
    pattern = _SETEXT_1 if mark == "=" else _SETEXT_2
    return pattern.sub(lambda m: f"{prefix} {m.group(1).replace(chr(10), ' ').strip()}\n", md)


def setext_pass(md: str, mark: str, prefix: str) -> str:
    """What setext_pass_regex computes, in one pass over the lines.

    The regex, tried from each position, takes a run of consecutive non-empty, newline-ended
    lines and (greedily) the LAST line of that run after the first that is all `mark`s; if the
    run has none, no start inside it matches either. Scanning resumes after the underline.
    """
    lines = md.split("\n")  # every item but the last was followed by a newline
    out: list[str] = []
    i, n_ended = 0, len(lines) - 1
    while i < n_ended:
        if lines[i] == "":
            out.append(lines[i])
            i += 1
            continue
        end = i
        while end < n_ended and lines[end] != "":
            end += 1  # lines[i:end] is the run of non-empty, newline-ended lines
        under = next((j for j in range(end - 1, i, -1) if _all_marks(lines[j], mark)), None)
        if under is None:
            out.extend(lines[i:end])
            i = end
            continue
        title = " ".join(lines[i:under]) + " "
        out.append(f"{prefix} {title.strip()}")
        i = under + 1
    out.extend(lines[n_ended:])
    return "\n".join(out)


def _all_marks(line: str, mark: str) -> bool:
    return line != "" and line.strip(mark) == ""


def _drop_figures_and_links(md: str) -> str:
    md = _LATEX_FIGURE.sub("", md)
    md = _MD_IMAGE.sub("", md)
    return _MD_LINK.sub(lambda m: m.group(1), md)


def _unify_formulas(md: str) -> str:
    for pattern, replacement in _ENV_RULES:
        md = pattern.sub(lambda _m, r=replacement: r, md)
    md = _DISPLAY_DOLLARS.sub(lambda m: "\\[" + m.group(1) + "\\]", md)
    return _INLINE_DOLLAR.sub(lambda m: "\\(" + m.group(1) + "\\)", md)


def pipe_table_blocks(md: str) -> list[str]:
    """Runs of >= 2 consecutive lines that, stripped, start and end with '|'."""
    blocks: list[str] = []
    run: list[str] = []
    for line in md.split("\n"):
        s = line.strip()
        if s.startswith("|") and s.endswith("|"):
            run.append(line)
            continue
        if len(run) >= 2:
            blocks.append("\n".join(run))
        run = []
    if len(run) >= 2:
        blocks.append("\n".join(run))
    return blocks


def _pipe_tables_to_latex(md: str) -> str:
    for block in pipe_table_blocks(md):
        try:
            latex = html_table_to_latex(pandoc.convert(block, "markdown", "html"))
        except HarnessError:
            raise  # no pandoc at all: the user must install it, not get silently worse scores
        except Exception:  # noqa: BLE001 - the reference leaves any table it cannot convert as is
            continue
        md = md.replace(block, latex)
    return md


def _html_tables_to_latex(md: str) -> str:
    """The fix: HTML tables (as some VLMs and converters write them) become LaTeX tabulars too."""

    def convert(m: re.Match[str]) -> str:
        try:
            return "\n" + html_table_to_latex(m.group(0), header_from_first_row=True)
        except Exception:  # noqa: BLE001 - same leniency as for pipe tables
            return m.group(0)

    return _HTML_TABLE.sub(convert, md)


def html_table_to_latex(html: str, header_from_first_row: bool = False) -> str:
    """The reference's HTML -> LaTeX tabular: header cells from <thead>, rows from <tbody>, cell
    text flattened with BeautifulSoup's get_text(strip=True), alignment from the header style.
    Raises AttributeError when <thead> or <tbody> is missing (the reference then skips the table);
    `header_from_first_row` lets the HTML-table fix take the first row as the header instead."""
    soup = BeautifulSoup(html, "html.parser")
    thead = soup.find("thead")
    if thead is None and header_from_first_row:
        rows_all = soup.find_all("tr")
        if not rows_all:
            raise ValueError("no rows")
        headers = rows_all[0].find_all(["th", "td"])
        body_rows = rows_all[1:]
    else:
        headers = thead.find_all("th")
        body_rows = soup.find("tbody").find_all("tr")

    aligns = [_alignment(th.get("style", "")) for th in headers]
    lines = ["\\begin{table}", "\\begin{tabular}{" + " ".join(aligns) + "}", "\\hline"]
    lines.append(" & ".join(th.get_text(strip=True) for th in headers) + " \\\\ ")
    lines.append("\\hline")
    for row in body_rows:
        lines.append(" & ".join(td.get_text(strip=True) for td in row.find_all("td")) + " \\\\ ")
    lines += ["\\hline", "\\end{tabular}", "\\end{table}"]
    return "\n".join(lines)


def _alignment(style: str) -> str:
    for word, letter in _ALIGN_LETTER.items():
        if word in style:
            return letter
    return "l"
