"""Counts of current claims by document, category, status, certainty and attribution, and of
the kept blocks (titles, bylines, boilerplate, tables, …) of the latest versions."""

from __future__ import annotations

from typing import Any

import sqlite_utils

STAT_COLUMNS = ("document", "category", "evidence_status", "certainty", "attribution")


def claim_stats(db: sqlite_utils.Database) -> dict[str, Any]:
    """Totals plus, for each facet column, value → count (largest first)."""
    conn = db.conn
    result: dict[str, Any] = {
        "documents": conn.execute("select count(distinct source) from documents").fetchone()[0],
        "versions": conn.execute("select count(*) from documents").fetchone()[0],
        "claims": conn.execute("select count(*) from claims where is_current = 1").fetchone()[0],
    }
    for column in STAT_COLUMNS:
        rows = conn.execute(
            f"select [{column}], count(*) as n from claims where is_current = 1"
            f" group by [{column}] order by n desc, [{column}]"
        ).fetchall()
        result[column] = {value: count for value, count in rows}
    result["kept_blocks"] = kept_block_stats(db)
    return result


def kept_block_stats(db: sqlite_utils.Database) -> dict[str, int]:
    """Kept blocks of the latest document versions by kind (largest first): what was read and
    shown but is not a claim."""
    if "blocks" not in db.table_names():
        return {}
    rows = db.conn.execute(
        "select blocks.kind, count(*) as n from blocks"
        " join documents on documents.id = blocks.document_id and documents.is_latest = 1"
        " group by blocks.kind order by n desc, blocks.kind"
    ).fetchall()
    return {kind: count for kind, count in rows}
