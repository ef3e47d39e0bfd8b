"""The plugin's pages: a claim, a document (a window of it), the documents, sign-in, verdicts.

Every page reads through Datasette's read-only connections. The only write the site can make
is :func:`record_verdict`: a signed-in reviewer's verdict, checked as ``provenance annotate``
checks it and recorded through the same library call, in its own connection.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable, Iterable
from typing import Any
from urllib.parse import quote, urlencode

import sqlite_utils
from datasette.database import QueryInterrupted
from datasette.utils.asgi import NotFound, Response
from markupsafe import Markup

from provenance.audit.query import AuditQuery
from provenance.errors import ProvenanceError
from provenance.publish.auth import review_site
from provenance.publish.html import (
    STATUS_STYLES,
    certainty_badge,
    claim_path,
    css_url,
    document_path,
    evidence_href,
    js_url,
    json_list,
    names_database,
    provenance_databases,
    reference_href,
    status_badge,
    status_class,
)
from provenance.review.log import annotation_from_row
from provenance.review.queue import VERDICT_KEYS, first_in_queue, queue_neighbours
from provenance.review.status import in_force
from provenance.store.reads import (
    DOCUMENT_SLICE_SQL,
    PARAGRAPH_SPAN_SQL,
    AmbiguousClaimId,
    DocumentNotFound,
    match_documents,
    resolve_claim_id,
)

LOGIN_PATH = "/-/provenance/login"
ANNOTATE_PATH = "/-/provenance/annotate"
QUEUE_PATH = "/-/provenance/queue"
DOCUMENTS_PATH = "/-/provenance/documents"

#: A document version's record without its text, and the text's length in characters.
DOCUMENT_HEAD_SQL = (
    "select id, source, name, title, format, sha256, version, ingested_at, run_id,"
    " length(text) as length from documents where id = ?"
)


_TOO_SLOW = (
    "This page took longer than the time limit to read from the ledger (a very large"
    " document, or a busy machine). Try again in a moment; a narrower page (a later part of"
    " the document, a filter) is quicker."
)


def refuse(request: Any) -> Response | None:
    """These pages only read: anything but GET or HEAD is refused."""
    if request.method in ("GET", "HEAD"):
        return None
    return Response.text("Method not allowed: this page only reads.", status=405)


def bounded(
    handler: Callable[[Any, Any], Awaitable[Response]],
) -> Callable[[Any, Any], Awaitable[Response]]:
    """A page whose query hits the SQL time limit says so (503), never a 500."""

    async def page(datasette: Any, request: Any) -> Response:
        try:
            return await handler(datasette, request)
        except QueryInterrupted:
            return Response.html(
                await datasette.render_template(
                    "provenance_message.html",
                    {"title": "Too slow", "message": _TOO_SLOW},
                    request=request,
                ),
                status=503,
            )

    page.__name__ = handler.__name__
    page.__doc__ = handler.__doc__
    return page


def wrap_connection(conn: sqlite3.Connection) -> sqlite_utils.Database:
    return sqlite_utils.Database(conn, recursive_triggers=False, execute_plugins=False)


async def served_ledgers(datasette: Any, request: Any) -> list[str]:
    wanted = request.args.get("db")
    names = [n for n in await provenance_databases(datasette) if not wanted or n == wanted]
    for name in names:
        await datasette.ensure_permissions(
            request.actor,
            [("view-table", (name, "claims")), ("view-database", name), "view-instance"],
        )
    return names


def redirect(path: str) -> Response:
    return Response.redirect(path, status=302)


async def find_claim(
    datasette: Any, request: Any, key: str
) -> tuple[str, dict[str, Any]] | Response:
    """The claim with this id; a unique prefix redirects to it (as the CLI accepts one)."""
    names = await served_ledgers(datasette, request)
    for name in names:
        db = datasette.get_database(name)
        rows = (await db.execute("select * from claims where id = ?", [key])).rows
        if rows:
            return name, dict(rows[0])
    for name in names:
        db = datasette.get_database(name)
        try:
            full = await db.execute_fn(lambda conn: resolve_claim_id(wrap_connection(conn), key))
        except AmbiguousClaimId as error:
            raise NotFound(str(error)) from None
        except ProvenanceError:
            continue
        return redirect(claim_path(datasette, full, name))
    raise NotFound(f"No claim with id {key}")


async def find_document(
    datasette: Any, request: Any, key: str
) -> tuple[str, dict[str, Any]] | Response:
    """The document version with this id; a name, file name or source redirects to the
    latest version of the one document it names (as ``--document`` on the CLI)."""
    names = await served_ledgers(datasette, request)
    for name in names:
        db = datasette.get_database(name)
        # Not the text itself (megabytes for a long document): the page reads a window of it.
        rows = (await db.execute(DOCUMENT_HEAD_SQL, [key])).rows
        if rows:
            return name, dict(rows[0])
    found: list[tuple[str, str, str]] = []
    for name in names:
        db = datasette.get_database(name)
        try:
            matched = await db.execute_fn(lambda conn: match_documents(wrap_connection(conn), key))
        except DocumentNotFound:
            continue
        found += [(name, source, latest) for source, latest in matched]
    if len(found) == 1:
        name, _, latest = found[0]
        return redirect(document_path(datasette, latest, name))
    if found:
        listed = "; ".join(source for _, source, _ in found)
        raise NotFound(f"{key!r} names more than one document: {listed}")
    raise NotFound(f"No document named {key}")


def row_dicts(rows: Iterable[Any]) -> list[dict[str, Any]]:
    return [dict(row) for row in rows]


def review_context(datasette: Any, request: Any) -> dict[str, Any]:
    """What the templates need to show the review form: who, and the CSRF token."""
    site = review_site(datasette)
    if site is None:
        return {"review": None}
    reviewer = site.reviewer_of(request.actor)
    query = request.query_string
    return {
        "review": {
            "reviewer": reviewer,
            "back": request.path + (f"?{query}" if query else ""),
            "action": datasette.urls.path(ANNOTATE_PATH),
            "login": datasette.urls.path(LOGIN_PATH),
            "verdicts": [(key, verdict.value) for key, verdict in VERDICT_KEYS.items()],
            "styles": STATUS_STYLES,
        }
    }


def _wordings(changes: list[dict[str, Any]], at: str) -> str | None:
    """The claim's wording when an annotation made at ``at`` was recorded (None: the current)."""
    for change in changes:
        if change["at"] > at:
            return str(change["old_text"])
    return None


@bounded
async def claim_page(datasette: Any, request: Any) -> Response:
    if (refused := refuse(request)) is not None:
        return refused
    found = await find_claim(datasette, request, request.url_vars["claim_id"])
    if isinstance(found, Response):
        return found
    name, claim = found
    claim_id = claim["id"]
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
    annotations = row_dicts(
        (
            await db.execute(
                "select * from annotations where claim_id = ? order by created_at, rowid",
                [claim_id],
            )
        ).rows
    )
    resets = row_dicts(
        (
            await db.execute(
                "select at, old_text, from_version, to_version from claim_changes"
                " where claim_id = ? and review_reset = 1 order by at",
                [claim_id],
            )
        ).rows
    )
    since = resets[-1]["at"] if resets else None
    # The evidence-status rule decides which count: those in force, each reviewer's latest.
    counting = {a.id for a in in_force(map(annotation_from_row, annotations), since)}
    latest: dict[str, dict[str, Any]] = {}
    for annotation in annotations:
        annotation["evidence_links"] = [
            {"text": str(item), "href": evidence_href(str(item))}
            for item in json_list(annotation["evidence"])
        ]
        annotation["in_force"] = annotation["id"] in counting
        annotation["wording"] = (
            None if annotation["in_force"] else _wordings(resets, annotation["created_at"])
        )
        if annotation["in_force"]:
            latest[annotation["reviewer"]] = annotation
    for annotation in annotations:
        annotation["counts"] = latest.get(annotation["reviewer"]) is annotation
    elsewhere = row_dicts(
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
    versions = row_dicts(
        (
            await db.execute(
                "select id, version from documents where source = ? and version between ? and ?"
                " order by version",
                [document["source"], claim["first_version"] or 1, claim["version"]],
            )
        ).rows
    )
    for version in versions:
        version["href"] = at_claim(document_path(datasette, version["id"], name), claim_id)
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
        "in_force": [a for a in annotations if a["counts"]],
        "earlier": [a for a in annotations if not a["in_force"]],
        "since": since,
        "versions": versions,
        "elsewhere": elsewhere,
        "status_badge_for": status_badge,
        "document_href": at_claim(document_path(datasette, document["id"], name), claim_id),
        "row_href": datasette.urls.row(name, "claims", quote(claim_id, safe="")),
        # Worked out when followed (the queue page): a claim page stays quick in any document.
        "previous_href": queue_path(datasette, name, before=claim_id),
        "next_href": queue_path(datasette, name, after=claim_id),
        "css_url": css_url(datasette),
        "js_url": js_url(datasette),
        **review_context(datasette, request),
    }
    return Response.html(
        await datasette.render_template("provenance_claim.html", context, request=request)
    )


def at_claim(path: str, claim_id: str) -> str:
    """A document page's URL that opens at one claim (its window, scrolled to it)."""
    joiner = "&" if "?" in path else "?"
    return f"{path}{joiner}{urlencode({'claim': claim_id})}#c-{quote(claim_id, safe='')}"


@bounded
async def documents_page(datasette: Any, request: Any) -> Response:
    """Every document (latest versions), with its claims and findings counted."""
    if (refused := refuse(request)) is not None:
        return refused
    listed: list[dict[str, Any]] = []
    names = await served_ledgers(datasette, request)
    for name in names:
        db = datasette.get_database(name)
        rows = await db.execute(
            "select id, source, name, title, format, version, ingested_at from documents"
            " where is_latest = 1 order by source"
        )
        # A finding is what the audit counts: its own condition, with its parameters.
        finding, params = AuditQuery().where()
        sql = (
            f"select document_id, count(*), sum({finding})"
            " from claims where is_current = 1 group by document_id"
        )
        run = getattr(db, "remembered", None)
        counted = (await run(sql, params) if run else await db.execute(sql, params)).rows
        counts = {row[0]: (row[1], row[2]) for row in counted}
        for row in rows.rows:
            entry = dict(row)
            entry["database"] = name
            entry["href"] = document_path(datasette, row["id"], name)
            entry["claims"], entry["findings"] = counts.get(row["id"], (0, 0))
            listed.append(entry)
    context = {
        "documents": listed,
        "several": len(names) > 1,
        "css_url": css_url(datasette),
        "queue_href": datasette.urls.path(QUEUE_PATH),
        **review_context(datasette, request),
    }
    return Response.html(
        await datasette.render_template("provenance_documents.html", context, request=request)
    )


def queue_path(datasette: Any, database: str, **where: str) -> str:
    """The queue page: its first claim, or the one ``after`` or ``before`` a claim."""
    arguments = {**where, **({"db": database} if names_database(datasette, database) else {})}
    return str(datasette.urls.path(QUEUE_PATH)) + ("?" + urlencode(arguments) if arguments else "")


@bounded
async def queue_page(datasette: Any, request: Any) -> Response:
    """A claim of the review queue (the audit's order): the first, or the next or previous one
    (``?after=`` or ``?before=`` a claim id), shown by redirecting to its claim page."""
    if (refused := refuse(request)) is not None:
        return refused
    after, before = request.args.get("after"), request.args.get("before")
    around = str(after or before or "")

    def neighbours(conn: sqlite3.Connection) -> tuple[str | None, str | None]:
        return queue_neighbours(conn, around)

    for name in await served_ledgers(datasette, request):
        db = datasette.get_database(name)
        if around:
            previous, following = await db.execute_fn(neighbours)
            found = following if after else previous
        else:
            found = await db.execute_fn(first_in_queue)
        if found:
            return redirect(claim_path(datasette, found, name))
    message = (
        "Every current claim has a verdict in force."
        if not (after or before)
        else f"That was the {'last' if after else 'first'} claim of the review queue."
    )
    return Response.html(
        await datasette.render_template(
            "provenance_message.html",
            {
                "title": "Review queue",
                "message": message,
                "back": datasette.urls.path(DOCUMENTS_PATH),
            },
            request=request,
        )
    )
