"""The published database cannot be changed: write SQL is refused, POSTs fail, bytes stay."""

from __future__ import annotations

import hashlib
import sqlite3
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from datasette.app import Datasette

from provenance.publish.metadata import CANNED_QUERIES, database_name
from provenance.publish.serve import make_datasette
from tests.helpers import serving

WRITE_SQL = [
    "delete from claims",
    "update claims set evidence_status = 'supported'",
    "insert into annotations (id, claim_id, reviewer, verdict, created_at)"
    " values ('x', 'y', 'z', 'supported', 'now')",
    "drop table claims",
    "create table x (y)",
    "select 1; delete from claims",
    "vacuum",
    "attach database 'other.db' as other",
    "pragma journal_mode = wal",
]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def http(url: str, data: bytes | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, data=data, method="POST" if data is not None else "GET")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.mark.asyncio
@pytest.mark.parametrize("sql", WRITE_SQL)
async def test_write_sql_is_refused(ingested_db: Path, sql: str) -> None:
    before = digest(ingested_db)
    ds = make_datasette(ingested_db)
    name = database_name(ingested_db)
    response = await ds.client.get(f"/{name}.json?" + urllib.parse.urlencode({"sql": sql}))
    assert response.status_code >= 400
    assert response.json()["ok"] is False
    count = await ds.client.get(f"/{name}.json?sql=select+count(*)+as+n+from+claims&_shape=array")
    assert count.json()[0]["n"] > 0
    assert digest(ingested_db) == before


@pytest.mark.asyncio
async def test_the_database_is_opened_immutable(ingested_db: Path) -> None:
    ds = make_datasette(ingested_db)
    db = ds.get_database(database_name(ingested_db))
    assert db.is_mutable is False
    # Below Datasette's own checks, SQLite itself refuses: the connection is read-only.
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        await db.execute_fn(lambda conn: conn.execute("delete from claims"))


@pytest.mark.asyncio
async def test_posts_fail(ingested_db: Path) -> None:
    before = digest(ingested_db)
    ds: Datasette = make_datasette(ingested_db)
    name = database_name(ingested_db)
    claim_id = (
        await ds.client.get(f"/{name}.json?sql=select+id+from+claims+limit+1&_shape=array")
    ).json()[0]["id"]
    targets = [
        f"/{name}",
        f"/{name}/claims",
        f"/{name}/claims/{claim_id}",
        f"/{name}/annotations",
        f"/-/provenance/claims/{claim_id}",
        *(f"/{name}/{query}" for query in CANNED_QUERIES),
    ]
    for target in targets:
        response = await ds.client.post(target, data={"sql": "delete from claims"})
        assert response.status_code >= 400, target
    assert digest(ingested_db) == before


def test_a_serving_session_leaves_the_bytes_identical(ingested_db: Path) -> None:
    before = digest(ingested_db)
    mtime = ingested_db.stat().st_mtime_ns
    name = database_name(ingested_db)
    with serving(ingested_db) as base:
        assert base.startswith("http://127.0.0.1:")  # loopback unless --host says otherwise
        status, body = http(f"{base}/-/databases.json")
        assert status == 200 and '"is_mutable": false' in body
        assert '"suggest_facets": false' in http(f"{base}/-/settings.json")[1]
        status, page = http(f"{base}/{name}/claims")
        assert status == 200 and "pv-badge" in page
        status, _ = http(f"{base}/{name}/claims?_search=magnesium&evidence_status=unsupported")
        assert status == 200
        for query in CANNED_QUERIES:
            assert http(f"{base}/{name}/{query}?section=x&document=")[0] == 200
        for sql in WRITE_SQL:
            status, _ = http(f"{base}/{name}?" + urllib.parse.urlencode({"sql": sql}))
            assert status >= 400, sql
        for target in (f"/{name}", f"/{name}/claims", f"/{name}/review_queue"):
            status, _ = http(base + target, data=b"sql=delete+from+claims")
            assert status >= 400, target
    assert digest(ingested_db) == before
    assert ingested_db.stat().st_mtime_ns == mtime
    assert not ingested_db.with_name(ingested_db.name + "-wal").exists()
    assert not ingested_db.with_name(ingested_db.name + "-journal").exists()
