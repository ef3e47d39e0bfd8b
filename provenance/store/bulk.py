"""Bulk loads: build the claims' secondary indexes once, after the rows, not row by row.

Keeping nine B-trees in step with every inserted claim costs more than the insert itself, and
more as the table outgrows the page cache (most keys, such as ids and claim keys, are hashes
that land anywhere in their index). Sorting all the keys once at the end costs a fraction of
that. So an ingest into a database that has no claims yet drops the secondary indexes of
``claims`` and ``citations`` in its first document's transaction (a failure there rolls the
drop back too) and creates them again when it ends.

Each document is still written in its own transaction (claims, citations, FTS rows and all);
only the indexes, which change no result, wait. Their definitions are saved in the
``deferred_indexes`` table in the same transaction that drops them, with the process that owns
them. If that process dies before it rebuilds them, the next process to open the database
rebuilds them (:func:`repair_interrupted`, when the owner is known to be gone), and so does
any ingest when it finishes; until then every query gives the same answers, only slower.
"""

from __future__ import annotations

import contextlib
import os
import socket
import sqlite3

import sqlite_utils

#: Tables whose secondary indexes a bulk load builds at its end.
DEFERRED_TABLES = ("claims", "citations")
#: Page cache (KiB) while the indexes are built. SQLite's sorter buffers up to the page cache
#: size in memory before it spills to temporary files: with the ingest's 64 MB cache the
#: build's memory grows with the corpus; with this one it stays flat, and the build is no
#: slower (measured in benchmarks/README.md).
INDEX_BUILD_CACHE_KIB = 4096


def _owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _alive(owner: str) -> bool:
    """Whether the process that deferred the indexes may still be running."""
    host, _, pid = owner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return True  # another machine's process: it cannot be checked, so it is not ours
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def is_empty(db: sqlite_utils.Database) -> bool:
    """Whether the database holds no claims yet (a bulk load's starting point)."""
    return db.execute("select 1 from claims limit 1").fetchone() is None


def pending(db: sqlite_utils.Database) -> list[tuple[str, str, str]]:
    """Deferred indexes not yet rebuilt: (name, sql, owner)."""
    if "deferred_indexes" not in db.table_names():
        return []
    return [
        (str(name), str(sql), str(owner))
        for name, sql, owner in db.execute(
            "select name, sql, owner from deferred_indexes order by rowid"
        )
    ]


def defer_indexes(db: sqlite_utils.Database) -> bool:
    """Drop the secondary indexes of :data:`DEFERRED_TABLES` if the database holds no claims,
    remembering them; returns whether it did.

    Call inside the transaction that writes the first document: if that document fails, the
    rollback brings the indexes back, and the database is exactly as it was.
    """
    if not db.conn.in_transaction:
        raise RuntimeError("defer_indexes must run inside the first document's transaction")
    if not is_empty(db):
        return False
    placeholders = ", ".join("?" for _ in DEFERRED_TABLES)
    owner = _owner()
    indexes = db.execute(
        "select name, sql from sqlite_master where type = 'index' and sql is not null"
        f" and tbl_name in ({placeholders}) order by name",
        list(DEFERRED_TABLES),
    ).fetchall()
    for name, sql in indexes:
        db.execute(
            "insert into deferred_indexes (name, sql, owner) values (?, ?, ?)",
            [name, sql, owner],
        )
        db.execute(f"drop index [{name}]")
    return True


def restore_indexes(db: sqlite_utils.Database) -> int:
    """Build every deferred index in one transaction; returns how many were built."""
    rows = pending(db)
    if not rows:
        return 0
    existing = {row[0] for row in db.execute("select name from sqlite_master where type = 'index'")}
    cache_size = db.execute("PRAGMA cache_size").fetchone()[0]
    db.execute(f"PRAGMA cache_size = -{INDEX_BUILD_CACHE_KIB}")
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        for name, sql, _ in rows:
            if name not in existing:
                db.execute(sql)
        db.execute("delete from deferred_indexes")
    except BaseException:
        db.conn.execute("ROLLBACK")
        raise
    finally:
        db.execute(f"PRAGMA cache_size = {int(cache_size)}")
    db.conn.execute("COMMIT")
    return len(rows)


def repair_interrupted(db: sqlite_utils.Database) -> None:
    """Rebuild the indexes of a bulk load whose process died before it could.

    Nothing happens while that process runs, or when the database cannot be written (a
    read-only copy keeps answering correctly, only more slowly).
    """
    rows = pending(db)
    if rows and not any(_alive(owner) for _, _, owner in rows):
        with contextlib.suppress(sqlite3.OperationalError):
            restore_indexes(db)
