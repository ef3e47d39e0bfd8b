"""Claims as W3C Web Annotations (https://www.w3.org/TR/annotation-model/), JSON-LD.

One annotation per claim. Its target is the claim's place in the document: the document's
source, a TextQuoteSelector (exact text with a prefix and suffix to re-anchor it if the text
moves) and a TextPositionSelector (character offsets, in code points as the model requires),
with a TimeState that pins the version read (when, a link to the stored copy, its sha256).
The body says what the ledger knows: category, certainty, evidence status, and each
reviewer's latest verdict with its note and evidence. Reviewed claims are ``assessing``,
the rest ``classifying``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, TextIO

import sqlite_utils

from provenance.export.common import (
    ExportClaim,
    ExportOptions,
    Iris,
    evidence_iri,
    iter_export_claims,
)
from provenance.models import Annotation
from provenance.output import write_json
from provenance.version import __version__

ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
#: Terms of our own: which field of the claim record a body carries, and a version's hash.
VOCABULARY = "urn:provenance:vocab#"
CONTEXT: list[Any] = [ANNO_CONTEXT, {"provenance": VOCABULARY}]
#: How much text either side of the quote; what Hypothesis keeps too.
CONTEXT_CHARS = 32


def _field_body(purpose: str, field_name: str, value: str) -> dict[str, Any]:
    return {
        "type": "TextualBody",
        "purpose": purpose,
        "value": value,
        "format": "text/plain",
        "provenance:field": field_name,
    }


def _review_bodies(annotation: Annotation, iris: Iris) -> Iterator[dict[str, Any]]:
    creator = {"type": "Person", "name": annotation.reviewer}
    yield {
        **_field_body("assessing", "verdict", annotation.verdict.value),
        "provenance:annotation": iris.annotation(annotation.id),
        "creator": creator,
        "created": annotation.created_at,
    }
    if annotation.note:
        yield {**_field_body("commenting", "note", annotation.note), "creator": creator}
    for evidence in annotation.evidence:
        iri = evidence_iri(evidence)
        if iri is None:
            yield {**_field_body("commenting", "evidence", evidence), "creator": creator}
        else:
            yield {
                "type": "SpecificResource",
                "source": iri,
                "purpose": "linking",
                "provenance:field": "evidence",
                "creator": creator,
            }


def target(item: ExportClaim, iris: Iris) -> dict[str, Any]:
    """Where the claim is: its document version, quote and offsets."""
    claim, document = item.claim, item.document
    text = document.text
    return {
        "source": document.iri,
        "selector": [
            {
                "type": "TextQuoteSelector",
                "exact": claim.text,
                "prefix": text[max(0, claim.start - CONTEXT_CHARS) : claim.start],
                "suffix": text[claim.end : claim.end + CONTEXT_CHARS],
            },
            {"type": "TextPositionSelector", "start": claim.start, "end": claim.end},
        ],
        "state": {
            "type": "TimeState",
            "sourceDate": document.ingested_at,
            "cached": iris.document(document.id),
            "provenance:sha256": document.sha256,
            "provenance:version": document.version,
        },
    }


def web_annotation(item: ExportClaim, iris: Iris) -> dict[str, Any]:
    """One claim as a Web Annotation."""
    claim = item.claim
    reviews = item.latest
    body = [
        _field_body("classifying", "category", claim.category.value),
        _field_body("tagging", "certainty", claim.certainty.value),
        _field_body("tagging", "evidence_status", claim.evidence_status.value),
    ]
    for review in reviews:
        body.extend(_review_bodies(review, iris))
    annotation: dict[str, Any] = {
        "@context": CONTEXT,
        "id": iris.claim(claim.id) + "#annotation",
        "type": "Annotation",
        "motivation": "assessing" if reviews else "classifying",
        "created": item.document.ingested_at,
        "generator": {"type": "Software", "name": f"provenance {__version__}"},
        "body": body,
        "target": target(item, iris),
    }
    if reviews:
        annotation["modified"] = max(item.document.ingested_at, *(r.created_at for r in reviews))
        annotation["creator"] = [{"type": "Person", "name": r.reviewer} for r in reviews]
    return annotation


def iter_web_annotations(
    db: sqlite_utils.Database, options: ExportOptions
) -> Iterator[dict[str, Any]]:
    iris = Iris(options.base_url)
    for item in iter_export_claims(db, options):
        yield web_annotation(item, iris)


def write_web_annotations(db: sqlite_utils.Database, options: ExportOptions, out: TextIO) -> int:
    """A JSON-LD array of annotations, each a complete document; returns how many."""
    return write_json(iter_web_annotations(db, options), out)
