"""The plugin's own pages: one claim in its paragraph, one document with its claims marked."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, urlencode

from datasette.utils.asgi import NotFound, Response
from markupsafe import Markup

from provenance.publish.html import (
    ALL_VERSIONS_ARG,
    STATUS_ORDER,
    STATUS_STYLES,
    Span,
    StatusStyle,
    certainty_badge,
    claim_path,
    css_url,
    document_html,
    document_path,
    evidence_href,
    json_list,
    provenance_databases,
    reference_href,
    status_badge,
    status_class,
)
from provenance.store.reads import DOCUMENT_SLICE_SQL, PARAGRAPH_SPAN_SQL


def _refuse(request: Any) -> Response | None:
    """These pages only read: anything but GET or HEAD is refused."""
    if request.method in ("GET", "HEAD"):
        return None
    return Response.text("Method not allowed: this site is read-only.", status=405)


async def _find(
    datasette: Any, request: Any, sql: str, key: str, what: str
) -> tuple[str, dict[str, Any]]:
    """The first provenance database (or the one named by ?db=) holding the row."""
    wanted = request.args.get("db")
    for name in await provenance_databases(datasette):
        if wanted and name != wanted:
            continue
        await datasette.ensure_permissions(
            request.actor,
            [("view-table", (name, "claims")), ("view-database", name), "view-instance"],
        )
        rows = (await datasette.get_database(name).execute(sql, [key])).rows
        if rows:
            return name, dict(rows[0])
    raise NotFound(f"No {what} with id {key}")


def _row_dicts(rows: Iterable[Any]) -> list[dict[str, Any]]:
    return [dict(row) for row in rows]


async def claim_page(datasette: Any, request: Any) -> Response:
    if (refused := _refuse(request)) is not None:
        return refused
    claim_id = request.url_vars["claim_id"]
    name, claim = await _find(
        datasette, request, "select * from claims where id = ?", claim_id, "claim"
    )
    db = datasette.get_database(name)
    document = dict(
        (
            await db.execute(
                "select id, source, name, title, format, sha256, version, is_latest"
                " from documents where id = ?",
                [claim["document_id"]],
            )
        ).rows[0]
    )
    offset, last = (
        await db.execute(PARAGRAPH_SPAN_SQL, [claim["document_id"], claim["paragraph"]])
    ).rows[0]
    paragraph = ""
    if offset is not None:
        sliced = (
            await db.execute(DOCUMENT_SLICE_SQL, [offset + 1, last - offset, claim["document_id"]])
        ).rows
        paragraph = (sliced[0][0] if sliced else None) or ""
    start, end = claim["start"] - (offset or 0), claim["end"] - (offset or 0)
    if offset is None or not (0 <= start <= end <= len(paragraph)):
        paragraph, start, end = claim["text"], 0, len(claim["text"])
    in_paragraph = Markup('{}<mark class="pv-span {}">{}</mark>{}').format(
        paragraph[:start],
        status_class(claim["evidence_status"]),
        paragraph[start:end],
        paragraph[end:],
    )
    citations = json_list(claim["citations"])
    reference_ids = sorted({rid for c in citations for rid in c.get("reference_ids") or []})
    references: dict[str, dict[str, Any]] = {}
    if reference_ids:
        placeholders = ", ".join("?" for _ in reference_ids)
        rows = await db.execute(
            f"select * from [references] where id in ({placeholders})", reference_ids
        )
        references = {row["id"]: dict(row) for row in rows.rows}
    for citation in citations:
        citation["references"] = [
            {**references[rid], "href": reference_href(references[rid])}
            for rid in citation.get("reference_ids") or []
            if rid in references
        ]
    annotations = _row_dicts(
        (
            await db.execute(
                "select * from annotations where claim_id = ? order by created_at, id", [claim_id]
            )
        ).rows
    )
    for annotation in annotations:
        annotation["evidence_links"] = [
            {"text": str(item), "href": evidence_href(str(item))}
            for item in json_list(annotation["evidence"])
        ]
    elsewhere = _row_dicts(
        (
            await db.execute(
                "select id, document, document_id, version, section, line, [column], is_current,"
                " evidence_status from claims where claim_key = ? and id != ?"
                " order by is_current desc, document, start limit 200",
                [claim["claim_key"], claim_id],
            )
        ).rows
    )
    for other in elsewhere:
        other["href"] = claim_path(datasette, other["id"], name)
    context = {
        "database": name,
        "claim": claim,
        "document": document,
        "in_paragraph": in_paragraph,
        "status_badge": status_badge(claim["evidence_status"]),
        "certainty_badge": certainty_badge(claim["certainty"] or ""),
        "cues": [
            ("Category", claim["category"], json_list(claim["category_cues"])),
            ("Certainty", claim["certainty"], json_list(claim["hedge_cues"])),
            ("Attribution", claim["attribution"], json_list(claim["attribution_cues"])),
        ],
        "citations": citations,
        "annotations": annotations,
        "elsewhere": elsewhere,
        "status_badge_for": status_badge,
        "document_href": document_path(datasette, document["id"], name),
        "row_href": datasette.urls.row(name, "claims", quote(claim_id, safe="")),
        "css_url": css_url(datasette),
    }
    return Response.html(
        await datasette.render_template("provenance_claim.html", context, request=request)
    )


async def document_page(datasette: Any, request: Any) -> Response:
    if (refused := _refuse(request)) is not None:
        return refused
    document_id = request.url_vars["document_id"]
    name, document = await _find(
        datasette, request, "select * from documents where id = ?", document_id, "document"
    )
    db = datasette.get_database(name)
    claims = _row_dicts(
        (
            await db.execute(
                "select id, start, [end], evidence_status, category from claims"
                " where document_id = ? order by start",
                [document_id],
            )
        ).rows
    )
    sections = _row_dicts(
        (
            await db.execute(
                "select kind, level, start, [end] from sections where document_id = ?"
                " order by start",
                [document_id],
            )
        ).rows
    )
    kept = _row_dicts(
        (
            await db.execute(
                "select kind, start, [end] from blocks where document_id = ? order by start",
                [document_id],
            )
        ).rows
    )
    latest = (
        await db.execute(
            "select id, version from documents where source = ? order by version desc limit 1",
            [document["source"]],
        )
    ).rows[0]
    spans = (
        [Span(c["start"], c["end"], "claim", c) for c in claims]
        + [
            Span(s["start"], s["end"], "question" if s["kind"] == "question" else "heading", s)
            for s in sections
        ]
        + [Span(b["start"], b["end"], "block", b) for b in kept]
    )
    counts = Counter(c["evidence_status"] for c in claims)
    legend = [
        {
            "status": status,
            "class": status_class(status),
            "style": STATUS_STYLES.get(status, StatusStyle("", status, "")),
            "count": counts[status],
        }
        for status in [*STATUS_ORDER, *sorted(set(counts) - set(STATUS_ORDER))]
        if counts[status]
    ]
    context = {
        "database": name,
        "document": document,
        "body": document_html(document["text"] or "", spans, datasette, name),
        "legend": legend,
        "claim_count": len(claims),
        "latest": dict(latest),
        "latest_href": document_path(datasette, latest["id"], name),
        "claims_href": datasette.urls.table(name, "claims")
        + "?"
        + urlencode({"document_id": document_id, "_sort": "start", ALL_VERSIONS_ARG: "all"}),
        "css_url": css_url(datasette),
    }
    return Response.html(
        await datasette.render_template("provenance_document.html", context, request=request)
    )
