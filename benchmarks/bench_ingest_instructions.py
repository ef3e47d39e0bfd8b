"""Ingest in instructions (callgrind): this checkout against others, on the same corpus.

CPU time on this shared two-core machine moves by 10 % and more from run to run, more than the
differences worth measuring between two versions of ingest; the number of instructions a run
executes does not. This script generates the corpus of ``bench_ingest.py`` (``corpus.py``; by
default 1 MB in 10 documents, which are as large as the 4 MB run's 40: the same prose in the
same proportions), then ingests it on one core under ``valgrind --tool=callgrind`` once with
this checkout's code and once with each ``--against`` checkout's (``PYTHONPATH`` set to it,
the same interpreter), each in a fresh process into a fresh database, and prints per checkout:

- ``import``: the instructions up to the call of ``ingest`` (importing ``provenance.ingest``:
  the rule files, the scan, the model's weights);
- ``ingest``: the call of ``provenance.ingest.ingest(...)`` itself (read, parse, extract,
  classify, write, index, ANALYZE), made inside ``functools.reduce`` so that callgrind
  dumps it as a part of its own (``--dump-before``/``--dump-after``);
- ``total``: the whole process;

and each checkout's figures relative to this one's. A checkout only needs
``provenance.ingest.ingest(paths, db, jobs=1)``, which every version since the first has.

Usage (from the repository root; a run takes a few minutes a checkout)::

    python -m benchmarks.bench_ingest_instructions --against /work/wt/rules

The callgrind files are left in ``benchmarks/out/instructions/`` for ``callgrind_annotate``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from benchmarks.corpus import generate_corpus

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "benchmarks" / "out" / "instructions"

# The child: import, then ingest inside functools.reduce (its own callgrind part).
CHILD = """
import functools, sys
from provenance.ingest import ingest
corpus, db = sys.argv[1], sys.argv[2]
functools.reduce(lambda _, path: ingest([path], db, jobs=1), [corpus], None)
"""

_TOTALS = re.compile(r"^(?:summary|totals): (\d+)", re.MULTILINE)


def _instructions(path: Path) -> int:
    """The instruction count a callgrind output file records."""
    if not path.exists():
        raise SystemExit(f"{path}: missing (callgrind found no call of functools.reduce?)")
    found = _TOTALS.search(path.read_text(errors="replace"))
    if found is None:
        raise SystemExit(f"{path}: no totals")
    return int(found.group(1))


def measure(checkout: Path, label: str, corpus: Path) -> dict[str, int]:
    """Import, ingest and total instructions of one checkout's ingest of ``corpus``."""
    work = OUT / label
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    db = work / "ingest.db"
    environment = {**os.environ, "PYTHONPATH": str(checkout), "PYTHONHASHSEED": "0"}
    # Once outside callgrind first: a checkout's first import writes its bytecode caches.
    subprocess.run(
        [sys.executable, "-c", "import provenance.ingest"],
        cwd=checkout,
        env=environment,
        check=True,
    )
    command = [
        "valgrind",
        "--tool=callgrind",
        f"--callgrind-out-file={work / 'callgrind.out'}",
        "--dump-before=functools_reduce",
        "--dump-after=functools_reduce",
        sys.executable,
        "-c",
        CHILD,
        str(corpus),
        str(db),
    ]
    result = subprocess.run(
        command, cwd=checkout, env=environment, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise SystemExit(f"{label}: exit {result.returncode}\n{result.stderr[-2000:]}")
    # Part 1: up to the call (import); part 2: the call; part 3 (the file without a number):
    # the exit.
    counts = [_instructions(work / name) for name in ("callgrind.out.1", "callgrind.out.2")]
    counts.append(_instructions(work / "callgrind.out"))
    claims = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys; print(sqlite3.connect(sys.argv[1])"
            ".execute('select count(*) from claims').fetchone()[0])",
            str(db),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return {
        "import": counts[0],
        "ingest": counts[1],
        "total": sum(counts),
        "claims": int(claims.stdout),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=1, help="corpus size in MB (default 1)")
    parser.add_argument("--documents", type=int, default=10)
    parser.add_argument(
        "--checkout", type=Path, default=REPO, help="the checkout measured (default this one)"
    )
    parser.add_argument(
        "--against", type=Path, action="append", default=[], help="another checkout (repeatable)"
    )
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed")
    corpus = OUT.parent / f"corpus-{args.mb}mb-{args.documents}"
    size = generate_corpus(corpus, args.mb, args.documents)
    checkouts = [
        ("this", args.checkout.resolve()),
        *((f"against{k}", p.resolve()) for k, p in enumerate(args.against, 1)),
    ]
    counts = {label: measure(checkout, label, corpus) for label, checkout in checkouts}
    results: dict[str, dict[str, Any]] = {}
    for label, checkout in checkouts:
        figures = counts[label]
        results[label] = {
            "checkout": str(checkout),
            **figures,
            "ingest_per_claim": round(figures["ingest"] / figures["claims"]),
        }
        if label != "this":
            # How many more instructions this checkout executes than that one, in %.
            results[label]["this_over_it_percent"] = {
                part: round((counts["this"][part] / figures[part] - 1) * 100, 1)
                for part in ("import", "ingest", "total")
            }
    print(json.dumps({"corpus_bytes": size, "results": results}, indent=2))


if __name__ == "__main__":
    main()
