"""schemas/ holds the JSON Schemas generated from the models, and nothing else."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from provenance.models import Claim
from provenance.schemas import generate_schemas, schema_text
from provenance.store.connection import open_database
from provenance.store.reads import iter_claims

SCHEMAS = Path(__file__).resolve().parent.parent / "schemas"


def test_committed_schemas_match_the_models() -> None:
    generated = generate_schemas()
    committed = {p.name.removesuffix(".schema.json") for p in SCHEMAS.glob("*.schema.json")}
    assert committed == set(generated), "run: provenance schema --out schemas/"
    for name, schema in generated.items():
        on_disk = (SCHEMAS / f"{name}.schema.json").read_text(encoding="utf-8")
        assert on_disk == schema_text(schema), f"{name} drifted: provenance schema --out schemas/"


@pytest.mark.parametrize("name", ["claim", "document", "reference", "run"])
def test_issue_schemas_exist(name: str) -> None:
    assert name in generate_schemas()


def test_stored_claims_validate_against_the_claim_schema(ingested_db: Path) -> None:
    schema = json.loads((SCHEMAS / "claim.schema.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    db = open_database(ingested_db)
    claims = [c.model_dump(mode="json") for c in iter_claims(db)]
    db.close()
    assert claims
    for claim in claims:
        validator.validate(claim)
    broken = {**claims[0], "category": "gossip"}
    assert not validator.is_valid(broken)
    assert not validator.is_valid({k: v for k, v in claims[0].items() if k != "text"})
    assert Claim.model_validate(claims[0]).model_dump(mode="json") == claims[0]
