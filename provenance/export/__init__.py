"""Standard exports of the ledger: JSON lines, CSV, W3C Web Annotation, ClaimReview, PROV-JSON.

Every export streams: claims are read in document order, one document's text is held at a
time, annotations are read a batch of claims at a time, and output is written as it is made.
"""

from __future__ import annotations

from typing import TextIO

import sqlite_utils

from provenance.export.claimreview import write_claim_reviews
from provenance.export.common import ExportOptions, iter_claim_rows
from provenance.export.prov import write_prov
from provenance.export.webannotation import write_web_annotations
from provenance.output import model_rows, write_rows
from provenance.store.schema import CLAIM_FIELDS

EXPORT_FORMATS = ("jsonl", "csv", "webannotation", "claimreview", "prov")


def write_claim_records(
    db: sqlite_utils.Database, options: ExportOptions, out: TextIO, fmt: str
) -> int:
    """Claims as JSON lines or CSV, with the fields of ``provenance claims --format``."""
    claims = (claim for claim, _ in iter_claim_rows(db, options))
    return write_rows(model_rows(claims), out, fmt, fields=list(CLAIM_FIELDS), table_columns=[])


def export(db: sqlite_utils.Database, fmt: str, out: TextIO, options: ExportOptions) -> int:
    """Write the claims selected by ``options`` to ``out`` in ``fmt``; returns how many records."""
    if fmt in ("jsonl", "csv"):
        return write_claim_records(db, options, out, fmt)
    if fmt == "webannotation":
        return write_web_annotations(db, options, out)
    if fmt == "claimreview":
        return write_claim_reviews(db, options, out)
    if fmt == "prov":
        return write_prov(db, options, out)
    raise ValueError(f"unknown export format {fmt!r}")


__all__ = ["EXPORT_FORMATS", "ExportOptions", "export"]
