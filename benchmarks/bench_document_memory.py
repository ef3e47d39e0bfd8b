"""Peak memory of ingesting one large document, against the per-document limit.

Extracting a document holds its claims in memory, so peak RSS grows with the largest document
(a corpus of many small files stays flat, see ``bench_ingest.py``). ``provenance ingest`` refuses
a document over ``MAX_DOCUMENT_CHARS`` before writing anything, with a one-line error naming
the limit; ``--max-document-mb`` raises it. This script runs ``provenance ingest`` in a child
process for each case and reports the child's own peak RSS (``wait4``):

- one generated 50 MB document at the default limit: refused, and what that costs;
- one document at the default limit (the largest accepted): its peak, the figure to keep under
  400 MB;
- the same 50 MB document with the limit raised: what the limit protects against.

Usage: ``python -m benchmarks.bench_document_memory [--mb 50] [--skip-raised]``
"""

from __future__ import annotations

import argparse
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.corpus import generate_corpus

OUT = Path(__file__).resolve().parent / "out"
PROVENANCE = Path(sys.executable).with_name("provenance")


def _one_document(megabytes: int) -> Path:
    folder = OUT / f"one-document-{megabytes}mb"
    generate_corpus(folder, megabytes, documents=1)
    (path,) = [p for p in folder.rglob("*") if p.suffix in (".txt", ".md")]
    return path


def _ingest(document: Path, *options: str) -> tuple[int, float, float, str]:
    """Exit status, peak RSS (MB), seconds, and the last line printed."""
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        process = subprocess.Popen(
            [str(PROVENANCE), "ingest", str(document), "--db", f"{folder}/bench.db", *options],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        assert process.stdout is not None
        output = process.stdout.read()
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
    lines = output.strip().splitlines()
    return process.returncode, usage.ru_maxrss / 1024, seconds, lines[-1] if lines else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=50, help="size of the large document")
    parser.add_argument(
        "--skip-raised", action="store_true", help="do not ingest it with the limit raised"
    )
    args = parser.parse_args()
    from provenance.extract.read import MAX_DOCUMENT_CHARS

    limit_mb = MAX_DOCUMENT_CHARS // 1_000_000
    large = _one_document(args.mb)
    at_limit = _one_document(limit_mb)
    # The generator overshoots a little: allow exactly this document, the worst case at the limit.
    at_limit_mb = f"{math.ceil(len(at_limit.read_text(encoding='utf-8')) / 1e3) / 1e3:.3f}"
    cases: list[tuple[str, Path, tuple[str, ...]]] = [
        (f"{args.mb} MB document, default limit", large, ()),
        (
            f"{limit_mb} MB document, at the limit (--max-document-mb {at_limit_mb})",
            at_limit,
            ("--max-document-mb", at_limit_mb),
        ),
    ]
    if not args.skip_raised:
        raised = str(args.mb + 10)
        cases.append(
            (
                f"{args.mb} MB document, --max-document-mb {raised}",
                large,
                ("--max-document-mb", raised),
            )
        )
    print(f"{'case':<60} {'chars':>12} {'exit':>4} {'peak RSS':>10} {'time':>8}  last line")
    for label, document, options in cases:
        chars = len(document.read_text(encoding="utf-8"))
        code, peak, seconds, last = _ingest(document, *options)
        print(
            f"{label:<60} {chars:>12,} {code:>4} {peak:>7,.0f} MB {seconds:>6.1f} s  {last[:120]}"
        )


if __name__ == "__main__":
    main()
