"""The READoc S3 evaluation suite: Standardization, Segmentation, Scoring.

`score_document(gold_md, pred_md, subset)` gives a document's ten columns (fractions in [0, 1],
None where a column is undefined for that document).
"""

from tasks.readoc.s3.suite import COLUMNS, SUBSET_COLUMNS, DocumentScore, score_document

__all__ = ["COLUMNS", "SUBSET_COLUMNS", "DocumentScore", "score_document"]
