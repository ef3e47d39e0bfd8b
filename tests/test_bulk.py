"""Bulk loads build the claims' indexes at the end; nothing else about the result changes."""

from __future__ import annotations

import socket
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from provenance.cli import cli
from provenance.errors import ProvenanceError
from provenance.ingest import ingest
from provenance.publish.serve import check_database
from provenance.store import bulk
from provenance.store.connection import open_database
from tests.dbrows import rows

COLUMNS = "id, claim_key, document, version, start, [end], text, category, evidence_status"


def _indexes(db_path: Path) -> set[tuple[str, str]]:
    conn = sqlite3.connect(db_path)
    try:
        return {
            (name, sql)
            for name, sql in conn.execute(
                "select name, sql from sqlite_master where type = 'index' and sql is not null"
            )
        }
    finally:
        conn.close()


def _schema_indexes(tmp_path: Path) -> set[tuple[str, str]]:
    """The indexes of a freshly migrated database (no ingest)."""
    fresh = tmp_path / "fresh.db"
    open_database(fresh).close()
    return _indexes(fresh)


@pytest.fixture
def three_documents(tmp_path: Path, example_copy: Path) -> list[Path]:
    folder = example_copy.parent
    text = example_copy.read_text(encoding="utf-8")
    second = folder / "b.md"
    second.write_text("# B\n\nStudies suggest zinc may help [1].\n\n1. Ref. 2020.\n")
    third = folder / "c.txt"
    third.write_text(text.replace("Magnesium", "Zinc"), encoding="utf-8")
    return [example_copy, second, third]


def test_bulk_load_ends_with_every_index_of_the_schema(
    tmp_path: Path, db_path: Path, three_documents: list[Path]
) -> None:
    ingest(three_documents, db_path)
    assert _indexes(db_path) == _schema_indexes(tmp_path)
    assert rows(db_path, "select * from deferred_indexes") == []


def test_bulk_and_incremental_loads_store_the_same_claims_and_search(
    tmp_path: Path, three_documents: list[Path]
) -> None:
    at_once = tmp_path / "at-once.db"
    one_by_one = tmp_path / "one-by-one.db"
    ingest(three_documents, at_once)  # bulk: the database starts empty
    for path in three_documents:  # the first is a bulk load of one, then incremental
        ingest([path], one_by_one)
    query = f"select {COLUMNS} from claims order by document, start"
    assert rows(at_once, query) == rows(one_by_one, query)
    search = (
        "select claims.id from claims_fts join claims on claims.rowid = claims_fts.rowid"
        " where claims_fts match ? order by claims.id"
    )
    for word in ("magnesium", "zinc", "studies", "receptor"):
        found = rows(at_once, search, (word,))
        assert found, word
        assert found == rows(one_by_one, search, (word,))
    assert _indexes(at_once) == _indexes(one_by_one)


def test_a_document_failing_mid_load_leaves_earlier_ones_with_their_indexes(
    tmp_path: Path, db_path: Path, three_documents: list[Path]
) -> None:
    bad = three_documents[0].parent / "z-no-boundary.txt"
    bad.write_text("word " * 5000 + "\n", encoding="utf-8")  # 25,000 chars, one sentence
    result = CliRunner().invoke(cli, ["ingest", str(bad.parent), "--db", str(db_path)])
    assert result.exit_code == 1
    assert "without a sentence boundary" in result.output
    assert rows(db_path, "select count(distinct document) from claims") == [(3,)]
    assert _indexes(db_path) == _schema_indexes(tmp_path)
    assert rows(db_path, "select * from deferred_indexes") == []


def test_a_failing_first_document_leaves_an_empty_database_exactly_as_it_was(
    tmp_path: Path, db_path: Path
) -> None:
    open_database(db_path).close()
    before = db_path.read_bytes()
    bad = tmp_path / "bad.txt"
    bad.write_text("word " * 5000 + "\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["ingest", str(bad), "--db", str(db_path)])
    assert result.exit_code == 1
    assert db_path.read_bytes() == before


def _interrupted_load(db_path: Path, documents: list[Path], owner: str) -> None:
    """What a bulk load killed before its end leaves: claims, no indexes, the list of them."""
    ingest(documents[:1], db_path)
    conn = sqlite3.connect(db_path)
    with conn:
        for name, sql in conn.execute(
            "select name, sql from sqlite_master where type = 'index' and sql is not null"
            " and tbl_name in ('claims', 'citations')"
        ).fetchall():
            conn.execute("insert into deferred_indexes values (?, ?, ?)", [name, sql, owner])
            conn.execute(f"drop index [{name}]")
    conn.close()


@pytest.mark.parametrize("opener", ["open_database", "serve's check"])
def test_indexes_of_a_killed_load_are_built_by_the_next_to_open_it(
    tmp_path: Path, db_path: Path, three_documents: list[Path], opener: str
) -> None:
    _interrupted_load(db_path, three_documents, owner=f"{socket.gethostname()}:999999999")
    expected = _schema_indexes(tmp_path)
    assert _indexes(db_path) != expected
    if opener == "open_database":
        open_database(db_path).close()
    else:
        check_database(db_path)  # serve builds them before serving
    assert _indexes(db_path) == expected


def test_indexes_of_a_running_load_are_left_to_it(
    tmp_path: Path, db_path: Path, three_documents: list[Path]
) -> None:
    _interrupted_load(db_path, three_documents, owner=bulk._owner())  # this process: alive
    open_database(db_path).close()
    assert rows(db_path, "select count(*) from deferred_indexes")[0][0] > 0
    with pytest.raises(ProvenanceError, match="still writing"):
        check_database(db_path)  # serve refuses a database whose load is running
    # The same answers meanwhile, only without the indexes.
    assert rows(db_path, "select count(*) from claims where category = 'mechanism'")[0][0] > 0


def test_a_load_owned_by_another_machine_is_left_to_it_and_answers(
    tmp_path: Path, db_path: Path, three_documents: list[Path]
) -> None:
    _interrupted_load(db_path, three_documents, owner="another-host:1")
    result = CliRunner().invoke(cli, ["stats", "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    assert "99 claims" in result.output
    assert rows(db_path, "select count(*) from deferred_indexes")[0][0] > 0
    # Whether that process still runs cannot be known: the next ingest to finish builds them.
    again = CliRunner().invoke(cli, ["ingest", str(three_documents[0]), "--db", str(db_path)])
    assert again.exit_code == 0, again.output
    assert "unchanged" in again.output
    assert _indexes(db_path) == _schema_indexes(tmp_path)
