"""Serving a claims database: the checks before it, inspect data, ``datasette serve`` arguments.

``provenance serve`` writes the metadata and inspect data to a temporary folder and starts
``datasette serve`` with them; :func:`make_datasette` builds the same in process (tests).
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

from provenance.errors import ProvenanceError
from provenance.publish.facets import WARM_UP_ARG
from provenance.publish.metadata import build_metadata, database_name
from provenance.store.connection import is_provenance_connection, open_database
from provenance.store.schema import migrations

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
    provenance: bool  # a provenance database (see store.connection.is_provenance_connection)
    building: bool  # indexes of a bulk load not built yet
    outdated: bool  # migrations of this version not applied yet


def _inspect(path: Path) -> _Inspection:
    """What serving needs to know, read without writing (immutable)."""
    try:
        conn = sqlite3.connect(f"file:{path.resolve().as_posix()}?immutable=1", uri=True)
        try:
            tables = {r[0] for r in conn.execute("select name from sqlite_master")}
            provenance = is_provenance_connection(conn)
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
    return _Inspection(provenance, building, outdated)


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
    if not found.provenance:
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
