"""Reviewer annotations: an append-only log, and the claim statuses it decides.

The log is the truth. Every write of annotations recomputes the evidence status of the claims
it touches in the same transaction, by the rule in :mod:`provenance.review.status`.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import sqlite_utils
from pydantic import ValidationError

from provenance.errors import ProvenanceError
from provenance.models import Annotation, EvidenceStatus, Verdict
from provenance.review.evidence import normalise_references
from provenance.review.status import effective_status, in_force
from provenance.timestamps import CLOCK_SKEW, normalise_timestamp, shifted, utc_timestamp

ANNOTATION_FIELDS = tuple(Annotation.model_fields)


VERDICTS = tuple(v.value for v in Verdict)


#: Keep ``in (…)`` lists well under SQLite's variable limit.
CHUNK = 500


def parse_verdict(value: str | Verdict) -> Verdict:
    """A verdict from its name (``partially-supported`` and any case are accepted)."""
    if isinstance(value, Verdict):
        return value
    name = value.strip().lower().replace("-", "_").replace(" ", "_")
    try:
        return Verdict(name)
    except ValueError:
        raise ProvenanceError(
            f"{value!r} is not a verdict (expected one of {', '.join(VERDICTS)})"
        ) from None


def annotation_id(
    claim_id: str, reviewer: str, verdict: Verdict, evidence: list[str], note: str | None, at: str
) -> str:
    """Derived from the content, so importing the same annotation twice records it once."""
    parts = [claim_id, reviewer, verdict.value, json.dumps(evidence), note or "", at]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]


def make_annotation(
    claim_id: str,
    reviewer: str,
    verdict: str | Verdict,
    evidence: Iterable[str] = (),
    note: str | None = None,
    created_at: str | None = None,
    id: str | None = None,
) -> Annotation:
    """A validated annotation: verdict and references checked, time normalised to UTC."""
    reviewer = reviewer.strip()
    if not reviewer:
        raise ProvenanceError("an annotation needs a reviewer")
    if not claim_id.strip():
        raise ProvenanceError("an annotation needs a claim id")
    checked_verdict = parse_verdict(verdict)
    references = normalise_references(list(evidence))
    note = note.strip() if note and note.strip() else None
    at = normalise_timestamp(created_at) if created_at else utc_timestamp()
    try:
        return Annotation(
            id=id or annotation_id(claim_id, reviewer, checked_verdict, references, note, at),
            claim_id=claim_id.strip(),
            reviewer=reviewer,
            verdict=checked_verdict,
            evidence=references,
            note=note,
            created_at=at,
        )
    except ValidationError as error:
        first = error.errors()[0]
        raise ProvenanceError(f"invalid annotation: {first['loc'][0]}: {first['msg']}") from None


def _row(annotation: Annotation) -> dict[str, Any]:
    row = annotation.model_dump(mode="json")
    row["evidence"] = json.dumps(row["evidence"], ensure_ascii=False)
    return row


def annotation_from_row(row: dict[str, Any]) -> Annotation:
    data = {name: row[name] for name in ANNOTATION_FIELDS}
    data["evidence"] = json.loads(data["evidence"]) if data["evidence"] else []
    return Annotation.model_validate(data)


def _chunks(values: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def iter_annotations(
    db: sqlite_utils.Database, claim_ids: Iterable[str] | None = None
) -> Iterator[Annotation]:
    """Annotations in log order (created_at, then the order they were recorded), streamed.

    With ``claim_ids``, only the annotations of those claims (still in created_at order).
    """
    columns = ", ".join(f"[{name}]" for name in ANNOTATION_FIELDS)
    if claim_ids is None:
        cursor = db.conn.execute(f"select {columns} from annotations order by created_at, rowid")
        names = [d[0] for d in cursor.description]
        for values in cursor:
            yield annotation_from_row(dict(zip(names, values, strict=True)))
        return
    found: list[tuple[str, int, Annotation]] = []
    for chunk in _chunks(sorted(set(claim_ids))):
        cursor = db.conn.execute(
            f"select {columns}, rowid from annotations"
            f" where claim_id in ({', '.join('?' for _ in chunk)})",
            list(chunk),
        )
        names = [d[0] for d in cursor.description]
        for values in cursor:
            row = dict(zip(names, values, strict=True))
            found.append((row["created_at"], row["rowid"], annotation_from_row(row)))
    found.sort(key=lambda item: (item[0], item[1]))
    for _, _, annotation in found:
        yield annotation


def review_since(conn: sqlite3.Connection, claim_ids: Sequence[str]) -> dict[str, str]:
    """Claim id → time its text last changed (annotations before it are history only)."""
    result: dict[str, str] = {}
    for chunk in _chunks(claim_ids):
        result.update(
            conn.execute(
                "select claim_id, max(at) from claim_changes where review_reset = 1"
                f" and claim_id in ({', '.join('?' for _ in chunk)}) group by claim_id",
                list(chunk),
            ).fetchall()
        )
    return result


def recomputed_statuses(
    db: sqlite_utils.Database, claim_ids: Iterable[str] | None = None
) -> dict[str, EvidenceStatus]:
    """Claim id → evidence status recomputed from the text status and the annotation log."""
    conn = db.conn
    if claim_ids is None:
        text = dict(conn.execute("select id, text_status from claims").fetchall())
    else:
        text = {}
        for chunk in _chunks(sorted(set(claim_ids))):
            text.update(
                conn.execute(
                    "select id, text_status from claims"
                    f" where id in ({', '.join('?' for _ in chunk)})",
                    list(chunk),
                ).fetchall()
            )
    ids = sorted(text)
    by_claim: dict[str, list[Annotation]] = defaultdict(list)
    for annotation in iter_annotations(db, ids):
        by_claim[annotation.claim_id].append(annotation)
    since = review_since(conn, [i for i in ids if i in by_claim])
    return {
        claim_id: effective_status(
            status, in_force(by_claim.get(claim_id, []), since.get(claim_id))
        )
        for claim_id, status in text.items()
    }


def refresh_statuses(db: sqlite_utils.Database, claim_ids: Iterable[str]) -> int:
    """Write the recomputed status of these claims where it differs; call inside a transaction.

    Returns how many claims changed status.
    """
    changed = 0
    for claim_id, status in recomputed_statuses(db, claim_ids).items():
        cursor = db.conn.execute(
            "update claims set evidence_status = ? where id = ? and evidence_status is not ?",
            [status.value, claim_id, status.value],
        )
        changed += cursor.rowcount
    return changed


def _existing_claims(conn: sqlite3.Connection, claim_ids: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for chunk in _chunks(claim_ids):
        found.update(
            row[0]
            for row in conn.execute(
                f"select id from claims where id in ({', '.join('?' for _ in chunk)})", list(chunk)
            )
        )
    return found


def existing_annotations(conn: sqlite3.Connection, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    columns = ", ".join(f"[{name}]" for name in ANNOTATION_FIELDS)
    found: dict[str, dict[str, Any]] = {}
    for chunk in _chunks(ids):
        cursor = conn.execute(
            f"select {columns} from annotations where id in ({', '.join('?' for _ in chunk)})",
            list(chunk),
        )
        names = [d[0] for d in cursor.description]
        for values in cursor:
            row = dict(zip(names, values, strict=True))
            found[row["id"]] = row
    return found


def record_annotations(db: sqlite_utils.Database, annotations: Iterable[Annotation]) -> int:
    """Append annotations and update their claims' evidence status, all in one transaction.

    Every claim must exist. An annotation whose id is already recorded with the same content is
    skipped (imports are idempotent); the same id with other content is refused. Returns how
    many annotations were added. Inside a caller's transaction this joins it; otherwise it
    takes the write lock first (``BEGIN IMMEDIATE``) so concurrent writers queue, not fail.
    """
    batch = list(annotations)
    if not batch:
        return 0
    conn = db.conn
    own_transaction = not conn.in_transaction
    try:
        if own_transaction:
            conn.execute("BEGIN IMMEDIATE")
        try:
            added = _append(conn, batch)
            refresh_statuses(db, {a.claim_id for a in batch})
        except BaseException:
            if own_transaction and conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        if own_transaction:
            conn.execute("COMMIT")
    except sqlite3.OperationalError as error:  # a read-only file or folder, a full disk
        raise ProvenanceError(f"cannot record annotations: {error}") from None
    return added


def _claims_since(conn: sqlite3.Connection, claim_ids: Sequence[str]) -> dict[str, str]:
    """Claim id → when the document version it first appeared in was ingested."""
    found: dict[str, str] = {}
    for chunk in _chunks(claim_ids):
        found.update(
            conn.execute(
                "select claims.id, documents.ingested_at from claims join documents"
                " on documents.source = claims.document"
                " and documents.version = claims.first_version"
                f" where claims.id in ({', '.join('?' for _ in chunk)})",
                list(chunk),
            ).fetchall()
        )
    return found


def check_times(conn: sqlite3.Connection, annotations: Sequence[Annotation]) -> None:
    """THE rule for when an annotation may be dated: not in the future, not before its claim.

    A forged date would decide a claim's status: dated 9999, a verdict would outlast every
    later one and every edit of the text. :data:`provenance.timestamps.CLOCK_SKEW` is allowed
    either way, for another machine's clock.
    """
    now = utc_timestamp()
    latest = shifted(now, CLOCK_SKEW)
    since = _claims_since(conn, sorted({a.claim_id for a in annotations}))
    for annotation in annotations:
        if annotation.created_at > latest:
            raise ProvenanceError(
                f"annotation of claim {annotation.claim_id} is dated {annotation.created_at},"
                f" in the future (it is now {now})"
            )
        existed = since.get(annotation.claim_id)
        if existed is not None and annotation.created_at < shifted(existed, -CLOCK_SKEW):
            raise ProvenanceError(
                f"annotation of claim {annotation.claim_id} is dated {annotation.created_at},"
                f" before the claim existed (its document version was ingested {existed})"
            )


def _append(conn: sqlite3.Connection, batch: list[Annotation]) -> int:
    claim_ids = sorted({a.claim_id for a in batch})
    missing = sorted(set(claim_ids) - _existing_claims(conn, claim_ids))
    if missing:
        raise ProvenanceError(f"no claim with id {missing[0]!r}")
    existing = existing_annotations(conn, sorted({a.id for a in batch}))
    rows: dict[str, dict[str, Any]] = {}
    fresh: list[Annotation] = []
    for annotation in batch:
        row = _row(annotation)
        earlier = existing.get(annotation.id) or rows.get(annotation.id)
        if earlier is not None:
            if any(earlier[k] != row[k] for k in ANNOTATION_FIELDS):
                raise ProvenanceError(
                    f"annotation {annotation.id} is already recorded with other content"
                    " (annotations are never changed; record a new one)"
                )
            continue
        rows[annotation.id] = row
        fresh.append(annotation)
    check_times(conn, fresh)
    columns = ", ".join(f"[{name}]" for name in ANNOTATION_FIELDS)
    conn.executemany(
        f"insert into annotations ({columns}) values ({', '.join('?' for _ in ANNOTATION_FIELDS)})",
        [[row[name] for name in ANNOTATION_FIELDS] for row in rows.values()],
    )
    return len(rows)
