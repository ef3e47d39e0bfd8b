"""Export memory stays flat: peak RSS of each export format for 100k and 400k claims.

Builds two databases by ingesting the example article once and copying its document and
claims under new sources (one reviewer's verdict on every tenth claim), then runs each
export in a fresh interpreter writing to /dev/null and reports its peak RSS and time.

    .venv/bin/python benchmarks/bench_export.py [--sizes 100000,400000] [--formats prov]
        [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

from provenance.export import EXPORT_FORMATS
from provenance.ingest import ingest

EXAMPLE = Path(__file__).resolve().parent.parent / "corpus" / "magnesium-glutamate.txt"

MEASURE = """
import resource, sys, time
from provenance.export import ExportOptions, export
from provenance.store import open_database
db = open_database(sys.argv[1], create=False)
started = time.perf_counter()
with open("/dev/null", "w") as out:
    count = export(db, sys.argv[2], out, ExportOptions())
elapsed = time.perf_counter() - started
print(count, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, round(elapsed, 2))
"""


def build(path: Path, claims: int) -> int:
    """A database with about ``claims`` claims; returns how many it has."""
    ingest([EXAMPLE], path)
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    document = dict(conn.execute("select * from documents").fetchone())
    originals = [dict(row) for row in conn.execute("select * from claims")]
    copies = max(1, claims // len(originals))
    with conn:
        for copy in range(1, copies):
            source = f"bench/{copy:06d}/{Path(document['source']).name}"
            doc_id = f"{document['id']}{copy:06d}"
            conn.execute(
                f"insert into documents ({', '.join(document)}) values"
                f" ({', '.join('?' for _ in document)})",
                [*{**document, "id": doc_id, "source": source}.values()],
            )
            rows = [
                {
                    **claim,
                    "id": f"{claim['id']}{copy:06d}",
                    "document": source,
                    "document_id": doc_id,
                }
                for claim in originals
            ]
            marks = ", ".join("?" for _ in rows[0])
            conn.executemany(
                f"insert into claims ({', '.join(rows[0])}) values ({marks})",
                [list(row.values()) for row in rows],
            )
        conn.execute(
            "insert into annotations (id, claim_id, reviewer, verdict, evidence, note, created_at)"
            " select 'a' || id, id, 'bench', 'contradicted', ?, null, '2026-01-01T00:00:00.000000Z'"
            " from claims where rowid % 10 = 0",
            [json.dumps(["doi:10.1000/bench"])],
        )
    (count,) = conn.execute("select count(*) from claims").fetchone()
    conn.close()
    return int(count)


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
