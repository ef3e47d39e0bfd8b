"""provenance export --format webannotation: valid W3C Web Annotations that anchor exactly."""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils
from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from provenance.ingest import ingest
from tests.helpers import annotate, claim_ids, export_json

VENDOR = Path(__file__).parent / "vendor" / "web-annotation"


def _registry() -> Registry[Any]:
    """The model's shared definitions, under the relative names the assertions use."""
    return Registry().with_resources(
        (path.name, Resource.from_contents(json.loads(path.read_text()), DRAFT4))
        for path in sorted((VENDOR / "definitions").glob("*.json"))
    )


@functools.cache
def must_validators() -> list[tuple[str, Draft4Validator]]:
    """One validator per MUST assertion of the W3C test suite (annotationMusts.test)."""
    registry = _registry()
    manifest = json.loads((VENDOR / "annotations" / "annotationMusts.test").read_text())
    return [
        (name, Draft4Validator(json.loads((VENDOR / name).read_text()), registry=registry))
        for name in manifest["assertions"]
    ]


def violations(annotations: list[dict[str, Any]]) -> list[str]:
    return [
        f"{name}: {error.message[:200]}"
        for name, validator in must_validators()
        for annotation in annotations
        for error in validator.iter_errors(annotation)
    ]


def document_texts(db_path: Path) -> dict[str, str]:
    db = sqlite_utils.Database(db_path)
    try:
        return {row[0]: row[1] for row in db.execute("select id, text from documents")}
    finally:
        db.close()


def selectors(annotation: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    by_type = {s["type"]: s for s in annotation["target"]["selector"]}
    return by_type["TextQuoteSelector"], by_type["TextPositionSelector"]


def document_id_of(annotation: dict[str, Any]) -> str:
    return str(annotation["target"]["state"]["cached"].rsplit(":", 1)[1])


@pytest.fixture
def reviewed_db(ingested_db: Path) -> Path:
    ids = claim_ids(ingested_db)
    annotate(
        ingested_db,
        ids[0],
        "ana",
        "contradicted",
        created_at="2026-02-01T09:00:00Z",
        evidence=["doi:10.1000/abc", "Smith 2020, table 2"],
        note="The cited trial found no effect.",
    )
    annotate(ingested_db, ids[0], "bo", "supported", created_at="2026-02-02T09:00:00Z")
    annotate(ingested_db, ids[3], "ana", "not_a_claim", created_at="2026-02-01T09:00:00Z")
    return ingested_db


def test_every_annotation_passes_the_w3c_must_assertions(reviewed_db: Path) -> None:
    annotations = export_json(reviewed_db, "--format", "webannotation")
    assert len(annotations) == len(claim_ids(reviewed_db))
    assert violations(annotations) == []


def test_the_assertions_catch_a_broken_annotation(reviewed_db: Path) -> None:
    annotation = export_json(reviewed_db, "--format", "webannotation")[0]
    quote, position = selectors(annotation)
    position["start"] = -1
    del quote["exact"]
    annotation["motivation"] = "agreeing"
    found = violations([annotation])
    assert any("TextDataPositionSelectorValid" in v for v in found)
    assert any("textQuoteSelectorValid" in v for v in found)


def test_quote_and_position_round_trip_to_the_document_text(reviewed_db: Path) -> None:
    texts = document_texts(reviewed_db)
    for annotation in export_json(reviewed_db, "--format", "webannotation"):
        text = texts[document_id_of(annotation)]
        quote, position = selectors(annotation)
        start, end = position["start"], position["end"]
        assert quote["exact"] == text[start:end]
        assert text[:start].endswith(quote["prefix"])
        assert text[end:].startswith(quote["suffix"])
        anchored = text.find(quote["prefix"] + quote["exact"] + quote["suffix"])
        assert anchored + len(quote["prefix"]) == start


def test_reviewed_claims_are_assessed_the_rest_classified(reviewed_db: Path) -> None:
    ids = claim_ids(reviewed_db)
    annotations = {
        a["id"].split(":")[-1].split("#")[0]: a
        for a in export_json(reviewed_db, "--format", "webannotation")
    }
    reviewed = annotations[ids[0]]
    assert reviewed["motivation"] == "assessing"
    assert [c["name"] for c in reviewed["creator"]] == ["ana", "bo"]
    fields = [(b["provenance:field"], b.get("value", b.get("source"))) for b in reviewed["body"]]
    assert ("verdict", "contradicted") in fields
    assert ("verdict", "supported") in fields
    assert ("note", "The cited trial found no effect.") in fields
    assert ("evidence", "https://doi.org/10.1000/abc") in fields
    assert ("evidence", "Smith 2020, table 2") in fields
    assert ("evidence_status", "disputed") in fields  # ana and bo disagree
    assert annotations[ids[3]]["motivation"] == "assessing"
    plain = annotations[ids[1]]
    assert plain["motivation"] == "classifying"
    assert "creator" not in plain
    assert {b["provenance:field"] for b in plain["body"]} == {
        "category",
        "certainty",
        "evidence_status",
    }


def test_state_pins_the_version_read(reviewed_db: Path, example_copy: Path) -> None:
    db = sqlite_utils.Database(reviewed_db)
    (ingested_at, document_id) = db.execute("select ingested_at, id from documents").fetchone()
    db.close()
    for annotation in export_json(reviewed_db, "--format", "webannotation"):
        target = annotation["target"]
        # The document as published (a URN without --base-url), never a local file:// path.
        assert target["source"] == f"urn:provenance:documents:{document_id}"
        assert target["state"]["type"] == "TimeState"
        assert target["state"]["sourceDate"] == ingested_at
        expected = hashlib.sha256(example_copy.read_bytes()).hexdigest()
        assert target["state"]["provenance:sha256"] == expected


def test_a_new_version_is_targeted_at_its_own_text(db_path: Path, example_copy: Path) -> None:
    ingest([example_copy], db_path)
    original = example_copy.read_text(encoding="utf-8")
    example_copy.write_text("A new opening sentence is here.\n\n" + original, encoding="utf-8")
    ingest([example_copy], db_path)
    texts = document_texts(db_path)
    annotations = export_json(db_path, "--format", "webannotation")
    assert {a["target"]["state"]["provenance:version"] for a in annotations} == {2}
    for annotation in annotations:
        quote, position = selectors(annotation)
        text = texts[document_id_of(annotation)]
        assert quote["exact"] == text[position["start"] : position["end"]]
    assert violations(annotations[:10]) == []


def test_filters_select_the_annotated_claims(reviewed_db: Path) -> None:
    annotations = export_json(
        reviewed_db, "--format", "webannotation", "--status", "disputed,not_a_claim"
    )
    assert len(annotations) == 2
    assert {a["motivation"] for a in annotations} == {"assessing"}
