"""Publishing: metadata generated from the models, inspect data, Datasette arguments, serve."""

from __future__ import annotations

import os
import socket
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from provenance.cli import cli
from provenance.errors import ProvenanceError
from provenance.models import Claim, Document
from provenance.publish.facets import FACET_TYPE
from provenance.publish.ledger import LedgerDatabase
from provenance.publish.metadata import (
    CANNED_QUERIES,
    DEFAULT_FACETS,
    build_metadata,
    database_name,
)
from provenance.publish.serve import check_database, make_datasette
from provenance.store.schema import FACET_COLUMNS
from tests.dbrows import rows


def test_metadata_has_the_site_fields(ingested_db: Path) -> None:
    metadata = build_metadata(ingested_db)
    for key in ("title", "description", "source", "license", "license_url"):
        assert metadata[key], key
    assert list(metadata["databases"]) == [database_name(ingested_db)]


def test_every_claims_column_is_described_from_the_models(ingested_db: Path) -> None:
    claims = build_metadata(ingested_db)["databases"]["claims"]["tables"]["claims"]
    conn = sqlite3.connect(ingested_db)
    columns = [row[1] for row in conn.execute("pragma table_info(claims)")]
    conn.close()
    assert set(columns) <= set(claims["columns"]), set(columns) - set(claims["columns"])
    for name, field in Claim.model_fields.items():
        assert claims["columns"][name] == field.description


def test_units_come_from_the_models(ingested_db: Path) -> None:
    tables = build_metadata(ingested_db)["databases"]["claims"]["tables"]
    assert Document.model_fields["size"].json_schema_extra == {"unit": "bytes"}
    assert tables["documents"]["units"] == {"size": "bytes"}
    assert "units" not in tables["claims"]  # offsets are characters: no physical unit


def test_claims_table_is_faceted_searchable_sorted_and_labelled(ingested_db: Path) -> None:
    tables = build_metadata(ingested_db)["databases"]["claims"]["tables"]
    claims = tables["claims"]
    assert [next(iter(f.values())) for f in claims["facets"]] == list(DEFAULT_FACETS)
    assert all(next(iter(f)) == FACET_TYPE for f in claims["facets"])
    assert set(DEFAULT_FACETS) <= set(FACET_COLUMNS)  # every default facet has an index
    assert claims["fts_table"] == "claims_fts"
    assert claims["sort"] == "position"
    assert tables["documents"]["label_column"] == "name"
    assert tables["_sqlite_migrations"]["hidden"] is True


def test_canned_queries_are_published(ingested_db: Path) -> None:
    queries = build_metadata(ingested_db)["databases"]["claims"]["queries"]
    assert set(queries) == {
        "unsupported_statements",
        "review_queue",
        "repeated_claims",
        "section_claims",
    }
    assert set(queries) == set(CANNED_QUERIES)
    assert queries["section_claims"]["params"] == ["section", "document"]
    for query in queries.values():
        assert query["sql"].lstrip().lower().startswith(("select", "with")), query["title"]
        # A clause a line, long ones wrapped: readable without scrolling sideways.
        assert max(len(line) for line in query["sql"].splitlines()) <= 100, query["title"]


@pytest.mark.asyncio
async def test_the_ledger_is_served_read_only_but_can_change(ingested_db: Path) -> None:
    ds = make_datasette(ingested_db)
    db = ds.get_database(database_name(ingested_db))
    assert isinstance(db, LedgerDatabase) and db.is_mutable
    assert rows(ingested_db, "pragma journal_mode")[0][0] == "wal"
    # Datasette's connections are read-only: SQLite itself refuses a write.
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        await db.execute_fn(lambda conn: conn.execute("delete from claims"))


@pytest.mark.asyncio
async def test_a_ledger_no_one_can_write_is_served_immutable(
    ingested_db: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "readonly"
    folder.mkdir()
    copy = folder / "claims.db"
    copy.write_bytes(ingested_db.read_bytes())
    copy.chmod(0o444)
    folder.chmod(0o555)
    try:
        if os.access(copy, os.W_OK):
            pytest.skip("this user can write any file (root)")
        ds = make_datasette(copy)
        db = ds.get_database("claims")
        assert isinstance(db, LedgerDatabase) and not db.is_mutable
        assert (await ds.client.get("/claims/claims.json?_size=1")).status_code == 200
    finally:
        folder.chmod(0o755)


def test_check_database_refuses_what_it_cannot_serve(tmp_path: Path) -> None:
    with pytest.raises(ProvenanceError, match="no such database"):
        check_database(tmp_path / "missing.db")
    not_sqlite = tmp_path / "notes.db"
    not_sqlite.write_text("hello, this is not a database" * 100)
    with pytest.raises(ProvenanceError, match="not an SQLite database"):
        check_database(not_sqlite)
    foreign = tmp_path / "foreign.db"
    conn = sqlite3.connect(foreign)
    conn.execute("create table claims (id)")
    conn.close()
    with pytest.raises(ProvenanceError, match="not a provenance database"):
        check_database(foreign)


@pytest.mark.parametrize(
    ("setup", "message"),
    [("missing", "no such database"), ("foreign", "not a provenance database")],
)
def test_serve_command_reports_bad_databases(tmp_path: Path, setup: str, message: str) -> None:
    db = tmp_path / "x.db"
    if setup == "foreign":
        conn = sqlite3.connect(db)
        conn.execute("create table t (x)")
        conn.close()
    result = CliRunner().invoke(cli, ["serve", "--db", str(db)])
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output


def test_serve_help_has_examples() -> None:
    result = CliRunner().invoke(cli, ["serve", "--help"])
    assert result.exit_code == 0
    assert "provenance serve --db review.db --port 9000 --open" in result.output
    assert "--host" in result.output


def test_serve_refuses_a_port_already_taken(ingested_db: Path) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        result = CliRunner().invoke(cli, ["serve", "--db", str(ingested_db), "--port", str(port)])
    assert result.exit_code == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "--port" in result.stderr


def _as_written_before_m006(db_path: Path) -> None:
    """Roll a database back to the schema of the version before migrations m006 and m007."""
    conn = sqlite3.connect(db_path)
    with conn:
        conn.execute("drop index idx_claims_position")
        conn.execute("alter table claims drop column position")
        conn.execute("drop table deferred_indexes")
        conn.execute("delete from _sqlite_migrations where name in (?, ?)", NEWER_MIGRATIONS)
    conn.close()


NEWER_MIGRATIONS = ("m006_deferred_indexes", "m007_claim_position")


@pytest.mark.asyncio
async def test_a_database_from_an_earlier_version_is_brought_up_to_date(
    ingested_db: Path,
) -> None:
    _as_written_before_m006(ingested_db)
    ds = make_datasette(ingested_db)  # as serve does: check_database first
    response = await ds.client.get(f"/{database_name(ingested_db)}/claims.json?_size=2")
    assert response.status_code == 200, response.text
    assert response.json()["human_description_en"] == "sorted by position"
    applied = {row[0] for row in rows(ingested_db, "select name from _sqlite_migrations")}
    assert set(NEWER_MIGRATIONS) <= applied
