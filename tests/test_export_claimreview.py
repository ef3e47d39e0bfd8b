"""provenance export --format claimreview: schema.org ClaimReview as Google reads it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.helpers import annotate, claim_ids, export_json

#: Google Search Central, "Fact check (ClaimReview) structured data": required properties.
GOOGLE_REQUIRED = {
    "ClaimReview": ["claimReviewed", "reviewRating", "url"],
    "Rating": ["alternateName"],
}
#: ... and recommended ones.
GOOGLE_RECOMMENDED = {
    "ClaimReview": ["author", "datePublished", "itemReviewed"],
    "Claim": ["appearance", "author", "datePublished", "firstAppearance"],
    "Rating": ["bestRating", "name", "ratingValue", "worstRating"],
}
#: Recommended properties the ledger cannot know: who first made the claim, and when.
UNKNOWN_TO_THE_LEDGER = {
    ("Claim", "author"),
    ("Claim", "datePublished"),
    ("Claim", "firstAppearance"),
}


@pytest.fixture
def reviewed(ingested_db: Path) -> tuple[Path, list[str]]:
    ids = claim_ids(ingested_db)
    annotate(
        ingested_db,
        ids[0],
        "ana",
        "contradicted",
        created_at="2026-02-01T09:00:00Z",
        evidence=["pmid:12345678"],
        note="Trials found no effect.",
    )
    annotate(ingested_db, ids[0], "bo", "supported", created_at="2026-02-02T09:00:00Z")
    annotate(ingested_db, ids[1], "ana", "supported", created_at="2026-02-01T09:00:00Z")
    annotate(ingested_db, ids[1], "ana", "partially_supported", created_at="2026-02-03T09:00:00Z")
    annotate(ingested_db, ids[2], "ana", "unverifiable", created_at="2026-02-01T09:00:00Z")
    annotate(ingested_db, ids[3], "ana", "not_a_claim", created_at="2026-02-01T09:00:00Z")
    return ingested_db, ids


def _nodes(review: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        "ClaimReview": review,
        "Rating": review["reviewRating"],
        "Claim": review["itemReviewed"],
    }


def test_google_required_and_recommended_fields(reviewed: tuple[Path, list[str]]) -> None:
    db_path, _ = reviewed
    reviews = export_json(db_path, "--format", "claimreview")
    assert reviews
    for review in reviews:
        assert review["@context"] == "https://schema.org"
        nodes = _nodes(review)
        for node_type, node in nodes.items():
            assert node["@type"] == node_type
        for table, strict in ((GOOGLE_REQUIRED, True), (GOOGLE_RECOMMENDED, False)):
            for node_type, names in table.items():
                for name in names:
                    if not strict and (node_type, name) in UNKNOWN_TO_THE_LEDGER:
                        assert name not in nodes[node_type]
                        continue
                    value = nodes[node_type].get(name)
                    assert value not in (None, "", [], {}), f"{node_type}.{name} missing"
        rating = review["reviewRating"]
        assert rating["worstRating"] <= rating["ratingValue"] <= rating["bestRating"]
        assert review["author"] == {"@type": "Person", "name": review["author"]["name"]}
        assert review["itemReviewed"]["appearance"]["url"].startswith("urn:provenance:documents:")


def test_one_review_per_reviewers_latest_verdict(reviewed: tuple[Path, list[str]]) -> None:
    db_path, ids = reviewed
    reviews = export_json(db_path, "--format", "claimreview")
    ratings = {
        (r["url"].split("#")[0].rsplit(":", 1)[1], r["author"]["name"]): (
            r["reviewRating"]["ratingValue"],
            r["reviewRating"]["alternateName"],
        )
        for r in reviews
    }
    assert ratings == {
        (ids[0], "ana"): (1, "Contradicted"),
        (ids[0], "bo"): (4, "Supported"),
        (ids[1], "ana"): (3, "Partially supported"),
        (ids[2], "ana"): (2, "Unverifiable"),
    }
    assert len(reviews) == len(ratings)


def test_verdict_filter_exports_only_those_reviews(reviewed: tuple[Path, list[str]]) -> None:
    db_path, ids = reviewed
    reviews = export_json(db_path, "--format", "claimreview", "--verdict", "contradicted")
    assert len(reviews) == 1
    (review,) = reviews
    assert review["reviewRating"]["alternateName"] == "Contradicted"
    assert review["claimReviewed"] == review["itemReviewed"]["text"] != ""
    assert review["reviewBody"] == "Trials found no effect."
    assert review["citation"] == ["https://pubmed.ncbi.nlm.nih.gov/12345678"]
    assert review["datePublished"] == "2026-02-01T09:00:00.000000Z"
    assert ids[0] in review["url"]


def test_not_a_claim_is_no_fact_check(reviewed: tuple[Path, list[str]]) -> None:
    db_path, _ = reviewed
    assert export_json(db_path, "--format", "claimreview", "--verdict", "not_a_claim") == []


def test_filters_apply(reviewed: tuple[Path, list[str]]) -> None:
    db_path, _ = reviewed
    reviews = export_json(db_path, "--format", "claimreview", "--status", "unverifiable")
    assert [r["reviewRating"]["alternateName"] for r in reviews] == ["Unverifiable"]


def test_base_url_makes_the_review_url_a_page(reviewed: tuple[Path, list[str]]) -> None:
    db_path, ids = reviewed
    reviews = export_json(
        db_path,
        "--format",
        "claimreview",
        "--verdict",
        "unverifiable",
        "--base-url",
        "https://facts.example.org/claims",
    )
    (review,) = reviews
    assert review["url"].startswith(f"https://facts.example.org/claims/claims/{ids[2]}#")
