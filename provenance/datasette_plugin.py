"""Datasette plugin: status badges, claim pages and document pages for provenance databases.

Every hook returns ``None`` unless the database is a provenance database, so a Datasette
serving other databases in the same environment is unaffected. Everything that came from a
document is escaped with :func:`markupsafe.escape`; hrefs are only built from ids we quote
and from http(s) URLs.
"""

from __future__ import annotations

import json
import sqlite3
import weakref
from collections import Counter, OrderedDict
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from datasette import hookimpl
from datasette.database import Results
from datasette.facets import ColumnFacet
from datasette.filters import FilterArguments
from datasette.utils.asgi import NotFound, Response
from jinja2 import ChoiceLoader, FileSystemLoader
from markupsafe import Markup, escape

from provenance.models import EvidenceStatus

PACKAGE = Path(__file__).resolve().parent
TEMPLATES = PACKAGE / "templates"
STYLESHEET = PACKAGE / "static" / "provenance.css"
CSS_PATH = "/-/provenance/static/provenance.css"
REQUIRED_TABLES = frozenset({"claims", "documents", "sections", "_sqlite_migrations"})
ALL_VERSIONS_ARG = "_versions"
#: The facet type of the claims table's default facets (see :class:`RememberedFacet`).
FACET_TYPE = "provenance"
FACET_CACHE_SIZE = 512
#: A request carrying this argument computes remembered facets without a time limit:
#: ``provenance serve`` sends one at start so the first reviewer finds them ready.
WARM_UP_ARG = "_warm_up"
#: Memory-mapped reads make full index scans (facets, counts) several times faster.
MMAP_BYTES = 1 << 30


@dataclass(frozen=True, slots=True)
class StatusStyle:
    """How a status is shown: a symbol and words as well as a colour."""

    symbol: str
    label: str
    meaning: str


STATUS_STYLES: dict[str, StatusStyle] = {
    "unsupported": StatusStyle("!", "unsupported", "A bare assertion: no citation, no source."),
    "attributed": StatusStyle("~", "attributed", "Only a vague appeal to unnamed sources."),
    "cited": StatusStyle("§", "cited", "A citation marker or identifier is attached."),
    "supported": StatusStyle("✓", "supported", "A reviewer found supporting evidence."),
    "partially_supported": StatusStyle(
        "◐", "partially supported", "A reviewer found evidence for part of it."
    ),
    "contradicted": StatusStyle("✗", "contradicted", "A reviewer found contrary evidence."),
    "unverifiable": StatusStyle("?", "unverifiable", "A reviewer looked and found nothing."),
    "not_a_claim": StatusStyle("–", "not a claim", "A segmentation or category error."),
    "disputed": StatusStyle("⚡", "disputed", "Reviewers' latest verdicts disagree."),
}
CERTAINTY_STYLES: dict[str, StatusStyle] = {
    "asserted": StatusStyle("■", "asserted", "Stated without hedging."),
    "hedged": StatusStyle("◇", "hedged", "Softened by a hedge word (may, might, suggests…)."),
}
STATUS_ORDER = [status.value for status in EvidenceStatus]

_known: weakref.WeakKeyDictionary[Any, dict[str, bool]] = weakref.WeakKeyDictionary()
_facet_caches: weakref.WeakKeyDictionary[Any, OrderedDict[tuple[str, str, str], Any]] = (
    weakref.WeakKeyDictionary()
)


# --- recognising a provenance database ------------------------------------------------------


async def is_provenance_database(datasette: Any, database: str | None) -> bool:
    """True if ``database`` has the provenance tables and migration record.

    Cached for immutable databases, whose schema cannot change while they are served.
    """
    if not database:
        return False
    try:
        db = datasette.get_database(database)
    except KeyError:
        return False
    cache = _known.setdefault(datasette, {})
    if database in cache and not db.is_mutable:
        return cache[database]
    tables = set(await db.table_names())
    found = tables >= REQUIRED_TABLES
    if found:
        try:
            rows = await db.execute(
                "select 1 from _sqlite_migrations where migration_set = 'provenance' limit 1"
            )
        except sqlite3.DatabaseError:  # someone else's table of that name
            return False
        found = bool(rows.rows)
    cache[database] = found
    return found


async def provenance_databases(datasette: Any) -> list[str]:
    return [name for name in datasette.databases if await is_provenance_database(datasette, name)]


# --- small HTML helpers ------------------------------------------------------------------


def status_class(value: str) -> str:
    """A CSS class from a status, only ever one of the known names."""
    return f"pv-status-{value}" if value in STATUS_STYLES else "pv-status-unknown"


def badge(value: str, styles: dict[str, StatusStyle], prefix: str) -> Markup:
    style = styles.get(value)
    if style is None:
        return Markup('<span class="pv-badge {}-unknown">{}</span>').format(prefix, value)
    return Markup(
        '<span class="pv-badge {}-{}" title="{}"><span aria-hidden="true">{}</span> {}</span>'
    ).format(prefix, value, style.meaning, style.symbol, style.label)


def status_badge(value: str) -> Markup:
    return badge(value, STATUS_STYLES, "pv-status")


def certainty_badge(value: str) -> Markup:
    return badge(value, CERTAINTY_STYLES, "pv-certainty")


def _names_database(datasette: Any, database: str | None) -> bool:
    """Links say which database only when more than one is served."""
    served = [name for name in datasette.databases if name != "_internal"]
    return database is not None and len(served) > 1


def claim_path(datasette: Any, claim_id: str, database: str | None = None) -> str:
    path = f"/-/provenance/claims/{quote(str(claim_id), safe='')}"
    if _names_database(datasette, database):
        path += "?" + urlencode({"db": database})
    return str(datasette.urls.path(path))


def document_path(datasette: Any, document_id: str, database: str | None = None) -> str:
    path = f"/-/provenance/documents/{quote(str(document_id), safe='')}"
    if _names_database(datasette, database):
        path += "?" + urlencode({"db": database})
    return str(datasette.urls.path(path))


def safe_href(url: str | None) -> str | None:
    """Only http(s) URLs become links; anything else (javascript:, data:…) stays text."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    if parts.scheme.lower() in ("http", "https") and parts.netloc:
        return url.strip()
    return None


def evidence_href(item: str) -> str | None:
    """A link for a doi:, pmid:, pmcid: or url: evidence reference, if it is safe."""
    kind, _, rest = item.partition(":")
    kind, rest = kind.lower().strip(), rest.strip()
    if kind == "doi" and rest:
        return "https://doi.org/" + quote(rest, safe="/")
    if kind == "pmid" and rest.isdigit():
        return f"https://pubmed.ncbi.nlm.nih.gov/{rest}/"
    if kind == "pmcid" and rest.upper().startswith("PMC") and rest[3:].isdigit():
        return f"https://www.ncbi.nlm.nih.gov/pmc/articles/{rest.upper()}/"
    if kind == "url":
        return safe_href(rest)
    return safe_href(item)


def json_list(value: Any) -> list[Any]:
    if not value:
        return []
    try:
        loaded = json.loads(value)
    except (TypeError, ValueError):
        return []
    return loaded if isinstance(loaded, list) else []


# --- hooks --------------------------------------------------------------------------------


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
            return _line_column(row)
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


def _line_column(row: Any) -> Markup | None:
    try:
        return Markup("{}:{}").format(row["line"], row["column"])
    except (IndexError, KeyError):
        return None


PREVIEW_CHARACTERS = 240


def document_text_cell(row: Any, value: str, datasette: Any, database: str) -> Markup | None:
    """A document's text is long: show its start and a link to the highlighted reading."""
    try:
        document_id = row["id"]
    except (IndexError, KeyError):
        return None
    preview = value[:PREVIEW_CHARACTERS] + ("…" if len(value) > PREVIEW_CHARACTERS else "")
    return Markup(
        '<a class="pv-document-link" href="{}">Read with claims highlighted</a> {}'
    ).format(document_path(datasette, document_id, database), preview)


class _RememberingDatasette:
    """Datasette as a facet sees it, except that query results are remembered.

    Only used for immutable databases, where the same query always has the same answer.
    """

    def __init__(self, datasette: Any, *, unlimited: bool = False) -> None:
        self._datasette = datasette
        self._cache = _facet_caches.setdefault(datasette, OrderedDict())
        self._unlimited = unlimited

    def __getattr__(self, name: str) -> Any:
        return getattr(self._datasette, name)

    async def _execute_unlimited(self, database: str, sql: str, params: Any) -> Any:
        def run(conn: sqlite3.Connection) -> Any:
            cursor = conn.execute(sql, params or [])
            return Results(cursor.fetchall(), False, cursor.description)

        return await self._datasette.get_database(database).execute_fn(run)

    async def execute(self, database: str, sql: str, params: Any = None, **options: Any) -> Any:
        key = (database, sql, json.dumps(params, sort_keys=True, default=str))
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        if self._unlimited:
            results = await self._execute_unlimited(database, sql, params)
        else:
            results = await self._datasette.execute(database, sql, params, **options)
        self._cache[key] = results
        while len(self._cache) > FACET_CACHE_SIZE:
            self._cache.popitem(last=False)
        return results


class RememberedFacet(ColumnFacet):  # type: ignore[misc]
    """A column facet whose counts are computed once per filter on an immutable database.

    A facet over a million claims is a scan of a million index entries; on a database
    served immutable the answer cannot change, so it is computed on the first view (or
    when ``provenance serve`` warms up) and remembered, as row counts are by
    ``--inspect-file``. On any other database it is an ordinary column facet.
    """

    type = FACET_TYPE

    async def suggest(self) -> list[dict[str, Any]]:
        return []

    async def facet_results(self) -> tuple[list[dict[str, Any]], list[str]]:
        datasette: Any = getattr(self, "ds")  # noqa: B009 (untyped base class)
        database: str = getattr(self, "database")  # noqa: B009
        if not datasette.get_database(database).is_mutable and await is_provenance_database(
            datasette, database
        ):
            request = getattr(self, "request")  # noqa: B009
            warming = request is not None and request.args.get(WARM_UP_ARG) == "1"
            setattr(self, "ds", _RememberingDatasette(datasette, unlimited=warming))  # noqa: B010
        results, timed_out = await super().facet_results()
        for result in results:
            result["type"] = "column"  # shown and linked exactly like a column facet
        return results, timed_out


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
        found = conn.execute(
            "select 1 from sqlite_master where type = 'table' and name = '_sqlite_migrations'"
        ).fetchone()
        if found and {"claims", "documents"} <= {
            row[0] for row in conn.execute("select name from sqlite_master where type = 'table'")
        }:
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
            return [str(datasette.urls.path(CSS_PATH))]
        return []

    return inner


@hookimpl
def prepare_jinja2_environment(env: Any, datasette: Any) -> None:
    """Make the claim and document page templates findable (after any user templates)."""
    loader = env.loader
    if isinstance(loader, ChoiceLoader) and not any(
        isinstance(item, FileSystemLoader) and str(TEMPLATES) in item.searchpath
        for item in loader.loaders
    ):
        env.loader = ChoiceLoader([*loader.loaders, FileSystemLoader(str(TEMPLATES))])


@hookimpl
def register_routes() -> list[tuple[str, Callable[..., Awaitable[Response]]]]:
    return [
        (r"^/-/provenance/static/provenance\.css$", stylesheet),
        (r"^/-/provenance/claims/(?P<claim_id>[^/]+)$", claim_page),
        (r"^/-/provenance/documents/(?P<document_id>[^/]+)$", document_page),
    ]


# --- pages --------------------------------------------------------------------------------


def _refuse(request: Any) -> Response | None:
    """These pages only read: anything but GET or HEAD is refused."""
    if request.method in ("GET", "HEAD"):
        return None
    return Response.text("Method not allowed: this site is read-only.", status=405)


async def stylesheet(request: Any) -> Response:
    if (refused := _refuse(request)) is not None:
        return refused
    return Response(
        STYLESHEET.read_text(encoding="utf-8"),
        content_type="text/css; charset=utf-8",
        headers={"cache-control": "max-age=3600"},
    )


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
    text_rows = (
        await db.execute(
            "select substr(d.text, p.lo + 1, p.hi - p.lo) as paragraph, p.lo"
            " from documents d, (select min(start) as lo, max([end]) as hi from claims"
            " where document_id = ? and paragraph = ?) p where d.id = ?",
            [claim["document_id"], claim["paragraph"], claim["document_id"]],
        )
    ).rows
    paragraph, offset = (
        (text_rows[0]["paragraph"] or "", text_rows[0]["lo"]) if text_rows else ("", 0)
    )
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
        "css_url": datasette.urls.path(CSS_PATH),
    }
    return Response.html(
        await datasette.render_template("provenance_claim.html", context, request=request)
    )


def reference_href(reference: dict[str, Any]) -> str | None:
    if reference.get("doi"):
        return evidence_href(f"doi:{reference['doi']}")
    if reference.get("pmid"):
        return evidence_href(f"pmid:{reference['pmid']}")
    return safe_href(reference.get("url"))


@dataclass(frozen=True, slots=True)
class Span:
    """A marked stretch of the document text: a claim or a heading."""

    start: int
    end: int
    kind: str
    row: dict[str, Any]


def document_html(text: str, spans: list[Span], datasette: Any, database: str) -> Markup:
    """The whole text, escaped, with claims as links and headings as structure."""
    parts: list[Markup] = []
    cursor = 0
    for span in sorted(spans, key=lambda s: (s.start, s.end)):
        if span.start < cursor or span.end > len(text) or span.end < span.start:
            continue  # overlapping or out of range: leave the text as plain text
        parts.append(escape(text[cursor : span.start]))
        content = text[span.start : span.end]
        if span.kind == "claim":
            row = span.row
            parts.append(
                Markup(
                    '<a class="pv-claim {}" href="{}" data-claim-id="{}" data-status="{}"'
                    ' title="{} · {}">{}</a>'
                ).format(
                    status_class(row["evidence_status"]),
                    claim_path(datasette, row["id"], database),
                    row["id"],
                    row["evidence_status"],
                    STATUS_STYLES.get(row["evidence_status"], StatusStyle("", "", "")).label
                    or row["evidence_status"],
                    row["category"],
                    content,
                )
            )
        else:
            level = 3 if span.kind == "question" else min(2 + int(span.row["level"] or 1) - 1, 6)
            parts.append(
                Markup(
                    '<span class="pv-heading pv-{}" role="heading" aria-level="{}">{}</span>'
                ).format(span.kind, level, content)
            )
        cursor = span.end
    parts.append(escape(text[cursor:]))
    return Markup("").join(parts)


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
    latest = (
        await db.execute(
            "select id, version from documents where source = ? order by version desc limit 1",
            [document["source"]],
        )
    ).rows[0]
    spans = [Span(c["start"], c["end"], "claim", c) for c in claims] + [
        Span(s["start"], s["end"], "question" if s["kind"] == "question" else "heading", s)
        for s in sections
    ]
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
        "css_url": datasette.urls.path(CSS_PATH),
    }
    return Response.html(
        await datasette.render_template("provenance_document.html", context, request=request)
    )
