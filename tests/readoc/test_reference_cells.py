"""Every S3 column, document by document, equals the reference implementation's on the same gold
and predictions (the gold of all 30 shared documents, perturbed), with the reference's pandoc.

The reference's cells were computed by running icip-cas/READoc's src/evaluation on these inputs
(bench/readoc_reference_check.py --write-fixture); that needs the reference checkout, nltk and
its `pandoc` package, which CI does not have, so the numbers are a fixture here.
"""

from __future__ import annotations

import json

import pytest

from bench.readoc_scoring import perturb
from tasks.readoc import data
from tasks.readoc.s3 import SUBSET_COLUMNS, pandoc, score_document
from tests.conftest import FIXTURES

pytestmark = pytest.mark.needs_shared_data
REFERENCE = json.loads((FIXTURES / "readoc" / "reference_s3_perturbed.json").read_text())


def test_the_reference_cells_were_made_with_the_reference_pandoc():
    assert REFERENCE["pandoc"] == pandoc.REFERENCE_VERSION
    assert {s: len(docs) for s, docs in REFERENCE["cells"].items()} == {"arxiv": 10, "github": 10, "zenodo": 10}


@pytest.mark.parametrize("subset", data.SUBSETS)
def test_every_cell_matches_the_reference(data_dir, subset):
    if pandoc.pandoc_version() != pandoc.REFERENCE_VERSION:
        pytest.fail(f"pandoc {pandoc.pandoc_version()} is in use; the table cells need the reference's "
                    f"{pandoc.REFERENCE_VERSION} (.ci/setup-readoc.sh installs Debian's)")
    docs = data.find_documents(subset, data_dir.parent)
    mismatches = []
    for i, d in enumerate(docs):
        gold = d.gold.read_text(encoding="utf-8")
        ours = score_document(gold, perturb(gold, i), subset).values
        theirs = REFERENCE["cells"][subset][d.doc_id]
        for col in SUBSET_COLUMNS[subset]:
            a, b = ours[col], theirs[col]
            if (a is None) != (b is None) or (a is not None and abs(a - b) > 1e-9):
                mismatches.append((d.doc_id, col, a, b))
    assert not mismatches
