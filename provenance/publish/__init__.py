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
from datasette.utils.asgi import Response
from markupsafe import Markup

from provenance.publish.facets import RememberedFacet
from provenance.publish.html import (
    ALL_VERSIONS_ARG,
    certainty_badge,
    claim_path,
    css_url,
    document_text_cell,
    is_provenance_database,
    line_column,
    status_badge,
)
from provenance.publish.pages import claim_page, document_page
from provenance.store.connection import is_provenance_connection

#: Memory-mapped reads make full index scans (facets, counts) several times faster.
MMAP_BYTES = 1 << 30


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
    """Memory-map provenance databases served immutable (reads only; safe as nothing writes)."""
    try:
        db = datasette.get_database(database)
        if db.is_mutable or db.is_memory:
            return
        if is_provenance_connection(conn):
            conn.execute(f"pragma mmap_size = {MMAP_BYTES}")
    except (KeyError, sqlite3.Error):
        return


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
        (r"^/-/provenance/documents/(?P<document_id>[^/]+)$", document_page),
    ]
