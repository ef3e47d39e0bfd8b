"""A served ledger that changes: writes by other processes show on the next page load, the
aggregates it remembers follow them, and nothing writes through the site but a verdict."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
from datasette.app import Datasette

from provenance.ingest import ingest
from provenance.publish import ledger
from provenance.publish.metadata import database_name
from provenance.publish.serve import make_datasette
from tests.dbrows import rows
from tests.helpers import EXAMPLE, annotate


def status_counts(data: dict[str, object]) -> dict[str, int]:
    facets = data["facet_results"]
    assert isinstance(facets, dict)
    return {item["value"]: item["count"] for item in facets["evidence_status"]["results"]}


@pytest.mark.asyncio
async def test_an_annotation_shows_on_the_next_page_load(ingested_db: Path) -> None:
    ds = make_datasette(ingested_db)
    name = database_name(ingested_db)
    before = (await ds.client.get(f"/{name}/claims.json?_size=1")).json()
    claim_id = rows(ingested_db, "select id from claims order by start limit 1")[0][0]
    annotate(ingested_db, claim_id, "ada", "contradicted", created_at="2026-01-01T00:00:00Z")
    after = (await ds.client.get(f"/{name}/claims.json?_size=1")).json()
    assert "contradicted" not in status_counts(before)
    assert status_counts(after)["contradicted"] == 1
    assert sum(status_counts(after).values()) == sum(status_counts(before).values())
    page = await ds.client.get(f"/-/provenance/claims/{claim_id}")
    assert page.status_code == 200 and "pv-status-contradicted" in page.text


@pytest.mark.asyncio
async def test_an_ingest_while_served_shows_and_never_breaks_a_page(
    ingested_db: Path, tmp_path: Path
) -> None:
    ds = make_datasette(ingested_db)
    name = database_name(ingested_db)
    paths = [f"/{name}/claims", f"/{name}/claims?_search=magnesium", f"/{name}/documents"]
    for path in paths:
        assert (await ds.client.get(path)).status_code == 200
    more = tmp_path / "more"
    more.mkdir()
    for number in range(5):
        text = EXAMPLE.read_text(encoding="utf-8").replace("Magnesium", f"Zinc{number}")
        (more / f"zinc{number}.txt").write_text(text, encoding="utf-8")
    ingest([more], ingested_db)  # was: 500 "database disk image is malformed" until restart
    for path in [*paths, f"/{name}/claims?_search=zinc3", "/-/provenance/documents"]:
        response = await ds.client.get(path)
        assert response.status_code == 200, (path, response.text[:300])
    data = (await ds.client.get(f"/{name}/claims.json?_size=1")).json()
    assert (
        data["filtered_table_rows_count"] == rows(ingested_db, "select count(*) from claims")[0][0]
    )
    assert "more/zinc3.txt" in (await ds.client.get("/-/provenance/documents")).text


@pytest.mark.asyncio
async def test_aggregates_are_remembered_until_the_ledger_changes(ingested_db: Path) -> None:
    ds = make_datasette(ingested_db)
    db = ds.get_database(database_name(ingested_db))
    assert isinstance(db, ledger.LedgerDatabase)
    sql = "select count(*) from claims where evidence_status = 'supported'"
    first = await db.execute(sql)
    assert first.rows[0][0] == 0
    generation = db.generation()
    assert db.generation() == generation  # reading changes nothing
    assert (await db.execute(sql)) is first  # remembered
    claim_id = rows(ingested_db, "select id from claims limit 1")[0][0]
    annotate(ingested_db, claim_id, "ada", "supported", created_at="2026-01-01T00:00:00Z")
    assert db.generation() != generation
    assert (await db.execute(sql)).rows[0][0] == 1  # computed again: a small ledger is quick
    plain = "select id from claims where evidence_status = 'supported'"
    assert not ledger.remembered_sql(plain)  # rows are always read afresh


@pytest.mark.asyncio
async def test_a_slow_aggregate_shows_the_previous_counts_and_catches_up(
    ingested_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ds = make_datasette(ingested_db)
    db = ds.get_database(database_name(ingested_db))
    assert isinstance(db, ledger.LedgerDatabase)
    sql = "select count(*) from annotations"
    assert (await db.execute(sql)).rows[0][0] == 0
    claim_id = rows(ingested_db, "select id from claims limit 1")[0][0]
    annotate(ingested_db, claim_id, "ada", "supported", created_at="2026-01-01T00:00:00Z")
    slow = asyncio.Event()
    unlimited = db._unlimited

    async def held(sql: str, params: object) -> object:
        await slow.wait()
        return await unlimited(sql, params)

    monkeypatch.setattr(db, "_unlimited", held)
    assert (await db.execute(sql)).rows[0][0] == 0  # the previous count, at once
    slow.set()
    for _ in range(100):
        if (await db.execute(sql)).rows[0][0] == 1:
            break
        await asyncio.sleep(0.02)
    assert (await db.execute(sql)).rows[0][0] == 1


@pytest.mark.asyncio
async def test_a_time_limit_on_the_document_page_is_a_clear_page(ingested_db: Path) -> None:
    ds = make_datasette(ingested_db)
    ds.sql_time_limit_ms = 0.001  # every query is interrupted at once
    document_id = rows(ingested_db, "select id from documents")[0][0]
    response = await ds.client.get(f"/-/provenance/documents/{document_id}")
    assert response.status_code == 503
    assert "longer than the time limit" in response.text
    assert "Traceback" not in response.text


@pytest.mark.asyncio
async def test_a_time_limit_on_any_plugin_page_is_a_clear_page(ingested_db: Path) -> None:
    ds = make_datasette(ingested_db)
    claim_id = rows(ingested_db, "select id from claims limit 1")[0][0]
    ds.sql_time_limit_ms = 0.001
    paths = [
        f"/-/provenance/claims/{claim_id}",
        "/-/provenance/documents",
        "/-/provenance/queue",
    ]
    for path in paths:
        response = await ds.client.get(path)
        assert response.status_code == 503, path
        assert "longer than the time limit" in response.text, path


def test_write_actions_are_refused_by_sqlite_below_datasette(ingested_db: Path) -> None:
    """A connection like Datasette's (mode=ro) cannot write, even with its own SQL."""
    conn = sqlite3.connect(f"file:{ingested_db}?mode=ro", uri=True)
    try:
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            conn.execute("insert into annotations (id) values ('x')")
    finally:
        conn.close()


@pytest.mark.asyncio
async def test_a_foreign_database_beside_a_ledger_is_left_alone(
    ingested_db: Path, tmp_path: Path
) -> None:
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("create table t (x)")
    conn.commit()
    conn.close()
    ds = Datasette(files=[str(other), str(ingested_db)])
    assert (await ds.client.post("/other/t", data={"x": "1"})).status_code != 405
    served = make_datasette(ingested_db)
    assert (await served.client.post(f"/{database_name(ingested_db)}/claims")).status_code == 405


@pytest.mark.asyncio
async def test_only_the_servers_own_warm_up_asks_for_unlimited_facets(
    ingested_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Unlimited queries on demand would let anyone tie up the server: the warm-up request
    # carries a secret of the serving process, not a guessable flag.
    from provenance.publish.serve import warm_up_path

    asked: list[bool] = []
    original = ledger.LedgerDatabase.remembered

    async def spy(self: ledger.LedgerDatabase, *args: object, **kwargs: object) -> object:
        asked.append(bool(kwargs.get("unlimited")))
        return await original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ledger.LedgerDatabase, "remembered", spy)
    ds = make_datasette(ingested_db)
    name = database_name(ingested_db)
    assert (await ds.client.get(f"/{name}/claims.json?_size=1&_warm_up=1")).status_code == 200
    assert asked and not any(asked)
    asked.clear()
    assert (await ds.client.get(warm_up_path(ingested_db))).status_code == 200
    assert any(asked)
