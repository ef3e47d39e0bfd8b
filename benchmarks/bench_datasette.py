"""How fast is ``provenance serve`` on a large ledger?

Builds a synthetic claims database (1M claims by default, real schema, real indexes, FTS)
and times HTML pages through Datasette configured exactly as ``provenance serve``
configures it (read-only connections of a WAL database, remembered aggregates, settings,
the plugin, the warm-up request):

- the claims page with the default facets (the goal: p50 <= 150 ms);
- a full-text search on the claims page (the goal: p50 <= 50 ms), for a word in about a
  thousand claims, and, first views, for words in a few thousand;
- the claims page filtered by one category, each filter viewed for the first time (its
  facets are not remembered yet: honest cost of a reviewer's first click);
- with --writer SECONDS, all of it again while another process records a verdict every
  SECONDS (each commit changes the ledger, so remembered counts are computed again);
- with --document-claims N, only the document page of one document of N claims (the goal:
  any document page within a second at 400 k claims);
- with --baseline, the same claims page with Datasette's defaults.

Requests go through the in-process ASGI client (no sockets). ``--old 0.05`` makes 5% of
the claims belong to earlier document versions, which the default view then filters out.

Run:  .venv/bin/python -m benchmarks.bench_datasette [--claims 1000000] [--old 0.0] [--writer 0.2]
      .venv/bin/python -m benchmarks.bench_datasette --document-claims 400000
The database is kept in benchmarks/out/ and reused while its parameters match.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import random
import sqlite3
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from benchmarks.ledger import mark_earlier_versions, synthetic_documents, write_ledger
from provenance.publish.metadata import build_metadata
from provenance.publish.serve import SETTINGS, make_datasette, warm_up
from provenance.review.log import make_annotation, record_annotations
from provenance.store.connection import open_database

OUT = Path(__file__).resolve().parent / "out"
CATEGORIES = ["definition", "mechanism", "causal", "efficacy", "quantitative", "recommendation",
              "evidence", "evaluative", "meta", "personal"]  # fmt: skip
STATUSES = [("unsupported", 70), ("attributed", 10), ("cited", 14), ("supported", 3),
            ("contradicted", 1), ("unverifiable", 1), ("disputed", 1)]  # fmt: skip
HEADINGS = [f"Heading {n}: {word}" for n, word in enumerate(
    ["Introduction", "Mechanisms", "Evidence", "Dosage", "Safety", "Diet", "Sleep",
     "Stress", "Brain", "Conclusion"] * 6)]  # fmt: skip
#: A word in about one claim in a thousand: what a reviewer searches for.
RARE_WORD = "taurine"
PER_DOCUMENT = 500


def sentence(rng: random.Random, words: list[str]) -> str:
    body = " ".join(rng.choice(words) for _ in range(rng.randint(8, 18)))
    if rng.random() < 0.001:
        body += " " + RARE_WORD
    return body[0].upper() + body[1:] + "."


def build(
    path: Path, claims: int, old_fraction: float, seed: int = 1, per_document: int = PER_DOCUMENT
) -> None:
    """A ledger of ``claims`` claims in documents of ``per_document`` (see ``ledger.py``)."""
    rng = random.Random(seed)
    words = [
        "".join(rng.choice("abcdefghiklmnoprstu") for _ in range(rng.randint(3, 9)))
        for _ in range(3000)
    ] + ["magnesium", "glutamate", "may", "reduce", "brain", "the", "of", "and", "is"] * 40
    write_ledger(
        path,
        synthetic_documents(
            claims,
            per_document=per_document,
            sentence=lambda rng: sentence(rng, words),
            heading=lambda rng, number: rng.choice(HEADINGS),
            statuses=dict(STATUSES),
            seed=seed,
            section_every=50,
            hedged=0.5,
        ),
    )
    mark_earlier_versions(path, old_fraction)


def build_once(path: Path, claims: int, old_fraction: float, per_document: int) -> None:
    """Build under another name and rename when done: a killed build leaves nothing reused."""
    if path.exists():
        return
    started = time.perf_counter()
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    build(partial, claims, old_fraction, per_document=per_document)
    partial.rename(path)
    print(f"built {path.name} in {time.perf_counter() - started:.0f} s")


def annotate_forever(path: Path, interval: float, stop: Any, done: Any) -> None:
    """A concurrent writer: a reviewer's verdict on a random claim every ``interval`` seconds,
    each recorded as ``provenance annotate`` records it (its own transaction)."""
    rng = random.Random(7)
    db = open_database(path, create=False)
    try:
        (last,) = db.execute("select max(rowid) from claims").fetchone()
        while not stop.is_set():
            row = db.execute("select id from claims where rowid = ?", [rng.randint(1, last)])
            found = row.fetchone()
            if found:
                verdict = rng.choice(["supported", "contradicted", "unverifiable"])
                reviewer = f"bench{rng.randrange(3)}"
                record_annotations(db, [make_annotation(found[0], reviewer, verdict)])
                with done.get_lock():
                    done.value += 1
            stop.wait(interval)
    finally:
        db.close()


@contextmanager
def concurrent_writer(path: Path, interval: float) -> Iterator[Any]:
    """A writer process annotating while the block runs; yields its count of commits."""
    context = multiprocessing.get_context("spawn")
    stop = context.Event()
    done = context.Value("i", 0)
    process = context.Process(target=annotate_forever, args=(path, interval, stop, done))
    process.start()
    try:
        while not done.value:  # it has committed once: the ledger is changing
            time.sleep(0.05)
        yield done
    finally:
        stop.set()
        process.join(30)


def time_document_pages(claims: int, repeat: int) -> None:
    """A single document of ``claims`` claims: its page, first, in the middle, filtered."""
    path = OUT / f"bench-document-{claims}.db"
    build_once(path, claims, 0.0, per_document=claims)
    conn = sqlite3.connect(f"file:{path.resolve().as_posix()}?immutable=1", uri=True)
    try:
        (document,) = conn.execute("select id from documents").fetchone()
        (middle,) = conn.execute(
            "select id from claims order by start limit 1 offset ?", [claims // 2]
        ).fetchone()
    finally:
        conn.close()
    ds = make_datasette(path)
    page = f"/-/provenance/documents/{document}"
    cases = {
        "first part": page,
        "the part holding a claim in the middle": f"{page}?claim={middle}",
        "that part, only contradicted claims marked": f"{page}?status=contradicted&claim={middle}",
    }
    for label, url in cases.items():
        timings = asyncio.run(time_requests(ds, [url] * repeat))
        report(f"document page of {claims:,} claims, {label}", timings)


#: Requests that did not answer 200 (a query over the time limit on a loaded machine), by case.
FAILURES: list[str] = []


async def time_requests(ds: Any, paths: list[str]) -> list[float]:
    """Milliseconds per request, in order; an answer other than 200 is counted in FAILURES."""
    timings = []
    for path in paths:
        started = time.perf_counter()
        response = await ds.client.get(path)
        timings.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            FAILURES.append(f"{path}: HTTP {response.status_code}")
    return timings


def search_words(path: Path, count: int) -> list[str]:
    """Distinct words of the synthetic vocabulary, each in a few thousand claims."""
    conn = sqlite3.connect(f"file:{path.resolve().as_posix()}?immutable=1", uri=True)
    try:
        texts = [r[0] for r in conn.execute("select text from claims limit ?", [count * 3])]
    finally:
        conn.close()
    found: list[str] = []
    for text in texts:
        word = max(text.rstrip(".").lower().split(), key=len)
        if word not in found:
            found.append(word)
    return found[:count]


def matches(path: Path, word: str) -> int:
    conn = sqlite3.connect(f"file:{path.resolve().as_posix()}?immutable=1", uri=True)
    try:
        sql = "select count(*) from claims_fts where claims_fts match ?"
        return int(conn.execute(sql, [f'"{word}"']).fetchone()[0])
    finally:
        conn.close()


def facet_timeouts(ds: Any, path: str) -> list[str]:
    async def fetch() -> list[str]:
        response = await ds.client.get(f"{path}.json?_extra=facets_timed_out")
        return list(response.json().get("facets_timed_out") or [])

    return asyncio.run(fetch())


def report(label: str, timings: list[float]) -> dict[str, Any]:
    result = {
        "case": label,
        "p50_ms": round(statistics.median(timings), 1),
        "min_ms": round(min(timings), 1),
        "max_ms": round(max(timings), 1),
        "runs": len(timings),
    }
    print(json.dumps(result))
    return result


def time_pages(ds: Any, path: Path, table: str, words: list[str], repeat: int, note: str) -> None:
    report(f"claims page, default facets{note}", asyncio.run(time_requests(ds, [table] * repeat)))
    report(
        f"claims page filtered by one category, first view (facets not yet remembered){note}",
        asyncio.run(time_requests(ds, [f"{table}?category={c}" for c in CATEGORIES])),
    )
    report(
        f"FTS search on the claims page, one word ({matches(path, RARE_WORD)} claims){note}",
        asyncio.run(time_requests(ds, [f"{table}?_search={RARE_WORD}"] * repeat)),
    )
    counts = [matches(path, word) for word in words[1:]]
    report(
        f"FTS search, first view, a different word each time ({min(counts)}–{max(counts)}"
        f" claims){note}",
        asyncio.run(time_requests(ds, [f"{table}?_search={w}" for w in words[1:]])),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--old", type=float, default=0.0, help="Fraction of old-version claims.")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--baseline", action="store_true", help="Also time Datasette defaults.")
    parser.add_argument(
        "--writer",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="Also time every page again while another process records a verdict this often.",
    )
    parser.add_argument(
        "--document-claims",
        type=int,
        default=0,
        metavar="N",
        help="Only time the document page of one document of N claims.",
    )
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    if args.document_claims:
        time_document_pages(args.document_claims, args.repeat)
        return
    path = OUT / f"bench-{args.claims}-{args.old:g}.db"
    build_once(path, args.claims, args.old, PER_DOCUMENT)
    started = time.perf_counter()
    ds = make_datasette(path)
    asyncio.run(warm_up(ds, path))
    print(json.dumps({"start_and_warm_up_ms": round((time.perf_counter() - started) * 1000)}))
    table = ds.urls.table(path.stem, "claims")
    words = [RARE_WORD, *search_words(path, args.repeat)]
    time_pages(ds, path, table, words, args.repeat, "")
    if args.writer:
        with concurrent_writer(path, args.writer) as done:
            started, before = time.perf_counter(), done.value
            time_pages(ds, path, table, words, args.repeat, ", with a concurrent writer")
            rate = (done.value - before) / (time.perf_counter() - started)
        print(
            json.dumps({"writer_commits": done.value, "writer_commits_per_second": round(rate, 1)})
        )
    print(json.dumps({"facets_timed_out": facet_timeouts(ds, table)}))
    if args.baseline:
        from datasette.app import Datasette

        plain = Datasette(immutables=[str(path)], metadata=build_metadata(path))
        runs = max(3, args.repeat // 5)
        report(
            "claims page, Datasette defaults (no inspect file, facets suggested, plain facets)",
            asyncio.run(time_requests(plain, [table] * runs)),
        )
    print(json.dumps({"failed_requests": FAILURES}))
    print(json.dumps({"settings": SETTINGS, "load_average": os.getloadavg()}))


if __name__ == "__main__":
    main()
