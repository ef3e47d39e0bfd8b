"""JSON Schemas generated from the models; ``schemas/`` holds their committed copies."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from provenance.models import Annotation, Claim, Document, Reference, Run

SCHEMA_MODELS: dict[str, type[BaseModel]] = {
    "annotation": Annotation,
    "claim": Claim,
    "document": Document,
    "reference": Reference,
    "run": Run,
}


def generate_schemas() -> dict[str, dict[str, Any]]:
    """Schema name → JSON Schema, as it is serialised (what the CLI prints)."""
    schemas = {}
    for name, model in SCHEMA_MODELS.items():
        schema = model.model_json_schema(mode="serialization")
        schemas[name] = {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}
    return schemas


def schema_text(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_schemas(out_dir: Path) -> list[Path]:
    """Write one ``<name>.schema.json`` per model; returns the paths written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in generate_schemas().items():
        path = out_dir / f"{name}.schema.json"
        path.write_text(schema_text(schema), encoding="utf-8")
        written.append(path)
    return written
