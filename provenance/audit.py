"""Audit: the claims whose evidence status still fails, ranked by priority and streamed.

A *finding* is a current claim whose ``evidence_status`` is in the failing set (by default
unsupported, attributed, contradicted, disputed and unverifiable), narrowed by category,
certainty, document, and optionally to claims introduced after a version.

Findings are grouped by document (in source order of their paths) and, inside a document,
ranked by a priority score, worst first; ties keep document order. The score is the sum of:

=====================  =========================================================================
category               efficacy 50, causal 45, recommendation 30, quantitative 25, mechanism 20,
                       evidence 15, definition 10, evaluative 10, personal 5, meta 0
certainty              asserted 20, hedged 0
evidence status        contradicted 25, disputed 15, unsupported 10, unverifiable 10,
                       attributed 5, any other 0
repetition             5 for each other current occurrence of the same statement (same
                       ``claim_key``, in any document), at most 20
=====================  =========================================================================

so an asserted, unsupported efficacy claim repeated three times scores 50 + 20 + 10 + 10 = 90,
and a hedged, attributed meta statement scores 5. Health-outcome claims (efficacy, causal)
come first because an unsupported one can do the most harm.

Everything is computed by SQLite in one ordered query, so memory stays flat in the number of
findings; :func:`iter_finding_json` also builds each JSON object in SQLite, which keeps a
million-claim audit fast.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import sqlite_utils

from provenance.errors import ProvenanceError
from provenance.models import Category, Certainty, EvidenceStatus
from provenance.store import ClaimFilter

DEFAULT_FAIL_ON = (
    EvidenceStatus.unsupported.value,
    EvidenceStatus.attributed.value,
    EvidenceStatus.contradicted.value,
    EvidenceStatus.disputed.value,
    EvidenceStatus.unverifiable.value,
)
CATEGORY_PRIORITY = {
    Category.efficacy: 50,
    Category.causal: 45,
    Category.recommendation: 30,
    Category.quantitative: 25,
    Category.mechanism: 20,
    Category.evidence: 15,
    Category.definition: 10,
    Category.evaluative: 10,
    Category.personal: 5,
    Category.meta: 0,
}
CERTAINTY_PRIORITY = {Certainty.asserted: 20, Certainty.hedged: 0}
STATUS_PRIORITY = {
    EvidenceStatus.contradicted: 25,
    EvidenceStatus.disputed: 15,
    EvidenceStatus.unsupported: 10,
    EvidenceStatus.unverifiable: 10,
    EvidenceStatus.attributed: 5,
}
REPEAT_PRIORITY = 5
REPEAT_PRIORITY_MAX = 20


def priority_score(category: str, certainty: str, evidence_status: str, repeats: int) -> int:
    """The documented score in Python (the query computes the same in SQL)."""
    return (
        CATEGORY_PRIORITY.get(Category(category), 0)
        + CERTAINTY_PRIORITY.get(Certainty(certainty), 0)
        + STATUS_PRIORITY.get(EvidenceStatus(evidence_status), 0)
        + min(REPEAT_PRIORITY_MAX, REPEAT_PRIORITY * (repeats - 1))
    )


@dataclass(frozen=True, slots=True)
class AuditQuery:
    """Which claims count as findings.

    ``new_only`` keeps claims that first appeared in their document's latest version;
    ``since`` keeps claims that first appeared in a version after it. They exclude each other.
    """

    fail_on: tuple[str, ...] = DEFAULT_FAIL_ON
    categories: tuple[str, ...] = ()
    certainties: tuple[str, ...] = ()
    documents: tuple[str, ...] = ()
    new_only: bool = False
    since: int | None = None

    def __post_init__(self) -> None:
        if self.new_only and self.since is not None:
            raise ProvenanceError("new-only and since cannot be combined: choose one")
        if not self.fail_on:
            raise ProvenanceError("no failing status given: nothing could fail")

    def where(self) -> tuple[str, list[Any]]:
        where, params = ClaimFilter(
            categories=self.categories,
            statuses=self.fail_on,
            certainties=self.certainties,
            documents=self.documents,
        ).where()
        if self.new_only:
            # A current claim's version is its document's latest version.
            where += " and claims.first_version = claims.version"
        if self.since is not None:
            where += " and claims.first_version > ?"
            params.append(self.since)
        return where, params


@dataclass(frozen=True, slots=True)
class Finding:
    """One failing claim, with where it starts and ends in its document's stored text."""

    id: str
    document: str
    document_id: str
    version: int
    first_version: int
    section: str | None
    line: int
    column: int
    end_line: int
    end_column: int
    start: int
    end: int
    category: str
    certainty: str
    attribution: str
    evidence_status: str
    claim_key: str
    repeats: int
    priority: int
    text: str

    def as_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in FINDING_FIELDS}


FINDING_FIELDS = tuple(f.name for f in fields(Finding))

# End of a claim. Its text is exactly ``documents.text[start:end]`` and never starts or ends
# with a line break, so the end follows from the start and the text alone, with line breaks
# counted as :class:`provenance.positions.LineIndex` counts them (CRLF, CR or LF). For a
# multi-line claim, CRLF and CR become LF (the text after the last break is unchanged); the
# end line adds the breaks, and the end column follows the last one. SQLite has no reverse
# search: rtrim() with every character except LF strips the text back to its last break.
_SINGLE_LINE = "instr(claims.text, char(10)) + instr(claims.text, char(13)) = 0"
_LF_TEXT = "replace(replace(claims.text, char(13) || char(10), char(10)), char(13), char(10))"
_END_LINE = (
    f"case when {_SINGLE_LINE} then claims.line"
    f" else claims.line + length({_LF_TEXT}) - length(replace({_LF_TEXT}, char(10), '')) end"
)
_END_COLUMN = (
    f"case when {_SINGLE_LINE} then claims.[column] + length(claims.text)"
    f" else length({_LF_TEXT}) - length(rtrim({_LF_TEXT}, replace({_LF_TEXT}, char(10), '')))"
    " + 1 end"
)
_SOURCE_COLUMNS = {
    "end_line": _END_LINE,
    "end_column": _END_COLUMN,
    "repeats": "coalesce(repeated.n, 1)",
}


def _case(column: str, weights: dict[Any, int]) -> tuple[str, list[Any]]:
    whens = " ".join("when ? then ?" for _ in weights)
    params: list[Any] = []
    for value, weight in weights.items():
        params.extend([value.value, weight])
    return f"(case {column} {whens} else 0 end)", params


def _priority_sql() -> tuple[str, list[Any]]:
    parts: list[str] = []
    params: list[Any] = []
    for column, weights in (
        ("claims.category", CATEGORY_PRIORITY),
        ("claims.certainty", CERTAINTY_PRIORITY),
        ("claims.evidence_status", STATUS_PRIORITY),
    ):
        sql, case_params = _case(column, weights)
        parts.append(sql)
        params.extend(case_params)
    parts.append("min(?, ? * (coalesce(repeated.n, 1) - 1))")
    params.extend([REPEAT_PRIORITY_MAX, REPEAT_PRIORITY])
    return " + ".join(parts), params


def findings_sql(query: AuditQuery, outer: str) -> tuple[str, list[Any]]:
    """The ordered findings query; ``outer`` selects from the inner query's columns."""
    priority, priority_params = _priority_sql()
    computed = {**_SOURCE_COLUMNS, "priority": priority}
    columns = ", ".join(
        f"{computed.get(name, f'claims.[{name}]')} as [{name}]" for name in FINDING_FIELDS
    )
    where, params = query.where()
    sql = (
        "with repeated as (select claim_key, count(*) as n from claims where is_current = 1"
        " group by claim_key having count(*) > 1)"
        f" select {outer} from (select {columns} from claims"
        " left join repeated on repeated.claim_key = claims.claim_key"
        f" where {where}) order by document, priority desc, start"
    )
    return sql, [*priority_params, *params]


def iter_findings(db: sqlite_utils.Database, query: AuditQuery) -> Iterator[Finding]:
    """Findings grouped by document, worst first in each, streamed."""
    sql, params = findings_sql(query, ", ".join(f"[{name}]" for name in FINDING_FIELDS))
    for row in db.conn.execute(sql, params):
        yield Finding(*row)


def iter_finding_json(db: sqlite_utils.Database, query: AuditQuery) -> Iterator[str]:
    """The same findings as compact JSON objects, built by SQLite (the fast path for JSON)."""
    pairs = ", ".join(f"'{name}', [{name}]" for name in FINDING_FIELDS)
    sql, params = findings_sql(query, f"json_object({pairs})")
    for (text,) in db.conn.execute(sql, params):
        yield text


@dataclass(slots=True)
class FindingCounts:
    """How many findings each document, status and status/category pair has."""

    by_document_status: Counter[tuple[str, str]]
    by_status_category: Counter[tuple[str, str]]

    @classmethod
    def empty(cls) -> FindingCounts:
        return cls(Counter(), Counter())

    def add(self, document: str, status: str, category: str, count: int = 1) -> None:
        self.by_document_status[(document, status)] += count
        self.by_status_category[(status, category)] += count

    @property
    def total(self) -> int:
        return sum(self.by_document_status.values())

    @property
    def documents(self) -> list[str]:
        return sorted({document for document, _ in self.by_document_status})

    @property
    def statuses(self) -> list[str]:
        """Statuses with findings, in the order of :class:`EvidenceStatus`."""
        present = {status for _, status in self.by_document_status}
        return [s.value for s in EvidenceStatus if s.value in present]


def count_findings(db: sqlite_utils.Database, query: AuditQuery) -> FindingCounts:
    """Counts by document, status and category, without reading the findings themselves."""
    where, params = query.where()
    counts = FindingCounts.empty()
    rows = db.conn.execute(
        "select claims.document, claims.evidence_status, claims.category, count(*) from claims"
        f" where {where} group by 1, 2, 3",
        params,
    )
    for document, status, category, count in rows:
        counts.add(document, status, category, count)
    return counts


def html_documents(db: sqlite_utils.Database) -> set[str]:
    """Sources whose stored text is extracted from HTML, so positions are not file positions."""
    rows = db.conn.execute(
        "select distinct source from documents where format = ? and is_latest = 1", ["html"]
    )
    return {row[0] for row in rows}


@contextlib.contextmanager
def temporary_database(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Ingest ``paths`` into a throwaway database and yield its path (for auditing files)."""
    # Imported here: auditing a database needs none of the extraction pipeline.
    from provenance.ingest import ingest

    with tempfile.TemporaryDirectory(prefix="provenance-audit-") as folder:
        db_path = Path(folder) / "claims.db"
        ingest(list(paths), db_path)
        yield db_path
