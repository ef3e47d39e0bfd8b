"""The document page: a window of a document's text with its claims, legend and findings.

A document of any size answers quickly: a page holds about :data:`WINDOW_CHARACTERS` of
text (whole claims and headings only), counts for the whole document are remembered while
the ledger does not change, and the findings beside the text are the audit's first few.
"""

from __future__ import annotations

from collections import Counter
from typing import Any
from urllib.parse import urlencode

from datasette.utils.asgi import Response

from provenance.audit.query import AuditQuery, document_ranked_sql
from provenance.publish.html import (
    ALL_VERSIONS_ARG,
    STATUS_ORDER,
    STATUS_STYLES,
    Span,
    StatusStyle,
    css_url,
    document_html,
    document_path,
    js_url,
    status_badge,
    status_class,
)
from provenance.publish.ledger import LedgerDatabase
from provenance.publish.pages import (
    DOCUMENTS_PATH,
    at_claim,
    bounded,
    find_document,
    refuse,
    review_context,
    row_dicts,
)
from provenance.store.reads import DOCUMENT_SLICE_SQL

#: Characters of document text on one page of the document view (about 25 screens).
WINDOW_CHARACTERS = 50_000

#: Findings listed beside a document's text.
FINDINGS_LISTED = 50


async def _window(db: Any, document_id: str, at: int, length: int) -> tuple[int, int]:
    """The window of the text holding offset ``at``: whole claims and headings only."""
    index = max(0, min(at, max(length - 1, 0))) // WINDOW_CHARACTERS

    async def boundary(number: int) -> int:
        if number <= 0:
            return 0
        cut = number * WINDOW_CHARACTERS
        if cut >= length:
            return length
        rows = (
            await db.execute(
                "select max(coalesce((select [end] from claims where document_id = :d"
                " and start < :cut order by start desc limit 1), 0),"
                " coalesce((select [end] from sections where document_id = :d"
                " and start < :cut order by start desc limit 1), 0))",
                {"d": document_id, "cut": cut},
            )
        ).rows
        return max(cut, int(rows[0][0] or 0))

    return await boundary(index), await boundary(index + 1)


async def _old_version_spans(db: Any, document: dict[str, Any]) -> list[dict[str, Any]]:
    """Claims of an earlier version where they were in it (``claim_changes`` keeps that)."""
    rows = await db.execute(
        "select c.id, ch.old_start as start, ch.old_end as [end], c.evidence_status,"
        " c.category from claim_changes ch join claims c on c.id = ch.claim_id"
        " where ch.document = ? and ch.from_version = ? and ch.old_start is not null"
        " order by ch.old_start",
        [document["source"], document["version"]],
    )
    return row_dicts(rows.rows)


@bounded
async def document_page(datasette: Any, request: Any) -> Response:
    if (refused := refuse(request)) is not None:
        return refused
    found = await find_document(datasette, request, request.url_vars["document_id"])
    if isinstance(found, Response):
        return found
    name, document = found
    document_id = document["id"]
    db = datasette.get_database(name)
    latest = (
        await db.execute(
            "select id, version from documents where source = ? order by version desc limit 1",
            [document["source"]],
        )
    ).rows[0]
    is_latest = latest["id"] == document_id
    length = int(document["length"])
    # Where the page opens: at a claim (?claim=), at an offset (?at=), or at the start.
    at = 0
    if request.args.get("claim"):
        rows = (
            await db.execute(
                "select start from claims where id = ? and document_id = ?",
                [request.args["claim"], document_id],
            )
        ).rows
        at = int(rows[0][0]) if rows else 0
    elif (request.args.get("at") or "").isdigit():
        at = int(request.args["at"])
    lo, hi = await _window(db, document_id, at, length)
    text_rows = (await db.execute(DOCUMENT_SLICE_SQL, [lo + 1, hi - lo, document_id])).rows
    text = str(text_rows[0][0] or "")
    if is_latest:
        claims = row_dicts(
            (
                await db.execute(
                    "select id, start, [end], evidence_status, category, page from claims"
                    " where document_id = ? and start >= ? and start < ?"
                    " order by start",
                    [document_id, lo, hi],
                )
            ).rows
        )
    else:
        claims = [c for c in await _old_version_spans(db, document) if lo <= c["start"] < hi]
    sections = row_dicts(
        (
            await db.execute(
                "select kind, level, start, [end] from sections where document_id = ?"
                " and start >= ? and start < ? order by start",
                [document_id, lo, hi],
            )
        ).rows
    )
    kept_blocks = row_dicts(
        (
            await db.execute(
                "select kind, start, [end] from blocks where document_id = ?"
                " and start >= ? and start < ? order by start",
                [document_id, lo, hi],
            )
        ).rows
    )
    only_status = request.args.get("status") or None
    only_category = request.args.get("category") or None
    shown = [
        c
        for c in claims
        if (only_status is None or c["evidence_status"] == only_status)
        and (only_category is None or c["category"] == only_category)
    ]
    spans = (
        [Span(c["start"] - lo, c["end"] - lo, "claim", c) for c in claims]
        + [
            Span(
                s["start"] - lo,
                s["end"] - lo,
                "question" if s["kind"] == "question" else "heading",
                s,
            )
            for s in sections
        ]
        + [Span(b["start"] - lo, b["end"] - lo, "block", b) for b in kept_blocks]
    )
    whole = lo == 0 and hi >= length  # the whole document is on this page
    counts, counted_whole = await _counts(db, document, is_latest, None if whole else claims)
    status_counts: Counter[str] = Counter()
    category_counts: Counter[str] = Counter()
    for (status, category), n in counts.items():
        status_counts[status] += n
        category_counts[category] += n
    base = document_path(datasette, document_id, name)

    def filtered(**arguments: str | None) -> str:
        kept = {k: v for k, v in arguments.items() if v}
        joiner = "&" if "?" in base else "?"
        return base + (joiner + urlencode(kept) if kept else "")

    legend = [
        {
            "status": status,
            "class": status_class(status),
            "style": STATUS_STYLES.get(status, StatusStyle("", status, "")),
            "count": status_counts[status],
            "href": filtered(
                status=None if only_status == status else status, category=only_category
            ),
            "active": only_status == status,
        }
        for status in [*STATUS_ORDER, *sorted(set(status_counts) - set(STATUS_ORDER))]
        if status_counts[status]
    ]
    categories = [
        {
            "category": category,
            "count": n,
            "href": filtered(
                status=only_status, category=None if only_category == category else category
            ),
            "active": only_category == category,
        }
        for category, n in sorted(category_counts.items(), key=lambda item: (-item[1], item[0]))
    ]
    findings = await _findings(db, document_id, None if whole else (lo, hi)) if is_latest else []
    for finding in findings:
        finding["href"] = at_claim(base, finding["id"])
        finding["badge"] = status_badge(finding["evidence_status"])
    windows = max(1, -(-length // WINDOW_CHARACTERS))
    number = lo // WINDOW_CHARACTERS + 1 if lo else 1

    def window_href(offset: int) -> str:
        return filtered(status=only_status, category=only_category) + (
            ("&" if "?" in filtered(status=only_status, category=only_category) else "?")
            + urlencode({"at": offset})
        )

    context = {
        "database": name,
        "document": document,
        "body": document_html(
            text,
            spans,
            datasette,
            name,
            shown={c["id"] for c in shown},
            heading_marks=document["format"] == "markdown",
        ),
        "legend": legend,
        "categories": categories,
        "only_status": only_status,
        "only_category": only_category,
        "clear_href": base,
        "claim_count": sum(status_counts.values()),
        "counted_whole": counted_whole,
        "findings_whole": whole,
        "window": {
            "number": number,
            "count": windows,
            "start": lo,
            "end": hi,
            "previous": window_href(max(0, lo - WINDOW_CHARACTERS)) if lo > 0 else None,
            "next": window_href(hi) if hi < length else None,
        },
        "findings": findings,
        "is_latest": is_latest,
        "latest": dict(latest),
        "latest_href": document_path(datasette, latest["id"], name),
        "claims_href": datasette.urls.table(name, "claims")
        + "?"
        + urlencode({"document_id": document_id, "_sort": "start", ALL_VERSIONS_ARG: "all"}),
        "documents_href": datasette.urls.path(DOCUMENTS_PATH),
        "css_url": css_url(datasette),
        "js_url": js_url(datasette),
        **review_context(datasette, request),
    }
    return Response.html(
        await datasette.render_template("provenance_document.html", context, request=request)
    )


async def _counts(
    db: Any,
    document: dict[str, Any],
    is_latest: bool,
    shown: list[dict[str, Any]] | None,
) -> tuple[Counter[tuple[str, str]], bool]:
    """Claims by (status, category): of the whole document, and True; or, while the whole
    document of a page with several parts is still being counted in the background (a first
    view), of the claims ``shown`` on this page, and False."""
    if is_latest:
        sql = (
            "select evidence_status, category, count(*) from claims where document_id = ?"
            " group by 1, 2"
        )
        params: list[Any] = [document["id"]]
    else:
        sql = (
            "select c.evidence_status, c.category, count(*) from claim_changes ch"
            " join claims c on c.id = ch.claim_id where ch.document = ? and ch.from_version = ?"
            " and ch.old_start is not null group by 1, 2"
        )
        params = [document["source"], document["version"]]
    if isinstance(db, LedgerDatabase) and shown is not None:
        found = db.peek(sql, params)
        if found is None:
            return Counter((c["evidence_status"], c["category"]) for c in shown), False
        rows = found.rows
    elif isinstance(db, LedgerDatabase):
        rows = (await db.remembered(sql, params)).rows
    else:
        rows = (await db.execute(sql, params)).rows
    return Counter({(row[0], row[1]): int(row[2]) for row in rows}), True


async def _findings(
    db: Any, document_id: str, window: tuple[int, int] | None
) -> list[dict[str, Any]]:
    """The findings in the audit's order (worst first), the first few: of the document, or of
    the ``window`` of it on this page when it has several."""
    sql, params = document_ranked_sql(
        AuditQuery(),
        "id, evidence_status, category, certainty, priority, line, [column], text",
        document_id,
        window=window,
    )
    sql += f" limit {FINDINGS_LISTED}"
    if isinstance(db, LedgerDatabase):
        return row_dicts((await db.remembered(sql, params)).rows)
    return row_dicts((await db.execute(sql, params)).rows)
