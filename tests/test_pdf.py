"""PDF: text layer, reading order, hyphens, running headers and footers, pages, bad input."""

from __future__ import annotations

import hashlib
import re
import resource
import sqlite3
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from benchmarks.bench_pdf import long_pdf
from evaluation.pdf_vs_markdown import FOUND_BAR, score
from provenance.cli import cli
from provenance.extract.blocks import ParsedDocument, page_at
from provenance.extract.parse_pdf import parse_pdf
from provenance.extract.pipeline import extract
from provenance.ingest import ingest
from provenance.models import BlockKind
from provenance.publish.serve import make_datasette
from tests.helpers import DATA

PDF = DATA / "pdf"
BMC = PDF / "bmc_jtmo_2010_dvt_prophylaxis_excerpt.pdf"
IOANNIDIS = PDF / "plos_pmed.0020124_why_most_findings_false.pdf"


def parsed(path: Path) -> ParsedDocument:
    return parse_pdf(path.read_bytes(), path.name)


def blocks_of(doc: ParsedDocument, kind: BlockKind) -> list[str]:
    return [doc.text[b.start : b.end] for b in doc.blocks if b.kind is kind]


def test_running_headers_footers_and_page_numbers_are_boilerplate_never_claims() -> None:
    doc = parsed(BMC)
    boilerplate = blocks_of(doc, BlockKind.boilerplate)
    # On each of the 4 pages: the journal line, the article's address, and from page 2 on,
    # "Page N of 11" (the excerpt keeps pages 1, 9, 10 and 11 of the article).
    assert boilerplate.count("Datta et al. Journal of Trauma Management & Outcomes 2010, 4:1") == 4
    assert boilerplate.count("http://www.traumamanagement.org/content/4/1/1") == 4
    assert {"Page 9 of 11", "Page 10 of 11", "Page 11 of 11"} <= set(boilerplate)
    claims = extract(doc, source="bmc.pdf", document_id="d", version=1).claims
    assert claims
    for claim in claims:
        assert "traumamanagement.org" not in claim.text
        assert "Page 1" not in claim.text and "Datta et al. Journal" not in claim.text


def test_generated_two_column_article_reads_in_order_with_headers_kept_out() -> None:
    doc = parsed(IOANNIDIS)
    assert doc.title == "Why Most Published Research Findings Are False"
    boilerplate = blocks_of(doc, BlockKind.boilerplate)
    # Running header (left; right from page 2 on) and footer (centre, right) on 8 pages.
    assert boilerplate.count("PLoS Medicine | www.plosmedicine.org") == 8
    assert boilerplate.count("Why Most Research Findings Are False") == 7
    assert boilerplate.count("doi:10.1371/journal.pmed.0020124") == 8
    page_numbers = [b for b in boilerplate if b.startswith("Page ")]
    assert page_numbers == [f"Page {n} of 8" for n in range(1, 9)]
    # A paragraph that runs from the foot of the left column to the top of the right one.
    assert (
        "Several methodologists have pointed out [9–11] that the high rate of nonreplication"
        " (lack of confirmation) of research discoveries is a consequence of the convenient,"
        in doc.text
    )
    assert blocks_of(doc, BlockKind.caption) == [
        "Figure 1. PPV (probability that a research finding is true) as a function of the"
        " pre-study odds for various numbers of conducted studies."
    ]
    headings = blocks_of(doc, BlockKind.heading)
    assert {"Abstract", "Corollaries", "How Can We Improve the Situation?", "References"} <= set(
        headings
    )


def test_words_split_at_line_ends_are_joined_and_compounds_keep_their_hyphen() -> None:
    real = parsed(BMC).text  # PDFium marks these hyphens itself
    assert "immobilization [2,3,7-9]" in real and "thromboprophylaxis" in real
    assert "\ufffe" not in real and "\u00ad" not in real
    generated = parsed(IOANNIDIS).text  # Chromium breaks at soft hyphens with U+2010
    assert "and, importantly, the ratio" in generated
    assert "impor-tantly" not in generated and "\u2010" not in generated
    # Split at its own hyphen, kept: the word is printed whole with a hyphen elsewhere.
    assert "Large-scale evidence should be targeted" in generated
    assert "e.g., Kaplan-Meier plots" in generated  # before a capital


def test_reference_section_entries_are_references_one_per_entry() -> None:
    doc = parsed(BMC)
    references = blocks_of(doc, BlockKind.reference)
    assert references[0].startswith("1. Kudsk KA, Fabian TC")
    assert references[11] == (
        "12. Geerts WH, Pineo GF, Heit JA, Bergqvist D, Lassen MR, Colwell CW, Ray JG:"
        " Prevention of venous thromboembolism: the Seventh ACCP Conference on Antithrombotic"
        " and Thrombolytic Therapy. Chest 2004, 126(3 Suppl):338S-400S."
    )
    numbered = [entry for entry in references if entry[0].isdigit()]
    # An entry cut by a column or page break is one entry: 79 numbered, in order, none twice.
    assert [int(entry.split(".")[0]) for entry in numbered] == list(range(1, 80))
    assert any(entry.startswith("26. Lindhoff-Last E") for entry in numbered)
    extraction = extract(doc, source="bmc.pdf", document_id="d", version=1)
    assert len(extraction.references) == len(references)
    assert not any(claim.text.startswith("12. Geerts") for claim in extraction.claims)


def test_every_claim_has_exact_offsets_and_its_page(db_path: Path) -> None:
    ingest([IOANNIDIS, BMC], db_path)
    with sqlite3.connect(db_path) as conn:
        texts = dict(conn.execute("select id, text from documents"))
        rows = conn.execute("select document_id, start, [end], text, page from claims").fetchall()
        pages = {text[:60]: page for text, page in conn.execute("select text, page from claims")}
    assert rows
    for document_id, start, end, text, page in rows:
        assert texts[document_id][start:end] == text
        assert page is not None and page >= 1
    assert pages["Failed filter retrieval does not carry an immediate complication"[:60]] == 2
    assert pages["There is increasing concern that most current published resear"[:60]] == 1
    # Pages 7 and 8 hold only the reference list.
    assert {page for *_, page in rows} == {1, 2, 3, 4, 5, 6}


def test_page_of_an_offset() -> None:
    pages = [(0, 1), (120, 2), (300, 4)]
    assert [page_at(pages, o) for o in (0, 119, 120, 299, 300, 10_000)] == [1, 1, 2, 2, 4, 4]
    assert page_at([], 5) is None


def run(args: list[str]) -> tuple[int, str]:
    result = CliRunner().invoke(cli, args)
    return result.exit_code, result.stderr.strip()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _renamed_zip(folder: Path) -> Path:
    target = folder / "paper.pdf"
    with zipfile.ZipFile(target, "w") as archive:
        archive.writestr("readme.txt", "not a PDF")
    return target


def _truncated(folder: Path) -> Path:
    target = folder / "truncated.pdf"
    target.write_bytes(IOANNIDIS.read_bytes()[:4000])
    return target


BAD_PDFS: dict[str, tuple[Callable[[Path], Path], str]] = {
    "scan": (lambda d: PDF / "scan_no_text_layer.pdf", "no text layer"),
    "encrypted": (lambda d: PDF / "encrypted.pdf", "encrypted"),
    "truncated": (_truncated, "not a readable PDF"),
    "renamed zip": (_renamed_zip, "not a readable PDF"),
}


@pytest.mark.parametrize("case", sorted(BAD_PDFS))
def test_bad_pdf_is_one_line_and_leaves_the_database_unchanged(
    case: str, ingested_db: Path, tmp_path: Path
) -> None:
    make, needle = BAD_PDFS[case]
    before = digest(ingested_db)
    code, message = run(["ingest", str(make(tmp_path)), "--db", str(ingested_db)])
    assert code == 1
    assert len(message.splitlines()) == 1 and needle in message, message
    assert "Traceback" not in message
    assert digest(ingested_db) == before


def test_a_scan_among_good_files_writes_nothing(ingested_db: Path) -> None:
    before = digest(ingested_db)
    code, message = run(
        ["ingest", str(IOANNIDIS), str(PDF / "scan_no_text_layer.pdf"), "--db", str(ingested_db)]
    )
    assert code == 1 and "no text layer" in message
    assert digest(ingested_db) == before


PEAK_RSS = """
import resource, sys
from pathlib import Path
from provenance.extract.parse_pdf import parse_pdf
doc = parse_pdf(Path(sys.argv[1]).read_bytes(), "long.pdf")
print(doc.pages[-1][1], resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def peak_rss_kib(path: Path) -> tuple[int, int]:
    out = subprocess.run(
        [sys.executable, "-c", PEAK_RSS, str(path)], check=True, capture_output=True, text=True
    ).stdout.split()
    return int(out[0]), int(out[1])


def test_a_200_page_pdf_is_ingested_with_memory_flat(tmp_path: Path, db_path: Path) -> None:
    small = long_pdf(tmp_path / "small.pdf", 23)
    large = long_pdf(tmp_path / "large.pdf", 200)
    small_pages, small_rss = peak_rss_kib(small)
    large_pages, large_rss = peak_rss_kib(large)
    assert (small_pages, large_pages) == (23, 200)
    # The lines of 200 pages, not a copy of the file per page: under 60 MB more.
    assert large_rss - small_rss < 60 * 1024, (small_rss, large_rss)
    summary = ingest([large], db_path)
    assert summary.claims > 1000
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss > 0


@pytest.mark.asyncio
async def test_claim_and_document_pages_show_the_page(db_path: Path) -> None:
    ingest([BMC], db_path)
    with sqlite3.connect(db_path) as conn:
        claim_id, page, line, column = conn.execute(
            "select id, page, line, [column] from claims where page = 2 limit 1"
        ).fetchone()
        (document_id,) = conn.execute("select id from documents").fetchone()
    ds = make_datasette(db_path)
    response = await ds.client.get(f"/-/provenance/claims/{claim_id}")
    assert response.status_code == 200
    assert f"p. 2 · line {line}:{column}" in response.text
    response = await ds.client.get(f"/-/provenance/documents/{document_id}")
    assert response.status_code == 200
    assert f'data-claim-id="{claim_id}"' in response.text
    assert re.search(rf'data-claim-id="{claim_id}"[^>]*title="p\. {page} · ', response.text)
    name = db_path.stem
    # Every column (the default view shows a few): the position cell gives the page.
    response = await ds.client.get(f"/{name}/claims?id={claim_id}&_columns=all")
    assert f"p. 2 · {line}:{column}" in response.text


def test_same_statements_from_markdown_and_pdf_versions() -> None:
    scores = [
        score(markdown, PDF / f"{markdown.stem}.pdf")
        for markdown in sorted((DATA / "citations").glob("*.md"))
    ]
    assert len(scores) == 3
    found = sum(s.found for s in scores) / sum(s.markdown_claims for s in scores)
    assert found >= FOUND_BAR
    assert all(s.found_share >= FOUND_BAR for s in scores)
    assert not any(s.boilerplate_claims for s in scores)


CHROMIUM = Path("/usr/bin/chromium")
RUN_IN_AND_TABLE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><style>
@page { size: A4; margin: 20mm; }
body { font: 10pt/1.3 "DejaVu Serif", serif; columns: 2; column-gap: 8mm; text-align: justify; }
td { padding: 0 3mm; }
</style></head><body>
<p><b>Participants and recruitment.</b> We recruited 120 adults aged 60 to 80 years from three
clinics in Oslo and Bergen between 2019 and 2021, and each gave written consent before any
measurement was taken.</p>
<table><tr><td>Arm</td><td>n</td><td>Mean</td><td>SD</td></tr>
<tr><td>A</td><td>60</td><td>85.5</td><td>12.1</td></tr>
<tr><td>B</td><td>60</td><td>79.4</td><td>11.8</td></tr></table>
<p style="margin: 0">Study design</p>
<p style="margin: 0">Participants were randomised to exercise classes or to usual care by a
computer in the trial office, in blocks of four, and the staff who counted falls did not know
the allocation.</p>
<p><b>Outcomes.</b> The primary outcome was the number of falls recorded in the twelve months
after randomisation, counted from diaries that the participants returned every month.</p>
</body></html>"""


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium to print a PDF")
def test_run_in_headings_stay_in_their_paragraph_and_table_cells_are_a_table(
    tmp_path: Path,
) -> None:
    page = tmp_path / "trial.html"
    page.write_text(RUN_IN_AND_TABLE, encoding="utf-8")
    pdf = tmp_path / "trial.pdf"
    subprocess.run(
        [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf}",
            str(page),
        ],
        check=True,
        capture_output=True,
    )
    doc = parsed(pdf)
    extraction = extract(doc, source="t.pdf", document_id="d", version=1)
    claims = [c.text for c in extraction.claims]
    assert (
        "We recruited 120 adults aged 60 to 80 years from three clinics in Oslo and Bergen"
        " between 2019 and 2021, and each gave written consent before any measurement was"
        " taken." in claims
    )
    assert any(c.startswith("The primary outcome was the number of falls") for c in claims)
    assert not any("85.5" in claim or "79.4" in claim for claim in claims)
    # A subheading in the body's font, on a line of its own, heads what follows.
    assert "Study design" in blocks_of(doc, BlockKind.heading)
    (randomised,) = [c for c in extraction.claims if c.text.startswith("Participants were")]
    assert randomised.section == "Study design"
    assert randomised.text.endswith("did not know the allocation.")
    assert any("85.5" in text for text in blocks_of(doc, BlockKind.table))


def test_worker_processes_read_pdfs_as_one_process_does(tmp_path: Path) -> None:
    sources = [IOANNIDIS, BMC, DATA / "docx" / "press_release.docx"]
    ingest(sources, tmp_path / "one.db", jobs=1)
    ingest(sources, tmp_path / "two.db", jobs=2)
    query = "select id, document, start, [end], page, text from claims order by id"
    with sqlite3.connect(tmp_path / "one.db") as one, sqlite3.connect(tmp_path / "two.db") as two:
        assert one.execute(query).fetchall() == two.execute(query).fetchall()
