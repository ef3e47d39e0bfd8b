"""The claims database: schema as migrations, and the writes and reads every surface uses."""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from json.encoder import encode_basestring
from pathlib import Path
from typing import Any

import sqlite_utils
from pydantic import BaseModel
from sqlite_utils.migrations import Migrations

from provenance import bulk
from provenance.errors import ProvenanceError
from provenance.models import (
    Annotation,
    Citation,
    Claim,
    ClaimDraft,
    Document,
    Reference,
    Run,
    Section,
)
from provenance.versions import VersionDiff, reanchor, record_version_changes

MIGRATION_SET = "provenance"
migrations = Migrations(MIGRATION_SET)

CLAIM_FIELDS = tuple(Claim.model_fields)
#: Columns a reviewer facets or filters on; each leads an index (document's also orders
#: the claims of a document, claim_key's also counts current repeats).
FACET_COLUMNS = (
    "category",
    "evidence_status",
    "certainty",
    "attribution",
    "document",
    "section",
)
JSON_CLAIM_COLUMNS = ("category_cues", "hedge_cues", "attribution_cues", "citations")
#: The tables that hold a model's records: every field of the model is a column.
MODEL_TABLES: dict[str, type[BaseModel]] = {
    "claims": Claim,
    "documents": Document,
    "sections": Section,
    "references": Reference,
    "runs": Run,
    "annotations": Annotation,
}


@migrations()
def m001_initial(db: sqlite_utils.Database) -> None:
    db.table("runs").create(
        {
            "id": str,
            "started_at": str,
            "tool_version": str,
            "ruleset_version": str,
            "arguments": str,
        },
        pk="id",
    )
    db.table("documents").create(
        {
            "id": str,
            "source": str,
            "name": str,
            "title": str,
            "format": str,
            "sha256": str,
            "size": int,
            "text": str,
            "version": int,
            "ingested_at": str,
            "run_id": str,
            "is_latest": int,
        },
        pk="id",
        foreign_keys=[("run_id", "runs", "id")],
        not_null={"source", "sha256", "text", "version"},
    )
    db.table("documents").create_index(["source", "version"], unique=True)
    db.table("documents").create_index(["name"])
    db.table("sections").create(
        {
            "id": str,
            "document_id": str,
            "kind": str,
            "level": int,
            "text": str,
            "start": int,
            "end": int,
            "line": int,
            "column": int,
        },
        pk="id",
        foreign_keys=[("document_id", "documents", "id")],
    )
    db.table("sections").create_index(["document_id", "start"])
    db.table("references").create(
        {
            "id": str,
            "document_id": str,
            "label": str,
            "text": str,
            "start": int,
            "end": int,
            "line": int,
            "column": int,
            "doi": str,
            "pmid": str,
            "url": str,
        },
        pk="id",
        foreign_keys=[("document_id", "documents", "id")],
    )
    db.table("references").create_index(["document_id", "label"])
    db.table("claims").create(
        {
            "id": str,
            "claim_key": str,
            "document": str,
            "document_id": str,
            "version": int,
            "section": str,
            "paragraph": int,
            "start": int,
            "end": int,
            "line": int,
            "column": int,
            "text": str,
            "category": str,
            "category_cues": str,
            "certainty": str,
            "hedge_cues": str,
            "attribution": str,
            "attribution_cues": str,
            "citations": str,
            "evidence_status": str,
            "text_status": str,
            "first_version": int,
            "is_current": int,
            "run_id": str,
            "end_line": int,
            "end_column": int,
        },
        pk="id",
        foreign_keys=[("document_id", "documents", "id"), ("run_id", "runs", "id")],
        not_null={"text", "document_id", "category", "evidence_status"},
    )
    # Every index costs each inserted claim; none here duplicates another's leading column.
    for column in FACET_COLUMNS:
        if column != "document":
            db.table("claims").create_index([column])
    db.table("claims").create_index(["document", "is_current", "start"])
    db.table("claims").create_index(["document_id", "start"])
    # Datasette's default view filters is_current = 1 and sorts by document: count and page
    # come from this index alone.
    db.table("claims").create_index(["is_current", "document", "start"])
    # Covers counting repeated current statements (audit priority) without reading rows.
    db.table("claims").create_index(["claim_key", "is_current"])
    db.table("citations").create(
        {
            "id": str,
            "claim_id": str,
            "document_id": str,
            "kind": str,
            "marker": str,
            "start": int,
            "end": int,
            "targets": str,
            "reference_id": str,
        },
        pk="id",
        foreign_keys=[
            ("claim_id", "claims", "id"),
            ("document_id", "documents", "id"),
            ("reference_id", "references", "id"),
        ],
    )
    db.table("citations").create_index(["claim_id"])
    db.table("citations").create_index(["reference_id"])
    db.table("claims").enable_fts(["text"], fts_version="FTS5", create_triggers=False)


@migrations()
def m002_annotations(db: sqlite_utils.Database) -> None:
    db.table("annotations").create(
        {
            "id": str,
            "claim_id": str,
            "reviewer": str,
            "verdict": str,
            "evidence": str,
            "note": str,
            "created_at": str,
        },
        pk="id",
        foreign_keys=[("claim_id", "claims", "id")],
        not_null={"claim_id", "reviewer", "verdict", "created_at"},
    )
    db.table("annotations").create_index(["claim_id", "created_at"])
    db.table("annotations").create_index(["reviewer"])
    db.table("annotations").create_index(["verdict"])


@migrations()
def m003_annotations_append_only(db: sqlite_utils.Database) -> None:
    for action in ("update", "delete"):
        db.execute(
            f"create trigger annotations_no_{action} before {action} on annotations begin"
            f" select raise(abort, 'annotations are append-only: {action} is not allowed');"
            " end"
        )


@migrations()
def m004_claim_changes(db: sqlite_utils.Database) -> None:
    # One row per claim per re-ingest: how the claim fared between two versions, and where it
    # was in each. review_reset = 1 marks an edit: earlier annotations are history only.
    db.table("claim_changes").create(
        {
            "id": int,
            "document": str,
            "from_version": int,
            "to_version": int,
            "claim_id": str,
            "change": str,
            "old_start": int,
            "old_end": int,
            "old_text": str,
            "new_start": int,
            "new_end": int,
            "new_text": str,
            "similarity": float,
            "review_reset": int,
            "at": str,
        },
        pk="id",
        not_null={"document", "from_version", "to_version", "claim_id", "change", "at"},
    )
    db.table("claim_changes").create_index(["document", "to_version"])
    db.table("claim_changes").create_index(["claim_id", "review_reset"])


@migrations()
def m005_review_progress(db: sqlite_utils.Database) -> None:
    db.table("review_progress").create(
        {"reviewer": str, "queue": str, "claim_id": str, "updated_at": str},
        pk=("reviewer", "queue"),
    )


def end_position(line: int, column: int, text: str) -> tuple[int, int]:
    """Line and column just after a claim that starts at ``line``:``column``.

    Line breaks count as :class:`provenance.positions.LineIndex` counts them (CRLF, CR, LF).
    Stored with each claim so that an audit need not scan every text for them.
    """
    if "\n" not in text and "\r" not in text:
        return line, column + len(text)
    lf_text = text.replace("\r\n", "\n").replace("\r", "\n")
    return line + lf_text.count("\n"), len(lf_text) - lf_text.rfind("\n")


def _connect(path: Path) -> sqlite_utils.Database:
    try:
        conn = sqlite3.connect(str(path), timeout=30)
        db = sqlite_utils.Database(conn)
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("PRAGMA busy_timeout = 30000")
    except sqlite3.Error as error:
        raise ProvenanceError(f"{path}: cannot open database ({error})") from None
    return db


def is_provenance_database(db: sqlite_utils.Database) -> bool:
    return "claims" in db.table_names() and bool(migrations.applied(db))


def open_database(path: Path, *, create: bool = True) -> sqlite_utils.Database:
    """Open (and if needed create and migrate) a provenance database.

    A file that is not SQLite, or an SQLite database that holds other tables, is refused.
    """
    path = Path(path)
    if not path.exists():
        if not create:
            raise ProvenanceError(f"{path}: no such database (run 'provenance ingest' first)")
        if not path.parent.exists():
            raise ProvenanceError(
                f"{path}: cannot create database, folder {path.parent} does not exist"
            )
    db = _connect(path)
    try:
        tables = db.table_names()
    except sqlite3.DatabaseError:
        db.close()
        raise ProvenanceError(f"{path}: not an SQLite database") from None
    if tables and not is_provenance_database(db):
        db.close()
        raise ProvenanceError(f"{path}: not a provenance database (it has other tables)")
    if migrations.pending(db):
        if not create and not tables:
            db.close()
            raise ProvenanceError(f"{path}: empty database (run 'provenance ingest' first)")
        try:
            migrations.apply(db)
        except sqlite3.OperationalError as error:
            db.close()
            raise ProvenanceError(f"{path}: cannot write database ({error})") from None
    # WAL lets reviewers annotate while an ingest runs; closing the last connection folds the
    # log back into the file, so immutable readers (datasette -i) see every write. A read-only
    # file stays as it is. In WAL mode synchronous=NORMAL cannot corrupt the database (a power
    # cut may only lose the last commits) and spares an fsync per document.
    with contextlib.suppress(sqlite3.OperationalError):
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")
    bulk.repair_interrupted(db)
    return db


@migrations()
def m006_deferred_indexes(db: sqlite_utils.Database) -> None:
    # Indexes a bulk load dropped and will build at its end (see provenance.bulk).
    db.table("deferred_indexes").create(
        {"name": str, "sql": str, "owner": str}, pk="name", not_null={"sql", "owner"}
    )


@migrations()
def m007_claim_position(db: sqlite_utils.Database) -> None:
    # Datasette sorts a table on one column: this one puts claims in reading order (document,
    # version, offset). Generated from those columns, so nothing writes it or can get it wrong.
    db.execute(
        "alter table claims add column position text generated always as"
        " (document || char(31) || printf('%06d', version) || char(31) || printf('%012d', start))"
        " virtual"
    )
    # The claims page reads its first rows from this index, filtered by is_current = 1 when old
    # versions exist. No (is_current, position) index: with one, the planner chose it over
    # (is_current, document, start) for the audit, which then sorted every claim (0.5 s more).
    db.table("claims").create_index(["position"])


# --- writing ---------------------------------------------------------------------------


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
    rows: ClaimRows | None = None


#: ANALYZE again once a run has written this share of the claims table.
STATISTICS_REFRESH_SHARE = 0.1


def refresh_statistics(db: sqlite_utils.Database, written: int) -> None:
    """Keep the query planner's statistics (ANALYZE) in step with the claims table.

    Without them SQLite guesses, and for the audit it guessed an index that made it read every
    row (2.2 s at 1 M claims instead of 1.6 s). A full ANALYZE costs about 0.7 s per million
    claims, so it runs when the table has no statistics yet (also a database from an earlier
    version, re-ingested unchanged) or a run wrote a tenth of it; sampled statistics
    (``analysis_limit``) were cheaper but led to worse plans (2.6 s).
    """
    analysed = "sqlite_stat1" in db.table_names() and bool(
        db.execute("select 1 from sqlite_stat1 where tbl = 'claims' limit 1").fetchone()
    )
    if analysed and written == 0:
        return
    total = db.execute("select count(*) from claims").fetchone()[0]
    if total and (not analysed or written >= STATISTICS_REFRESH_SHARE * total):
        db.execute("analyze")


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


def _insert_records(conn: sqlite3.Connection, table: str, records: Sequence[BaseModel]) -> None:
    """Insert models whose fields are all columns, with one prepared statement (their enums
    are ``str`` subclasses, stored as their values)."""
    if not records:
        return
    columns = list(type(records[0]).model_fields)
    conn.executemany(
        f"insert into [{table}] ({', '.join(f'[{c}]' for c in columns)})"
        f" values ({', '.join('?' for _ in columns)})",
        [tuple(getattr(record, c) for c in columns) for record in records],
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


def write_run(db: sqlite_utils.Database, run: Run) -> None:
    """Record a run (call inside the first document's transaction)."""
    row = run.model_dump(mode="json")
    row["arguments"] = json.dumps(row["arguments"], ensure_ascii=False)
    db.table("runs").insert(row, pk="id", ignore=True)


def write_document(db: sqlite_utils.Database, write: DocumentWrite) -> VersionDiff | None:
    """Write one document version and its claims. Call inside a transaction.

    A later version's claims are first matched to the previous version's (see
    :mod:`provenance.versions`): matched claims keep their id, rowid, first version and
    annotations and are updated in place; claims of earlier versions that are gone are kept with
    ``is_current = 0``. Returns that match (None for a first version).
    """
    document = write.document
    conn = db.conn
    conn.execute("update documents set is_latest = 0 where source = ?", [document.source])
    version_diff = None
    claims = write.claims
    if document.version > 1:
        claims, version_diff = reanchor(
            db,
            document.source,
            document.text,
            [c if isinstance(c, Claim) else c.validated() for c in claims],
            document.version,
        )
    db.table("documents").insert({**document.model_dump(mode="json"), "is_latest": 1}, pk="id")
    _insert_records(conn, "sections", write.sections)
    _insert_records(conn, "references", write.references)
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
    if version_diff is not None:
        record_version_changes(db, version_diff)
    return version_diff


# --- reading ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ClaimFilter:
    """Filters shared by every command that lists claims."""

    categories: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    certainties: tuple[str, ...] = ()
    attributions: tuple[str, ...] = ()
    documents: tuple[str, ...] = ()
    search: str | None = None
    include_removed: bool = False

    def where(self) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        for column, values in (
            ("category", self.categories),
            ("evidence_status", self.statuses),
            ("certainty", self.certainties),
            ("attribution", self.attributions),
        ):
            if values:
                clauses.append(f"claims.{column} in ({', '.join('?' for _ in values)})")
                params.extend(values)
        if self.documents:
            matches = []
            for value in self.documents:
                matches.append(
                    "(claims.document = ? or claims.document_id = ? or claims.document_id in"
                    " (select id from documents where name = ? or source = ?))"
                )
                params.extend([value, value, value, value])
            clauses.append("(" + " or ".join(matches) + ")")
        if self.search:
            clauses.append(
                "claims.rowid in (select rowid from claims_fts where claims_fts match ?)"
            )
            params.append(fts_query(self.search))
        if not self.include_removed:
            clauses.append("claims.is_current = 1")
        return (" and ".join(clauses) or "1"), params


def fts_query(search: str) -> str:
    """Quote each word so user input is never parsed as FTS syntax."""
    words = [w.replace('"', '""') for w in search.split()]
    return " ".join(f'"{w}"' for w in words if w) or '""'


def claim_from_row(row: dict[str, Any]) -> Claim:
    data = {name: row[name] for name in CLAIM_FIELDS}
    for column in JSON_CLAIM_COLUMNS:
        data[column] = json.loads(data[column]) if data[column] else []
    return Claim.model_validate(data)


def iter_claims(
    db: sqlite_utils.Database, claim_filter: ClaimFilter | None = None, limit: int | None = None
) -> Iterator[Claim]:
    """Claims in document order (document, then position), streamed."""
    where, params = (claim_filter or ClaimFilter()).where()
    sql = (
        f"select {', '.join(f'claims.[{c}]' for c in CLAIM_FIELDS)} from claims"
        f" where {where} order by claims.document, claims.version, claims.start"
    )
    if limit is not None:
        sql += " limit ?"
        params = [*params, limit]
    cursor = db.conn.execute(sql, params)
    names = [d[0] for d in cursor.description]
    for values in cursor:
        yield claim_from_row(dict(zip(names, values, strict=True)))


def resolve_claim_id(db: sqlite_utils.Database, prefix: str) -> str:
    """A full claim id from a unique prefix; ambiguity and absence are user errors."""
    if not prefix or not all(c in "0123456789abcdef" for c in prefix.lower()):
        raise ProvenanceError(f"{prefix!r} is not a claim id (expected hexadecimal)")
    rows: list[str] = [
        str(r[0])
        for r in db.execute(
            "select id from claims where id >= ? and id < ? order by id limit 6",
            [prefix.lower(), prefix.lower() + "g"],
        )
    ]
    if not rows:
        raise ProvenanceError(f"no claim with id {prefix!r}")
    if len(rows) > 1:
        shown = ", ".join(rows[:5])
        raise ProvenanceError(f"claim id prefix {prefix!r} is ambiguous: {shown}…")
    return rows[0]


def get_claim(db: sqlite_utils.Database, claim_id: str) -> Claim:
    return claim_from_row(db.table("claims").get(claim_id))
