"""The interactive review, driven by scripted keys."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from provenance.annotations import iter_annotations
from provenance.cli import cli
from provenance.store import ClaimFilter, iter_claims, open_database

SCREEN = re.compile(r"^\[\d+/\d+\]\s+claim ([0-9a-f]+)", re.MULTILINE)
FILTERS = ["--document", "magnesium-glutamate", "--category", "efficacy"]


def queue(db_path: Path) -> list[str]:
    db = open_database(db_path)
    try:
        return [c.id for c in iter_claims(db, ClaimFilter(categories=("efficacy",)))]
    finally:
        db.close()


def review(db_path: Path, keys: str, *extra: str) -> str:
    result = CliRunner().invoke(
        cli,
        ["review", *FILTERS, "--reviewer", "alice", "--db", str(db_path), *extra],
        input=keys,
    )
    assert result.exit_code == 0, result.output
    return result.output


def shown(output: str) -> list[str]:
    """The claim ids in the order their screens were shown."""
    return SCREEN.findall(output)


def test_verdicts_evidence_notes_skip_and_back(ingested_db: Path) -> None:
    ids = queue(ingested_db)
    assert len(ids) >= 4
    keys = (
        "c"  # first claim: contradicted
        "doi:nonsense\n"  # refused, asked again
        "doi:10.1000/xyz123\n"
        "pmid:12345678\n"
        "\n"  # no more evidence
        "the trial measured serum magnesium\n"  # note
        "k"  # skip the second
        "b"  # back to the second
        "s\n\n"  # supported, no evidence, no note
        "q"  # stop at the third
    )
    output = review(ingested_db, keys)
    assert shown(output) == [ids[0], ids[1], ids[2], ids[1], ids[2]]
    assert "'doi:nonsense' is not a valid DOI" in output
    assert "2 verdict(s) recorded by alice" in output
    db = open_database(ingested_db)
    try:
        log = list(iter_annotations(db))
    finally:
        db.close()
    assert [(a.claim_id, a.verdict.value) for a in log] == [
        (ids[0], "contradicted"),
        (ids[1], "supported"),
    ]
    assert log[0].evidence == ["doi:10.1000/xyz123", "pmid:12345678"]
    assert log[0].note == "the trial measured serum magnesium"
    assert log[1].evidence == [] and log[1].note is None


def test_screen_shows_the_claim_in_its_paragraph_with_cues(ingested_db: Path) -> None:
    db = open_database(ingested_db)
    try:
        claim = next(iter_claims(db, ClaimFilter(categories=("efficacy",))))
    finally:
        db.close()
    output = review(ingested_db, "q")
    flowing = " ".join(output.split())  # the paragraph is wrapped to the terminal
    assert f"»{claim.text}«" in flowing
    before, after = flowing.split(f"»{claim.text}«")
    assert before.rstrip().endswith("neurological disorders.")  # the sentences around it
    assert after.lstrip().startswith("This article delves")
    assert "category    efficacy" in output
    assert f"status      {claim.evidence_status.value}" in output
    assert "[s]upported" in output


def test_review_resumes_where_the_reviewer_stopped(ingested_db: Path) -> None:
    ids = queue(ingested_db)
    first = review(ingested_db, "kkq")
    assert shown(first) == ids[:3]
    again = review(ingested_db, "q")
    assert shown(again) == [ids[2]]
    assert shown(review(ingested_db, "q", "--restart")) == [ids[0]]


def test_reviewed_claims_leave_the_queue(ingested_db: Path) -> None:
    ids = queue(ingested_db)
    review(ingested_db, "s\n\nq")
    output = review(ingested_db, "q", "--restart")
    assert shown(output) == [ids[1]]
    assert shown(review(ingested_db, "q", "--restart", "--all")) == [ids[0]]


def test_another_reviewer_has_their_own_queue(ingested_db: Path) -> None:
    ids = queue(ingested_db)
    review(ingested_db, "s\n\nkq")
    result = CliRunner().invoke(
        cli,
        ["review", *FILTERS, "--reviewer", "bob", "--db", str(ingested_db)],
        input="q",
    )
    assert shown(result.output) == [ids[0]]


@pytest.mark.parametrize("keys", ["", "x"])
def test_unknown_key_or_end_of_input_records_nothing(ingested_db: Path, keys: str) -> None:
    result = CliRunner().invoke(
        cli,
        ["review", *FILTERS, "--reviewer", "alice", "--db", str(ingested_db)],
        input=keys + "q",
    )
    assert result.exit_code == 0, result.output
    assert "0 verdict(s) recorded" in result.output


def test_nothing_to_review(ingested_db: Path) -> None:
    result = CliRunner().invoke(
        cli, ["review", "--search", "unobtainium", "--db", str(ingested_db)], input="q"
    )
    assert result.exit_code == 0
    assert "nothing to review" in result.output


def test_after_the_last_claim_the_next_review_starts_over(ingested_db: Path) -> None:
    ids = queue(ingested_db)
    output = review(ingested_db, "k" * len(ids))
    assert "end of the queue" in output
    assert shown(review(ingested_db, "q")) == [ids[0]]
