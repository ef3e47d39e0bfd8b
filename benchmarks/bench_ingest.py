"""Ingest benchmark: MB/s, claims/s and peak memory, next to the floor on the same run.

Generates a deterministic corpus of realistic health-science prose (headings, paragraphs,
hedges, vague attributions, numeric citations, doses, reference lists) as many plain-text and
Markdown files, ingests it with provenance (one core, FTS included), and measures in child
processes so that each figure's peak RSS is its own:

- ingest: ``provenance.ingest.ingest(folder, db, jobs=1)`` end to end on one core;
- the same with worker processes (``--jobs``, default one per CPU);
- floor: read + sha256 of every file, plus a raw ``executemany`` of the same claim rows into an
  empty copy of the claims table (what any tool storing these rows must at least pay);
- ingest at a quarter of the corpus, to show that peak memory does not grow with its size.

Usage: ``python benchmarks/bench_ingest.py [--mb 100] [--documents 400]``
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"

SUBJECTS = [
    "Magnesium",
    "Zinc",
    "Vitamin D",
    "Omega-3 fatty acids",
    "Creatine",
    "Melatonin",
    "Intermittent fasting",
    "Aerobic exercise",
    "Curcumin",
    "Probiotic supplementation",
    "Caffeine",
    "Dietary fibre",
    "Vitamin B12",
    "Iron",
    "Sleep deprivation",
    "Chronic stress",
]
TARGETS = [
    "the NMDA receptor",
    "glutamate transporters",
    "insulin signalling",
    "the gut microbiome",
    "mitochondrial function",
    "cortisol release",
    "calcium influx",
    "oxidative stress",
    "inflammatory cytokines",
    "serotonin synthesis",
    "blood pressure",
    "bone density",
]
OUTCOMES = [
    "migraine frequency",
    "depressive symptoms",
    "insulin resistance",
    "cognitive decline",
    "the risk of cardiovascular disease",
    "muscle cramps",
    "anxiety",
    "sleep quality",
    "seizure frequency",
    "fatigue",
    "the risk of type 2 diabetes",
    "neuropathic pain",
]
TEMPLATES = [
    "{s} is an essential nutrient involved in more than {n} enzymatic reactions.",
    "{s} blocks {t}, reducing the downstream effects on neuronal excitability.",
    "{s} may modulate {t}, which could explain part of its effect on {o}.",
    "Research has indicated that {s_l} can lower {o}.",
    "Several trials have shown that {s_l} reduces {o} by about {p}% [{r}].",
    "Deficiency in {s_l} can lead to increased {o} (Smith et al., {y}).",
    "Most adults need around {d}–{d2} mg per day, according to dietary guidelines.",
    "Consult a healthcare provider before starting {s_l} supplements.",
    "Further research is needed to establish the optimal dose of {s_l}.",
    "The relationship between {s_l} and {t} is complex and not fully understood.",
    "This section explores whether {s_l} influences {o}.",
    "In one cohort of {n2} participants, {s_l} was associated with lower {o}.[{r}]",
    "{s} appears to act on {t}, e.g. by changing receptor density, i.e. long-term.",
    "Experts say that {s_l} is promising for {o}, though evidence remains mixed.",
    "Dr. Lee et al. reported a 2.5 mg/kg dose was well tolerated (p < 0.05).",
    "Excess {s_l} has been linked to {o} in older adults.",
]
HEADINGS = ["Background", "Mechanisms", "Clinical evidence", "Dosage", "Safety", "Conclusion"]


def _sentence(rng: random.Random) -> str:
    subject = rng.choice(SUBJECTS)
    return rng.choice(TEMPLATES).format(
        s=subject,
        s_l=subject.lower() if not subject[1].isupper() else subject,
        t=rng.choice(TARGETS),
        o=rng.choice(OUTCOMES),
        n=rng.randint(100, 600),
        n2=rng.randint(40, 9000),
        p=rng.randint(5, 60),
        r=rng.randint(1, 30),
        y=rng.randint(1995, 2024),
        d=rng.choice([300, 310, 400]),
        d2=rng.choice([320, 420, 450]),
    )


def _document(rng: random.Random, size: int, markdown: bool) -> str:
    parts: list[str] = []
    total = 0
    title = f"{rng.choice(SUBJECTS)} and {rng.choice(OUTCOMES)}"
    parts.append(f"# {title}\n" if markdown else f"{title}\n")
    while total < size:
        heading = rng.choice(HEADINGS)
        parts.append(f"\n## {heading}\n\n" if markdown else f"{heading}\n")
        for _ in range(rng.randint(2, 6)):
            paragraph = " ".join(_sentence(rng) for _ in range(rng.randint(3, 8)))
            parts.append(paragraph + ("\n\n" if markdown else "\n"))
            total += len(paragraph)
        if rng.random() < 0.1:
            question = f"Can {rng.choice(SUBJECTS).lower()} help with {rng.choice(OUTCOMES)}?"
            parts.append(question + ("\n\n" if markdown else "\n"))
    parts.append("\n## References\n\n" if markdown else "References\n")
    for number in range(1, 31):
        year = rng.randint(1995, 2024)
        parts.append(
            f"{number}. Smith J, Lee K. Effects of nutrients on outcomes. J Nutr. {year};"
            f"{rng.randint(1, 99)}:{rng.randint(1, 900)}. doi:10.1000/jn.{year}.{number}\n"
        )
    return "".join(parts)


def generate_corpus(folder: Path, megabytes: int, documents: int, seed: int = 20261124) -> int:
    """Write the corpus (cached by its parameters); returns its size in bytes."""
    stamp = folder / ".params.json"
    params = {"mb": megabytes, "documents": documents, "seed": seed}
    if stamp.exists() and json.loads(stamp.read_text()) == params:
        return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and p != stamp)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    rng = random.Random(seed)
    per_document = megabytes * 1_000_000 // documents
    for index in range(documents):
        markdown = index % 2 == 1
        subfolder = folder / f"batch{index // 100:02d}"
        subfolder.mkdir(exist_ok=True)
        name = f"doc{index:05d}.{'md' if markdown else 'txt'}"
        (subfolder / name).write_text(_document(rng, per_document, markdown), encoding="utf-8")
    stamp.write_text(json.dumps(params))
    return generate_corpus(folder, megabytes, documents, seed)


def _child(args: list[str]) -> tuple[float, float, int, str]:
    """Run this script's phase in a child: wall and CPU seconds, peak RSS in KiB, stdout."""
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, __file__, *args], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"phase {args[0]} failed with status {status}")
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, output


def phase_ingest(corpus: Path, db: Path, limit: int | None, jobs: int) -> None:
    from provenance.ingest import ingest
    from provenance.read import find_sources

    files = find_sources([corpus])
    if limit is not None:
        files = files[:limit]
    db.unlink(missing_ok=True)
    summary = ingest(files, db, jobs=jobs)
    print(json.dumps({"claims": summary.claims, "documents": len(summary.outcomes)}))


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=100, help="corpus size in MB (default 100)")
    parser.add_argument("--documents", type=int, default=400)
    parser.add_argument("--phase", choices=["ingest", "floor"], help=argparse.SUPPRESS)
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

    size = generate_corpus(corpus, args.mb, args.documents)
    megabytes = size / 1e6
    quarter = args.documents // 4
    one_core = ["--phase", "ingest", "--jobs", "1"]
    q_seconds, _, q_rss, _ = _child([*one_core, "--limit", str(quarter)])
    p_seconds, _, p_rss, _ = _child(["--phase", "ingest", "--jobs", str(args.jobs)])
    seconds, cpu, rss, output = _child(one_core)
    counts = json.loads(output)
    _, _, floor_rss, floor_output = _child(["--phase", "floor"])
    floor = json.loads(floor_output)
    floor_seconds = floor["read_sha256_s"] + floor["executemany_s"]
    report = {
        "python": sys.version.split()[0],
        "corpus_mb": round(megabytes, 1),
        "documents": counts["documents"],
        "claims": counts["claims"],
        "ingest_s": round(seconds, 2),
        "ingest_mb_per_s": round(megabytes / seconds, 2),
        "ingest_cpu_s": round(cpu, 2),
        "ingest_mb_per_cpu_s": round(megabytes / cpu, 2),
        "ingest_claims_per_s": round(counts["claims"] / seconds),
        "ingest_peak_rss_mb": round(rss / 1024, 1),
        "quarter_corpus_peak_rss_mb": round(q_rss / 1024, 1),
        "parallel_jobs": args.jobs or os.cpu_count(),
        "parallel_ingest_s": round(p_seconds, 2),
        "parallel_mb_per_s": round(megabytes / p_seconds, 2),
        "parallel_writer_peak_rss_mb": round(p_rss / 1024, 1),
        "quarter_corpus_mb_per_s": round(megabytes / 4 / q_seconds, 2),
        "floor_read_sha256_s": round(floor["read_sha256_s"], 2),
        "floor_executemany_s": round(floor["executemany_s"], 2),
        "floor_mb_per_s": round(megabytes / floor_seconds, 2),
        "floor_peak_rss_mb": round(floor_rss / 1024, 1),
        "db_mb": round((OUT / "bench.db").stat().st_size / 1e6, 1),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
