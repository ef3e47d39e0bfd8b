"""Ingest: read, parse, extract and store documents, one transaction per document."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import sqlite_utils

from provenance import __version__
from provenance.classify import RULESET_VERSION
from provenance.errors import ProvenanceError
from provenance.extract import extract
from provenance.ids import document_id
from provenance.models import Document, Run
from provenance.parse import parse_document
from provenance.read import SourceText, decode, find_sources, read_source
from provenance.store import (
    DocumentWrite,
    latest_version,
    open_database,
    write_document,
    write_run,
    write_transaction,
)
from provenance.versions import VersionDiff


@dataclass(frozen=True, slots=True)
class DocumentOutcome:
    """What ingesting one source did."""

    source: str
    status: str  # "new", "updated" (a new version) or "unchanged"
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


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def new_run(arguments: list[str]) -> Run:
    started = datetime.now(timezone.utc).isoformat(timespec="microseconds")
    run_id = hashlib.sha256(("\x1f".join([started, *arguments])).encode()).hexdigest()[:12]
    return Run(
        id=run_id,
        started_at=started.replace("+00:00", "Z"),
        tool_version=__version__,
        ruleset_version=RULESET_VERSION,
        arguments=arguments,
    )


def validate_sources(paths: Iterable[Path]) -> None:
    """Refuse the whole ingest before writing anything if any file is unreadable."""
    for path in paths:
        try:
            data = path.read_bytes()
        except OSError as error:
            raise ProvenanceError(f"{path}: cannot read ({error.strerror})") from None
        decode(data, str(path))


def ingest_source(
    db: sqlite_utils.Database, source: SourceText, run: Run, *, run_written: bool
) -> DocumentOutcome:
    """Ingest one read source in one transaction; an unchanged source writes nothing."""
    latest = latest_version(db, source.source)
    if latest is not None and latest["sha256"] == source.sha256:
        return DocumentOutcome(source.source, "unchanged", latest["version"], latest["id"], 0)
    version = 1 if latest is None else latest["version"] + 1
    doc_id = document_id(source.source, version)
    parsed = parse_document(source.text, source.format)
    extraction = extract(parsed, source=source.source, document_id=doc_id, version=version)
    document = Document(
        id=doc_id,
        source=source.source,
        name=source.name,
        title=parsed.title,
        format=source.format,
        sha256=source.sha256,
        size=source.size,
        text=parsed.text,
        version=version,
        ingested_at=utc_now(),
        run_id=run.id,
    )
    with write_transaction(db):
        if not run_written:
            write_run(db, run)
        changes = write_document(
            db,
            DocumentWrite(
                document=document,
                claims=extraction.claims,
                sections=extraction.sections,
                references=extraction.references,
            ),
        )
    status = "new" if latest is None else "updated"
    return DocumentOutcome(source.source, status, version, doc_id, len(extraction.claims), changes)


def prepare_sources(paths: Iterable[str | Path]) -> list[Path]:
    """The files to ingest, each checked to be readable UTF-8 text before anything is written."""
    files = find_sources([Path(p) for p in paths])
    validate_sources(files)
    return files


def ingest_files(
    files: list[Path],
    db_path: str | Path,
    *,
    arguments: list[str],
    on_document: Callable[[DocumentOutcome], None] | None = None,
) -> IngestSummary:
    """Ingest files already checked by :func:`prepare_sources`, one transaction each."""
    db = open_database(Path(db_path))
    run = new_run(arguments)
    summary = IngestSummary()
    try:
        for path in files:
            written = summary.run_id is not None
            outcome = ingest_source(db, read_source(path), run, run_written=written)
            if outcome.status != "unchanged":
                summary.run_id = run.id
            summary.outcomes.append(outcome)
            if on_document is not None:
                on_document(outcome)
    except sqlite3.OperationalError as error:
        raise ProvenanceError(f"{db_path}: cannot write database ({error})") from None
    finally:
        db.close()
    return summary


def ingest(
    paths: Iterable[str | Path],
    db_path: str | Path = "claims.db",
    *,
    on_document: Callable[[DocumentOutcome], None] | None = None,
) -> IngestSummary:
    """Ingest files and folders into the database at ``db_path``.

    Every file is checked before anything is written, so a bad file changes nothing.
    """
    paths = list(paths)
    files = prepare_sources(paths)
    return ingest_files(files, db_path, arguments=[str(p) for p in paths], on_document=on_document)
