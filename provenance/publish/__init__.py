"""Datasette plugin: status badges, claim pages and document pages for provenance databases.

Every hook returns ``None`` unless the database is a provenance database, so a Datasette
serving other databases in the same environment is unaffected. Everything that came from a
document is escaped with :func:`markupsafe.escape`; hrefs are only built from ids we quote
and from http(s) URLs.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlencode

from datasette import hookimpl
from datasette.facets import ColumnFacet
from datasette.filters import FilterArguments
from datasette.utils import tilde_decode
from datasette.utils.asgi import Response
from markupsafe import Markup

from provenance.publish.auth import review_site
from provenance.publish.document_view import document_page
from provenance.publish.facets import RememberedFacet
from provenance.publish.html import (
    ALL_VERSIONS_ARG,
    certainty_badge,
    claim_path,
    css_url,
    document_text_cell,
    is_provenance_database,
    line_column,
    provenance_databases,
    status_badge,
)
from provenance.publish.ledger import MMAP_BYTES, LedgerDatabase
from provenance.publish.metadata import ALL_COLUMNS_ARG, DEFAULT_COLUMNS
from provenance.publish.pages import (
    ANNOTATE_PATH,
    DOCUMENTS_PATH,
    LOGIN_PATH,
    QUEUE_PATH,
    claim_page,
    documents_page,
    queue_page,
)
from provenance.publish.reviewing import annotate_endpoint, login_page

#: What no one may do through the site to a provenance database (Datasette's write API).
WRITE_ACTIONS = frozenset(
    {
        "insert-row",
        "delete-row",
        "update-row",
        "create-table",
        "alter-table",
        "drop-table",
    }
)


def _is_claim_row(row: Any, table: str | None) -> bool:
    if table == "claims":
        return True
    try:
        keys = set(row.keys())
    except AttributeError:
        return False
    return table is None and {"id", "evidence_status"} <= keys


@hookimpl
def render_cell(
    row: Any, value: Any, column: str, table: str | None, database: str, datasette: Any
) -> Callable[[], Awaitable[Markup | None]] | None:
    if not isinstance(value, str) or not value:
        return None
    if table not in ("claims", "documents", "annotations", None):
        return None
    if column not in ("evidence_status", "certainty", "text", "verdict", "position"):
        return None

    async def inner() -> Markup | None:
        if not await is_provenance_database(datasette, database):
            return None
        if table == "documents":
            if column != "text":
                return None
            return document_text_cell(row, value, datasette, database)
        if table == "annotations" and column != "verdict":
            return None
        if column == "position":  # a sort key: readers want where the claim is
            return line_column(row)
        if column in ("evidence_status", "verdict"):
            return status_badge(value)
        if column == "certainty":
            return certainty_badge(value)
        if _is_claim_row(row, table) and row["id"]:
            return Markup('<a class="pv-claim-link" href="{}">{}</a>').format(
                claim_path(datasette, row["id"], database), value
            )
        return None

    return inner


@hookimpl
def register_facet_classes() -> list[type[ColumnFacet]]:
    return [RememberedFacet]


@hookimpl
def prepare_connection(conn: sqlite3.Connection, database: str, datasette: Any) -> None:
    """Memory-map the ledger's read-only connections (safe with WAL: SQLite checks for changes)."""
    try:
        db = datasette.get_database(database)
    except KeyError:
        return
    if isinstance(db, LedgerDatabase):
        conn.execute(f"pragma mmap_size = {MMAP_BYTES}")


@hookimpl
def permission_allowed(datasette: Any, actor: Any, action: str, resource: Any) -> bool | None:
    """Datasette's write API is refused on a ledger, whoever asks (root included)."""
    if action not in WRITE_ACTIONS:
        return None
    database = resource[0] if isinstance(resource, tuple) else resource
    try:
        db = datasette.get_database(database) if database else None
    except KeyError:
        return None
    return False if isinstance(db, LedgerDatabase) else None


def _ledger_path(datasette: Any, path: str) -> tuple[str, str] | None:
    """(database, table or query, "" for the database itself) for a path under a served
    ledger (``/db``, ``/db/name``, ``/db/name/row``…), else None."""
    parts = path.strip("/").split("/")
    if not parts[0] or parts[0].startswith("-"):
        return None
    route = tilde_decode(parts[0].split(".")[0]) if len(parts) == 1 else tilde_decode(parts[0])
    for name, db in datasette.databases.items():
        if isinstance(db, LedgerDatabase) and db.route == route:
            return name, tilde_decode(parts[1]) if len(parts) > 1 else ""
    return None


@hookimpl
def asgi_wrapper(datasette: Any) -> Callable[[Any], Any]:
    """Two things Datasette's table views cannot be told by metadata.

    - A POST anywhere under a ledger (its SQL page, a table, a canned query, a row, the write
      API) is answered 405: nothing there is written, and Datasette would answer some of them
      with a 500.
    - The claims table opens with a few chosen columns (``?_col=``) unless the URL chooses
      columns itself, or asks for all of them (``?_columns=all``).
    """

    def wrap(app: Any) -> Any:
        async def wrapped(scope: dict[str, Any], receive: Any, send: Any) -> None:
            if scope.get("type") == "http":
                target = _ledger_path(datasette, scope.get("path", ""))
                if target is not None and scope.get("method") == "POST":
                    await _send_405(send)
                    return
                if (
                    target is not None
                    and target[1] == "claims"
                    and scope.get("method")
                    in (
                        "GET",
                        "HEAD",
                    )
                ):
                    scope = _with_default_columns(scope)
            await app(scope, receive, send)

        return wrapped

    return wrap


async def _send_405(send: Any) -> None:
    body = b"Method not allowed: this ledger is read-only (verdicts are recorded from claim pages)."
    await send(
        {
            "type": "http.response.start",
            "status": 405,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"allow", b"GET, HEAD"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _with_default_columns(scope: dict[str, Any]) -> dict[str, Any]:
    from urllib.parse import parse_qsl

    query = scope.get("query_string", b"").decode("latin-1")
    names = {key for key, _ in parse_qsl(query, keep_blank_values=True)}
    if names & {"_col", "_nocol", ALL_COLUMNS_ARG}:
        return scope
    extra = urlencode([("_col", column) for column in DEFAULT_COLUMNS])
    query = f"{query}&{extra}" if query else extra
    return {**scope, "query_string": query.encode("latin-1")}


@hookimpl
def menu_links(datasette: Any, actor: Any) -> Callable[[], Awaitable[list[dict[str, str]]]]:
    async def inner() -> list[dict[str, str]]:
        if not await provenance_databases(datasette):
            return []
        links = [
            {"href": datasette.urls.path(DOCUMENTS_PATH), "label": "Documents"},
            {"href": datasette.urls.path(QUEUE_PATH), "label": "Review queue (next claim)"},
        ]
        site = review_site(datasette)
        if site is not None and site.reviewer_of(actor) is None:
            links.append({"href": datasette.urls.path(LOGIN_PATH), "label": "Sign in to review"})
        return links

    return inner


@hookimpl
def filters_from_request(
    request: Any, database: str, table: str, datasette: Any
) -> Callable[[], Awaitable[FilterArguments | None]] | None:
    """Claims of earlier document versions are hidden unless asked for.

    Only added when old claims exist, so a ledger without them keeps Datasette's
    precomputed row count. ``is_current = 1`` is answered from the
    (is_current, document, start) index, the page in reading order from the position index.
    """
    if table != "claims":
        return None
    if request.args.get(ALL_VERSIONS_ARG) == "all":
        return None
    if any(key.startswith("is_current") for key in request.args):
        return None

    async def inner() -> FilterArguments | None:
        if not await is_provenance_database(datasette, database):
            return None
        db = datasette.get_database(database)
        rows = await db.execute("select exists(select 1 from claims where is_current = 0)")
        if not rows.rows[0][0]:
            return None
        return FilterArguments(
            ["is_current = 1"],
            human_descriptions=["is_current = 1 (the latest version of each document)"],
        )

    return inner


@hookimpl
def table_actions(
    datasette: Any, actor: Any, database: str, table: str, request: Any
) -> Callable[[], Awaitable[list[dict[str, str]] | None]] | None:
    if table != "claims":
        return None

    async def inner() -> list[dict[str, str]] | None:
        if not await is_provenance_database(datasette, database):
            return None
        base = datasette.urls.table(database, table)
        links = [
            {
                "href": datasette.urls.table(database, "unsupported_statements"),
                "label": "Unsupported statements",
            },
            {"href": datasette.urls.table(database, "review_queue"), "label": "Review queue"},
            {
                "href": datasette.urls.table(database, "repeated_claims"),
                "label": "Repeated claims",
            },
        ]
        if request is not None and request.args.get(ALL_COLUMNS_ARG) == "all":
            links.append({"href": base, "label": "Show the chosen columns"})
        else:
            links.append(
                {
                    "href": f"{base}?{urlencode({ALL_COLUMNS_ARG: 'all'})}",
                    "label": "Show all columns",
                }
            )
        if request is not None and request.args.get(ALL_VERSIONS_ARG) == "all":
            links.append({"href": base, "label": "Only claims of latest versions"})
        else:
            links.append(
                {
                    "href": f"{base}?{urlencode({ALL_VERSIONS_ARG: 'all'})}",
                    "label": "Include claims of earlier versions",
                }
            )
        return links

    return inner


@hookimpl
def extra_css_urls(database: str | None, datasette: Any) -> Callable[[], Awaitable[list[str]]]:
    async def inner() -> list[str]:
        if await is_provenance_database(datasette, database):
            return [css_url(datasette)]
        return []

    return inner


@hookimpl
def register_routes() -> list[tuple[str, Callable[..., Awaitable[Response]]]]:
    return [
        (r"^/-/provenance/claims/(?P<claim_id>[^/]+)$", claim_page),
        (r"^/-/provenance/documents/?$", documents_page),
        (r"^/-/provenance/documents/(?P<document_id>[^/]+)$", document_page),
        (rf"^{QUEUE_PATH}$", queue_page),
        (rf"^{LOGIN_PATH}$", login_page),
        (rf"^{ANNOTATE_PATH}$", annotate_endpoint),
    ]
