"""Standardization and segmentation on tricky inputs."""

from tasks.readoc.s3.segment import segment
from tasks.readoc.s3.standardize import html_table_to_latex, pipe_table_blocks, standardize


def test_setext_headings_become_atx():
    assert standardize("Title\n=====\ntext\n") == "# Title\ntext\n"
    # a multi-line paragraph underlined with dashes becomes one level-2 heading
    assert standardize("Line one\nline two\n---\nbody\n") == "## Line one line two\nbody\n"
    # dashes inside a line, or an underline without a line break after it, are left alone
    assert standardize("a - b\n--x\n") == "a - b\n--x\n"
    assert standardize("Title\n===") == "Title\n==="


def test_figures_images_and_links():
    md = "see ![fig 1](img/a.png) here\n\\begin{figure*}\n\\includegraphics{x}\n\\end{figure*}\n[the docs](http://x.org/a) ok\n"
    assert standardize(md) == "see  here\n\n[the docs](http://x.org/a) ok\n".replace("[the docs](http://x.org/a)", "the docs")


def test_formula_delimiters_are_unified():
    assert standardize("a $x^2$ b") == "a \\(x^2\\) b"
    assert standardize("$$\ny = 1\n$$") == "\\[\ny = 1\n\\]"
    # escaped dollars are money, not math; $$ does not span a blank line
    assert standardize("costs \\$5 and \\$6") == "costs \\$5 and \\$6"
    assert standardize("$$a\n\nb$$") == "$$a\n\nb$$"
    assert standardize("\\begin{equation*}x\\end{equation*}") == "\\[x\\]"
    assert standardize("\\begin{align}a&=b\\end{align}") == "\\[\n\\begin{aligned}a&=b\\end{aligned}\n\\]"
    assert standardize("\\begin{aligned}q\\end{aligned}") == "\\begin{aligned}q\\end{aligned}"


def test_pipe_table_goes_to_latex_through_html():
    md = "before\n| a | b |\n|:-:|--:|\n| 1 | 2 |\nafter"
    out = standardize(md)
    assert out == ("before\n\\begin{table}\n\\begin{tabular}{c r}\n\\hline\na & b \\\\ \n\\hline\n"
                   "1 & 2 \\\\ \n\\hline\n\\end{tabular}\n\\end{table}\nafter")
    # a single '|' line is no table
    assert pipe_table_blocks("| lonely |\ntext") == []


def test_html_tables_kept_by_default_and_converted_by_the_fix():
    md = "x\n<table><tr><th>h</th></tr><tr><td>v</td></tr></table>\ny"
    assert standardize(md) == md
    fixed = standardize(md, convert_html_tables=True)
    assert "\\begin{tabular}{l}" in fixed and "h \\\\ " in fixed and "v \\\\ " in fixed
    assert len(segment(fixed).tables) == 1


def test_html_to_latex_flattens_cell_text_like_beautifulsoup():
    html = "<table><thead><tr><th style='text-align: right;'>A <em>b</em></th></tr></thead>" \
           "<tbody><tr><td> x </td></tr></tbody></table>"
    assert html_table_to_latex(html).splitlines()[1:4] == ["\\begin{tabular}{r}", "\\hline", "Ab \\\\ "]


def test_blank_line_runs_collapse():
    assert standardize("a\n\n\n\n  \nb") == "a\n\nb"


def test_segmentation_of_headings_math_tables_and_text():
    md = ("# Title\n\nSome \\(a+b\\) text.\n\n####### not a heading\n\n\\[\n\\begin{matrix} a \\\\ b \\end{matrix}\n\\]"
          "\n\\begin{table}\n\\begin{tabular}{l}\n\\(t\\) & \\[u\\] \\\\\n\\end{tabular}\n\\end{table}\n\nEnd.")
    s = segment(md)
    assert s.headings == ["# Title"]
    assert s.inline_math == ["\\(a+b\\)", "\\(t\\)"]
    # the display formula keeps its \\ line break; the one inside the table counts too
    assert s.display_math == ["\\[\n\\begin{matrix} a \\\\ b \\end{matrix}\n\\]", "\\[u\\]"]
    assert len(s.tables) == 1 and s.tables[0].startswith("\n\\begin{table}")
    assert s.plain == "Some  text.\n\n####### not a heading\n\nEnd."
    # blocks in order; the formula inside the table is not a block of its own
    assert s.blocks == ["# Title", "Some \\(a+b\\) text.", "####### not a heading", s.display_math[0],
                        s.tables[0].strip(), "End."]


def test_table_needs_to_start_a_line():
    assert segment("text \\begin{table}x\\end{table}").tables == []
    assert segment("text\n\\begin{table}x\\end{table}").tables == ["\n\\begin{table}x\\end{table}"]


def test_linear_setext_pass_equals_the_reference_regex():
    import random

    from tasks.readoc.s3.standardize import setext_pass, setext_pass_regex

    rng = random.Random(11)
    pieces = ["a", "b", " ", "\n", "\n", "=", "-", "==", "--", "\t"]
    for _ in range(20000):
        s = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 16)))
        for mark, prefix in (("=", "#"), ("-", "##")):
            assert setext_pass(s, mark, prefix) == setext_pass_regex(s, mark, prefix), repr(s)
