"""What every export shares: the claims to export, their documents and reviews, and IRIs.

Everything here streams. Claims come in document order, so the document a claim was read
from is loaded once when the claims move on to it and dropped when they move past it;
annotations are read for a batch of claims at a time.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import sqlite_utils

from provenance.models import Annotation, Claim
from provenance.review.evidence import EVIDENCE_BASES, reference_kind
from provenance.review.log import iter_annotations, review_since
from provenance.review.status import edited_at_sql, in_force
from provenance.store.reads import ClaimFilter, claim_from_row
from provenance.store.schema import CLAIM_FIELDS

#: Claims whose annotations are read in one query.
ANNOTATION_BATCH = 500

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")

#: An annotation in force: each reviewer's latest on the claim (annotations are append-only,
#: so rowid breaks ties between equal timestamps), made after the claim's text last changed.
#: The unary + keeps SQLite on the (claim_id, created_at) index: by reviewer it would read
#: every annotation a prolific reviewer made, for each of them.
LATEST_ANNOTATION_SQL = (
    "not exists (select 1 from annotations later where later.claim_id = annotations.claim_id"
    " and +later.reviewer = annotations.reviewer and (later.created_at > annotations.created_at"
    " or (later.created_at = annotations.created_at and later.rowid > annotations.rowid)))"
    f" and annotations.created_at > {edited_at_sql('annotations.claim_id')}"
)


@dataclass(frozen=True, slots=True)
class ExportOptions:
    """What to export: the ``claims`` filters, reviewers' verdicts, and where IRIs point."""

    claim_filter: ClaimFilter = field(default_factory=ClaimFilter)
    verdicts: tuple[str, ...] = ()
    base_url: str | None = None


@dataclass(frozen=True, slots=True)
class DocumentVersion:
    """One stored version of a document: what a claim's offsets refer to."""

    id: str
    source: str
    name: str
    title: str | None
    sha256: str
    version: int
    ingested_at: str
    text: str
    #: Where the document is published (see :func:`source_iri`), worked out once per document.
    iri: str


@dataclass(frozen=True, slots=True)
class ExportClaim:
    """A claim with its document version, the run that read it and its reviews."""

    claim: Claim
    run_id: str | None
    document: DocumentVersion
    annotations: list[Annotation]
    #: When the claim's text last changed; annotations before it are history only.
    review_since: str | None = None

    @property
    def latest(self) -> list[Annotation]:
        """The verdicts in force: each reviewer's latest annotation since ``review_since``."""
        by_reviewer: dict[str, Annotation] = {}
        for annotation in in_force(self.annotations, self.review_since):
            by_reviewer[annotation.reviewer] = annotation
        return [by_reviewer[name] for name in sorted(by_reviewer)]


class Iris:
    """IRIs for the ledger's records.

    Without a base URL they are URNs (``urn:provenance:claims:…``); with one they are the
    records' pages where the ledger is published, ``BASE/claims/ID`` as Datasette serves a row.
    """

    def __init__(self, base_url: str | None = None) -> None:
        self.base_url = base_url.rstrip("/") if base_url else None

    def namespace(self, kind: str) -> str:
        """The prefix every IRI of one kind starts with; the record's id completes it."""
        if self.base_url is None:
            return f"urn:provenance:{kind}:"
        return f"{self.base_url}/{kind}/"

    def of(self, kind: str, record_id: str) -> str:
        return self.namespace(kind) + quote(record_id, safe="")

    def claim(self, claim_id: str) -> str:
        return self.of("claims", claim_id)

    def document(self, document_id: str) -> str:
        return self.of("documents", document_id)

    def annotation(self, annotation_id: str) -> str:
        return self.of("annotations", annotation_id)


def source_iri(source: str, published: str) -> str:
    """A document's address: a web source as it is, else where the ledger publishes it.

    ``published`` is the document version's IRI (:meth:`Iris.document`: the published row
    with ``--base-url``, else a ``urn:provenance:`` URN). A local path is never exported: a
    ``file://`` URI names a file on one machine, which no reader of the export can open.
    """
    if _SCHEME.match(source) and not re.match(r"^[A-Za-z]:[\\/]", source):
        return source
    return published


def evidence_iri(evidence: str) -> str | None:
    """The IRI an evidence reference resolves to, or None for free text."""
    text = evidence.strip()
    kind = reference_kind(text)
    if kind == "text":
        is_link = text.lower().startswith(("http://", "https://")) and " " not in text
        return text if is_link else None
    value = text.split(":", 1)[1].strip()
    if not value or any(c.isspace() for c in value):
        return None
    return value if kind == "url" else EVIDENCE_BASES[kind] + quote(value, safe="/:;()._-")


def _verdict_clause(verdicts: tuple[str, ...]) -> tuple[str, list[Any]]:
    marks = ", ".join("?" for _ in verdicts)
    return (
        f"claims.id in (select annotations.claim_id from annotations"
        f" where annotations.verdict in ({marks}) and {LATEST_ANNOTATION_SQL})",
        list(verdicts),
    )


def claims_where(options: ExportOptions) -> tuple[str, list[Any]]:
    """The SQL condition on ``claims`` for the options: the ``claims`` filters and verdicts."""
    where, params = options.claim_filter.where()
    if options.verdicts:
        clause, extra = _verdict_clause(options.verdicts)
        where, params = f"{where} and {clause}", [*params, *extra]
    return where, params


def iter_claim_rows(
    db: sqlite_utils.Database, options: ExportOptions
) -> Iterator[tuple[Claim, str | None]]:
    """The claims to export, in document order, with the run that read each."""
    where, params = claims_where(options)
    columns = ", ".join(f"claims.[{c}]" for c in (*CLAIM_FIELDS, "run_id"))
    cursor = db.conn.execute(
        f"select {columns} from claims where {where}"
        " order by claims.document, claims.version, claims.start",
        params,
    )
    names = [d[0] for d in cursor.description]
    for values in cursor:
        row = dict(zip(names, values, strict=True))
        yield claim_from_row(row), row["run_id"]


def annotations_by_claim(
    db: sqlite_utils.Database, claim_ids: list[str]
) -> dict[str, list[Annotation]]:
    """The annotations of a batch of claims, in log order for each claim."""
    found: dict[str, list[Annotation]] = {claim_id: [] for claim_id in claim_ids}
    for annotation in iter_annotations(db, claim_ids):
        found[annotation.claim_id].append(annotation)
    return found


class DocumentCache:
    """Holds the one document version the claims being exported are in."""

    def __init__(self, db: sqlite_utils.Database, iris: Iris | None = None) -> None:
        self.db = db
        self.iris = iris or Iris()
        self.current: DocumentVersion | None = None

    def get(self, document_id: str) -> DocumentVersion:
        if self.current is None or self.current.id != document_id:
            row = self.db.conn.execute(
                "select id, source, name, title, sha256, version, ingested_at, text"
                " from documents where id = ?",
                [document_id],
            ).fetchone()
            doc_id, source, name, title, sha256, version, ingested_at, text = row
            self.current = DocumentVersion(
                doc_id,
                source,
                name,
                title,
                sha256,
                version,
                ingested_at,
                text,
                source_iri(source, self.iris.document(doc_id)),
            )
        return self.current


def _batches(
    rows: Iterable[tuple[Claim, str | None]], size: int
) -> Iterator[list[tuple[Claim, str | None]]]:
    batch: list[tuple[Claim, str | None]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def iter_export_claims(db: sqlite_utils.Database, options: ExportOptions) -> Iterator[ExportClaim]:
    """The claims to export with their document version and annotations, streamed."""
    documents = DocumentCache(db, Iris(options.base_url))
    for batch in _batches(iter_claim_rows(db, options), ANNOTATION_BATCH):
        annotations = annotations_by_claim(db, [claim.id for claim, _ in batch])
        reviewed = [claim_id for claim_id, found in annotations.items() if found]
        since = review_since(db.conn, reviewed)
        for claim, run_id in batch:
            yield ExportClaim(
                claim=claim,
                run_id=run_id,
                document=documents.get(claim.document_id),
                annotations=annotations[claim.id],
                review_since=since.get(claim.id),
            )
