"""Benchmark: ``provenance audit --format json`` over a million claims.

Builds a real provenance database (``store.open_database``) holding synthetic documents and
claim rows written directly with ``executemany``, then runs the audit command in a child
process with its output sent to /dev/null, and reports wall-clock seconds and the child's
peak RSS. The bar (issue 5) is 1M claims in at most 2 s, with memory flat in the number of
findings: compare the RSS of ``--claims 100000`` and ``--claims 1000000``. The JSON audit runs
worker processes (one per CPU, at most four): the peak RSS is that of the largest process, and
each worker's is about the same as the main process's.

Usage::

    .venv/bin/python benchmarks/bench_audit.py                 # 1M claims, JSON
    .venv/bin/python benchmarks/bench_audit.py --claims 100000 --format sarif
    .venv/bin/python benchmarks/bench_audit.py --db /tmp/audit-1m.db   # reuse a built database

Not part of the test run: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from provenance.extract.positions import LineIndex
from provenance.ids import claim_key, normalise_text
from provenance.models import Category, Certainty
from provenance.store.connection import open_database
from provenance.store.writes import end_position

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
CLAIM_COLUMNS = (
    "id", "claim_key", "document", "document_id", "version", "section", "paragraph", "start",
    "end", "line", "column", "end_line", "end_column", "text", "category", "category_cues",
    "certainty", "hedge_cues", "attribution", "attribution_cues", "citations",
    "evidence_status", "text_status", "first_version", "is_current", "run_id",
)  # fmt: skip


def _digest(*parts: object) -> str:
    return hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()[:16]


def _sentence(rng: random.Random) -> str:
    # Some sentences repeat across documents, as boilerplate does; a few wrap lines.
    text = f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)}"
    if rng.random() < 0.5:
        text += f" in study group {rng.randrange(100_000)}"
    return text + "."


def _document(number: int, claims: int, rng: random.Random) -> tuple[str, list[tuple[int, int]]]:
    """A Markdown document's text and the [start, end) spans of its sentences."""
    parts: list[str] = []
    spans: list[tuple[int, int]] = []
    offset = 0
    for index in range(claims):
        if index % (SENTENCES_PER_PARAGRAPH * 4) == 0:
            heading = f"## Section {index // (SENTENCES_PER_PARAGRAPH * 4) + 1}\n\n"
            parts.append(heading)
            offset += len(heading)
        sentence = _sentence(rng)
        if rng.random() < 0.05:
            sentence = sentence.replace(" ", "\n", 1)
        spans.append((offset, offset + len(sentence)))
        end_of_paragraph = index % SENTENCES_PER_PARAGRAPH == SENTENCES_PER_PARAGRAPH - 1
        separator = "\n\n" if end_of_paragraph else " "
        parts.append(sentence + separator)
        offset += len(sentence) + len(separator)
    return "".join(parts), spans


def _claim_rows(
    number: int, text: str, spans: list[tuple[int, int]], rng: random.Random, run_id: str
) -> Iterator[tuple[Any, ...]]:
    source = f"docs/document-{number:05d}.md"
    document_id = _digest("document", source, 1)[:12]
    lines = LineIndex(text)
    statuses = list(STATUS_WEIGHTS)
    weights = list(STATUS_WEIGHTS.values())
    categories = [c.value for c in Category]
    for position, (start, end) in enumerate(spans):
        sentence = text[start:end]
        line, column = lines.line_column(start)
        status = rng.choices(statuses, weights)[0]
        attribution = {"cited": "cited", "attributed": "vague"}.get(status, "none")
        certainty = Certainty.hedged.value if rng.random() < 0.3 else Certainty.asserted.value
        yield (
            _digest("claim", source, position),
            claim_key(normalise_text(sentence)),
            source,
            document_id,
            1,
            f"Section {position // (SENTENCES_PER_PARAGRAPH * 4) + 1}",
            position // SENTENCES_PER_PARAGRAPH,
            start,
            end,
            line,
            column,
            *end_position(line, column, sentence),
            sentence,
            rng.choice(categories),
            "[]",
            certainty,
            "[]",
            attribution,
            "[]",
            "[]",
            status,
            status if status in ("cited", "attributed", "unsupported") else "unsupported",
            1,
            1,
            run_id,
        )


def build_database(path: Path, claims: int, seed: int = 5) -> None:
    """A real provenance database with ``claims`` synthetic claim rows."""
    rng = random.Random(seed)
    db = open_database(path)
    conn = db.conn
    run_id = "benchmark000"
    placeholders = ", ".join("?" for _ in CLAIM_COLUMNS)
    insert_claim = (
        f"insert into claims ({', '.join(f'[{c}]' for c in CLAIM_COLUMNS)}) values ({placeholders})"
    )
    with conn:
        conn.execute(
            "insert into runs (id, started_at, tool_version, ruleset_version, arguments)"
            " values (?, ?, ?, ?, ?)",
            [run_id, "2026-01-01T00:00:00Z", "benchmark", "benchmark", json.dumps([])],
        )
        remaining = claims
        number = 0
        while remaining > 0:
            count = min(CLAIMS_PER_DOCUMENT, remaining)
            text, spans = _document(number, count, rng)
            source = f"docs/document-{number:05d}.md"
            conn.execute(
                "insert into documents (id, source, name, title, format, sha256, size, text,"
                " version, ingested_at, run_id, is_latest) values (?, ?, ?, ?, ?, ?, ?, ?, ?,"
                " ?, ?, ?)",
                [
                    _digest("document", source, 1)[:12],
                    source,
                    f"document-{number:05d}",
                    None,
                    "markdown",
                    hashlib.sha256(text.encode()).hexdigest(),
                    len(text.encode()),
                    text,
                    1,
                    "2026-01-01T00:00:00Z",
                    run_id,
                    1,
                ],
            )
            conn.executemany(insert_claim, _claim_rows(number, text, spans, rng, run_id))
            remaining -= count
            number += 1
    conn.execute("analyze")
    db.close()


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
