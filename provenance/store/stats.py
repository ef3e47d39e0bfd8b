"""Counts of current claims by document, category, status, certainty and attribution."""

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
    return result
