"""Audit: the claims whose evidence status still fails, ranked by priority and streamed.

A *finding* is a current claim whose ``evidence_status`` is in the failing set (by default
unsupported, attributed, contradicted, disputed and unverifiable), narrowed by category,
certainty, document, and optionally to claims introduced (or edited) after a version.

Longer than 500 lines because the findings query, its priority score, one document's ranked
list and the parallel JSON writer share the private SQL builders defined here.

Findings are grouped by document (in source order of their paths) and, inside a document,
ranked by a priority score, worst first; ties keep document order. The score is the sum of:

=====================  =========================================================================
category               efficacy 50, causal 45, finding 35, recommendation 30, quantitative 25,
                       prediction 20, mechanism 20, evidence 15, definition 10, evaluative 10,
                       event 10, method 5, personal 5, meta 0
certainty              asserted 20, hedged 0
evidence status        contradicted 25, disputed 15, unsupported 10, unverifiable 10,
                       attributed 5, any other 0
attribution            vague 5 (an appeal to unnamed sources is hardly better than none; a
                       named source or a citation can be checked), any other 0
repetition             5 for each other current occurrence of the same statement (same
                       ``claim_key``, in any document), at most 20
=====================  =========================================================================

so an asserted, unsupported efficacy claim repeated three times scores 50 + 20 + 10 + 10 = 90,
a hedged meta statement attributed to a named source scores 5 (10 with a vague one).
Health-outcome claims (efficacy, causal) come first because an unsupported one can do the
most harm.

Everything is computed by SQLite in one ordered query, so memory stays flat in the number of
findings; :func:`iter_finding_json` also builds each JSON object in SQLite, and
:func:`write_json_in_workers` shares that work among worker processes, which keeps a
million-claim audit fast. End positions are stored at ingest (``end_line``, ``end_column``).
"""

from __future__ import annotations

import codecs
import contextlib
import errno
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import IO, Any

import sqlite_utils

from provenance.audit import worker as audit_worker
from provenance.errors import ProvenanceError
from provenance.models import Attribution, Category, Certainty, EvidenceStatus
from provenance.store.reads import ClaimFilter

DEFAULT_FAIL_ON = (
    EvidenceStatus.unsupported.value,
    EvidenceStatus.attributed.value,
    EvidenceStatus.contradicted.value,
    EvidenceStatus.disputed.value,
    EvidenceStatus.unverifiable.value,
)
_CATEGORY_WEIGHTS = (
    "efficacy 50, causal 45, finding 35, recommendation 30, quantitative 25, prediction 20,"
    " mechanism 20, evidence 15, definition 10, evaluative 10, event 10, method 5, personal 5,"
    " meta 0"
)
CATEGORY_PRIORITY = {
    Category[pair.split()[0]]: int(pair.split()[1]) for pair in _CATEGORY_WEIGHTS.split(",")
}
CERTAINTY_PRIORITY = {Certainty.asserted: 20, Certainty.hedged: 0}
STATUS_PRIORITY = {
    EvidenceStatus.contradicted: 25,
    EvidenceStatus.disputed: 15,
    EvidenceStatus.unsupported: 10,
    EvidenceStatus.unverifiable: 10,
    EvidenceStatus.attributed: 5,
}
ATTRIBUTION_PRIORITY = {Attribution.vague: 5}
REPEAT_PRIORITY = 5
REPEAT_PRIORITY_MAX = 20


def priority_score(
    category: str, certainty: str, evidence_status: str, repeats: int, attribution: str
) -> int:
    """The documented score in Python (the query computes the same in SQL)."""
    return (
        CATEGORY_PRIORITY.get(Category(category), 0)
        + CERTAINTY_PRIORITY.get(Certainty(certainty), 0)
        + STATUS_PRIORITY.get(EvidenceStatus(evidence_status), 0)
        + ATTRIBUTION_PRIORITY.get(Attribution(attribution), 0)
        + min(REPEAT_PRIORITY_MAX, REPEAT_PRIORITY * (repeats - 1))
    )


@dataclass(frozen=True, slots=True)
class AuditQuery:
    """Which claims count as findings.

    ``new_only`` keeps claims that first appeared in their document's latest version, or
    were edited in it; ``since`` keeps claims that first appeared, or were edited, in a version
    after it. They exclude each other.
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
            # New in its document's latest version (a current claim's version is the latest),
            # or edited in it: a reworded claim is back to review, so it counts as new.
            where += (
                " and (claims.first_version = claims.version or exists (select 1 from"
                " claim_changes ch where ch.claim_id = claims.id and ch.review_reset = 1"
                " and ch.to_version = claims.version))"
            )
        if self.since is not None:
            where += (
                " and (claims.first_version > ? or exists (select 1 from claim_changes ch"
                " where ch.claim_id = claims.id and ch.review_reset = 1 and ch.to_version > ?))"
            )
            params.extend([self.since, self.since])
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

_SOURCE_COLUMNS = {"repeats": "coalesce(repeated.n, 1)"}


def _case(column: str, weights: Mapping[Any, int]) -> tuple[str, list[Any]]:
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
        ("claims.attribution", ATTRIBUTION_PRIORITY),
    ):
        sql, case_params = _case(column, weights)
        parts.append(sql)
        params.extend(case_params)
    parts.append(f"min(?, ? * ({_SOURCE_COLUMNS['repeats']} - 1))")
    params.extend([REPEAT_PRIORITY_MAX, REPEAT_PRIORITY])
    return " + ".join(parts), params


def repeated_sql(scope: str = "") -> str:
    """Current statements that occur more than once (``claim_key`` and their count ``n``);
    every other statement occurs once. ``scope`` narrows it (an ``and …`` condition)."""
    return (
        f"select claim_key, count(*) as n from claims where is_current = 1{scope}"
        " group by claim_key having count(*) > 1"
    )


_ORDER = "order by document, priority desc, start"


def _inner_sql(query: AuditQuery, repeated: str, extra_where: str = "") -> tuple[str, list[Any]]:
    """The unordered findings, one column per field; ``repeated`` is the repeat counts."""
    priority, priority_params = _priority_sql()
    computed = {**_SOURCE_COLUMNS, "priority": priority}
    columns = ", ".join(
        f"{computed.get(name, f'claims.[{name}]')} as [{name}]" for name in FINDING_FIELDS
    )
    where, params = query.where()
    sql = (
        f"select {columns} from claims left join {repeated}"
        " on repeated.claim_key = claims.claim_key"
        f" where {where}{extra_where}"
    )
    return sql, [*priority_params, *params]


def findings_sql(query: AuditQuery, outer: str) -> tuple[str, list[Any]]:
    """The ordered findings query; ``outer`` selects from the inner query's columns."""
    inner, params = _inner_sql(query, "repeated")
    return f"with repeated as ({repeated_sql()}) select {outer} from ({inner}) {_ORDER}", params


def document_ranked_sql(
    query: AuditQuery,
    outer: str,
    document_id: str,
    extra_where: str = "",
    window: tuple[int, int] | None = None,
) -> tuple[str, list[Any]]:
    """Findings of one document version, worst first (``extra_where`` narrows them).

    The priority of :func:`findings_sql`, with repeats counted only for the statements of
    that document (of its ``window``, a [start, end) range of offsets, if given), so that one
    document's list does not scan a large ledger. Parameters of ``extra_where`` come last.
    """
    span = " and start >= ? and start < ?" if window else ""
    inner, params = _inner_sql(
        query,
        "repeated",
        f" and claims.document_id = ?{span.replace('start', 'claims.start')}{extra_where}",
    )
    repeated = repeated_sql(
        f" and claim_key in (select claim_key from claims where document_id = ?{span})"
    )
    bounds = list(window or ())
    return (
        f"with repeated as ({repeated}) select {outer} from ({inner})"
        " order by priority desc, start",
        [document_id, *bounds, *params, document_id, *bounds],
    )


def iter_findings(db: sqlite_utils.Database, query: AuditQuery) -> Iterator[Finding]:
    """Findings grouped by document, worst first in each, streamed."""
    sql, params = findings_sql(query, ", ".join(f"[{name}]" for name in FINDING_FIELDS))
    for row in db.conn.execute(sql, params):
        yield Finding(*row)


_JSON_OBJECT = "json_object({})".format(", ".join(f"'{name}', [{name}]" for name in FINDING_FIELDS))


def iter_finding_json(db: sqlite_utils.Database, query: AuditQuery) -> Iterator[str]:
    """The same findings as compact JSON objects, built by SQLite (the fast path for JSON)."""
    sql, params = findings_sql(query, _JSON_OBJECT)
    for (text,) in db.conn.execute(sql, params):
        yield text


# --- JSON in parallel ------------------------------------------------------------------
#
# Building a million JSON objects is nearly all SQLite's work, so it is shared among worker
# processes (threads would contend for SQLite's global allocator mutex). The documents are
# cut into chunks of consecutive documents, at most CHUNK_CLAIMS current claims each, dealt
# round-robin to the workers. Each worker (provenance/audit/worker.py, standard library only) has
# its own connection and read transaction; it builds a chunk as one string joined by SQLite
# (group_concat over the ordered findings: no per-finding Python work), waits for its turn,
# writes the chunk straight to the output file descriptor and reports how many findings it
# wrote. A document with more claims than a chunk is streamed in batches during its turn.
# A worker holds one chunk at a time, so memory stays flat; the output never passes through
# this process. group_concat takes the rows in the order of its ordered subquery (SQLite
# before 3.44 has no ORDER BY inside an aggregate; the tests compare the bytes with the
# one-query path). Each worker reads in its own transaction, so a commit during the audit
# could be seen by one worker and not another: the audit then fails and says so.

_REPEATS_TABLE = "audit_repeats"
CHUNK_CLAIMS = 10_000
STREAM_BATCH = 2_000
MAX_WORKERS = 4
#: Fewer claims than this are audited in this process: starting workers would cost more.
WORKERS_FROM_CLAIMS = 50_000
#: Between two findings of the JSON array.
JSON_SEPARATOR = ",\n "
_REPORT = audit_worker.REPORT
_FAILED = audit_worker.FAILED


@dataclass(frozen=True, slots=True)
class _Chunk:
    first: str
    last: str
    streamed: bool


def _chunks(conn: sqlite3.Connection) -> list[_Chunk] | None:
    """Chunks of consecutive documents by their current claims; None if one has no name."""
    chunks: list[_Chunk] = []
    first: str | None = None
    last = ""
    size = 0
    for document, count in conn.execute(
        "select document, count(*) from claims where is_current = 1 group by document"
        " order by document"
    ):
        if document is None:
            return None
        if first is not None and size + count > CHUNK_CLAIMS:
            chunks.append(_Chunk(first, last, streamed=False))
            first = None
        if count > CHUNK_CLAIMS:
            chunks.append(_Chunk(document, document, streamed=True))
            continue
        if first is None:
            first, size = document, 0
        last = document
        size += count
    if first is not None:
        chunks.append(_Chunk(first, last, streamed=False))
    return chunks


def _database_file(db: sqlite_utils.Database) -> str | None:
    for _, name, file in db.conn.execute("pragma database_list"):
        if name == "main":
            return str(file) or None
    return None


def _output_fd(out: IO[str]) -> int | None:
    """The file descriptor under ``out`` if it writes UTF-8 (the workers write UTF-8 bytes)."""
    try:
        if codecs.lookup(getattr(out, "encoding", None) or "ascii").name != "utf-8":
            return None
        return out.fileno()
    except (AttributeError, LookupError, OSError, ValueError):  # UnsupportedOperation too
        return None


def _worker_count() -> int:
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return max(1, min(MAX_WORKERS, cpus))


def _worker_report(process: subprocess.Popen[bytes]) -> int:
    assert process.stdout is not None
    header = process.stdout.read(_REPORT.size)
    if len(header) != _REPORT.size:
        raise ProvenanceError("an audit worker stopped before writing its findings")
    count, size = _REPORT.unpack(header)
    if count == _FAILED:
        message = process.stdout.read(size).decode(errors="replace")
        if message.startswith("BrokenPipeError"):  # click exits quietly on EPIPE
            raise BrokenPipeError(errno.EPIPE, message)
        raise sqlite3.OperationalError(message)
    return int(count)


def write_json_in_workers(
    db: sqlite_utils.Database, query: AuditQuery, out: IO[str], workers: int | None = None
) -> int | None:
    """Write the JSON array of findings using worker processes; returns how many.

    None, having written nothing, when that is not worth it or cannot be done: a small
    database, one that is not a file, a document without a name, or ``out`` without a file
    descriptor or in another encoding than UTF-8.
    """
    path = _database_file(db)
    fd = _output_fd(out)
    if path is None or fd is None or os.name != "posix" or not sys.executable:
        return None
    claims = db.conn.execute("select max(rowid) from claims").fetchone()[0] or 0
    if claims < WORKERS_FROM_CLAIMS:
        return None
    inner, params = _inner_sql(
        query,
        f"temp.{_REPEATS_TABLE} as repeated",
        " and claims.document >= ? and claims.document <= ?",
    )
    job: dict[str, Any] = {
        "path": path,
        "separator": JSON_SEPARATOR,
        "setup": [
            f"create temp table {_REPEATS_TABLE} (claim_key text primary key, n integer)"
            " without rowid",
            f"insert into temp.{_REPEATS_TABLE} {repeated_sql()}",
        ],
        "params": params,
        "stream_sql": f"select {_JSON_OBJECT} from ({inner}) {_ORDER}",
        "chunk_sql": "select count(*), group_concat(finding, ?) from"
        f" (select {_JSON_OBJECT} as finding from ({inner}) {_ORDER})",
        "batch": STREAM_BATCH,
    }
    workers = workers or _worker_count()
    # Each worker reads in its own transaction; if anyone commits meanwhile, say so.
    data_version = db.conn.execute("pragma data_version").fetchone()[0]
    processes: list[subprocess.Popen[bytes]] = []
    count = 0
    finished = False
    output = os.dup(fd)
    try:
        # The workers count repeats while the chunks are planned here.
        for _ in range(workers):
            process = subprocess.Popen(
                [sys.executable, "-I", "-m", "provenance.audit.worker"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                pass_fds=(output,),
            )
            processes.append(process)
            assert process.stdin is not None
            process.stdin.write(json.dumps({**job, "fd": output}).encode() + b"\n")
            process.stdin.flush()
        os.close(output)
        output = -1
        chunks = _chunks(db.conn)
        if chunks is None:
            return None
        for number, process in enumerate(processes):
            mine = [[c.first, c.last, c.streamed] for c in chunks[number::workers]]
            assert process.stdin is not None
            with contextlib.suppress(BrokenPipeError):  # it failed: its report says why
                process.stdin.write(json.dumps(mine).encode() + b"\n")
                process.stdin.flush()
        out.write("[")
        out.flush()
        for index in range(len(chunks)):
            process = processes[index % workers]
            assert process.stdin is not None
            with contextlib.suppress(BrokenPipeError):  # it failed: its report says why
                process.stdin.write(b"1" if count else b"0")
                process.stdin.flush()
            count += _worker_report(process)
        finished = True
    finally:
        if output >= 0:
            os.close(output)
        for process in processes:
            if not finished:
                process.kill()
            process.wait()
            for stream in (process.stdin, process.stdout):
                if stream is not None:
                    with contextlib.suppress(OSError):
                        stream.close()
    out.write("\n]\n" if count else "]\n")
    if db.conn.execute("pragma data_version").fetchone()[0] != data_version:
        raise ProvenanceError(
            f"{path} changed while it was audited (an ingest or annotation ran): run again"
        )
    return count


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
