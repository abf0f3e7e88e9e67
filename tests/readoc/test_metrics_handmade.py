"""Each metric on small hand-made Markdown pairs; the expected values are worked out by hand in
the comments next to them."""

import pytest

from tasks.readoc.s3 import score_document
from tasks.readoc.s3.metrics.heading import heading_tree_similarity
from tasks.readoc.s3.metrics.order import block_order, count_inversions, match_blocks, token_order
from tasks.readoc.s3.metrics.table import latex_table_to_html, table_match, teds
from tasks.readoc.s3.metrics.text import concat_score

GOLD = "# Intro\n\nalpha beta gamma\n\n## Method\n\ndelta \\(x+1\\) epsilon\n\n\\[E=mc^2\\]\n"
PRED = "# Intro\n\nalpha beta gamma\n\ndelta \\(x+2\\) epsilon\n"


def test_document_columns_by_hand():
    v = score_document(GOLD, PRED, "arxiv").values
    # plain text of both: "alpha beta gamma\n\ndelta  epsilon" (headings and math removed)
    assert v["text_concat"] == pytest.approx(1.0)
    assert v["text_vocab"] == pytest.approx(1.0)
    # "# Intro\n## Method" (17 chars) vs "# Intro": 10 deletions -> 1 - 10/17
    assert v["heading_concat"] == pytest.approx(1 - 10 / 17)
    # tree root>Intro>Method vs root>Intro: delete one node; 1 - 1/max(2, 1)
    assert v["heading_tree"] == pytest.approx(0.5)
    # "\(x+1\)" vs "\(x+2\)": one substitution in 7 characters
    assert v["formula_embed"] == pytest.approx(1 - 1 / 7)
    # gold has one display formula, the prediction none: similarity of "" with it is 0
    assert v["formula_isolate"] == pytest.approx(0.0)
    # no gold table: undefined, left out of the average
    assert v["table_concat"] is None and v["table_tree"] is None
    # blocks: Intro, alpha.., delta.. all matched in order (Method, E=mc^2 unmatched)
    assert v["order_block"] == pytest.approx(1.0)
    # common tokens #, Intro, alpha, beta, gamma, delta, epsilon appear in the same order
    assert v["order_token"] == pytest.approx(1.0)


def test_github_subset_scores_only_text_heading_order():
    v = score_document(GOLD, PRED, "github").values
    assert set(v) == {"text_concat", "text_vocab", "heading_concat", "heading_tree", "order_block", "order_token"}


def test_edit_distance_similarity_and_vocabulary_f1():
    # kitten -> sitting: 3 edits, longer string 7 characters
    assert concat_score("kitten", "sitting").eds == pytest.approx(1 - 3 / 7)
    # gold {the, cat, sat}, pred {the, dog, sat, down}: 2 common; P = 2/4, R = 2/3, F = 4/7
    s = concat_score("the dog sat down", "the cat sat")
    assert (s.precision, s.recall, s.f1) == pytest.approx((0.5, 2 / 3, 4 / 7))
    assert concat_score("", "gold").eds == 0.0 and concat_score("", "gold").f1 == 0
    assert concat_score("anything", "") is None  # empty gold: undefined


def test_heading_tree_by_hand():
    # one title renamed: lev("Introductio", "Introduction") = 1 over 12 characters
    assert heading_tree_similarity(["# Introductio"], ["# Introduction"]) == pytest.approx(1 - 1 / 12)
    # missing middle heading B: one deletion, normalized by max(3, 2)
    assert heading_tree_similarity(["# A", "# C"], ["# A", "## B", "# C"]) == pytest.approx(1 - 1 / 3)
    # B one level too high: A->B ancestry cannot be kept, so delete + insert B: 1 - 2/2
    assert heading_tree_similarity(["# A", "# B"], ["# A", "## B"]) == pytest.approx(0.0)
    assert heading_tree_similarity([], ["# A"]) == pytest.approx(0.0)  # insert 1, over max(1, 0)
    assert heading_tree_similarity(["# A"], []) is None


TABLE = "\\begin{table}\n\\begin{tabular}{l l}\na & b \\\\\nc & %s \\\\\n\\end{tabular}\n\\end{table}"


def test_table_teds_by_hand():
    gold, pred = TABLE % "d", TABLE % "e"
    html = latex_table_to_html(gold)
    # pandoc: <table><tbody> two <tr>, each two <td>: 7 elements below <table>
    assert html.count("<td") == 4 and html.count("<tr") == 2 and "<thead" not in html
    # one cell renamed: token lists ['d'] vs ['e'] differ by 1 of 1 -> 1 - 1/7
    assert teds(latex_table_to_html(pred), html) == pytest.approx(1 - 1 / 7)
    assert teds(html, html) == 1.0


def test_table_matching_reports_min_of_precision_and_recall():
    gold, junk = TABLE % "d", TABLE.replace("l l", "l") % "zzz"
    m = table_match([gold, junk], [gold])
    # the identical table is matched (TEDS 1); P = 1/2 predicted tables, R = 1/1 gold tables
    assert (m.precision, m.recall, m.min) == pytest.approx((0.5, 1.0, 0.5))
    assert table_match([], [gold]).min == 0
    assert table_match([gold], []) is None


def test_block_order_by_hand():
    gold = ["w1 w2", "w3 w4", "w5 w6", "w7 w8"]
    pred = ["w3 w4", "w1 w2", "w7 w8", "w5 w6"]
    # matched predicted positions in gold order: [1, 0, 3, 2] -> 2 inversions of 6 pairs
    assert match_blocks(pred, gold) == [1, 0, 3, 2]
    assert block_order(pred, gold) == pytest.approx(1 - 2 * 2 / (4 * 3))
    assert block_order(pred, []) is None


def test_block_matching_threshold_and_ties():
    # distance 5 of 10 = 0.5 matches; 6 of 10 does not
    assert match_blocks(["abcdeXXXXX"], ["abcdefghij"]) == [0]
    assert match_blocks(["abcdXXXXXX"], ["abcdefghij"]) == []
    # equal distances: the earliest predicted block wins; a used block is not reused
    assert match_blocks(["abcdefghiX", "abcdefghiY"], ["abcdefghij", "abcdefghij"]) == [0, 1]
    # fewer than 2 matches: 0, not undefined
    assert block_order(["abcdefghij", "zzz"], ["abcdefghij", "qqqqq"]) == 0.0


def test_token_order_by_hand():
    gold = "w1 w2 w3 w4 w5 w6 w7 w8"
    pred = "w3 w4 w1 w2 w7 w8 w5 w6"
    # gold ids of pred tokens: 2 3 0 1 6 7 4 5 -> 8 inversions of 28 pairs
    assert token_order(pred, gold) == pytest.approx(1 - 2 * 8 / (8 * 7))
    assert token_order(pred, "w1") is None  # a one-token gold is undefined


def test_token_order_needs_more_than_a_tenth_matched():
    gold = " ".join(f"t{i}" for i in range(40))
    four = " ".join([f"t{i}" for i in range(4)] + [f"x{i}" for i in range(36)])
    five = " ".join([f"t{i}" for i in range(5)] + [f"x{i}" for i in range(35)])
    assert token_order(four, gold) == 0.0  # 4 is not > 0.1 * 40
    assert token_order(five, gold) == pytest.approx(1.0)


def test_inversion_count_matches_brute_force():
    import random

    rng = random.Random(7)
    for n in (0, 1, 2, 10, 57):
        seq = rng.sample(range(1000), n)
        brute = sum(1 for i in range(n) for j in range(i + 1, n) if seq[i] > seq[j])
        assert count_inversions(seq) == brute


def test_html_table_fix_is_opt_in():
    latex = ("\\begin{table}\n\\begin{tabular}{l l}\n\\hline\na & b \\\\ \n\\hline\n1 & 2 \\\\ \n\\hline\n"
             "\\end{tabular}\n\\end{table}")
    gold = f"Text before.\n{latex}\n\nText after."
    pred = "Text before.\n<table><tr><th>a</th><th>b</th></tr><tr><td>1</td><td>2</td></tr></table>\n\nText after."
    faithful = score_document(gold, pred, "arxiv").values
    # the reference never reads HTML tables: no predicted table, so P = 0 and the EDS is 0
    assert faithful["table_tree"] == 0.0 and faithful["table_concat"] == 0.0
    fixed = score_document(gold, pred, "arxiv", fixes=("html-tables",)).values
    # converted the same way as a pipe table, it is exactly the gold tabular
    assert fixed["table_tree"] == pytest.approx(1.0) and fixed["table_concat"] == pytest.approx(1.0)
    with pytest.raises(ValueError, match="unknown READoc fix"):
        score_document(gold, pred, "arxiv", fixes=("meteor",))
