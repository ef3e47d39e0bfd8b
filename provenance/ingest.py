"""Ingest: read, parse, extract and store documents, one transaction per document."""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import multiprocessing
import os
import sqlite3
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

from provenance.errors import ProvenanceError
from provenance.extract.fetch import DEFAULT_LIMITS, FetchLimits, is_url
from provenance.extract.parse import check_source, extractor_versions, parse_source
from provenance.extract.pipeline import RULESET_VERSION, Extraction, extract
from provenance.extract.read import (
    MAX_DOCUMENT_CHARS,
    FetchedSource,
    Source,
    SourceText,
    check_document_size,
    display_source,
    fetch_source,
    find_sources,
    read_source,
)
from provenance.ids import document_id
from provenance.models import Claim, ClaimDraft, Document, Run
from provenance.store import bulk
from provenance.store.connection import open_database
from provenance.store.versions import VersionDiff, reanchor, record_version_changes
from provenance.store.writes import (
    ClaimRows,
    DocumentWrite,
    first_version_rows,
    known_source,
    latest_version,
    refresh_statistics,
    remember_path,
    write_document,
    write_document_source,
    write_run,
    write_transaction,
)
from provenance.timestamps import SECONDS_FORMAT, utc_timestamp
from provenance.version import __version__
from provenance.workers import exit_with_parent

#: SQLite page cache while ingesting (KiB).
INGEST_CACHE_KIB = 65536
#: Write-ahead log pages between checkpoints while ingesting (SQLite's default is 1,000).
#: Each checkpoint copies the pages back and syncs the file: fewer checkpoints write less and
#: ingest faster (measured in benchmarks/README.md).
INGEST_WAL_CHECKPOINT_PAGES = 16384
#: Below this much text, starting worker processes costs more than it saves.
PARALLEL_MIN_BYTES = 4_000_000


@dataclass(frozen=True, slots=True)
class DocumentOutcome:
    """What ingesting one source did."""

    source: str
    #: "new", "updated" (a new version), "reclassified" (the same bytes read again because the
    #: rules changed since; also a new version) or "unchanged".
    status: str
    version: int
    document_id: str
    claims: int
    #: For a new version: how its claims matched the previous version's.
    changes: VersionDiff | None = None


@dataclass(slots=True)
class IngestSummary:
    run_id: str | None = None
    outcomes: list[DocumentOutcome] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def claims(self) -> int:
        return sum(o.claims for o in self.outcomes if o.status != "unchanged")


def new_run(arguments: list[str]) -> Run:
    started = utc_timestamp()
    run_id = hashlib.sha256(("\x1f".join([started, *arguments])).encode()).hexdigest()[:12]
    return Run(
        id=run_id,
        started_at=started,
        tool_version=__version__,
        ruleset_version=RULESET_VERSION,
        arguments=arguments,
        extractors=extractor_versions(),
    )


@dataclass(frozen=True, slots=True)
class _Planned:
    """A source that changed: the version it becomes."""

    source: SourceText
    version: int
    document_id: str
    run_id: str
    reclassify: bool = False
    #: The file's absolute path, recorded as one more path of its source.
    path: str | None = None


@dataclass(frozen=True, slots=True)
class _Extracted:
    """What parsing and extraction yield for one planned source (built in a worker).

    A first version's claims come as table rows (``rows``; ``extraction.drafts`` is then
    empty): the writer, which every worker feeds, has less to do per claim.
    """

    title: str | None
    text: str
    extraction: Extraction
    rows: ClaimRows | None = None

    @property
    def claim_count(self) -> int:
        return len(self.rows.claims) if self.rows is not None else len(self.extraction.drafts)


def source_row(document_id: str, source: SourceText) -> dict[str, str | None] | None:
    """How a document version was read: its encoding, and for an address the fetch."""
    fetched = source.fetched
    if fetched is None and source.encoding is None:
        return None
    row: dict[str, str | None] = {"document_id": document_id, "encoding": source.encoding}
    if fetched is not None:
        row |= {
            "url": fetched.url,
            "final_url": fetched.final_url,
            "redirects": json.dumps(fetched.redirects),
            "canonical_url": fetched.canonical_url,
            "content_type": fetched.content_type,
            "etag": fetched.etag,
            "last_modified": fetched.last_modified,
            "fetched_at": fetched.fetched_at,
        }
    return row


def _plan(
    db: sqlite_utils.Database, source: SourceText, run: Run, path: str | None = None
) -> _Planned | DocumentOutcome:
    """The next version of a changed source, or the outcome of an unchanged one.

    ``path`` (absolute) finds the document the file already is, whatever source key it was
    first given (another working directory, an absolute path): one file is one document.
    """
    recorded = True
    if path is not None:
        key, recorded = known_source(db, path, source.source)
        if key != source.source:
            source = dataclasses.replace(source, source=key)
    latest = latest_version(db, source.source)
    if path is not None and not recorded and latest is not None:
        # A document ingested before paths were kept: its path is recorded now.
        with write_transaction(db):
            remember_path(db, path, source.source)
    reclassify = False
    if latest is not None and latest["sha256"] == source.sha256:
        if latest["ruleset_version"] in (None, RULESET_VERSION):
            return DocumentOutcome(source.source, "unchanged", latest["version"], latest["id"], 0)
        # Read with other rules: the claims are extracted again, as a new version, so that
        # matched claims keep their ids and reviews and the change is recorded like an edit.
        reclassify = True
    version = 1 if latest is None else latest["version"] + 1
    return _Planned(source, version, document_id(source.source, version), run.id, reclassify, path)


def _extract(planned: _Planned) -> _Extracted:
    """Parse and extract one source: pure, so it can run in another process."""
    source = planned.source
    parsed = parse_source(source)
    extraction = extract(
        parsed, source=source.source, document_id=planned.document_id, version=planned.version
    )
    if planned.version > 1:  # the writer matches the claims to the previous version's first
        return _Extracted(parsed.title, parsed.text, extraction)
    rows = first_version_rows(
        extraction.drafts, document_id=planned.document_id, run_id=planned.run_id
    )
    extraction = Extraction(
        sections=extraction.sections, references=extraction.references, blocks=extraction.blocks
    )
    return _Extracted(parsed.title, parsed.text, extraction, rows)


def _store(
    db: sqlite_utils.Database, planned: _Planned, extracted: _Extracted, run: Run, *, first: bool
) -> DocumentOutcome:
    """Write one extracted version (and, with the first one, the run) in one transaction.

    Into an empty database the first one also defers the claims' indexes to the end of the
    run (:mod:`provenance.store.bulk`), which builds every pending index when it ends.
    """
    source = planned.source
    document = Document(
        id=planned.document_id,
        source=source.source,
        name=source.name,
        title=extracted.title,
        format=source.format,
        sha256=source.sha256,
        size=source.size,
        text=extracted.text,
        version=planned.version,
        ingested_at=utc_timestamp(SECONDS_FORMAT),
        run_id=run.id,
    )
    with write_transaction(db):
        if first:
            write_run(db, run)
            bulk.defer_indexes(db)
        if planned.path is not None:
            remember_path(db, planned.path, source.source)
        claims: Sequence[Claim | ClaimDraft] = extracted.extraction.drafts
        changes = None
        if document.version > 1:  # match the claims to the previous version's first
            claims, changes = reanchor(
                db,
                document.source,
                document.text,
                [c if isinstance(c, Claim) else c.validated() for c in claims],
                document.version,
            )
        write_document(
            db,
            DocumentWrite(
                document=document,
                claims=claims,
                sections=extracted.extraction.sections,
                references=extracted.extraction.references,
                blocks=extracted.extraction.blocks,
                rows=extracted.rows,
            ),
        )
        origin = source_row(planned.document_id, source)
        if origin is not None:
            write_document_source(db, origin)
        if changes is not None:  # then record how they fared, and reset edited ones' review
            record_version_changes(db, changes)
    status = "new" if planned.version == 1 else "reclassified" if planned.reclassify else "updated"
    return DocumentOutcome(
        source.source,
        status,
        planned.version,
        planned.document_id,
        extracted.claim_count,
        changes,
    )


def _size(item: Source) -> int:
    return len(item.data) if isinstance(item, FetchedSource) else item.stat().st_size


def auto_jobs(files: Sequence[Source]) -> int:
    """Worker processes worth starting: one per CPU for a large corpus, none for a small one."""
    if len(files) < 2 or sum(_size(item) for item in files) < PARALLEL_MIN_BYTES:
        return 1
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(cpus or 1, len(files)))


def _worker_context() -> multiprocessing.context.BaseContext:
    """fork where there is one: workers need nothing re-imported, and unlike spawn it works
    when the caller's main module cannot be re-run (``python -c``, a notebook)."""
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def _extract_now(planned: _Planned) -> Future[_Extracted]:
    """Extract in this process; a failure is kept in the future, like a worker's, so that it
    surfaces in document order, after the documents before it are written."""
    future: Future[_Extracted] = Future()
    try:
        future.set_result(_extract(planned))
    except Exception as error:  # re-raised by future.result(), in order
        future.set_exception(error)
    return future


@dataclass(frozen=True, slots=True)
class CheckedSources:
    """The sources to ingest that can be read, and one message for each that cannot."""

    files: list[Source]
    problems: list[str]


def _checked(item: Source, max_document_chars: int) -> str | None:
    """What is wrong with a source (None if nothing): a text over ``max_document_chars``
    characters, a PDF that is not read up to its first page with text, a DOCX not parsed. The
    source is read again when its turn comes: holding every text until then would make memory
    grow with the corpus."""
    try:
        source = read_source(item)
        check_document_size(source, max_document_chars)
        check_source(source)
    except ProvenanceError as error:
        return str(error)
    return None


def check_sources(
    paths: Iterable[str | Path],
    *,
    limits: FetchLimits = DEFAULT_LIMITS,
    max_document_chars: int = MAX_DOCUMENT_CHARS,
) -> CheckedSources:
    """Every source under ``paths``, each checked; no bad source (nor unreadable folder) stops
    the check.

    A string starting with ``http://`` or ``https://`` is a web address: it is fetched now
    (and kept in memory until its turn). Anything else is a file or a folder.
    """
    files: list[Source] = []
    problems: list[str] = []
    seen: set[str] = set()

    def consider(item: Source, key: str) -> None:
        if key in seen:
            return
        seen.add(key)
        problem = _checked(item, max_document_chars)
        if problem is None:
            files.append(item)
        else:
            problems.append(problem)

    for given in paths:
        if isinstance(given, str) and is_url(given):
            try:
                fetched = fetch_source(given, limits)
            except ProvenanceError as error:
                problems.append(str(error))
                continue
            consider(fetched, given.strip())
            continue
        for path in find_sources([Path(given)], problems):
            consider(path, display_source(path))
    return CheckedSources(files, problems)


class BadSources(ProvenanceError):
    """Sources that cannot be ingested: one line naming every one (and what is wrong with it)."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        if len(problems) == 1:
            super().__init__(problems[0])
        else:
            super().__init__(
                f"{len(problems)} sources cannot be ingested, so nothing was written"
                f" (--keep-going ingests the others): {'; '.join(problems)}"
            )


def prepare_sources(
    paths: Iterable[str | Path],
    *,
    limits: FetchLimits = DEFAULT_LIMITS,
    max_document_chars: int = MAX_DOCUMENT_CHARS,
) -> list[Source]:
    """The sources to ingest, each checked (a text of at most ``max_document_chars``
    characters) before anything is written.

    Raises :class:`BadSources`, naming every source that cannot be read, if any cannot.
    """
    checked = check_sources(paths, limits=limits, max_document_chars=max_document_chars)
    if checked.problems:
        raise BadSources(checked.problems)
    return checked.files


def ingest_files(
    files: Sequence[Source],
    db_path: str | Path,
    *,
    arguments: list[str],
    on_document: Callable[[DocumentOutcome], None] | None = None,
    jobs: int = 0,
) -> IngestSummary:
    """Ingest files already checked by :func:`prepare_sources`, one transaction each.

    With ``jobs`` > 1 (0: :func:`auto_jobs`), parsing and extraction run in that many worker
    processes while this one writes; documents are still written in the order given, so the
    result is the same as a serial run. At most two documents per worker are in flight, so
    memory does not grow with the corpus.
    """
    jobs = jobs or auto_jobs(files)
    db = open_database(Path(db_path))
    # Index upkeep on a growing claims table is the writer's cost; readers keep the default.
    db.execute(f"PRAGMA cache_size = -{INGEST_CACHE_KIB}")
    db.execute(f"PRAGMA wal_autocheckpoint = {INGEST_WAL_CHECKPOINT_PAGES}")
    run = new_run(arguments)
    summary = IngestSummary()
    pool = (
        ProcessPoolExecutor(
            jobs,
            mp_context=_worker_context(),
            initializer=exit_with_parent,
            initargs=(os.getpid(),),
        )
        if jobs > 1
        else None
    )
    in_flight: deque[tuple[_Planned | DocumentOutcome, Future[_Extracted] | None]] = deque()

    def finish() -> None:
        plan, future = in_flight.popleft()
        if isinstance(plan, DocumentOutcome):
            outcome = plan
        else:
            assert future is not None
            outcome = _store(db, plan, future.result(), run, first=summary.run_id is None)
            summary.run_id = run.id
        summary.outcomes.append(outcome)
        if on_document is not None:
            on_document(outcome)

    try:
        for item in files:
            path = None if isinstance(item, FetchedSource) else str(item.resolve())
            plan = _plan(db, read_source(item), run, path)
            if isinstance(plan, DocumentOutcome):
                in_flight.append((plan, None))
            elif pool is None:
                in_flight.append((plan, _extract_now(plan)))
            else:
                in_flight.append((plan, pool.submit(_extract, plan)))
            while len(in_flight) > 2 * jobs - 1:
                finish()
        while in_flight:
            finish()
        if bulk.pending(db):
            # This run's deferred indexes, or those of a load that cannot be known to have
            # ended (on another machine): an ingest that finishes leaves none pending.
            bulk.restore_indexes(db)
        refresh_statistics(db, summary.claims)
    except sqlite3.OperationalError as error:
        raise ProvenanceError(f"{db_path}: cannot write database ({error})") from None
    except BrokenProcessPool:
        raise ProvenanceError(
            "a worker process died (out of memory?); the documents before it were written,"
            " run again with --jobs 1"
        ) from None
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
        # After a failed document too: those before it were written and need their indexes.
        # If even this fails, the next process to open the database builds them.
        with contextlib.suppress(sqlite3.Error):
            if bulk.pending(db):
                bulk.restore_indexes(db)
        db.close()
    return summary


def ingest(
    paths: Iterable[str | Path],
    db_path: str | Path = "claims.db",
    *,
    on_document: Callable[[DocumentOutcome], None] | None = None,
    jobs: int = 0,
    limits: FetchLimits = DEFAULT_LIMITS,
    max_document_chars: int = MAX_DOCUMENT_CHARS,
) -> IngestSummary:
    """Ingest files, folders and web addresses into the database at ``db_path``.

    Every source is checked (every address fetched) before anything is written, so a bad one
    (or a text over ``max_document_chars``
    characters) changes nothing.
    """
    paths = list(paths)
    files = prepare_sources(paths, limits=limits, max_document_chars=max_document_chars)
    return ingest_files(
        files, db_path, arguments=[str(p) for p in paths], on_document=on_document, jobs=jobs
    )
