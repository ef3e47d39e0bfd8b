"""Publishing a claims database through Datasette: metadata, inspect data and arguments.

Everything here is plain data built from the models and the database; ``provenance serve``
writes it to a temporary folder and starts ``datasette serve`` with it, and tests build an
in-process :class:`datasette.app.Datasette` from the same pieces.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlite_utils
from pydantic import BaseModel

from provenance import __version__
from provenance.datasette_plugin import FACET_TYPE, WARM_UP_ARG
from provenance.errors import ProvenanceError
from provenance.store import MODEL_TABLES, migrations, open_database

#: Facets every claims table page opens with.
DEFAULT_FACETS = ("category", "evidence_status", "certainty", "attribution", "document", "section")
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8001
#: Datasette settings that make large immutable ledgers fast (see benchmarks/).
SETTINGS: dict[str, bool | int] = {
    # Suggesting facets runs a group-by over every column: seconds on a large table.
    "suggest_facets": False,
    # Facets run on indexed columns; a larger limit stops them timing out silently on
    # a cold cache or a loaded machine.
    "facet_time_limit_ms": 1000,
    # Rendering cells is most of an HTML page's time once facets are remembered: 30 claims
    # (two screens of text) keep a search page under 50 ms on a busy two-core machine.
    "default_page_size": 30,
}
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
        " in document order (the order of the audit).",
        "sql": f"select {_CLAIM_LIST}, c.certainty, c.text from claims c"
        f" where {_CURRENT} and c.evidence_status = 'unsupported'"
        " order by c.document, c.version, c.start",
    },
    "review_queue": {
        "title": "Review queue",
        "description": "Current claims that no reviewer has given a verdict on, by document.",
        "sql": f"select {_CLAIM_LIST}, c.text from claims c"
        f" where {_CURRENT}"
        " and not exists (select 1 from annotations a where a.claim_id = c.id)"
        " order by c.document, c.version, c.start",
    },
    "repeated_claims": {
        "title": "Repeated claims",
        "description": "Statements made more than once (the same claim_key), with every place"
        " each appears.",
        "sql": "select r.occurrences, c.claim_key, c.id, c.document, c.line, c.[column],"
        " c.section, c.evidence_status, c.text"
        " from claims c join (select claim_key, count(*) as occurrences from claims"
        " where is_current = 1 group by claim_key having count(*) > 1) r"
        " on r.claim_key = c.claim_key"
        f" where {_CURRENT}"
        " order by r.occurrences desc, c.claim_key, c.document, c.start",
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
        " status and exact source position. Read-only.",
        "source": SOURCE,
        "license": license,
        "databases": {
            name: {
                "tables": table_metadata(),
                "queries": {key: dict(query) for key, query in CANNED_QUERIES.items()},
            }
        },
    }
    if license_url:
        metadata["license_url"] = license_url
    return metadata


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def inspect_data(db_path: Path) -> dict[str, Any]:
    """What ``datasette inspect`` records: hash, size and row counts.

    Valid only because the database is served immutable: Datasette then uses these counts
    instead of counting a million rows on every unfiltered table page.
    """
    path = Path(db_path)
    uri = f"file:{path.resolve().as_posix()}?immutable=1"
    try:
        conn = sqlite3.connect(uri, uri=True)
        try:
            names = [
                row[0]
                for row in conn.execute(
                    "select name from sqlite_master where type = 'table' order by name"
                )
            ]
            counts = {
                table: {"count": conn.execute(f"select count(*) from [{table}]").fetchone()[0]}
                for table in names
            }
        finally:
            conn.close()
    except sqlite3.DatabaseError as error:
        raise ProvenanceError(f"{path}: cannot read database ({error})") from None
    return {
        database_name(path): {
            "hash": file_sha256(path),
            "size": path.stat().st_size,
            "file": path.name,
            "tables": counts,
        }
    }


def check_port(host: str, port: int) -> None:
    """Refuse an address that is already taken, before Datasette starts (and says it worse)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        socket.create_server((host, port), family=family).close()
    except OSError as error:
        reason = os.strerror(error.errno) if error.errno else str(error)
        raise ProvenanceError(
            f"cannot listen on {host}:{port} ({reason}); choose another with --port"
        ) from None


@dataclass(frozen=True, slots=True)
class _Inspection:
    tables: set[str]
    building: bool  # indexes of a bulk load not built yet
    outdated: bool  # migrations of this version not applied yet


def _inspect(path: Path) -> _Inspection:
    """What serving needs to know, read without writing (immutable)."""
    try:
        conn = sqlite3.connect(f"file:{path.resolve().as_posix()}?immutable=1", uri=True)
        try:
            tables = {r[0] for r in conn.execute("select name from sqlite_master")}
            building = "deferred_indexes" in tables and bool(
                conn.execute("select count(*) from deferred_indexes").fetchone()[0]
            )
            outdated = "_sqlite_migrations" in tables and bool(
                migrations.pending(sqlite_utils.Database(conn))
            )
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        raise ProvenanceError(f"{path}: not an SQLite database") from None
    return _Inspection(tables, building, outdated)


def check_database(db_path: Path) -> None:
    """Refuse anything that is not an existing provenance database, before serving it.

    A database written by an earlier version of provenance is brought up to date first (its
    pending migrations applied), and the indexes of a killed bulk load are built: the served
    schema must be the one the metadata describes (the claims page sorts on a column a
    migration adds).
    """
    path = Path(db_path)
    if not path.is_file():
        raise ProvenanceError(f"{path}: no such database (run 'provenance ingest' first)")
    found = _inspect(path)
    if not {"claims", "documents", "_sqlite_migrations"} <= found.tables:
        raise ProvenanceError(f"{path}: not a provenance database")
    if found.outdated or found.building:
        open_database(path, create=False).close()
        found = _inspect(path)
    if found.building:
        raise ProvenanceError(
            f"{path}: an ingest is still writing it, or was interrupted (indexes not built);"
            " wait for it, or run 'provenance ingest' again"
        )


@dataclass(frozen=True, slots=True)
class ServeFiles:
    """The files ``datasette serve`` reads."""

    metadata: Path
    inspect: Path


def write_serve_files(db_path: Path, folder: Path, **metadata_options: Any) -> ServeFiles:
    files = ServeFiles(metadata=folder / "metadata.json", inspect=folder / "inspect-data.json")
    files.metadata.write_text(
        json.dumps(build_metadata(db_path, **metadata_options), indent=2), encoding="utf-8"
    )
    files.inspect.write_text(json.dumps(inspect_data(db_path), indent=2), encoding="utf-8")
    return files


def datasette_arguments(
    db_path: Path,
    files: ServeFiles,
    *,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    open_browser: bool = False,
) -> list[str]:
    """Arguments for ``datasette serve``: immutable, metadata, inspect file, fast settings."""
    arguments = [
        "serve",
        "-i",
        str(db_path),
        "--metadata",
        str(files.metadata),
        "--inspect-file",
        str(files.inspect),
        "--host",
        host,
        "--port",
        str(port),
    ]
    for name, value in SETTINGS.items():
        shown = ("on" if value else "off") if isinstance(value, bool) else str(value)
        arguments += ["--setting", name, shown]
    if open_browser:
        arguments.append("--open")
    return arguments


def warm_up_path(db_path: Path) -> str:
    """The request that computes (and so remembers) the default facets of the claims page."""
    from datasette.utils import tilde_encode

    return f"/{tilde_encode(database_name(db_path))}/claims.json?_size=1&{WARM_UP_ARG}=1"


async def warm_up(datasette: Any, db_path: Path) -> None:
    """Compute the claims page's default facets once, before anyone asks."""
    await datasette.client.get(warm_up_path(db_path))


def make_datasette(db_path: Path, **metadata_options: Any) -> Any:
    """An in-process Datasette configured exactly as ``provenance serve`` configures it."""
    from datasette.app import Datasette

    check_database(db_path)
    return Datasette(
        immutables=[str(db_path)],
        metadata=build_metadata(db_path, **metadata_options),
        inspect_data=inspect_data(db_path),
        settings=dict(SETTINGS),
    )
