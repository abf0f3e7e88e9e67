"""Gold scored against itself gives 100 (1.0) on every defined column, on all shared documents."""

import pytest

from tasks.readoc.s3 import SUBSET_COLUMNS, score_document

pytestmark = pytest.mark.needs_shared_data


@pytest.mark.parametrize("subset", ["arxiv", "github"])  # zenodo: test_zenodo_pages.py
def test_gold_against_itself_is_perfect(data_dir, subset):
    golds = sorted((data_dir / subset / "markdown").glob("*.md"))
    assert len(golds) == 10
    defined = {k: 0 for k in SUBSET_COLUMNS[subset]}
    for path in golds:
        md = path.read_text(encoding="utf-8")
        values = score_document(md, md, subset).values
        assert set(values) == set(SUBSET_COLUMNS[subset])
        for key, value in values.items():
            if value is not None:
                assert value == pytest.approx(1.0, abs=1e-12), (path.name, key, value)
                defined[key] += 1
    # every column is defined somewhere in the sample (13 tables, ~121 display formulas...)
    assert all(n > 0 for n in defined.values()), defined
    if subset == "arxiv":
        assert defined["table_tree"] == 6 and defined["formula_isolate"] == 6
