"""Shared fixtures: real SQLite files in a temporary folder, the example article ingested."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from provenance.ingest import ingest
from tests.helpers import EXAMPLE


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Where a test's claims database lives (not created yet)."""
    return tmp_path / "claims.db"


@pytest.fixture
def example_copy(tmp_path: Path) -> Path:
    """A private copy of the example article, safe to edit."""
    target = tmp_path / "docs" / "magnesium-glutamate.txt"
    target.parent.mkdir()
    shutil.copyfile(EXAMPLE, target)
    return target


#: When the fixture's article was ingested, as far as its database says: tests date verdicts
#: from then on (a verdict dated before its claim existed is refused).
INGESTED_AT = "2020-01-01T00:00:00Z"


@pytest.fixture
def ingested_db(db_path: Path, example_copy: Path) -> Path:
    """A database with the example article ingested once, dated :data:`INGESTED_AT`."""
    ingest([example_copy], db_path)
    conn = sqlite3.connect(db_path)
    try:
        with conn:
            conn.execute("update documents set ingested_at = ?", [INGESTED_AT])
    finally:
        conn.close()
    return db_path
