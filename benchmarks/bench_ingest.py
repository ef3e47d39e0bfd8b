"""Ingest benchmark: MB/s, claims/s and peak memory, next to the floor on the same run.

Generates a deterministic corpus of realistic health-science prose (headings, paragraphs,
hedges, vague attributions, numeric and author-year citations, doses, statistics, FAQ
questions, reference lists) as many plain-text and Markdown files, ingests it with provenance
(one core, FTS included), and measures in child processes so that each figure's peak RSS is
its own:

- ingest: ``provenance.ingest.ingest(folder, db, jobs=1)`` end to end on one core;
- the same with worker processes (``--jobs``, default one per CPU), with the writer's own CPU
  time per claim: the writer does not scale with cores, so it bounds ingest (MB/s) however
  many workers feed it;
- floor: read + sha256 of every file, plus a raw ``executemany`` of the same claim rows into an
  empty copy of the claims table (what any tool storing these rows must at least pay);
- storage: the same claim rows, read back from the ingested database, written into a fresh
  database made by ``provenance.store.connection.open_database`` (the production schema: every
  index, and FTS5 filled per document) the way ingest writes them (one transaction per document
  with its ``documents`` row, the indexes built once at the end as in a bulk load, the writer's page
  cache and checkpoint interval): what SQLite alone costs per claim with that schema
  (sections, references and citations rows are left out; reading the rows back is not timed;
  the report splits claim inserts, FTS, commits, the index build and the final close);
- ingest at a quarter of the corpus, to show that peak memory does not grow with its size.

The report also gives the corpus's claim lengths (mean, quartiles), bytes per claim and the
share of distinct claim texts, so that MB/s figures from different corpora can be compared.

Since the goal is stated in MB/s, the corpus's bytes per claim matter as much as its size: the
sentences are built (short reports, plain claims, trials with doses and confidence intervals,
compound sentences with subordinate clauses, lists of outcomes) in proportions calibrated on
the real prose in this repository. Each text ingested alone (``provenance ingest FILE``), then
``length(text)`` of its claims and its bytes over its claim count; the generated figures are
from this script's ``bench.db`` (the same query), distinct = distinct claim texts / claims:

=====================================  ======  =================  ===========  ========
text                                   claims  chars/claim mean   bytes/claim  distinct
                                               (quartiles)
=====================================  ======  =================  ===========  ========
corpus/magnesium-glutamate.txt             99  146 (124/145/165)          158     100 %
data/citations/*.md (3 PLOS articles)     446  174 (116/166/222)          216     100 %
data/hedges/bioscope_abstracts.jsonl     1257  158 (109/148/193)          159     100 %
generated, generator 1 (4 MB)           46751  85 (73/84/96)               88      30 %
generated, generator 2 (100 MB)        585072  158 (108/159/200)          177    98.6 %
=====================================  ======  =================  ===========  ========

(BioScope: the abstracts' sentences joined into one paragraph per abstract; its raw sentences
average 152 characters, quartiles 106/145/187.) Headings are 1.4 % of the generated text
(real: 1.4 % PLOS, 6.4 % the magnesium article), reference lists 8 % (real: 16.5 % PLOS,
none in the others); 28 % of claims are cited, 8 % vaguely attributed, a third hedged.

The generator is ``benchmarks/corpus.py``.

Usage: ``python -m benchmarks.bench_ingest [--mb 100] [--documents 400]`` (from the repository
root)
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.corpus import generate_corpus

OUT = Path(__file__).resolve().parent / "out"


def _child(args: list[str]) -> tuple[float, float, int, str]:
    """Run this script's phase in a child: wall and CPU seconds, peak RSS in KiB, stdout."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.bench_ingest", *args],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,  # where ``benchmarks`` is a package
    )
    assert process.stdout is not None
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"phase {args[0]} failed with status {status}")
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, output


def phase_ingest(corpus: Path, db: Path, limit: int | None, jobs: int) -> None:
    from provenance.extract.read import find_sources
    from provenance.ingest import ingest

    files = find_sources([corpus])
    if limit is not None:
        files = files[:limit]
    db.unlink(missing_ok=True)
    summary = ingest(files, db, jobs=jobs)
    # This process alone: with worker processes, the writer's own CPU time.
    own = resource.getrusage(resource.RUSAGE_SELF)
    print(
        json.dumps(
            {
                "claims": summary.claims,
                "documents": len(summary.outcomes),
                "own_cpu_s": own.ru_utime + own.ru_stime,
            }
        )
    )


def phase_floor(corpus: Path, db: Path, floor_db: Path) -> None:
    started = time.perf_counter()
    for path in sorted(p for p in corpus.rglob("*") if p.suffix in {".txt", ".md"}):
        hashlib.sha256(path.read_bytes()).hexdigest()
    read_seconds = time.perf_counter() - started
    floor_db.unlink(missing_ok=True)
    source = sqlite3.connect(db)
    target = sqlite3.connect(floor_db)
    create = source.execute("select sql from sqlite_master where name = 'claims'").fetchone()[0]
    target.execute(create)
    columns = [row[1] for row in source.execute("pragma table_info(claims)")]
    insert = (
        f"insert into claims ({', '.join(f'[{c}]' for c in columns)})"
        f" values ({', '.join('?' for _ in columns)})"
    )
    rows = source.execute(f"select {', '.join(f'[{c}]' for c in columns)} from claims")
    started = time.perf_counter()
    with target:
        target.executemany(insert, rows)
    insert_seconds = time.perf_counter() - started
    print(json.dumps({"read_sha256_s": read_seconds, "executemany_s": insert_seconds}))


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in conn.execute(f"pragma table_info([{table}])")]


def _select(
    source: sqlite3.Connection, target: sqlite3.Connection, table: str, where: str, key: Any
) -> tuple[str, list[Any]]:
    """The insert into target of ``table``'s rows matching ``where`` in source, and the rows.

    Only the columns both schemas have, so that the benchmark survives schema changes.
    """
    wanted = set(_columns(target, table))
    columns = [f"[{c}]" for c in _columns(source, table) if c in wanted]
    rows = source.execute(f"select {', '.join(columns)} from [{table}] where {where}", [key])
    insert = (
        f"insert into [{table}] ({', '.join(columns)}) values ({', '.join('?' * len(columns))})"
    )
    return insert, rows.fetchall()


def phase_storage(db: Path, storage_db: Path) -> None:
    """The claim rows of ``db`` into a fresh production database, one transaction a document,
    written the way ingest writes them: the secondary indexes built once at the end (a bulk
    load, :mod:`provenance.store.bulk`), the writer's page cache and checkpoint interval.

    Only the transactions, the index build and the final close are timed (rows are read from
    ``db`` before each transaction).
    """
    from provenance.ingest import INGEST_CACHE_KIB, INGEST_WAL_CHECKPOINT_PAGES
    from provenance.store import bulk
    from provenance.store.connection import open_database

    for path in (storage_db, Path(f"{storage_db}-wal"), Path(f"{storage_db}-shm")):
        path.unlink(missing_ok=True)
    database = open_database(storage_db)
    target = database.conn
    target.execute(f"PRAGMA cache_size = -{INGEST_CACHE_KIB}")
    target.execute(f"PRAGMA wal_autocheckpoint = {INGEST_WAL_CHECKPOINT_PAGES}")
    source = sqlite3.connect(db)
    with target:
        for (run_id,) in source.execute("select id from runs").fetchall():
            target.executemany(*_select(source, target, "runs", "id = ?", run_id))
    # As ingest fills it for a first version: the rows just inserted (their rowids follow the
    # largest before them; during a bulk load no index on document exists).
    fts = "insert into claims_fts(rowid, text) select rowid, text from claims where rowid > ?"
    wall = claims_seconds = fts_seconds = commit_seconds = 0.0
    deferred: bool | None = None
    for (document_id,) in source.execute("select id from documents order by rowid").fetchall():
        document = _select(source, target, "documents", "id = ?", document_id)
        claims = _select(source, target, "claims", "document_id = ?", document_id)
        started = time.perf_counter()
        target.execute("BEGIN IMMEDIATE")
        if deferred is None:
            deferred = bulk.defer_indexes(database)
        target.executemany(*document)
        claims_started = time.perf_counter()
        last_rowid = target.execute("select max(rowid) from claims").fetchone()[0] or 0
        target.executemany(*claims)
        fts_started = time.perf_counter()
        target.execute(fts, [last_rowid])
        fts_ended = time.perf_counter()
        target.execute("COMMIT")
        ended = time.perf_counter()
        wall += ended - started
        claims_seconds += fts_started - claims_started
        fts_seconds += fts_ended - fts_started
        commit_seconds += ended - fts_ended
    count = target.execute("select count(*) from claims").fetchone()[0]
    started = time.perf_counter()
    bulk.restore_indexes(database)
    index_seconds = time.perf_counter() - started
    wall += index_seconds
    started = time.perf_counter()
    target.close()  # folds the write-ahead log back into the file, as the ingest's close does
    close_seconds = time.perf_counter() - started
    wall += close_seconds
    print(
        json.dumps(
            {
                "claims": count,
                "wall_s": wall,
                "claims_s": claims_seconds,
                "fts_s": fts_seconds,
                "commit_s": commit_seconds,
                "index_s": index_seconds,
                "close_s": close_seconds,
            }
        )
    )


def claim_statistics(db: Path) -> dict[str, Any]:
    """Claim lengths in characters (mean, quartiles) and the share of distinct claim texts."""
    conn = sqlite3.connect(db)
    lengths = [row[0] for row in conn.execute("select length(text) from claims")]
    distinct = conn.execute("select count(distinct text) from claims").fetchone()[0]
    conn.close()
    return {
        "mean": statistics.fmean(lengths),
        "quartiles": [round(q) for q in statistics.quantiles(lengths, n=4)],
        "distinct": distinct / len(lengths),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=100, help="corpus size in MB (default 100)")
    parser.add_argument("--documents", type=int, default=400)
    parser.add_argument("--phase", choices=["ingest", "floor", "storage"], help=argparse.SUPPRESS)
    parser.add_argument("--limit", type=int, help=argparse.SUPPRESS)
    parser.add_argument(
        "--jobs", type=int, default=0, help="workers for the parallel run (0: one per CPU)"
    )
    args = parser.parse_args()
    corpus = OUT / "corpus"
    db = OUT / "bench.db"
    if args.phase == "ingest":
        target = db if args.limit is None else OUT / "quarter.db"
        phase_ingest(corpus, target, args.limit, args.jobs)
        return
    if args.phase == "floor":
        phase_floor(corpus, db, OUT / "floor.db")
        return
    if args.phase == "storage":
        phase_storage(db, OUT / "storage.db")
        return

    size = generate_corpus(corpus, args.mb, args.documents)
    megabytes = size / 1e6
    quarter = args.documents // 4
    one_core = ["--phase", "ingest", "--jobs", "1"]
    q_seconds, _, q_rss, _ = _child([*one_core, "--limit", str(quarter)])
    p_seconds, _, p_rss, p_output = _child(["--phase", "ingest", "--jobs", str(args.jobs)])
    writer_cpu = json.loads(p_output)["own_cpu_s"]
    seconds, cpu, rss, output = _child(one_core)
    counts = json.loads(output)
    _, _, floor_rss, floor_output = _child(["--phase", "floor"])
    floor = json.loads(floor_output)
    floor_seconds = floor["read_sha256_s"] + floor["executemany_s"]
    _, _, storage_rss, storage_output = _child(["--phase", "storage"])
    storage = json.loads(storage_output)
    lengths = claim_statistics(db)
    claims = counts["claims"]
    report = {
        "python": sys.version.split()[0],
        "corpus_mb": round(megabytes, 1),
        "documents": counts["documents"],
        "claims": claims,
        "claim_chars_mean": round(lengths["mean"], 1),
        "claim_chars_quartiles": lengths["quartiles"],
        "bytes_per_claim": round(size / claims, 1),
        "distinct_claims_share": round(lengths["distinct"], 4),
        "ingest_s": round(seconds, 2),
        "ingest_mb_per_s": round(megabytes / seconds, 2),
        "ingest_cpu_s": round(cpu, 2),
        "ingest_mb_per_cpu_s": round(megabytes / cpu, 2),
        "ingest_claims_per_s": round(claims / seconds),
        "ingest_us_per_claim": round(seconds / claims * 1e6, 1),
        "ingest_peak_rss_mb": round(rss / 1024, 1),
        "quarter_corpus_peak_rss_mb": round(q_rss / 1024, 1),
        "parallel_jobs": args.jobs or os.cpu_count(),
        "parallel_ingest_s": round(p_seconds, 2),
        "parallel_mb_per_s": round(megabytes / p_seconds, 2),
        "parallel_writer_peak_rss_mb": round(p_rss / 1024, 1),
        # The writer (the parent of the workers) is the one part that does not scale with
        # cores: its CPU per claim bounds ingest however many workers feed it.
        "parallel_writer_cpu_us_per_claim": round(writer_cpu / counts["claims"] * 1e6, 1),
        "writer_bound_mb_per_s": round(megabytes / writer_cpu, 2),
        "quarter_corpus_mb_per_s": round(megabytes / 4 / q_seconds, 2),
        "floor_read_sha256_s": round(floor["read_sha256_s"], 2),
        "floor_executemany_s": round(floor["executemany_s"], 2),
        "floor_mb_per_s": round(megabytes / floor_seconds, 2),
        "floor_peak_rss_mb": round(floor_rss / 1024, 1),
        "floor_us_per_claim": round(floor_seconds / claims * 1e6, 1),
        "storage_claims": storage["claims"],
        "storage_s": round(storage["wall_s"], 2),
        "storage_claims_insert_s": round(storage["claims_s"], 2),
        "storage_fts_s": round(storage["fts_s"], 2),
        "storage_commit_s": round(storage["commit_s"], 2),
        "storage_index_s": round(storage["index_s"], 2),
        "storage_close_s": round(storage["close_s"], 2),
        "storage_us_per_claim": round(storage["wall_s"] / storage["claims"] * 1e6, 1),
        "storage_mb_per_s": round(megabytes / storage["wall_s"], 2),
        "storage_peak_rss_mb": round(storage_rss / 1024, 1),
        "db_mb": round((OUT / "bench.db").stat().st_size / 1e6, 1),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
