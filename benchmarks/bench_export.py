"""Export memory stays flat: peak RSS of each export format for 100k and 400k claims.

Builds two databases by ingesting the example article once and writing its document and
claims again under new sources through the store (``benchmarks/ledger.py``; one reviewer's
verdict on every tenth claim, through the annotation log), then runs each
export in a fresh interpreter writing to /dev/null and reports its peak RSS and time.

    .venv/bin/python -m benchmarks.bench_export [--sizes 100000,400000] [--formats prov]
        [--keep DIR]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from benchmarks.ledger import LedgerDocument, record_verdicts, write_ledger
from provenance.export import EXPORT_FORMATS
from provenance.ingest import ingest
from provenance.models import Document
from provenance.store.connection import open_database
from provenance.store.reads import iter_claims

EXAMPLE = Path(__file__).resolve().parent.parent / "corpus" / "magnesium-glutamate.txt"

MEASURE = """
import resource, sys, time
from provenance.export import ExportOptions, export
from provenance.store.connection import open_database
db = open_database(sys.argv[1], create=False)
started = time.perf_counter()
with open("/dev/null", "w") as out:
    count = export(db, sys.argv[2], out, ExportOptions())
elapsed = time.perf_counter() - started
print(count, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, round(elapsed, 2))
"""


def _copies(path: Path, claims: int) -> Iterator[LedgerDocument]:
    """The example article's document and claims again under new sources, until about
    ``claims`` claims."""
    db = open_database(path, create=False)
    try:
        originals = list(iter_claims(db))
        row = db.table("documents").get(originals[0].document_id)
        document = Document.model_validate({name: row[name] for name in Document.model_fields})
    finally:
        db.close()
    for copy in range(1, max(1, claims // len(originals))):
        source = f"bench/{copy:06d}/{Path(document.source).name}"
        doc_id = f"{document.id}{copy:06d}"
        yield (
            document.model_copy(update={"id": doc_id, "source": source}),
            [
                claim.model_copy(
                    update={
                        "id": f"{claim.id}{copy:06d}",
                        "document": source,
                        "document_id": doc_id,
                    }
                )
                for claim in originals
            ],
        )


def build(path: Path, claims: int) -> int:
    """A database with about ``claims`` claims (the example article ingested, then copied; one
    reviewer's verdict on every tenth claim); returns how many it has."""
    ingest([EXAMPLE], path)
    write_ledger(path, _copies(path, claims))
    record_verdicts(
        path,
        every=10,
        reviewer="bench",
        verdict="contradicted",
        evidence=["doi:10.1000/bench"],
        created_at="2026-01-01T00:00:00.000000Z",
    )
    db = open_database(path, create=False)
    try:
        return int(db.execute("select count(*) from claims").fetchone()[0])
    finally:
        db.close()


def measure(path: Path, fmt: str) -> tuple[int, int, float]:
    result = subprocess.run(
        [sys.executable, "-c", MEASURE, str(path), fmt], capture_output=True, text=True, check=True
    )
    count, rss_kb, seconds = result.stdout.split()
    return int(count), int(rss_kb), float(seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,400000")
    parser.add_argument("--formats", default=",".join(EXPORT_FORMATS))
    parser.add_argument("--keep", type=Path, help="Build the databases here and keep them.")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        print(
            f"{'format':<14}" + "".join(f"{'claims':>10}{'peak RSS MB':>13}{'s':>8}" for _ in sizes)
        )
        paths = {}
        for size in sizes:
            path = folder / f"export-{size}.db"
            if not path.exists():
                build(path, size)
            paths[size] = path
        for fmt in args.formats.split(","):
            cells = []
            for size in sizes:
                count, rss_kb, seconds = measure(paths[size], fmt)
                cells.append(f"{count:>10}{rss_kb / 1024:>13.1f}{seconds:>8.1f}")
            print(f"{fmt:<14}" + "".join(cells))


if __name__ == "__main__":
    main()
