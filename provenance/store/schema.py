"""The claims database's schema: every migration, in the order they are applied."""

from __future__ import annotations

import sqlite_utils
from pydantic import BaseModel
from sqlite_utils.migrations import Migrations

from provenance.models import (
    ATTRIBUTION_MEANINGS,
    CATEGORY_MEANINGS,
    Annotation,
    Claim,
    Document,
    KeptBlock,
    Reference,
    Run,
    Section,
)

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
    "blocks": KeptBlock,
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


@migrations()
def m006_deferred_indexes(db: sqlite_utils.Database) -> None:
    # Indexes a bulk load dropped and will build at its end (see provenance.store.bulk).
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
    # (is_current, document, start) for the audit, which then sorted every claim (slower: see
    # benchmarks/README.md).
    db.table("claims").create_index(["position"])


@migrations()
def m008_kept_blocks(db: sqlite_utils.Database) -> None:
    # The typed parts of a document that are not claims (titles, datelines, bylines, captions,
    # contents, contact blocks, boilerplate, source lines, tables, asked questions): kept so
    # that every character of the stored text belongs to a claim or to something shown.
    db.table("blocks").create(
        {
            "id": str,
            "document_id": str,
            "kind": str,
            "text": str,
            "start": int,
            "end": int,
            "line": int,
            "column": int,
            "rows": str,
        },
        pk="id",
        foreign_keys=[("document_id", "documents", "id")],
        not_null={"document_id", "kind", "text"},
    )
    db.table("blocks").create_index(["document_id", "start"])
    # Which main-content extractor (and version) read the run's web pages.
    db.execute("alter table runs add column extractors text")


@migrations()
def m009_taxonomy(db: sqlite_utils.Database) -> None:
    # The 14 categories (finding, method, event and prediction are new; evidence is narrowed
    # to the state of research as a whole) and the four attributions (named is new), with what
    # each means, for reviewers reading the facets. Stored claims keep their values until the
    # next ingest: the classifier's version changed, so every unchanged document is classified
    # again then ("reclassified"), keeping claim ids and reviews.
    db.table("taxonomy").insert_all(
        [
            *(
                {"kind": "category", "name": c.value, "meaning": meaning}
                for c, meaning in CATEGORY_MEANINGS.items()
            ),
            *(
                {"kind": "attribution", "name": a.value, "meaning": meaning}
                for a, meaning in ATTRIBUTION_MEANINGS.items()
            ),
        ],
        pk=("kind", "name"),
    )


@migrations()
def m010_document_paths(db: sqlite_utils.Database) -> None:
    # Every absolute path a source was read from: the same file ingested from another working
    # directory, or by an absolute path, is the same document (its claims keep their ids).
    db.table("document_paths").create({"path": str, "source": str}, pk="path", not_null={"source"})
    db.table("document_paths").create_index(["source"])


@migrations()
def m011_pages_and_sources(db: sqlite_utils.Database) -> None:
    # The page a claim of a paged document (PDF) starts on; null for the other formats.
    db.execute("alter table claims add column page integer")
    # How each document version was read: the encoding its text was decoded with, and for a
    # web address what the server said (final address after the redirects, the page's
    # canonical address, ETag, Last-Modified, fetch time, content type).
    db.table("document_sources").create(
        {
            "document_id": str,
            "encoding": str,
            "url": str,
            "final_url": str,
            "redirects": str,
            "canonical_url": str,
            "content_type": str,
            "etag": str,
            "last_modified": str,
            "fetched_at": str,
        },
        pk="document_id",
        foreign_keys=[("document_id", "documents", "id")],
    )


#: Tables whose rows are never changed or deleted: their triggers are checked on every open
#: (see :func:`provenance.store.connection.open_database`).
APPEND_ONLY_TABLES = ("annotations",)


@migrations()
def m012_annotations_never_replaced(db: sqlite_utils.Database) -> None:
    # INSERT OR REPLACE deletes the row it replaces without firing the delete trigger (unless
    # recursive_triggers is on), so it could rewrite a verdict: an insert whose id or rowid is
    # already recorded is refused before it happens, whatever its conflict clause.
    db.execute(
        "create trigger annotations_no_replace before insert on annotations"
        " when exists (select 1 from annotations where id = new.id or rowid = new.rowid)"
        " begin select raise(abort, 'annotations are append-only: this annotation is already"
        " recorded and cannot be replaced'); end"
    )
