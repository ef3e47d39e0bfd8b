"""The published database cannot be changed: write SQL is refused, POSTs fail, bytes stay."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from datasette.app import Datasette

from provenance.publish.metadata import CANNED_QUERIES, database_name
from provenance.publish.serve import make_datasette
from tests.dbrows import rows
from tests.helpers import PROVENANCE, serving

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
async def test_datasette_reads_through_read_only_connections(ingested_db: Path) -> None:
    ds = make_datasette(ingested_db)
    db = ds.get_database(database_name(ingested_db))
    assert db.is_mutable is True  # others may write to it while it is served …
    # … but not Datasette: below its own checks, SQLite refuses, the connection is read-only.
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
        assert response.status_code == 405, (target, response.status_code)
        assert "Traceback" not in response.text
    # Datasette's write API, even for an actor it would trust with it.
    ds.root_enabled = True
    root = {"ds_actor": ds.sign({"a": {"id": "root"}}, "actor")}
    for action in ("insert-row", "update-row", "delete-row", "create-table", "drop-table"):
        allowed = await ds.permission_allowed({"id": "root"}, action, (name, "annotations"))
        assert allowed is False, action
    insert = await ds.client.post(
        f"/{name}/annotations/-/insert",
        json={"row": {"id": "x", "claim_id": claim_id, "reviewer": "r", "verdict": "supported"}},
        cookies=root,
    )
    assert insert.status_code in (403, 405), insert.status_code
    assert digest(ingested_db) == before


def test_a_serving_session_leaves_the_bytes_identical(ingested_db: Path) -> None:
    before = digest(ingested_db)
    mtime = ingested_db.stat().st_mtime_ns
    name = database_name(ingested_db)
    with serving(ingested_db) as base:
        assert base.startswith("http://127.0.0.1:")  # loopback unless --host says otherwise
        status, body = http(f"{base}/-/databases.json")
        assert status == 200 and '"is_mutable": true' in body
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
            assert status == 405, target
    assert digest(ingested_db) == before
    assert ingested_db.stat().st_mtime_ns == mtime


def test_ingest_and_annotate_while_served_show_without_a_restart(
    ingested_db: Path, tmp_path: Path
) -> None:
    """The reported failure: a 500 "database disk image is malformed" after any write."""
    name = database_name(ingested_db)
    more = tmp_path / "more"
    more.mkdir()
    (more / "zinc.md").write_text("# Zinc\n\nZinc cures colds in a day.\n", encoding="utf-8")
    claim_id = rows(ingested_db, "select id from claims order by start limit 1")[0][0]
    with serving(ingested_db) as base:
        assert http(f"{base}/{name}/claims")[0] == 200
        for command in (
            ["ingest", str(more), "--db", str(ingested_db)],
            ["annotate", claim_id, "--verdict", "contradicted", "--db", str(ingested_db)],
        ):
            done = subprocess.run(
                [str(PROVENANCE), *command],
                capture_output=True,
                text=True,
                check=False,
                env={**os.environ, "PROVENANCE_REVIEWER": "ada"},
            )
            assert done.returncode == 0, done.stderr
        for path in (f"/{name}/claims", f"/{name}/documents", "/-/provenance/documents"):
            status, page = http(base + path)
            assert status == 200, (path, page[:300])
        assert "Zinc cures colds" in http(f"{base}/{name}/claims?_search=zinc")[1]
        status, page = http(f"{base}/-/provenance/claims/{claim_id}")
        assert status == 200 and "pv-status-contradicted" in page
