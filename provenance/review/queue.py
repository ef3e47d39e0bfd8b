"""THE rule for which claims need review, as SQL every surface shares.

A claim needs review when it is current and no verdict on it is in force: none at all, or only
verdicts made before its text last changed (an edit resets review; see
:mod:`provenance.review.status`). ``provenance review`` asks it per reviewer (the claims *you*
have no verdict in force on); the Datasette ``review_queue`` canned query asks it for everyone.
"""

from __future__ import annotations

import sqlite3

import sqlite_utils

from provenance.audit.query import AuditQuery, document_ranked_sql, priority_score
from provenance.models import EvidenceStatus, Verdict
from provenance.review.status import edited_at_sql
from provenance.store.reads import CLAIM_ORDER, ClaimFilter

#: One key per verdict, in the terminal review and in the browser.
VERDICT_KEYS = {
    "s": Verdict.supported,
    "p": Verdict.partially_supported,
    "c": Verdict.contradicted,
    "u": Verdict.unverifiable,
    "n": Verdict.not_a_claim,
}


def needs_review_sql(alias: str = "claims", *, per_reviewer: bool = False) -> str:
    """The condition on the claims row ``alias``: no verdict in force on it.

    A verdict is in force when it was made after the claim's text last changed (the latest
    ``claim_changes`` row with ``review_reset = 1``), or when the text never changed. With
    ``per_reviewer``, only the verdicts of one reviewer count: the condition then takes that
    reviewer as one ``?`` parameter.
    """
    reviewer = " and a.reviewer = ?" if per_reviewer else ""
    return (
        "not exists (select 1 from annotations a"
        f" where a.claim_id = {alias}.id{reviewer}"
        f" and a.created_at > {edited_at_sql(f'{alias}.id')})"
    )


def review_queue(
    db: sqlite_utils.Database, claim_filter: ClaimFilter, reviewer: str | None = None
) -> list[str]:
    """Ids of the claims the filter selects that need review (by ``reviewer``, if given).

    In the order claims are listed everywhere (document, version, position).
    """
    where, params = claim_filter.where()
    sql = (
        f"select claims.id from claims where {where}"
        f" and {needs_review_sql('claims', per_reviewer=reviewer is not None)}"
        f" order by {CLAIM_ORDER}"
    )
    if reviewer is not None:
        params = [*params, reviewer]
    return [row[0] for row in db.conn.execute(sql, params)]


def _ranked(conn: sqlite3.Connection, document_id: str) -> list[tuple[str, int, int]]:
    """(id, priority, start) of the claims of one document that need review, in the audit's
    priority order (priority, worst first, then position)."""
    everything = AuditQuery(fail_on=tuple(status.value for status in EvidenceStatus))
    sql, params = document_ranked_sql(
        everything, "id, priority, start", document_id, f" and {needs_review_sql('claims')}"
    )
    return [(str(row[0]), int(row[1]), int(row[2])) for row in conn.execute(sql, params)]


def _rank_as_queued(conn: sqlite3.Connection, claim_id: str) -> tuple[int, int]:
    """Where a claim ranks in the queue: its priority with the status from its text (as when
    it needed review, before any verdict), and its position."""
    category, certainty, text_status, start, key, attribution = conn.execute(
        "select category, certainty, text_status, start, claim_key, attribution from claims"
        " where id = ?",
        [claim_id],
    ).fetchone()
    (repeats,) = conn.execute(
        "select count(*) from claims where claim_key = ? and is_current = 1", [key]
    ).fetchone()
    score = priority_score(category, certainty, text_status, max(1, repeats), attribution)
    return -score, int(start)


def _next_document(conn: sqlite3.Connection, document: str, later: bool) -> str | None:
    """The nearest document after (or before) ``document`` with a claim that needs review."""
    sql = (
        "select claims.document_id from claims where claims.is_current = 1"
        f" and claims.document {'>' if later else '<'} ?"
        f" and {needs_review_sql('claims')}"
        f" order by claims.document {'asc' if later else 'desc'} limit 1"
    )
    row = conn.execute(sql, [document]).fetchone()
    return str(row[0]) if row else None


def queue_neighbours(conn: sqlite3.Connection, claim_id: str) -> tuple[str | None, str | None]:
    """The claims before and after this one in the review queue, in the audit's order.

    The audit's order: documents in order of their source, and in each document the
    priority score, worst first (see :mod:`provenance.audit.query`). The claim itself need
    not be in the queue any more (it was just reviewed): it keeps the place it had.
    """
    found = conn.execute(
        "select document, document_id, is_current from claims where id = ?", [claim_id]
    ).fetchone()
    if found is None or not found[2]:
        return None, None
    document, document_id, _ = found
    ranked = _ranked(conn, document_id)
    ids = [entry[0] for entry in ranked]
    if claim_id in ids:
        place = ids.index(claim_id)
        earlier, later = ids[:place], ids[place + 1 :]
    else:
        here = _rank_as_queued(conn, claim_id)
        earlier = [i for i, priority, start in ranked if (-priority, start) < here]
        later = [i for i, priority, start in ranked if (-priority, start) > here]
    previous = earlier[-1] if earlier else None
    following = later[0] if later else None
    if previous is None and (other := _next_document(conn, document, later=False)):
        previous = next(reversed(_ranked(conn, other)), ("",))[0] or None
    if following is None and (other := _next_document(conn, document, later=True)):
        following = next(iter(_ranked(conn, other)), ("",))[0] or None
    return previous, following


def first_in_queue(conn: sqlite3.Connection) -> str | None:
    """The first claim of the review queue (the audit's order), or None when it is empty."""
    row = conn.execute(
        "select claims.document_id from claims where claims.is_current = 1"
        f" and {needs_review_sql('claims')} order by claims.document limit 1"
    ).fetchone()
    return next(iter(_ranked(conn, row[0])), ("",))[0] or None if row else None
