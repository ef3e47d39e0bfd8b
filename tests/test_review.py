"""The interactive review, driven by scripted keys."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from provenance.cli import cli
from provenance.review.log import iter_annotations
from provenance.store.connection import open_database
from provenance.store.reads import ClaimFilter, iter_claims

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
    # The sentences around it in its paragraph, as the source has them.
    source = (ingested_db.parent / "docs" / "magnesium-glutamate.txt").read_text(encoding="utf-8")
    at = source.index(claim.text)
    preceding = " ".join(source[:at].rsplit("\n", 1)[-1].split())
    following = " ".join(source[at + len(claim.text) :].split("\n", 1)[0].split())
    assert preceding  # the first efficacy claim does not open its paragraph
    assert before.rstrip().endswith(preceding[-40:])
    # The paragraph ends with the claim or goes on after it, and nothing else is shown.
    assert after.lstrip().startswith(following[:40] if following else "category")
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


def recorded(db_path: Path) -> list[tuple[str, str, list[str], str | None]]:
    db = open_database(db_path)
    try:
        return [(a.claim_id, a.verdict.value, a.evidence, a.note) for a in iter_annotations(db)]
    finally:
        db.close()


@pytest.mark.parametrize(
    ("keys", "stopped_at"),
    [
        ("s\n\nk", 2),  # at the key prompt of the third claim
        ("s\n\nc", 1),  # at the second claim's evidence prompt
        ("s\n\ncdoi:10.1000/xyz123\n", 1),  # same, with evidence already entered
        ("s\n\nc\n", 1),  # at the second claim's note prompt
    ],
)
def test_end_of_input_stops_like_quit(ingested_db: Path, keys: str, stopped_at: int) -> None:
    ids = queue(ingested_db)
    output = review(ingested_db, keys)  # exit status 0
    assert "input ended; the next review resumes here" in output
    assert "1 verdict(s) recorded by alice" in output
    assert "Aborted" not in output
    assert recorded(ingested_db) == [(ids[0], "supported", [], None)]  # nothing half-written
    assert shown(review(ingested_db, "q")) == [ids[stopped_at]]


def test_ctrl_c_exits_130_and_writes_nothing_more(
    ingested_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = queue(ingested_db)
    prompt = click.prompt

    def interrupted_note(text: str, **kwargs: Any) -> Any:
        if text.startswith("note") and recorded(ingested_db):
            try:
                raise KeyboardInterrupt  # as click.prompt reports a Ctrl-C
            except KeyboardInterrupt:
                raise click.Abort() from None
        return prompt(text, **kwargs)

    monkeypatch.setattr(click, "prompt", interrupted_note)
    result = CliRunner().invoke(
        cli,
        ["review", *FILTERS, "--reviewer", "alice", "--db", str(ingested_db)],
        input="s\n\nkcdoi:10.1000/xyz123\n\nhalf a note\n",
    )
    assert result.exit_code == 130, result.output
    assert result.stderr.strip() == "interrupted; 1 verdict(s) recorded by alice"
    assert "Traceback" not in result.output and "Aborted" not in result.output
    assert recorded(ingested_db) == [(ids[0], "supported", [], None)]
    db = open_database(ingested_db)
    try:
        assert db.conn.execute("select count(*) from review_progress").fetchone() == (0,)
    finally:
        db.close()
    assert shown(review(ingested_db, "q")) == [ids[1]]  # reviewed claims leave the queue
