"""THE rule for which claims need review, as SQL every surface shares.

A claim needs review when it is current and no verdict on it is in force: none at all, or only
verdicts made before its text last changed (an edit resets review; see
:mod:`provenance.review.status`). ``provenance review`` asks it per reviewer (the claims *you*
have no verdict in force on); the Datasette ``review_queue`` canned query asks it for everyone.
"""

from __future__ import annotations

import sqlite_utils

from provenance.store.reads import CLAIM_ORDER, ClaimFilter


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
        " and a.created_at > coalesce((select max(r.at) from claim_changes r"
        f" where r.claim_id = {alias}.id and r.review_reset = 1), ''))"
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
