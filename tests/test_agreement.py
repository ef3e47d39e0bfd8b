"""Reviewer agreement: Cohen's kappa per pair of reviewers, overall and per category."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from provenance.cli import cli
from provenance.review.agreement import cohen_kappa
from provenance.review.log import make_annotation, record_annotations
from provenance.store.connection import open_database


def test_kappa_of_the_textbook_example() -> None:
    # 50 items: both yes 20, A yes / B no 5, A no / B yes 10, both no 15
    pairs = [("y", "y")] * 20 + [("y", "n")] * 5 + [("n", "y")] * 10 + [("n", "n")] * 15
    result = cohen_kappa(pairs)
    assert (result.items, result.agreed) == (50, 35)
    assert result.observed == pytest.approx(0.7)
    assert result.expected == pytest.approx(0.5)
    assert result.kappa == pytest.approx(0.4)


@pytest.mark.parametrize(
    ("pairs", "kappa"),
    [
        ([("a", "a"), ("b", "b"), ("c", "c")], 1.0),
        ([("a", "b"), ("b", "a")], -1.0),
        ([("a", "a"), ("a", "a")], None),  # chance agreement is total: undefined
        ([], None),
    ],
)
def test_kappa_edges(pairs: list[tuple[str, str]], kappa: float | None) -> None:
    assert cohen_kappa(pairs).kappa == kappa


def current_claims(db_path: Path) -> list[tuple[str, str]]:
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(
            "select id, category from claims where is_current = 1 order by start"
        ).fetchall()
    finally:
        conn.close()


def test_stats_agreement(ingested_db: Path) -> None:
    claims = current_claims(ingested_db)
    by_category: dict[str, list[str]] = {}
    for claim_id, category in claims:
        by_category.setdefault(category, []).append(claim_id)
    two = [c for c, ids in sorted(by_category.items()) if len(ids) >= 2][:2]
    first, second = by_category[two[0]][:2], by_category[two[1]][:2]
    verdicts = [
        # (claim, alice, bob)
        (first[0], "supported", "supported"),
        (first[1], "contradicted", "supported"),
        (second[0], "unverifiable", "unverifiable"),
        (second[1], "supported", "supported"),
    ]
    db = open_database(ingested_db)
    try:
        record_annotations(
            db,
            [
                make_annotation(c, "alice", a, created_at="2024-01-01T00:00:00Z")
                for c, a, _ in verdicts
            ]
            + [
                make_annotation(c, "bob", b, created_at="2024-01-01T00:00:00Z")
                for c, _, b in verdicts
            ]
            # carol shares one claim with each; alice's earlier verdict is superseded below
            + [make_annotation(first[0], "carol", "supported", created_at="2024-01-01T00:00:00Z")]
            + [make_annotation(first[1], "alice", "supported", created_at="2024-02-01T00:00:00Z")],
        )
    finally:
        db.close()
    result = CliRunner().invoke(
        cli, ["stats", "--agreement", "--format", "json", "--db", str(ingested_db)]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    overall = {tuple(r["reviewers"]): r for r in report if r["category"] is None}
    assert set(overall) == {("alice", "bob"), ("alice", "carol"), ("bob", "carol")}
    alice_bob = overall[("alice", "bob")]
    # alice's latest verdict on first[1] now agrees with bob: 4 of 4
    assert (alice_bob["items"], alice_bob["agreed"]) == (4, 4)
    assert alice_bob["kappa"] == pytest.approx(1.0)
    assert {"first": "unverifiable", "second": "unverifiable", "claims": 1} in alice_bob["table"]
    per_category = {
        r["category"]: r["items"]
        for r in report
        if r["reviewers"] == ["alice", "bob"] and r["category"]
    }
    assert per_category == {two[0]: 2, two[1]: 2}
    assert overall[("alice", "carol")]["items"] == 1

    text = CliRunner().invoke(cli, ["stats", "--agreement", "--db", str(ingested_db)]).output
    assert "alice × bob" in text
    assert "kappa     1.000  on 4 claims, 4 agreed" in text


def test_no_shared_reviews(ingested_db: Path) -> None:
    result = CliRunner().invoke(cli, ["stats", "--agreement", "--db", str(ingested_db)])
    assert result.exit_code == 0
    assert "no claim has been reviewed by two reviewers" in result.output
