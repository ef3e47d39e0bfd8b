"""Two reviewers annotating while a third process re-ingests lose no write (WAL, busy timeout)."""

from __future__ import annotations

import multiprocessing
import sqlite3
from multiprocessing.synchronize import Event
from pathlib import Path

from provenance.ingest import ingest
from provenance.review.log import make_annotation, recomputed_statuses, record_annotations
from provenance.store.connection import open_database

ANNOTATIONS_EACH = 40
INGEST_ROUNDS = 6


def annotate_many(db_path: str, reviewer: str, claim_ids: list[str], start: Event) -> None:
    start.wait()
    db = open_database(Path(db_path), create=False)
    try:
        for n in range(ANNOTATIONS_EACH):
            verdict = ("supported", "contradicted", "unverifiable")[n % 3]
            claim_id = claim_ids[n % len(claim_ids)]
            record_annotations(db, [make_annotation(claim_id, reviewer, verdict, note=str(n))])
    finally:
        db.close()


def ingest_versions(db_path: str, document: str, texts: list[str], start: Event) -> None:
    start.wait()
    for n in range(INGEST_ROUNDS):
        Path(document).write_text(texts[n % 2], encoding="utf-8")
        ingest([Path(document)], Path(db_path))


def test_concurrent_annotators_and_ingest_lose_no_write(
    ingested_db: Path, example_copy: Path
) -> None:
    conn = sqlite3.connect(ingested_db)
    try:
        claim_ids = [r[0] for r in conn.execute("select id from claims order by start limit 30")]
        assert conn.execute("pragma journal_mode").fetchone()[0] == "wal"
    finally:
        conn.close()
    original = example_copy.read_text(encoding="utf-8")
    edited = original.replace("Magnesium is a vital mineral", "Magnesium is a crucial mineral")
    context = multiprocessing.get_context("spawn")
    start = context.Event()
    workers = [
        context.Process(target=annotate_many, args=(str(ingested_db), "alice", claim_ids, start)),
        context.Process(
            target=annotate_many, args=(str(ingested_db), "bob", claim_ids[::-1], start)
        ),
        context.Process(
            target=ingest_versions,
            args=(str(ingested_db), str(example_copy), [edited, original], start),
        ),
    ]
    for worker in workers:
        worker.start()
    start.set()
    for worker in workers:
        worker.join(timeout=240)
    assert [w.exitcode for w in workers] == [0, 0, 0]

    db = open_database(ingested_db)
    try:
        notes = sorted(
            db.conn.execute("select reviewer, cast(note as integer) from annotations").fetchall()
        )
        versions = db.conn.execute("select count(*) from documents").fetchone()[0]
        stored = dict(db.conn.execute("select id, evidence_status from claims").fetchall())
        recomputed = {k: v.value for k, v in recomputed_statuses(db).items()}
    finally:
        db.close()
    expected = sorted((who, n) for who in ("alice", "bob") for n in range(ANNOTATIONS_EACH))
    assert notes == expected
    assert versions == 1 + INGEST_ROUNDS
    assert stored == recomputed

    # every connection is closed, so the log is folded back into the file: an immutable
    # reader (how Datasette serves the database) sees every annotation
    immutable = sqlite3.connect(f"file:{ingested_db}?immutable=1", uri=True)
    try:
        assert immutable.execute("select count(*) from annotations").fetchone()[0] == len(expected)
    finally:
        immutable.close()
