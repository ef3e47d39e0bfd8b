"""One synthetic ledger builder for the audit, Datasette and export benchmarks.

A ledger is written the way ingest writes one, by the store itself: the production schema
(``open_database`` applies every migration), one transaction a document
(``store.writes.write_document``), the secondary indexes built once at the end of the load
(``store.bulk``) and planner statistics after it. Verdicts go through the annotation log. So
a benchmark's database never drifts from the schema the code uses.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

from provenance.extract.positions import LineIndex
from provenance.ids import claim_id, claim_key, document_id, normalise_text
from provenance.models import (
    Attribution,
    Category,
    Certainty,
    Claim,
    ClaimDraft,
    Document,
    DocumentFormat,
    EvidenceStatus,
    Run,
)
from provenance.review.log import make_annotation, record_annotations
from provenance.store import bulk
from provenance.store.connection import open_database
from provenance.store.writes import (
    DocumentWrite,
    refresh_statistics,
    write_document,
    write_run,
    write_transaction,
)

RUN = Run(
    id="benchmark000",
    started_at="2026-01-01T00:00:00.000000Z",
    tool_version="benchmark",
    ruleset_version="benchmark",
)
INGESTED_AT = "2026-01-01T00:00:00Z"
#: The attribution a text-derived or reviewed status implies in a synthetic claim.
_ATTRIBUTION = {"cited": Attribution.cited, "attributed": Attribution.vague}

LedgerDocument = tuple[Document, Sequence[Claim | ClaimDraft]]


def new_document(source: str, text: str, fmt: DocumentFormat, version: int = 1) -> Document:
    """A document version as ingest would record it (fixed times: the ledger is reproducible)."""
    data = text.encode("utf-8")
    return Document(
        id=document_id(source, version),
        source=source,
        name=Path(source).stem,
        title=None,
        format=fmt,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        text=text,
        version=version,
        ingested_at=INGESTED_AT,
        run_id=RUN.id,
    )


def synthetic_documents(
    claims: int,
    *,
    per_document: int,
    sentence: Callable[[random.Random], str],
    heading: Callable[[random.Random, int], str],
    statuses: dict[str, int],
    seed: int,
    section_every: int = 50,
    sentences_per_paragraph: int = 5,
    hedged: float = 0.3,
) -> Iterator[LedgerDocument]:
    """Markdown documents of ``per_document`` claims each until there are ``claims``.

    A ``## heading`` (``heading(rng, n)`` for the n-th section) opens every ``section_every``
    sentences, paragraphs have ``sentences_per_paragraph``; each claim's status is drawn with
    the ``statuses`` weights (its attribution follows it), its category at random and its
    certainty hedged with probability ``hedged``.
    """
    rng = random.Random(seed)
    names, weights = list(statuses), list(statuses.values())
    categories = list(Category)
    for number, first in enumerate(range(0, claims, per_document)):
        source = f"docs/document-{number:05d}.md"
        doc_id = document_id(source, 1)
        parts: list[str] = []
        spans: list[tuple[int, int, str | None]] = []
        offset = 0
        section: str | None = None
        for position in range(min(per_document, claims - first)):
            if position % section_every == 0:
                section = heading(rng, position // section_every + 1)
                parts.append(f"## {section}\n\n")
                offset += len(section) + 5
            text = sentence(rng)
            end_of_paragraph = position % sentences_per_paragraph == sentences_per_paragraph - 1
            separator = "\n\n" if end_of_paragraph else " "
            spans.append((offset, offset + len(text), section))
            parts.append(text + separator)
            offset += len(text) + len(separator)
        document_text = "".join(parts)
        lines = LineIndex(document_text)
        occurrences: dict[str, int] = {}
        drafts = []
        for position, (start, end, under) in enumerate(spans):
            text = document_text[start:end]
            normalised = normalise_text(text)
            occurrences[normalised] = occurrences.get(normalised, 0) + 1
            status = EvidenceStatus(rng.choices(names, weights)[0])
            line, column = lines.line_column(start)
            drafts.append(
                ClaimDraft(
                    id=claim_id(source, normalised, occurrences[normalised]),
                    claim_key=claim_key(normalised),
                    document=source,
                    document_id=doc_id,
                    version=1,
                    section=under,
                    paragraph=position // sentences_per_paragraph,
                    start=start,
                    end=end,
                    line=line,
                    column=column,
                    text=text,
                    category=rng.choice(categories),
                    category_cues=[],
                    certainty=Certainty.hedged if rng.random() < hedged else Certainty.asserted,
                    hedge_cues=[],
                    attribution=_ATTRIBUTION.get(status.value, Attribution.none),
                    attribution_cues=[],
                    citations=[],
                    evidence_status=status,
                )
            )
        yield new_document(source, document_text, DocumentFormat.markdown), drafts


def write_ledger(path: Path, documents: Iterable[LedgerDocument]) -> int:
    """Write ``documents`` into the ledger at ``path`` (created if needed); returns the claims
    written. Into an empty ledger the indexes are built once, at the end, as in a bulk load."""
    db = open_database(path)
    written = 0
    try:
        for number, (document, claims) in enumerate(documents):
            with write_transaction(db):
                if number == 0:
                    write_run(db, RUN)
                    bulk.defer_indexes(db)
                write_document(db, DocumentWrite(document=document, claims=claims))
            written += len(claims)
        if bulk.pending(db):
            bulk.restore_indexes(db)
        refresh_statistics(db, written)
    finally:
        db.close()
    return written


def mark_earlier_versions(path: Path, fraction: float) -> None:
    """Make about ``fraction`` of the claims claims of earlier document versions (not current),
    spread evenly over the ledger."""
    if fraction <= 0:
        return
    db = open_database(path, create=False)
    try:
        with write_transaction(db):
            db.execute(
                "update claims set is_current = 0 where (rowid * 2654435761) % 100000 < ?",
                [round(fraction * 100_000)],
            )
    finally:
        db.close()


def record_verdicts(
    path: Path, *, every: int, reviewer: str, verdict: str, evidence: list[str], created_at: str
) -> int:
    """One verdict on every ``every``-th claim (by rowid), through the annotation log."""
    db = open_database(path, create=False)
    try:
        ids = [
            row[0] for row in db.execute(f"select id from claims where rowid % {int(every)} = 0")
        ]
        annotations = [
            make_annotation(i, reviewer, verdict, evidence, created_at=created_at) for i in ids
        ]
        return record_annotations(db, annotations)
    finally:
        db.close()
