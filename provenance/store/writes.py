"""Writing to the claims database: runs, document versions with their claims, statistics.

A later version's claims arrive already re-anchored (:mod:`provenance.store.versions`, run by
:mod:`provenance.ingest`): this module only writes rows.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from json.encoder import encode_basestring
from typing import Any

import sqlite_utils
from pydantic import BaseModel

from provenance.models import (
    Citation,
    Claim,
    ClaimDraft,
    Document,
    KeptBlock,
    Reference,
    Run,
    Section,
)
from provenance.store.schema import CLAIM_FIELDS


def end_position(line: int, column: int, text: str) -> tuple[int, int]:
    """Line and column just after a claim that starts at ``line``:``column``.

    Line breaks count as :class:`provenance.extract.positions.LineIndex` counts them (CRLF, CR, LF).
    Stored with each claim so that an audit need not scan every text for them.
    """
    if "\n" not in text and "\r" not in text:
        return line, column + len(text)
    lf_text = text.replace("\r\n", "\n").replace("\r", "\n")
    return line + lf_text.count("\n"), len(lf_text) - lf_text.rfind("\n")


@dataclass(frozen=True, slots=True)
class ClaimRows:
    """A first version's claims and citations as table rows (see :func:`first_version_rows`)."""

    claims: list[tuple[Any, ...]]
    citations: list[tuple[Any, ...]]


@dataclass(slots=True)
class DocumentWrite:
    """What to write for one document version.

    For a first version, ``rows`` may hold its claims already as rows, built by the process
    that extracted them (``claims`` is then not used): a writer fed by worker processes
    spends less per claim, and tuples of strings and numbers cross processes cheaply.
    """

    document: Document
    claims: Sequence[Claim | ClaimDraft]
    sections: list[Section] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    blocks: list[KeptBlock] = field(default_factory=list)
    rows: ClaimRows | None = None


#: ANALYZE again once a run has written this share of the claims table.
STATISTICS_REFRESH_SHARE = 0.1


def refresh_statistics(db: sqlite_utils.Database, written: int) -> None:
    """Keep the query planner's statistics (ANALYZE) in step with the claims table.

    Without them SQLite guesses, and for the audit it guessed an index that made it read every
    row. A full ANALYZE is not free, so it runs when the table has no statistics yet (also a
    database from an earlier version, re-ingested unchanged) or a run wrote a tenth of it;
    sampled statistics (``analysis_limit``) were cheaper but led to worse plans. The
    measurements are in benchmarks/README.md.
    """
    analysed = "sqlite_stat1" in db.table_names() and bool(
        db.execute("select 1 from sqlite_stat1 where tbl = 'claims' limit 1").fetchone()
    )
    if analysed and written == 0:
        return
    total = db.execute("select count(*) from claims").fetchone()[0]
    if total and (not analysed or written >= STATISTICS_REFRESH_SHARE * total):
        db.execute("analyze")


def known_source(db: sqlite_utils.Database, path: str, given: str) -> tuple[str, bool]:
    """The source key of the document the file at ``path`` (absolute) is, and whether that
    path is already recorded (else the key is ``given``, or the path itself).

    One file is one document, from whatever working directory and by whatever path it is
    ingested: the first source key it got stays its key (claim ids derive from it). A relative
    ``given`` that is already another file's key (the same name read from another folder)
    gives way to the absolute path.
    """
    row = db.execute("select source from document_paths where path = ?", [path]).fetchone()
    if row:
        return str(row[0]), True
    taken = db.execute("select 1 from document_paths where source = ? limit 1", [given])
    if taken.fetchone():
        return path, False
    return given, False


def remember_path(db: sqlite_utils.Database, path: str, source: str) -> None:
    """Record that the file at ``path`` is ``source`` (inside the caller's transaction)."""
    db.execute("insert or ignore into document_paths (path, source) values (?, ?)", [path, source])


def latest_version(db: sqlite_utils.Database, source: str) -> dict[str, Any] | None:
    """The newest version of a source: id, sha256, version, and the rule set that read it."""
    rows = db.execute(
        "select documents.id, sha256, version, runs.ruleset_version from documents"
        " left join runs on runs.id = documents.run_id"
        " where source = ? order by version desc limit 1",
        [source],
    ).fetchall()
    if not rows:
        return None
    return {
        "id": rows[0][0],
        "sha256": rows[0][1],
        "version": rows[0][2],
        "ruleset_version": rows[0][3],
    }


def _json_strings(values: list[str]) -> str:
    """``json.dumps(values, ensure_ascii=False)`` for a list of strings, at a third of the cost."""
    return "[" + ", ".join(map(encode_basestring, values)) + "]" if values else "[]"


def _json_citations(citations: list[Citation]) -> str:
    """``json.dumps([c.model_dump(mode="json") ...], ensure_ascii=False)``, built by hand
    (through model_dump, a third of the cost of a cited claim's row)."""
    if not citations:
        return "[]"
    return json.dumps(
        [
            {
                "kind": c.kind.value,
                "marker": c.marker,
                "start": c.start,
                "end": c.end,
                "targets": c.targets,
                "reference_ids": c.reference_ids,
            }
            for c in citations
        ],
        ensure_ascii=False,
    )


#: The claims-table columns :func:`claim_row` fills, in its order.
CLAIM_ROW_COLUMNS = (
    *CLAIM_FIELDS,
    "text_status",
    "first_version",
    "is_current",
    "run_id",
    "end_line",
    "end_column",
)


_INSERT_CLAIM = (
    f"insert into claims ({', '.join(f'[{c}]' for c in CLAIM_ROW_COLUMNS)})"
    f" values ({', '.join('?' for _ in CLAIM_ROW_COLUMNS)})"
)


_UPDATE_CLAIM = (
    f"update claims set {', '.join(f'[{c}] = ?' for c in CLAIM_ROW_COLUMNS[1:])} where id = ?"
)


def claim_row(claim: Claim | ClaimDraft, *, first_version: int, run_id: str) -> tuple[Any, ...]:
    """The claims-table row of a claim, in :data:`CLAIM_ROW_COLUMNS` order (built by hand:
    this is the ingest's hot path)."""
    status = claim.evidence_status.value
    end_line, end_column = end_position(claim.line, claim.column, claim.text)
    return (
        claim.id,
        claim.claim_key,
        claim.document,
        claim.document_id,
        claim.version,
        claim.section,
        claim.paragraph,
        claim.start,
        claim.end,
        claim.line,
        claim.column,
        claim.text,
        claim.category.value,
        _json_strings(claim.category_cues),
        claim.certainty.value,
        _json_strings(claim.hedge_cues),
        claim.attribution.value,
        _json_strings(claim.attribution_cues),
        _json_citations(claim.citations),
        status,
        claim.page,
        status,
        first_version,
        1,
        run_id,
        end_line,
        end_column,
    )


def _citation_rows(claims: Sequence[Claim | ClaimDraft], document_id: str) -> list[tuple[Any, ...]]:
    return [
        (
            f"{claim.id}:{position}",
            claim.id,
            document_id,
            citation.kind.value,
            citation.marker,
            citation.start,
            citation.end,
            _json_strings(citation.targets),
            citation.reference_ids[0] if citation.reference_ids else None,
        )
        for claim in claims
        for position, citation in enumerate(claim.citations)
    ]


def first_version_rows(
    claims: Sequence[Claim | ClaimDraft], *, document_id: str, run_id: str
) -> ClaimRows:
    """The rows :func:`write_document` writes for the claims of a document's first version."""
    return ClaimRows(
        [claim_row(claim, first_version=1, run_id=run_id) for claim in claims],
        _citation_rows(claims, document_id),
    )


def _insert_records(
    conn: sqlite3.Connection,
    table: str,
    records: Sequence[BaseModel],
    json_columns: frozenset[str] = frozenset(),
) -> None:
    """Insert models whose fields are all columns, with one prepared statement (their enums
    are ``str`` subclasses, stored as their values; ``json_columns`` are stored as JSON)."""
    if not records:
        return
    columns = list(type(records[0]).model_fields)

    def value(record: BaseModel, column: str) -> Any:
        found = getattr(record, column)
        if column in json_columns and found is not None:
            return json.dumps(found, ensure_ascii=False)
        return found

    conn.executemany(
        f"insert into [{table}] ({', '.join(f'[{c}]' for c in columns)})"
        f" values ({', '.join('?' for _ in columns)})",
        [tuple(value(record, c) for c in columns) for record in records],
    )


@contextlib.contextmanager
def write_transaction(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """One transaction that holds the write lock from its start (``BEGIN IMMEDIATE``).

    A deferred transaction that reads before it writes fails at once with "database is locked"
    when another process committed in between (the busy timeout cannot help); taking the lock
    first makes concurrent writers queue instead.
    """
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
        raise
    db.conn.execute("COMMIT")


def write_document_source(db: sqlite_utils.Database, row: dict[str, str | None]) -> None:
    """Record how a document version was read (call inside its transaction)."""
    db.table("document_sources").insert(row, pk="document_id", replace=True)


def write_run(db: sqlite_utils.Database, run: Run) -> None:
    """Record a run (call inside the first document's transaction)."""
    row = run.model_dump(mode="json")
    row["arguments"] = json.dumps(row["arguments"], ensure_ascii=False)
    row["extractors"] = json.dumps(row["extractors"], ensure_ascii=False, sort_keys=True)
    db.table("runs").insert(row, pk="id", ignore=True)


def write_document(db: sqlite_utils.Database, write: DocumentWrite) -> None:
    """Write one document version and its claims. Call inside a transaction.

    A later version's claims must already be matched to the previous version's
    (:func:`provenance.store.versions.reanchor`, which :mod:`provenance.ingest` runs before and
    :func:`provenance.store.versions.record_version_changes` after): matched claims keep their
    id, rowid, first version and annotations and are updated in place; claims of earlier
    versions that are gone are kept with ``is_current = 0``.
    """
    document = write.document
    conn = db.conn
    conn.execute("update documents set is_latest = 0 where source = ?", [document.source])
    claims = write.claims
    db.table("documents").insert({**document.model_dump(mode="json"), "is_latest": 1}, pk="id")
    _insert_records(conn, "sections", write.sections)
    _insert_records(conn, "references", write.references)
    _insert_records(conn, "blocks", write.blocks, frozenset({"rows"}))
    # A first version has no earlier claims (a document and its claims are written together);
    # not asking spares a query that, during a bulk load, has no index to use.
    previous = (
        {
            row[0]: row[1]
            for row in conn.execute(
                "select id, first_version from claims where document = ?", [document.source]
            )
        }
        if document.version > 1
        else {}
    )
    # Claims inserted below get rowids above this one (a rowid table assigns max + 1).
    last_rowid = conn.execute("select max(rowid) from claims").fetchone()[0] or 0
    if previous:
        conn.execute(
            "insert into claims_fts(claims_fts, rowid, text)"
            " select 'delete', rowid, text from claims where document = ?",
            [document.source],
        )
        conn.execute("update claims set is_current = 0 where document = ?", [document.source])
    if write.rows is not None:
        if document.version != 1:
            raise ValueError("prepared rows are for a first version only")
        new_rows, citation_rows = write.rows.claims, write.rows.citations
    else:
        new_rows = []
        for claim in claims:
            earlier = previous.get(claim.id)
            row = claim_row(
                claim,
                first_version=earlier if earlier is not None else document.version,
                run_id=document.run_id,
            )
            if earlier is None:
                new_rows.append(row)
            else:
                conn.execute(_UPDATE_CLAIM, (*row[1:], row[0]))
        citation_rows = _citation_rows(claims, document.id)
    if new_rows:
        conn.executemany(_INSERT_CLAIM, new_rows)
    if previous:
        conn.execute(
            "insert into claims_fts(rowid, text) select rowid, text from claims where document = ?",
            [document.source],
        )
    else:
        conn.execute(
            "insert into claims_fts(rowid, text) select rowid, text from claims where rowid > ?",
            [last_rowid],
        )
    if previous:
        conn.execute(
            "delete from citations where claim_id in (select id from claims where document = ?)",
            [document.source],
        )
    if citation_rows:
        conn.executemany(
            "insert into citations (id, claim_id, document_id, kind, marker, start, [end],"
            " targets, reference_id) values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            citation_rows,
        )
