"""Reading claims: the filters every listing command shares, and claims by id."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlite_utils

from provenance.errors import ProvenanceError
from provenance.models import (
    Claim,
)
from provenance.store.schema import CLAIM_FIELDS, JSON_CLAIM_COLUMNS


@dataclass(frozen=True, slots=True)
class ClaimFilter:
    """Filters shared by every command that lists claims."""

    categories: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    certainties: tuple[str, ...] = ()
    attributions: tuple[str, ...] = ()
    documents: tuple[str, ...] = ()
    search: str | None = None
    include_removed: bool = False

    def where(self) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        for column, values in (
            ("category", self.categories),
            ("evidence_status", self.statuses),
            ("certainty", self.certainties),
            ("attribution", self.attributions),
        ):
            if values:
                clauses.append(f"claims.{column} in ({', '.join('?' for _ in values)})")
                params.extend(values)
        if self.documents:
            matches = []
            for value in self.documents:
                named, named_params = document_named(value)
                matches.append(f"claims.document_id in (select id from documents where {named})")
                params.extend(named_params)
            clauses.append("(" + " or ".join(matches) + ")")
        if self.search:
            clauses.append(
                "claims.rowid in (select rowid from claims_fts where claims_fts match ?)"
            )
            params.append(fts_query(self.search))
        if not self.include_removed:
            clauses.append("claims.is_current = 1")
        return (" and ".join(clauses) or "1"), params


def document_named(value: str) -> tuple[str, list[Any]]:
    """THE rule for naming a document: a condition on ``documents`` and its parameters.

    A document is named by a version's id, its source (as stored), its name, its file name
    (the last part of its source: ``webmd_superbugs.html``), or any path to the same file
    (every path a source was ingested from is kept in ``document_paths``).
    """
    resolved = str(Path(value).expanduser().resolve()) if value and "\0" not in value else ""
    return (
        "(documents.id = ? or documents.source = ? or documents.name = ?"
        " or (length(documents.source) > length(?)"
        " and substr(documents.source, -length(?) - 1) = '/' || ?)"
        " or documents.source in (select source from document_paths where path = ?))",
        [value, value, value, value, value, value, resolved],
    )


class AmbiguousClaimId(ProvenanceError):
    """A claim id prefix that several claims start with."""


class DocumentNotFound(ProvenanceError):
    """A filter or page names a document the ledger does not hold (a usage error: exit 2)."""

    exit_code = 2


def match_documents(db: sqlite_utils.Database, value: str) -> list[tuple[str, str]]:
    """(source, id of its latest version) of each document ``value`` names, by source.

    Raises :class:`DocumentNotFound` when it names none.
    """
    named, params = document_named(value)
    rows = db.conn.execute(
        "select source, (select d.id from documents d where d.source = documents.source"
        " order by d.version desc limit 1) from documents"
        f" where {named} group by source order by source",
        params,
    ).fetchall()
    if not rows:
        known = [
            str(r[0])
            for r in db.conn.execute(
                "select name from documents where is_latest = 1 order by name limit 6"
            )
        ]
        listed = ", ".join(known[:5]) + (", …" if len(known) > 5 else "")
        hint = f" (documents: {listed})" if known else " (the ledger is empty)"
        raise DocumentNotFound(f"no document named {value!r}{hint}")
    return [(str(r[0]), str(r[1])) for r in rows]


def check_documents(db: sqlite_utils.Database, values: Iterable[str]) -> None:
    """Refuse a filter naming a document the ledger does not hold (it would match nothing)."""
    for value in values:
        match_documents(db, value)


def fts_query(search: str) -> str:
    """Quote each word so user input is never parsed as FTS syntax."""
    words = [w.replace('"', '""') for w in search.split()]
    return " ".join(f'"{w}"' for w in words if w) or '""'


def claim_from_row(row: dict[str, Any]) -> Claim:
    data = {name: row[name] for name in CLAIM_FIELDS}
    for column in JSON_CLAIM_COLUMNS:
        data[column] = json.loads(data[column]) if data[column] else []
    return Claim.model_validate(data)


#: The order claims are listed in everywhere: by document, version, then position in the text.
CLAIM_ORDER = "claims.document, claims.version, claims.start"
#: The span of a claim's paragraph in its document version's text: from the start of the
#: paragraph's first claim to the end of its last (parameters: document_id, paragraph).
PARAGRAPH_SPAN_SQL = (
    "select min(start), max([end]) from claims where document_id = ? and paragraph = ?"
)
#: A stretch of a document version's text (parameters: start + 1, length, document id).
DOCUMENT_SLICE_SQL = "select substr(text, ?, ?) from documents where id = ?"


def iter_claims(
    db: sqlite_utils.Database, claim_filter: ClaimFilter | None = None, limit: int | None = None
) -> Iterator[Claim]:
    """Claims in document order (document, then position), streamed."""
    where, params = (claim_filter or ClaimFilter()).where()
    sql = (
        f"select {', '.join(f'claims.[{c}]' for c in CLAIM_FIELDS)} from claims"
        f" where {where} order by {CLAIM_ORDER}"
    )
    if limit is not None:
        sql += " limit ?"
        params = [*params, limit]
    cursor = db.conn.execute(sql, params)
    names = [d[0] for d in cursor.description]
    for values in cursor:
        yield claim_from_row(dict(zip(names, values, strict=True)))


def resolve_claim_id(db: sqlite_utils.Database, prefix: str) -> str:
    """A full claim id from a unique prefix; ambiguity and absence are user errors."""
    if not prefix or not all(c in "0123456789abcdef" for c in prefix.lower()):
        raise ProvenanceError(f"{prefix!r} is not a claim id (expected hexadecimal)")
    rows: list[str] = [
        str(r[0])
        for r in db.execute(
            "select id from claims where id >= ? and id < ? order by id limit 6",
            [prefix.lower(), prefix.lower() + "g"],
        )
    ]
    if not rows:
        raise ProvenanceError(f"no claim with id {prefix!r}")
    if len(rows) > 1:
        shown = ", ".join(rows[:5])
        raise AmbiguousClaimId(f"claim id prefix {prefix!r} is ambiguous: {shown}…")
    return rows[0]


def get_claim(db: sqlite_utils.Database, claim_id: str) -> Claim:
    return claim_from_row(db.table("claims").get(claim_id))
