"""PDF ingest benchmark: MB/s and pages/s, and peak memory that stays flat with page count.

The PDF is built from the generated two-column PLOS articles in ``data/pdf`` (their 23
pages, cycled: justified columns, running headers and footers, hyphenation), so that the
figures are for article pages, not blank ones. Each figure is measured in a child process,
so that its peak RSS is its own:

- parse: ``parse_pdf`` alone (PDFium's text layer, lines, blocks, reading order);
- ingest: ``provenance.ingest.ingest`` end to end into a fresh database (parse, claims,
  classification, SQLite), one core;
- the same two at a quarter of the pages, to show that peak memory does not grow with them.

Usage: ``python benchmarks/bench_pdf.py [--pages 200]``
"""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import pypdfium2 as pdfium

DATA = Path(__file__).resolve().parent.parent / "data" / "pdf"

CHILD = """
import json, resource, sys, time
from pathlib import Path
kind, pdf, db = sys.argv[1:4]
data = Path(pdf).read_bytes()
start = time.perf_counter()
if kind == "parse":
    from provenance.extract.parse_pdf import parse_pdf
    pages = parse_pdf(data, pdf).pages[-1][1]
    claims = None
else:
    from provenance.ingest import ingest
    claims = ingest([pdf], db, jobs=1).claims
    pages = None
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "peak_mb": peak, "pages": pages, "claims": claims}))
"""


def long_pdf(target: Path, pages: int) -> Path:
    """A PDF of ``pages`` pages, cycling through the pages of the generated PLOS articles."""
    sources = [pdfium.PdfDocument(path) for path in sorted(DATA.glob("plos_*.pdf"))]
    long = pdfium.PdfDocument.new()
    added = 0
    while added < pages:
        for source in sources:
            take = min(len(source), pages - added)
            if take == 0:  # (an empty list would import every page)
                break
            long.import_pages(source, list(range(take)))
            added += take
    buffer = io.BytesIO()
    long.save(buffer)
    target.write_bytes(buffer.getvalue())
    return target


def measure(kind: str, pdf: Path, folder: Path) -> dict[str, float]:
    db = folder / f"{kind}-{pdf.stem}.db"
    out = subprocess.run(
        [sys.executable, "-c", CHILD, kind, str(pdf), str(db)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    result: dict[str, float] = json.loads(out)
    return result


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=200)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        rows = []
        for pages in (max(1, args.pages // 4), args.pages):
            pdf = long_pdf(folder / f"long-{pages}.pdf", pages)
            size_mb = pdf.stat().st_size / 1e6
            for kind in ("parse", "ingest"):
                result = measure(kind, pdf, folder)
                counted = int(result["pages"]) if result["pages"] else pages
                rows.append(
                    (kind, counted, size_mb, result["seconds"], result["peak_mb"], result["claims"])
                )
    print(f"{'step':7} {'pages':>5} {'MB':>6} {'s':>7} {'pages/s':>8} {'MB/s':>6} {'peak MB':>8}")
    for kind, pages, size_mb, seconds, peak, claims in rows:
        extra = f"  {int(claims)} claims" if claims else ""
        print(
            f"{kind:7} {pages:5} {size_mb:6.2f} {seconds:7.2f} {pages / seconds:8.1f}"
            f" {size_mb / seconds:6.2f} {peak:8.0f}{extra}"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
