"""Datasette metadata for a claims database: descriptions, units, facets, canned queries.

Plain data built from the models; :mod:`provenance.publish.serve` writes it for
``datasette serve`` and builds an in-process Datasette from it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from markupsafe import escape
from pydantic import BaseModel

from provenance.audit.query import AuditQuery, findings_sql, repeated_sql
from provenance.audit.sql_text import literal_sql, readable_sql
from provenance.models import EvidenceStatus
from provenance.publish.facets import FACET_TYPE
from provenance.review.queue import needs_review_sql
from provenance.store.schema import MODEL_TABLES
from provenance.version import __version__

#: Facets every claims table page opens with, those a reviewer narrows by first; each is one
#: of the columns the store indexes for facets. Section (dozens of values, pushing the claims
#: a screen down) stays one click away, in its column's menu.
DEFAULT_FACETS = ("evidence_status", "category", "certainty", "attribution", "document")


#: Columns the claims table shows unless the URL chooses (``?_col=``) or asks for all of
#: them (``?_columns=all``); ``id``, the key, comes first anyway.
DEFAULT_COLUMNS = ("text", "evidence_status", "category", "certainty", "document", "line")


#: ``?_columns=all`` shows every column of the claims table.
ALL_COLUMNS_ARG = "_columns"


LICENSE = "Apache-2.0"


LICENSE_URL = "https://www.apache.org/licenses/LICENSE-2.0"


SOURCE = f"provenance {__version__}"


# Columns the store keeps beyond the model fields.
EXTRA_COLUMN_DESCRIPTIONS = {
    "claims": {
        "text_status": "The evidence status derived from the text alone, before any review.",
        "first_version": "The first document version in which this statement appeared.",
        "is_current": "1 if the statement is in the latest version of its document, else 0.",
        "end_line": "The line where the statement ends (of the position just after it).",
        "end_column": "The column just after the statement's last character, on end_line.",
        "run_id": "The ingest run that last wrote this claim.",
        "position": "Reading order (document, version, offset), shown as line:column.",
    },
    "documents": {"is_latest": "1 for the latest version of the source, else 0."},
    "citations": {
        "claim_id": "The claim the marker sits in.",
        "document_id": "The document version.",
        "reference_id": "The reference-list entry the marker resolves to, if any.",
    },
}


TABLE_DESCRIPTIONS = {
    "claims": "Every statement of every document, with its category, certainty, attribution,"
    " evidence status and exact position. Old-version claims are hidden by default.",
    "documents": "Each version of each document as read; every claim offset refers to its text.",
    "sections": "Headings and questions: document structure, never claims.",
    "references": "Entries of each document's reference list.",
    "citations": "Citation markers found in claims, resolved to reference entries.",
    "runs": "Each ingest: tool version, rule-set version and arguments.",
    "annotations": "Reviewers' verdicts on claims, with evidence. Append-only.",
    "taxonomy": "What each category and attribution of the claims means.",
}


LABEL_COLUMNS = {
    "documents": "name",
    "claims": "text",
    "sections": "text",
    "references": "text",
    "runs": "started_at",
}


_CURRENT = "c.is_current = 1"


_CLAIM_LIST = "c.id, c.document, c.line, c.[column], c.section, c.category, c.evidence_status"


CANNED_QUERIES: dict[str, dict[str, Any]] = {
    "unsupported_statements": {
        "title": "Unsupported statements",
        "description": "Bare assertions with no citation, no attribution and no verdict yet,"
        " in the audit's order: by document, worst first (the priority score of"
        " provenance audit: category, certainty, repetition).",
        "sql": literal_sql(
            *findings_sql(
                AuditQuery(fail_on=(EvidenceStatus.unsupported.value,)),
                "id, document, line, [column], section, category, certainty, priority, text",
            )
        ),
    },
    "review_queue": {
        "title": "Review queue",
        "description": "Current claims with no verdict in force (none yet, or only verdicts"
        " made before the claim's text was edited), by document.",
        "sql": f"select {_CLAIM_LIST}, c.text from claims c"
        f" where {_CURRENT} and {needs_review_sql('c')}"
        " order by c.document, c.version, c.start",
    },
    "repeated_claims": {
        "title": "Repeated claims",
        "description": "Statements made more than once (the same claim_key), with every place"
        " each appears.",
        "sql": "select r.n as occurrences, c.claim_key, c.id, c.document, c.line, c.[column],"
        " c.section, c.evidence_status, c.text"
        f" from claims c join ({repeated_sql()}) r"
        " on r.claim_key = c.claim_key"
        f" where {_CURRENT}"
        " order by r.n desc, c.claim_key, c.document, c.start",
    },
    "section_claims": {
        "title": "Claims of one section",
        "description": "The claims under one heading or question, in order. Leave document"
        " empty to search every document.",
        "sql": f"select {_CLAIM_LIST}, c.certainty, c.attribution, c.text from claims c"
        f" where {_CURRENT} and c.section = :section"
        " and (:document = '' or c.document = :document)"
        " order by c.document, c.start",
        "params": ["section", "document"],
    },
}


def database_name(path: Path) -> str:
    """The name Datasette gives a database file: its stem."""
    return Path(path).stem


def column_descriptions(
    model: type[BaseModel], extra: dict[str, str] | None = None
) -> dict[str, str]:
    """Each model field's documentation, keyed by column name."""
    descriptions = {
        name: info.description for name, info in model.model_fields.items() if info.description
    }
    descriptions.update(extra or {})
    return descriptions


def column_units(model: type[BaseModel]) -> dict[str, str]:
    """Pint units declared on model fields (``json_schema_extra={"unit": ...}``)."""
    units: dict[str, str] = {}
    for name, info in model.model_fields.items():
        extra = info.json_schema_extra
        unit = extra.get("unit") if isinstance(extra, dict) else None
        if isinstance(unit, str):
            units[name] = unit
    return units


def table_metadata() -> dict[str, dict[str, Any]]:
    """Per-table metadata: descriptions, column docs, units, labels; facets and FTS for claims."""
    tables: dict[str, dict[str, Any]] = {}
    for table, description in TABLE_DESCRIPTIONS.items():
        model = MODEL_TABLES.get(table)
        entry: dict[str, Any] = {"description": description}
        columns = column_descriptions(model, EXTRA_COLUMN_DESCRIPTIONS.get(table)) if model else {}
        if not model:
            columns = dict(EXTRA_COLUMN_DESCRIPTIONS.get(table, {}))
        if columns:
            entry["columns"] = columns
        units = column_units(model) if model else {}
        if units:
            entry["units"] = units
        if table in LABEL_COLUMNS:
            entry["label_column"] = LABEL_COLUMNS[table]
        tables[table] = entry
    tables["claims"].update(
        {
            # Remembered facets: computed once per filter, as the database is immutable.
            "facets": [{FACET_TYPE: column} for column in DEFAULT_FACETS],
            "sort": "position",
            "fts_table": "claims_fts",
            "fts_pk": "rowid",
            "searchmode": "escaped",
        }
    )
    tables["_sqlite_migrations"] = {"hidden": True}
    tables["deferred_indexes"] = {"hidden": True}
    return tables


def build_metadata(
    db_path: Path,
    *,
    title: str | None = None,
    description: str | None = None,
    license: str = LICENSE,
    license_url: str | None = LICENSE_URL,
) -> dict[str, Any]:
    """Datasette metadata for one claims database, generated from the models."""
    name = database_name(db_path)
    metadata: dict[str, Any] = {
        "title": title or f"Claims ledger: {name}",
        "description": description
        or "Every statement of the ingested documents as a typed claim, with its evidence"
        " status and exact source position.",
        "description_html": str(escape(description))
        if description
        else "Every statement of the ingested documents as a typed claim, with its evidence"
        " status and exact source position."
        ' <a href="/-/provenance/documents">Read the documents</a> with their claims'
        ' highlighted, or <a href="/-/provenance/queue">start at the first claim that needs'
        " review</a>.",
        "source": SOURCE,
        "license": license,
        "databases": {
            name: {
                "tables": table_metadata(),
                "queries": {
                    key: {**query, "sql": readable_sql(query["sql"])}
                    for key, query in CANNED_QUERIES.items()
                },
            }
        },
    }
    if license_url:
        metadata["license_url"] = license_url
    return metadata
