"""Opening a claims database, and THE rule for what a provenance database is."""

from __future__ import annotations

import contextlib
import functools
import sqlite3
from pathlib import Path

import sqlite_utils

from provenance.errors import ProvenanceError
from provenance.store import bulk
from provenance.store.schema import APPEND_ONLY_TABLES, MIGRATION_SET, migrations


def _connect(path: Path) -> sqlite_utils.Database:
    try:
        conn = sqlite3.connect(str(path), timeout=30)
        db = sqlite_utils.Database(conn)
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("PRAGMA busy_timeout = 30000")
    except sqlite3.Error as error:
        raise ProvenanceError(f"{path}: cannot open database ({error})") from None
    return db


#: The tables every provenance database has, beside its record of applied migrations.
PROVENANCE_TABLES = frozenset({"claims", "documents", "sections", "_sqlite_migrations"})
_TABLES_SQL = "select name from sqlite_master where type = 'table'"
_MIGRATED_SQL = "select 1 from _sqlite_migrations where migration_set = ? limit 1"


def is_provenance_connection(conn: sqlite3.Connection) -> bool:
    """THE rule: the provenance tables are there and provenance migrations were applied.

    Takes a plain connection, so that the Datasette plugin asks the same question of the
    connections it serves (see :mod:`provenance.publish.html`).
    """
    tables = {row[0] for row in conn.execute(_TABLES_SQL)}
    if not tables >= PROVENANCE_TABLES:
        return False
    try:
        return conn.execute(_MIGRATED_SQL, [MIGRATION_SET]).fetchone() is not None
    except sqlite3.DatabaseError:  # someone else's table of that name
        return False


def is_provenance_database(db: sqlite_utils.Database) -> bool:
    return is_provenance_connection(db.conn)


_SCHEMA_SQL = (
    "select type, name, tbl_name, sql from sqlite_master where type in ('table', 'trigger')"
)


@functools.cache
def _expected_schema() -> tuple[frozenset[str], dict[str, str]]:
    """The tables, and the append-only tables' triggers (name → SQL), that the migrations make.

    Read from a database migrated in memory (a few milliseconds), so that the schema is defined
    once, by the migrations.
    """
    reference = sqlite_utils.Database(sqlite3.connect(":memory:"))
    try:
        migrations.apply(reference)
        rows = reference.execute(_SCHEMA_SQL).fetchall()
    finally:
        reference.close()
    tables = frozenset(name for kind, name, _, _ in rows if kind == "table")
    triggers = {
        name: sql
        for kind, name, table, sql in rows
        if kind == "trigger" and table in APPEND_ONLY_TABLES
    }
    return tables, triggers


def check_schema(db: sqlite_utils.Database, path: Path) -> None:
    """Refuse a migrated database that lacks a table, or whose append-only log lost a trigger.

    Without its triggers the annotation log could have been rewritten, so its statuses are not
    to be trusted: it is reported rather than used.
    """
    rows = db.execute(_SCHEMA_SQL).fetchall()
    tables = {name for kind, name, _, _ in rows if kind == "table"}
    triggers = {name: sql for kind, name, _, sql in rows if kind == "trigger"}
    expected_tables, expected_triggers = _expected_schema()
    missing = sorted(expected_tables - tables)
    if missing:
        raise ProvenanceError(f"{path}: damaged database: table {missing[0]!r} is missing")
    for name, sql in expected_triggers.items():
        if triggers.get(name) != sql:
            raise ProvenanceError(
                f"{path}: the append-only trigger {name!r} was removed or changed,"
                " so the annotation log may have been rewritten; refusing to trust it"
            )


def open_database(path: Path, *, create: bool = True) -> sqlite_utils.Database:
    """Open (and if needed create and migrate) a provenance database.

    A file that is not SQLite, or an SQLite database that holds other tables, is refused.
    """
    path = Path(path)
    if not path.exists():
        if not create:
            raise ProvenanceError(f"{path}: no such database (run 'provenance ingest' first)")
        if not path.parent.exists():
            raise ProvenanceError(
                f"{path}: cannot create database, folder {path.parent} does not exist"
            )
    db = _connect(path)
    try:
        tables = db.table_names()
    except sqlite3.DatabaseError:
        db.close()
        raise ProvenanceError(f"{path}: not an SQLite database") from None
    if tables and not is_provenance_database(db):
        db.close()
        raise ProvenanceError(f"{path}: not a provenance database (it has other tables)")
    if migrations.pending(db):
        if not create and not tables:
            db.close()
            raise ProvenanceError(f"{path}: empty database (run 'provenance ingest' first)")
        try:
            migrations.apply(db)
        except sqlite3.OperationalError as error:
            db.close()
            raise ProvenanceError(f"{path}: cannot write database ({error})") from None
    try:
        check_schema(db, path)
    except ProvenanceError:
        db.close()
        raise
    # WAL lets reviewers annotate while an ingest runs; closing the last connection folds the
    # log back into the file, so immutable readers (datasette -i) see every write. A read-only
    # file stays as it is. In WAL mode synchronous=NORMAL cannot corrupt the database (a power
    # cut may only lose the last commits) and spares an fsync per document.
    with contextlib.suppress(sqlite3.OperationalError):
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")
    bulk.repair_interrupted(db)
    return db
