"""HTML helpers of the plugin: badges, links to claim and document pages, safe hrefs.

Also how the plugin recognises a provenance database it serves (the rule itself is
:func:`provenance.store.connection.is_provenance_connection`).
"""

from __future__ import annotations

import json
import re
import weakref
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from markupsafe import Markup, escape

from provenance.models import EvidenceStatus
from provenance.publish.ledger import LedgerDatabase
from provenance.review.evidence import EVIDENCE_BASES
from provenance.store.connection import is_provenance_connection

#: The name Datasette knows the plugin by (its distribution's): it serves the package's
#: ``static/`` at ``/-/static-plugins/provenance/`` and searches its ``templates/``.
PLUGIN_NAME = "provenance"
STYLESHEET = "provenance.css"
SCRIPT = "provenance.js"


ALL_VERSIONS_ARG = "_versions"


@dataclass(frozen=True, slots=True)
class StatusStyle:
    """How a status is shown: a symbol and words as well as a colour."""

    symbol: str
    label: str
    meaning: str


STATUS_STYLES: dict[str, StatusStyle] = {
    "unsupported": StatusStyle("!", "unsupported", "A bare assertion: no citation, no source."),
    "attributed": StatusStyle(
        "~", "attributed", "A source named in prose, or a vague appeal to unnamed ones."
    ),
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
    if isinstance(db, LedgerDatabase):
        return True  # checked when it was opened (serve.check_database)
    cache = _known.setdefault(datasette, {})
    if database in cache and not db.is_mutable:
        return cache[database]
    found = bool(await db.execute_fn(is_provenance_connection))
    cache[database] = found
    return found


async def provenance_databases(datasette: Any) -> list[str]:
    return [name for name in datasette.databases if await is_provenance_database(datasette, name)]


def css_url(datasette: Any) -> str:
    """Where Datasette serves the plugin's stylesheet (from ``provenance/publish/static``)."""
    return str(datasette.urls.static_plugins(PLUGIN_NAME, STYLESHEET))


def js_url(datasette: Any) -> str:
    """Where Datasette serves the plugin's script (keyboard review)."""
    return str(datasette.urls.static_plugins(PLUGIN_NAME, SCRIPT))


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


def names_database(datasette: Any, database: str | None) -> bool:
    """Links say which database only when more than one is served."""
    served = [name for name in datasette.databases if name != "_internal"]
    return database is not None and len(served) > 1


def claim_path(datasette: Any, claim_id: str, database: str | None = None) -> str:
    path = f"/-/provenance/claims/{quote(str(claim_id), safe='')}"
    if names_database(datasette, database):
        path += "?" + urlencode({"db": database})
    return str(datasette.urls.path(path))


def document_path(datasette: Any, document_id: str, database: str | None = None) -> str:
    path = f"/-/provenance/documents/{quote(str(document_id), safe='')}"
    if names_database(datasette, database):
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
        return EVIDENCE_BASES["doi"] + quote(rest, safe="/")
    if kind == "pmid" and rest.isdigit():
        return f"{EVIDENCE_BASES['pmid']}{rest}/"
    if kind == "pmcid" and rest.upper().startswith("PMC") and rest[3:].isdigit():
        return f"{EVIDENCE_BASES['pmcid']}{rest.upper()}/"
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


def line_column(row: Any) -> Markup | None:
    """Where a claim is: ``line:column``, after its page for a paged document ("p. 4 · 12:3")."""
    try:
        position = Markup("{}:{}").format(row["line"], row["column"])
    except (IndexError, KeyError):
        return None
    page = page_of(row)
    return Markup("p. {} · {}").format(page, position) if page is not None else position


def page_of(row: Any) -> int | None:
    """A claim row's page, if it has one (older databases and text formats have none)."""
    try:
        page = row["page"]
    except (IndexError, KeyError):
        return None
    return int(page) if page is not None else None


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


def reference_href(reference: dict[str, Any]) -> str | None:
    if reference.get("doi"):
        return evidence_href(f"doi:{reference['doi']}")
    if reference.get("pmid"):
        return evidence_href(f"pmid:{reference['pmid']}")
    return safe_href(reference.get("url"))


@dataclass(frozen=True, slots=True)
class Span:
    """A marked stretch of the document text: a claim, a heading or question, or a kept block
    (title, byline, boilerplate, table, …: shown muted, never a claim)."""

    start: int
    end: int
    kind: str
    row: dict[str, Any]


_HEADING_MARKS = re.compile(r"^#{1,6}[ \t]+|[ \t]+#+[ \t]*$")


def heading_text(text: str, markdown: bool) -> str:
    """A heading as a reader sees it: Markdown's ``#`` marks dropped."""
    return _HEADING_MARKS.sub("", text) if markdown else text


def claim_anchor(claim_id: str) -> str:
    """The id of a claim's element on the document page (``#c-<claim id>``)."""
    return f"c-{claim_id}"


def document_html(
    text: str,
    spans: list[Span],
    datasette: Any,
    database: str,
    *,
    shown: set[str] | None = None,
    heading_marks: bool = False,
) -> Markup:
    """Text, escaped, with claims as links (each its own anchor) and headings as structure.

    ``shown``: only these claims are highlighted (a legend filter); the others stay anchors
    in plain text. ``heading_marks``: drop Markdown's ``#`` marks from headings.
    """
    parts: list[Markup] = []
    cursor = 0
    for span in sorted(spans, key=lambda s: (s.start, s.end)):
        if span.start < cursor or span.end > len(text) or span.start < 0 or span.end < span.start:
            continue  # overlapping or out of range: leave the text as plain text
        parts.append(escape(text[cursor : span.start]))
        content = text[span.start : span.end]
        if span.kind == "claim":
            row = span.row
            if shown is not None and row["id"] not in shown:
                parts.append(
                    Markup('<span class="pv-claim-off" id="{}">{}</span>').format(
                        claim_anchor(row["id"]), content
                    )
                )
                cursor = span.end
                continue
            parts.append(
                Markup(
                    '<a class="pv-claim {}" id="{}" href="{}" data-claim-id="{}"'
                    ' data-status="{}" data-category="{}" title="{}{} · {}">{}</a>'
                ).format(
                    status_class(row["evidence_status"]),
                    claim_anchor(row["id"]),
                    claim_path(datasette, row["id"], database),
                    row["id"],
                    row["evidence_status"],
                    row["category"],
                    f"p. {page} · " if (page := page_of(row)) is not None else "",
                    STATUS_STYLES.get(row["evidence_status"], StatusStyle("", "", "")).label
                    or row["evidence_status"],
                    row["category"],
                    content,
                )
            )
        elif span.kind == "block":
            kind = str(span.row["kind"])
            parts.append(
                Markup('<span class="pv-block pv-block-{}" title="{}">{}</span>').format(
                    kind, kind.replace("_", " "), content
                )
            )
        else:
            level = 3 if span.kind == "question" else min(2 + int(span.row["level"] or 1) - 1, 6)
            parts.append(
                Markup(
                    '<span class="pv-heading pv-{}" role="heading" aria-level="{}">{}</span>'
                ).format(span.kind, level, heading_text(content, heading_marks))
            )
        cursor = span.end
    parts.append(escape(text[cursor:]))
    return Markup("").join(parts)
