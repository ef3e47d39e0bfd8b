"""Serving a claims database: the checks before it, WAL, and the Datasette that serves it.

``provenance serve`` runs the Datasette :func:`make_datasette` builds (tests build the same in
process), so the site the tests see is the site a reviewer sees.
"""

from __future__ import annotations

import os
import socket
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlite_utils

from provenance.errors import ProvenanceError
from provenance.publish.auth import ReviewSite, enable_review
from provenance.publish.facets import WARM_UP_ARG, WARM_UP_SECRET
from provenance.publish.ledger import LedgerDatabase
from provenance.publish.metadata import build_metadata, database_name
from provenance.store.connection import is_provenance_connection, open_database
from provenance.store.schema import migrations

DEFAULT_HOST = "127.0.0.1"


DEFAULT_PORT = 8001


#: Datasette settings that make large ledgers fast (see benchmarks/).
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
    """What serving needs to know, read without writing."""
    try:
        # Read-only, and seeing what other writers committed to the WAL (immutable would not),
        # unless nobody can write the file (then nothing is in a WAL either).
        mode = "mode=ro" if is_writable(path) else "immutable=1"
        conn = sqlite3.connect(f"file:{path.resolve().as_posix()}?{mode}", uri=True)
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


def warm_up_path(db_path: Path) -> str:
    """The request that computes (and so remembers) the default facets of the claims page."""
    from datasette.utils import tilde_encode

    database = tilde_encode(database_name(db_path))
    return f"/{database}/claims.json?_size=1&{WARM_UP_ARG}={WARM_UP_SECRET}"


async def warm_up(datasette: Any, db_path: Path) -> None:
    """Compute the claims page's default facets once, before anyone asks."""
    await datasette.client.get(warm_up_path(db_path))


def is_writable(path: Path) -> bool:
    """Whether writers can reach the ledger: the file and its folder (for the WAL files)."""
    return os.access(path, os.W_OK) and os.access(path.resolve().parent, os.W_OK)


def prepare_ledger(db_path: Path) -> bool:
    """Check the ledger and put it in WAL mode; True if it can change while served.

    In WAL mode readers never block the one writer and the writer never blocks readers, so
    ingests and annotations commit while the site is served. A ledger nobody can write is
    served immutable.
    """
    path = Path(db_path)
    check_database(path)
    if not is_writable(path):
        return False
    try:
        conn = sqlite3.connect(path, timeout=30)
        try:
            mode = conn.execute("pragma journal_mode").fetchone()[0]
            if str(mode).lower() != "wal":
                conn.execute("pragma journal_mode = wal")
        finally:
            conn.close()
    except sqlite3.Error as error:
        raise ProvenanceError(f"{path}: cannot switch the database to WAL mode ({error})") from None
    return True


def make_datasette(
    db_path: Path, *, review: ReviewSite | None = None, **metadata_options: Any
) -> Any:
    """The Datasette ``provenance serve`` serves: the ledger read-only, remembered aggregates.

    The ledger is a :class:`~provenance.publish.ledger.LedgerDatabase`: read-only connections
    of a WAL database whose row and facet counts are remembered until another process
    commits. With ``review``, signed-in reviewers may record verdicts (and nothing else).
    """
    from datasette.app import Datasette

    path = Path(db_path)
    mutable = prepare_ledger(path)
    ds = Datasette(
        files=[str(path)],
        metadata=build_metadata(path, **metadata_options),
        settings=dict(SETTINGS),
    )
    name = database_name(path)
    ds.remove_database(name)
    ds.add_database(LedgerDatabase(ds, path, mutable=mutable), name=name)
    if review is not None:
        enable_review(ds, review)
    return ds


def run(ds: Any, *, host: str, port: int) -> None:
    """Serve until interrupted, as ``datasette serve`` does (uvicorn, one worker)."""
    import uvicorn

    uvicorn.run(ds.app(), host=host, port=port, log_level="info", lifespan="on", workers=1)
