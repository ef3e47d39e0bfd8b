"""Benchmark: ``provenance audit --format json`` over a million claims.

Builds a real provenance database holding synthetic documents and claims (written by the
store itself: ``benchmarks/ledger.py``), then runs the audit command in a child
process with its output sent to /dev/null, and reports wall-clock seconds and the child's
peak RSS. The bar (issue 5) is 1M claims in at most 2 s, with memory flat in the number of
findings: compare the RSS of ``--claims 100000`` and ``--claims 1000000``. The JSON audit runs
worker processes (one per CPU, at most four): the peak RSS is that of the largest process, and
each worker's is about the same as the main process's.

Usage::

    .venv/bin/python -m benchmarks.bench_audit                 # 1M claims, JSON
    .venv/bin/python -m benchmarks.bench_audit --claims 100000 --format sarif
    .venv/bin/python -m benchmarks.bench_audit --db /tmp/audit-1m.db   # reuse a built database

Not part of the test run: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.ledger import synthetic_documents, write_ledger
from provenance.store.connection import open_database

CLAIMS_PER_DOCUMENT = 1000
SENTENCES_PER_PARAGRAPH = 5
STATUS_WEIGHTS = {
    "unsupported": 60,
    "attributed": 10,
    "cited": 15,
    "supported": 8,
    "contradicted": 3,
    "unverifiable": 2,
    "disputed": 2,
}
SUBJECTS = ["Magnesium", "Glutamate", "Zinc", "Vitamin D", "Sleep", "Exercise", "Caffeine"]
VERBS = ["reduces", "increases", "may lower", "is linked to", "could prevent", "regulates"]
OBJECTS = [
    "the risk of migraine",
    "NMDA receptor activity",
    "anxiety in adults",
    "neuronal excitability",
    "blood pressure",
    "the release of calcium ions",
]


def _sentence(rng: random.Random) -> str:
    # Some sentences repeat across documents, as boilerplate does; a few wrap lines.
    text = f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)}"
    if rng.random() < 0.5:
        text += f" in study group {rng.randrange(100_000)}"
    text += "."
    return text.replace(" ", "\n", 1) if rng.random() < 0.05 else text


def build_database(path: Path, claims: int, seed: int = 5) -> None:
    """A real provenance database with ``claims`` synthetic claims (see ``ledger.py``)."""
    write_ledger(
        path,
        synthetic_documents(
            claims,
            per_document=CLAIMS_PER_DOCUMENT,
            sentence=_sentence,
            heading=lambda rng, number: f"Section {number}",
            statuses=STATUS_WEIGHTS,
            seed=seed,
            section_every=SENTENCES_PER_PARAGRAPH * 4,
            sentences_per_paragraph=SENTENCES_PER_PARAGRAPH,
        ),
    )


def run_audit(db_path: Path, fmt: str) -> tuple[float, float, float, int]:
    """Wall seconds, CPU seconds, peak RSS (MiB) and exit status of one ``provenance audit``."""
    executable = Path(sys.executable).parent / "provenance"
    command = [str(executable), "audit", "--db", str(db_path), "--format", fmt]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    with open("/dev/null", "w") as devnull:
        completed = subprocess.run(command, stdout=devnull, check=False)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    # The largest child so far: run the benchmark once per size to compare sizes.
    peak = after.ru_maxrss
    if completed.returncode not in (0, 1):
        raise SystemExit(f"audit failed with exit status {completed.returncode}")
    return seconds, cpu, peak / 1024, completed.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--format", default="json", dest="fmt")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--db", type=Path, help="Reuse (or build once) this database.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db_path = args.db or Path(folder) / "audit-benchmark.db"
        if not db_path.exists():
            started = time.perf_counter()
            build_database(db_path, args.claims)
            print(f"built {args.claims} claims in {time.perf_counter() - started:.1f} s")
        db = open_database(db_path, create=False)
        total = db.execute("select count(*) from claims").fetchone()[0]
        db.close()
        for run in range(1, args.runs + 1):
            seconds, cpu, rss, status = run_audit(db_path, args.fmt)
            print(
                f"run {run}: audit --format {args.fmt} over {total} claims:"
                f" {seconds:.2f} s wall, {cpu:.2f} s CPU, peak RSS {rss:.0f} MiB, exit {status}"
            )


if __name__ == "__main__":
    main()
