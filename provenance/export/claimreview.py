"""Reviewed claims as schema.org ClaimReview (https://schema.org/ClaimReview), JSON-LD.

One ClaimReview per reviewer's latest verdict on a claim, with every property Google's
fact-check documentation requires (claimReviewed, reviewRating with alternateName, url) and
recommends (author, datePublished, itemReviewed as a Claim with its appearance; Rating's
ratingValue, bestRating, worstRating, name). ``not_a_claim`` is not a finding about truth,
so it yields no ClaimReview.

The numeric scale, documented as Google asks: 1 contradicted, 2 unverifiable, 3 partially
supported, 4 supported.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any, TextIO

import sqlite_utils

from provenance.export.common import (
    ExportClaim,
    ExportOptions,
    Iris,
    evidence_iri,
    iter_export_claims,
)
from provenance.models import Annotation, Verdict
from provenance.output import write_json

SCHEMA_CONTEXT = "https://schema.org"
#: Verdict → (ratingValue, the rating's name as shown).
RATINGS: dict[Verdict, tuple[int, str]] = {
    Verdict.contradicted: (1, "Contradicted"),
    Verdict.unverifiable: (2, "Unverifiable"),
    Verdict.partially_supported: (3, "Partially supported"),
    Verdict.supported: (4, "Supported"),
}
WORST_RATING = min(value for value, _ in RATINGS.values())
BEST_RATING = max(value for value, _ in RATINGS.values())


def _item_reviewed(item: ExportClaim) -> dict[str, Any]:
    document = item.document
    return {
        "@type": "Claim",
        "text": item.claim.text,
        "appearance": {
            "@type": "CreativeWork",
            "url": document.iri,
            "name": document.title or document.name,
        },
    }


def claim_review(item: ExportClaim, review: Annotation, iris: Iris) -> dict[str, Any]:
    """One reviewer's verdict on one claim as a ClaimReview."""
    value, name = RATINGS[review.verdict]
    result: dict[str, Any] = {
        "@context": SCHEMA_CONTEXT,
        "@type": "ClaimReview",
        "@id": iris.annotation(review.id),
        "url": f"{iris.claim(item.claim.id)}#annotation-{review.id}",
        "claimReviewed": item.claim.text,
        "itemReviewed": _item_reviewed(item),
        "author": {"@type": "Person", "name": review.reviewer},
        "datePublished": review.created_at,
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": value,
            "bestRating": BEST_RATING,
            "worstRating": WORST_RATING,
            "alternateName": name,
            "name": name,
        },
    }
    if review.note:
        result["reviewBody"] = review.note
    citations = [evidence_iri(e) or e for e in review.evidence]
    if citations:
        result["citation"] = citations
    return result


def iter_claim_reviews(
    db: sqlite_utils.Database, options: ExportOptions
) -> Iterator[dict[str, Any]]:
    """ClaimReviews of the latest verdicts (only those in ``options.verdicts`` if given)."""
    iris = Iris(options.base_url)
    wanted = options.verdicts or tuple(verdict.value for verdict in RATINGS)
    for item in iter_export_claims(db, replace(options, verdicts=wanted)):
        for review in item.latest:
            if review.verdict in RATINGS and review.verdict.value in wanted:
                yield claim_review(item, review, iris)


def write_claim_reviews(db: sqlite_utils.Database, options: ExportOptions, out: TextIO) -> int:
    """A JSON-LD array of ClaimReviews; returns how many."""
    return write_json(iter_claim_reviews(db, options), out)
