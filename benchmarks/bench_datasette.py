"""How fast is ``provenance serve`` on a large ledger?

Builds a synthetic claims database (1M claims by default, real schema, real indexes, FTS)
and times HTML pages through Datasette configured exactly as ``provenance serve``
configures it (immutable, inspect data, settings, the plugin, the warm-up request):

- the claims page with the six default facets (the goal: p50 <= 150 ms);
- a full-text search on the claims page (the goal: p50 <= 50 ms), for a word in about a
  thousand claims, and, first views, for words in a few thousand;
- the claims page filtered by one category, each filter viewed for the first time (its
  facets are not remembered yet: honest cost of a reviewer's first click);
- with --baseline, the same claims page with Datasette's defaults.

Requests go through the in-process ASGI client (no sockets). ``--old 0.05`` makes 5% of
the claims belong to earlier document versions, which the default view then filters out.

Run:  .venv/bin/python -m benchmarks.bench_datasette [--claims 1000000] [--old 0.0]
The database is kept in benchmarks/out/ and reused while its parameters match.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sqlite3
import statistics
import time
from pathlib import Path
from typing import Any

from benchmarks.ledger import mark_earlier_versions, synthetic_documents, write_ledger
from provenance.publish.metadata import build_metadata
from provenance.publish.serve import SETTINGS, make_datasette, warm_up

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


def build(path: Path, claims: int, old_fraction: float, seed: int = 1) -> None:
    """A ledger of ``claims`` claims in documents of 500 claims (see ``ledger.py``)."""
    rng = random.Random(seed)
    words = [
        "".join(rng.choice("abcdefghiklmnoprstu") for _ in range(rng.randint(3, 9)))
        for _ in range(3000)
    ] + ["magnesium", "glutamate", "may", "reduce", "brain", "the", "of", "and", "is"] * 40
    write_ledger(
        path,
        synthetic_documents(
            claims,
            per_document=PER_DOCUMENT,
            sentence=lambda rng: sentence(rng, words),
            heading=lambda rng, number: rng.choice(HEADINGS),
            statuses=dict(STATUSES),
            seed=seed,
            section_every=50,
            hedged=0.5,
        ),
    )
    mark_earlier_versions(path, old_fraction)


async def time_requests(ds: Any, paths: list[str]) -> list[float]:
    """Milliseconds per request, in order; a non-200 answer stops the benchmark."""
    timings = []
    for path in paths:
        started = time.perf_counter()
        response = await ds.client.get(path)
        timings.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{path}: HTTP {response.status_code}")
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--old", type=float, default=0.0, help="Fraction of old-version claims.")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--baseline", action="store_true", help="Also time Datasette defaults.")
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    path = OUT / f"bench-{args.claims}-{args.old:g}.db"
    if not path.exists():
        started = time.perf_counter()
        build(path, args.claims, args.old)
        print(f"built {path.name} in {time.perf_counter() - started:.0f} s")
    started = time.perf_counter()
    ds = make_datasette(path)
    asyncio.run(warm_up(ds, path))
    print(json.dumps({"start_and_warm_up_ms": round((time.perf_counter() - started) * 1000)}))
    table = ds.urls.table(path.stem, "claims")
    words = [RARE_WORD, *search_words(path, args.repeat)]
    report("claims page, default facets", asyncio.run(time_requests(ds, [table] * args.repeat)))
    report(
        "claims page filtered by one category, first view (facets not yet remembered)",
        asyncio.run(time_requests(ds, [f"{table}?category={c}" for c in CATEGORIES])),
    )
    report(
        f"FTS search on the claims page, one word ({matches(path, RARE_WORD)} claims)",
        asyncio.run(time_requests(ds, [f"{table}?_search={RARE_WORD}"] * args.repeat)),
    )
    counts = [matches(path, word) for word in words[1:]]
    report(
        f"FTS search, first view, a different word each time ({min(counts)}–{max(counts)} claims)",
        asyncio.run(time_requests(ds, [f"{table}?_search={w}" for w in words[1:]])),
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
    print(json.dumps({"settings": SETTINGS, "load_average": os.getloadavg()}))


if __name__ == "__main__":
    main()
