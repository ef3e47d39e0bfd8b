"""provenance export: JSON lines and CSV, filters, verdicts, IRIs; shared test helpers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlite_utils
from click.testing import CliRunner

from provenance.cli import cli
from provenance.export import ExportOptions, common
from provenance.export.common import evidence_iri, iter_export_claims, source_iri
from provenance.store.connection import open_database
from tests.helpers import annotate, claim_ids, export_json, run_export


def test_jsonl_has_the_records_of_claims(ingested_db: Path) -> None:
    claims = CliRunner().invoke(
        cli, ["claims", "--db", str(ingested_db), "--format", "jsonl", "--status", "unsupported"]
    )
    exported = run_export(ingested_db, "--format", "jsonl", "--status", "unsupported")
    assert exported == claims.stdout
    assert exported.count("\n") > 10


def test_csv_has_the_columns_and_rows_of_claims(ingested_db: Path) -> None:
    args = ["--format", "csv", "--category", "efficacy,mechanism"]
    claims = CliRunner().invoke(cli, ["claims", "--db", str(ingested_db), *args])
    exported = run_export(ingested_db, *args)
    assert exported == claims.stdout
    assert exported.splitlines()[0].startswith("id,claim_key,document,document_id")


def test_verdict_filter_uses_each_reviewers_latest_verdict(ingested_db: Path) -> None:
    first, second, third = claim_ids(ingested_db)[:3]
    annotate(ingested_db, first, "ana", "contradicted", created_at="2026-01-01T10:00:00Z")
    annotate(ingested_db, first, "ana", "supported", created_at="2026-01-02T10:00:00Z")
    annotate(ingested_db, second, "ana", "contradicted", created_at="2026-01-01T10:00:00Z")
    annotate(ingested_db, second, "bo", "supported", created_at="2026-01-03T10:00:00Z")
    annotate(ingested_db, third, "bo", "unverifiable", created_at="2026-01-03T10:00:00Z")

    def exported(*verdicts: str) -> list[str]:
        lines = run_export(ingested_db, *(f"--verdict={v}" for v in verdicts)).splitlines()
        return [json.loads(line)["id"] for line in lines]

    assert exported("contradicted") == [second]
    assert sorted(exported("supported")) == sorted([first, second])
    assert sorted(exported("contradicted,unverifiable")) == sorted([second, third])


def test_unknown_verdict_is_refused(ingested_db: Path) -> None:
    result = CliRunner().invoke(cli, ["export", "--db", str(ingested_db), "--verdict", "false"])
    assert result.exit_code == 2
    assert "'false' is not one of" in result.output


def test_annotations_stay_with_their_claims_across_batches(
    ingested_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = claim_ids(ingested_db)
    reviewed = {ids[1]: "supported", ids[2]: "contradicted", ids[5]: "unverifiable"}
    for claim_id, verdict in reviewed.items():
        annotate(ingested_db, claim_id, "ana", verdict, created_at="2026-01-01T10:00:00Z")
    monkeypatch.setattr(common, "ANNOTATION_BATCH", 2)
    db = open_database(ingested_db, create=False)
    try:
        found = {
            item.claim.id: [a.verdict.value for a in item.annotations]
            for item in iter_export_claims(db, ExportOptions())
        }
    finally:
        db.close()
    assert len(found) == len(ids)
    assert {k: v for k, v in found.items() if v} == {k: [v] for k, v in reviewed.items()}


def test_one_document_text_at_a_time(tmp_path: Path, db_path: Path) -> None:
    docs = tmp_path / "many"
    docs.mkdir()
    for n in range(3):
        (docs / f"doc{n}.txt").write_text(f"Document {n} says magnesium helps. It may not.\n")
    CliRunner().invoke(cli, ["ingest", str(docs), "--db", str(db_path)])
    db = open_database(db_path, create=False)
    loads: list[str] = []
    original = common.DocumentCache.get

    def counting_get(self: common.DocumentCache, document_id: str) -> common.DocumentVersion:
        if self.current is None or self.current.id != document_id:
            loads.append(document_id)
        return original(self, document_id)

    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(common.DocumentCache, "get", counting_get)
            items = list(iter_export_claims(db, ExportOptions()))
    finally:
        db.close()
    assert len(items) == 6
    assert len(loads) == 3 == len(set(loads))


@pytest.mark.parametrize(
    ("evidence", "iri"),
    [
        ("doi:10.1000/xyz123", "https://doi.org/10.1000/xyz123"),
        ("DOI: 10.1000/xyz123", "https://doi.org/10.1000/xyz123"),
        ("pmid:12345678", "https://pubmed.ncbi.nlm.nih.gov/12345678"),
        ("pmcid:PMC1234567", "https://www.ncbi.nlm.nih.gov/pmc/articles/PMC1234567"),
        ("isbn:9780262033848", "urn:isbn:9780262033848"),
        ("url:https://example.org/a?b=1", "https://example.org/a?b=1"),
        ("https://example.org/study", "https://example.org/study"),
        ("Smith 2020, table 2", None),
        ("doi:", None),
    ],
)
def test_evidence_iri(evidence: str, iri: str | None) -> None:
    assert evidence_iri(evidence) == iri


def test_source_iri_is_never_a_local_path() -> None:
    published = "https://review.example/claims/documents/abc"
    assert source_iri("https://example.org/a.html", published) == "https://example.org/a.html"
    assert source_iri("docs/a b.txt", published) == published
    assert source_iri("/home/me/x.md", "urn:provenance:documents:abc") == (
        "urn:provenance:documents:abc"
    )


@pytest.mark.parametrize("fmt", ["webannotation", "claimreview", "prov"])
def test_exports_never_publish_a_local_file_path(ingested_db: Path, fmt: str) -> None:
    """A document's address in an export is where it is published, never file:///…"""
    annotate(ingested_db, claim_ids(ingested_db)[0], "ada", "supported", created_at="2026-01-01")
    reviewed_db = ingested_db
    for base in ((), ("--base-url", "https://review.example/claims")):
        result = CliRunner().invoke(
            cli, ["export", "--db", str(reviewed_db), "--format", fmt, *base]
        )
        assert result.exit_code == 0, result.output
        assert "file:" not in result.output
        if base:
            assert "https://review.example/claims/documents/" in result.output


def test_base_url_gives_published_iris(ingested_db: Path) -> None:
    annotations = export_json(
        ingested_db, "--format", "webannotation", "--base-url", "https://example.org/claims/"
    )
    first = annotations[0]
    assert first["id"].startswith("https://example.org/claims/claims/")
    assert first["target"]["state"]["cached"].startswith("https://example.org/claims/documents/")


def test_base_url_must_be_http(ingested_db: Path) -> None:
    result = CliRunner().invoke(
        cli, ["export", "--db", str(ingested_db), "--base-url", "example.org"]
    )
    assert result.exit_code == 2
    assert "--base-url" in result.output


def test_missing_database_is_a_clear_error(db_path: Path) -> None:
    result = CliRunner().invoke(cli, ["export", "--db", str(db_path)])
    assert result.exit_code == 1
    assert "no such database" in result.output


@pytest.mark.parametrize("fmt", ["webannotation", "claimreview"])
def test_nothing_selected_is_an_empty_array(ingested_db: Path, fmt: str) -> None:
    assert export_json(ingested_db, "--format", fmt, "--search", "xylophone") == []


def test_verdicts_before_an_edit_are_history_only(ingested_db: Path) -> None:
    first, second = claim_ids(ingested_db)[:2]
    annotate(ingested_db, first, "ana", "contradicted", created_at="2026-01-01T10:00:00.000000Z")
    annotate(ingested_db, second, "ana", "contradicted", created_at="2026-01-01T10:00:00.000000Z")
    db = sqlite_utils.Database(ingested_db)
    db.table("claim_changes").insert(
        {
            "document": "magnesium-glutamate.txt",
            "from_version": 1,
            "to_version": 2,
            "claim_id": first,
            "change": "edited",
            "review_reset": 1,
            "at": "2026-01-02T10:00:00.000000Z",
        }
    )
    db.conn.commit()
    db.close()
    lines = run_export(ingested_db, "--verdict", "contradicted").splitlines()
    assert [json.loads(line)["id"] for line in lines] == [second]
    reviews = export_json(ingested_db, "--format", "claimreview")
    assert [r["url"].split("#")[0].rsplit(":", 1)[1] for r in reviews] == [second]
    motivations = {
        a["id"].split("#")[0].rsplit(":", 1)[1]: a["motivation"]
        for a in export_json(ingested_db, "--format", "webannotation")
    }
    assert (motivations[first], motivations[second]) == ("classifying", "assessing")
