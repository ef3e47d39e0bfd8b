"""provenance export --format prov: a valid PROV-JSON document of the ledger's provenance."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils
from jsonschema import Draft4Validator

from provenance.ingest import ingest
from tests.helpers import annotate, claim_ids, export_json

SCHEMA = Path(__file__).parent / "vendor" / "prov-json" / "prov-json-schema-v4.json"
#: The attributes of each relation that name an entity, activity or agent.
REFERENCES = {
    "wasGeneratedBy": {"prov:entity": "entity", "prov:activity": "activity"},
    "used": {"prov:activity": "activity", "prov:entity": "entity"},
    "wasAssociatedWith": {
        "prov:activity": "activity",
        "prov:agent": "agent",
        "prov:plan": "entity",
    },
    "wasAttributedTo": {"prov:entity": "entity", "prov:agent": "agent"},
    "wasDerivedFrom": {"prov:generatedEntity": "entity", "prov:usedEntity": "entity"},
    "specializationOf": {"prov:specificEntity": "entity", "prov:generalEntity": "entity"},
}


@functools.cache
def validator() -> Draft4Validator:
    return Draft4Validator(json.loads(SCHEMA.read_text()))


def derivations(doc: dict[str, Any], kind: str) -> list[tuple[str, str]]:
    return [
        (d["prov:generatedEntity"], d["prov:usedEntity"])
        for d in doc["wasDerivedFrom"].values()
        if d["prov:type"] == {"$": f"prov:{kind}", "type": "prov:QUALIFIED_NAME"}
    ]


def entities_of_type(doc: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {
        key: value
        for key, value in doc["entity"].items()
        if value["prov:type"]["$"] == f"provenance:{kind}"
    }


@pytest.fixture
def reviewed_db(ingested_db: Path) -> Path:
    ids = claim_ids(ingested_db)
    annotate(
        ingested_db,
        ids[0],
        "ana",
        "contradicted",
        created_at="2026-02-01T09:00:00Z",
        evidence=["doi:10.1000/abc", "a book"],
    )
    annotate(ingested_db, ids[1], "Bo Li", "supported", created_at="2026-02-02T09:00:00Z")
    return ingested_db


def test_validates_against_the_prov_json_schema(reviewed_db: Path) -> None:
    doc = export_json(reviewed_db, "--format", "prov")
    assert list(validator().iter_errors(doc)) == []
    doc["wasDerivedFrom"]["_:broken"] = {"prov:usedEntity": "claim:x"}
    assert list(validator().iter_errors(doc))


def test_every_relation_names_declared_records(reviewed_db: Path) -> None:
    doc = export_json(reviewed_db, "--format", "prov")
    for relation, roles in REFERENCES.items():
        assert doc[relation], relation
        for record in doc[relation].values():
            for attribute, section in roles.items():
                if attribute in record:
                    assert record[attribute] in doc[section], (relation, record)


def test_claims_are_quoted_from_their_document_version(reviewed_db: Path) -> None:
    doc = export_json(reviewed_db, "--format", "prov")
    claims = entities_of_type(doc, "Claim")
    assert len(claims) == len(claim_ids(reviewed_db))
    quoted = dict(derivations(doc, "Quotation"))
    assert set(quoted) == set(claims)
    (document,) = entities_of_type(doc, "DocumentVersion")
    assert set(quoted.values()) == {document}
    generated = {g["prov:entity"]: g["prov:activity"] for g in doc["wasGeneratedBy"].values()}
    (run,) = doc["activity"].keys() - {a for a in doc["activity"] if a.startswith("annotation:")}
    assert generated[document] == run
    assert all(generated[claim] == run for claim in claims)
    attributes = doc["activity"][run]
    assert attributes["provenance:toolVersion"]
    assert attributes["provenance:rulesetVersion"]
    (association,) = [a for a in doc["wasAssociatedWith"].values() if a["prov:activity"] == run]
    assert doc["agent"][association["prov:agent"]]["prov:type"]["$"] == "prov:SoftwareAgent"
    assert doc["entity"][association["prov:plan"]]["prov:type"]["$"] == "prov:Plan"


def test_reviews_are_activities_of_reviewer_agents(reviewed_db: Path) -> None:
    ids = claim_ids(reviewed_db)
    doc = export_json(reviewed_db, "--format", "prov")
    reviewers = {k: v["prov:label"] for k, v in doc["agent"].items() if k.startswith("reviewer:")}
    assert sorted(reviewers.values()) == ["Bo Li", "ana"]
    reviews = [k for k in doc["activity"] if k.startswith("annotation:")]
    assert len(reviews) == 2
    used = {u["prov:activity"]: u["prov:entity"] for u in doc["used"].values()}
    assert sorted(used[r] for r in reviews) == sorted(f"claim:{i}" for i in ids[:2])
    attributed = {a["prov:entity"]: a["prov:agent"] for a in doc["wasAttributedTo"].values()}
    verdicts = entities_of_type(doc, "Verdict")
    assert {v["prov:value"] for v in verdicts.values()} == {"contradicted", "supported"}
    assert set(attributed) == set(verdicts)
    assert set(attributed.values()) == set(reviewers)
    sources = [doc["entity"][e] for v, e in derivations(doc, "PrimarySource") if v in verdicts]
    assert [s["prov:label"] for s in sources] == ["doi:10.1000/abc", "a book"]
    assert sources[0]["prov:location"]["$"] == "https://doi.org/10.1000/abc"


def test_versions_are_revisions(db_path: Path, example_copy: Path) -> None:
    ingest([example_copy], db_path)
    example_copy.write_text("A new opening.\n\n" + example_copy.read_text(), encoding="utf-8")
    ingest([example_copy], db_path)
    doc = export_json(db_path, "--format", "prov")
    versions = {
        v["provenance:version"]: k for k, v in entities_of_type(doc, "DocumentVersion").items()
    }
    assert derivations(doc, "Revision") == [(versions[2], versions[1])]
    (document,) = entities_of_type(doc, "Document")
    specializations = doc["specializationOf"].values()
    assert {(s["prov:specificEntity"], s["prov:generalEntity"]) for s in specializations} == {
        (versions[1], document),
        (versions[2], document),
    }
    assert len(doc["activity"]) == 2
    assert set(dict(derivations(doc, "Quotation")).values()) == {versions[2]}
    assert list(validator().iter_errors(doc)) == []


def test_cited_works_are_primary_sources(ingested_db: Path) -> None:
    claim_id = claim_ids(ingested_db)[2]
    db = sqlite_utils.Database(ingested_db)
    (document_id,) = db.execute("select id from documents").fetchone()
    db.table("references").insert(
        {
            "id": "ref1",
            "document_id": document_id,
            "label": "1",
            "text": "Smith J. Magnesium and NMDA. 2020.",
            "start": 0,
            "end": 10,
            "line": 1,
            "column": 1,
            "doi": "10.1000/xyz",
        }
    )
    db.table("citations").insert(
        {
            "id": f"{claim_id}:0",
            "claim_id": claim_id,
            "document_id": document_id,
            "kind": "numeric",
            "marker": "[1]",
            "start": 0,
            "end": 3,
            "targets": '["1"]',
            "reference_id": "ref1",
        }
    )
    db.conn.commit()
    db.close()
    doc = export_json(ingested_db, "--format", "prov")
    assert derivations(doc, "PrimarySource") == [(f"claim:{claim_id}", "reference:ref1")]
    assert doc["entity"]["reference:ref1"]["provenance:doi"] == "10.1000/xyz"


def test_filters_select_claims_and_what_they_depend_on(reviewed_db: Path) -> None:
    doc = export_json(reviewed_db, "--format", "prov", "--status", "contradicted")
    (claim,) = entities_of_type(doc, "Claim")
    assert claim == f"claim:{claim_ids(reviewed_db)[0]}"
    assert list(doc["agent"]) == [
        a for a in doc["agent"] if a.startswith("tool:") or a == "reviewer:ana"
    ]
    assert len(entities_of_type(doc, "Verdict")) == 1
    assert list(validator().iter_errors(doc)) == []


def test_an_ingested_reference_list_gives_primary_sources(tmp_path: Path, db_path: Path) -> None:
    article = tmp_path / "cited.md"
    article.write_text(
        "Magnesium blocks the NMDA receptor [1]. Glutamate is a neurotransmitter.\n\n"
        "## References\n\n1. Smith J. Magnesium and NMDA. J Neuro. 2020. doi:10.1000/abc123\n",
        encoding="utf-8",
    )
    ingest([article], db_path)
    doc = export_json(db_path, "--format", "prov")
    ((claim, reference),) = derivations(doc, "PrimarySource")
    assert doc["entity"][claim]["prov:value"] == "Magnesium blocks the NMDA receptor [1]."
    assert doc["entity"][reference]["prov:type"]["$"] == "provenance:CitedWork"
    assert "Smith J." in doc["entity"][reference]["prov:label"]
