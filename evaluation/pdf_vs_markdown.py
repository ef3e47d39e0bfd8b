"""The same article as Markdown and as PDF: are the same statements found?

For each PLOS article in ``data/citations/*.md`` and its two-column PDF in ``data/pdf/``
(printed from the same text by ``data/pdf/make_pdf.py``: justified columns, running headers
and footers, hyphenated line ends, a figure caption), the real pipeline extracts claims from
both (``parse_document`` for the Markdown, ``parse_source`` for the PDF, then ``extract``).
A statement of the Markdown version is *found* in the PDF version when a PDF claim has the
same text once normalised (Unicode NFKC, case folded, words only: the two formats differ in
quote marks, dashes and spacing, never in words).

Reported per article and overall:

- found: share of the Markdown claims found as PDF claims (the bar: at least 95 %);
- in text: share of the Markdown claims whose words occur in the PDF's stored text at all
  (the gap to "found" is sentence splitting, not text extraction);
- boilerplate claims: PDF claims that hold a running header, footer or page number (the bar:
  none). The running lines are known for each PDF (listed below, not taken from the parser),
  and the real BMC article in ``data/pdf`` (no Markdown twin) is checked for them too.

Usage: ``python evaluation/pdf_vs_markdown.py [--json]``
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from dataclasses import asdict, dataclass
from pathlib import Path

from provenance.extract.parse import parse_document, parse_source
from provenance.extract.pipeline import extract
from provenance.extract.read import read_source
from provenance.models import DocumentFormat

DATA = Path(__file__).resolve().parent.parent / "data"
FOUND_BAR = 0.95
#: Running headers and footers of each PDF, as printed (page numbers as a pattern).
RUNNING = {
    "plos_pmed.0020007_mental_exercise_dementia": (
        "PLoS Medicine | www.plosmedicine.org",
        "Mental Exercise and Dementia",
        "doi:10.1371/journal.pmed.0020007",
        r"Page \d+ of \d+",
    ),
    "plos_pmed.0020124_why_most_findings_false": (
        "PLoS Medicine | www.plosmedicine.org",
        "Why Most Research Findings Are False",
        "doi:10.1371/journal.pmed.0020124",
        r"Page \d+ of \d+",
    ),
    "plos_pmed.0020171_weight_loss_mortality": (
        "PLoS Medicine | www.plosmedicine.org",
        "Weight Loss and Mortality",
        "doi:10.1371/journal.pmed.0020171",
        r"Page \d+ of \d+",
    ),
    "bmc_jtmo_2010_dvt_prophylaxis_excerpt": (
        "Datta et al. Journal of Trauma Management & Outcomes 2010, 4:1",
        "http://www.traumamanagement.org/content/4/1/1",
        r"Page \d+ of \d+",
    ),
}


def normalised(text: str) -> str:
    return " ".join(re.findall(r"\w+", unicodedata.normalize("NFKC", text).casefold()))


@dataclass
class Score:
    name: str
    markdown_claims: int
    pdf_claims: int
    found: int
    in_text: int
    boilerplate_claims: list[str]

    @property
    def found_share(self) -> float:
        return self.found / self.markdown_claims if self.markdown_claims else 1.0


def boilerplate_claims(name: str, claims: list[str]) -> list[str]:
    """Claims that hold a running line of the PDF (a header, footer or page number)."""
    patterns = [
        re.compile(pattern if pattern.startswith("Page") else re.escape(pattern))
        for pattern in RUNNING[name]
    ]
    return [claim for claim in claims if any(p.search(claim) for p in patterns)]


def pdf_claims(pdf: Path) -> tuple[list[str], str]:
    source = read_source(pdf)
    parsed = parse_source(source)
    extraction = extract(parsed, source=source.source, document_id="pdf", version=1)
    return [claim.text for claim in extraction.claims], parsed.text


def score(markdown: Path, pdf: Path) -> Score:
    parsed = parse_document(markdown.read_text("utf-8"), DocumentFormat.markdown)
    md = [c.text for c in extract(parsed, source="md", document_id="md", version=1).claims]
    claims, text = pdf_claims(pdf)
    in_pdf = {normalised(claim) for claim in claims}
    whole = normalised(text)
    return Score(
        name=markdown.stem,
        markdown_claims=len(md),
        pdf_claims=len(claims),
        found=sum(normalised(claim) in in_pdf for claim in md),
        in_text=sum(normalised(claim) in whole for claim in md),
        boilerplate_claims=boilerplate_claims(pdf.stem, claims),
    )


def main(argv: list[str]) -> int:
    scores = [
        score(markdown, DATA / "pdf" / f"{markdown.stem}.pdf")
        for markdown in sorted((DATA / "citations").glob("*.md"))
    ]
    bmc = DATA / "pdf" / "bmc_jtmo_2010_dvt_prophylaxis_excerpt.pdf"
    bmc_claims, _ = pdf_claims(bmc)
    bmc_boilerplate = boilerplate_claims(bmc.stem, bmc_claims)
    total_md = sum(s.markdown_claims for s in scores)
    found = sum(s.found for s in scores) / total_md
    in_text = sum(s.in_text for s in scores) / total_md
    leaks = sum(len(s.boilerplate_claims) for s in scores) + len(bmc_boilerplate)
    if "--json" in argv:
        report = {
            "articles": [asdict(s) | {"found_share": s.found_share} for s in scores],
            "found": found,
            "in_text": in_text,
            "boilerplate_claims": leaks,
            "bmc_claims": len(bmc_claims),
        }
        print(json.dumps(report, indent=2))
    else:
        print(f"{'article':45} {'md claims':>9} {'pdf claims':>10} {'found':>7} {'in text':>8}")
        for s in scores:
            print(
                f"{s.name:45} {s.markdown_claims:9} {s.pdf_claims:10} {s.found_share:7.1%}"
                f" {s.in_text / s.markdown_claims:8.1%}"
            )
        print(f"{'all':45} {total_md:9} {'':10} {found:7.1%} {in_text:8.1%}")
        print(
            f"running headers, footers or page numbers in claims: {leaks}"
            f" (BMC article: {len(bmc_claims)} claims checked)"
        )
        for s in scores:
            for claim in s.boilerplate_claims:
                print(f"  {s.name}: {claim}")
        for claim in bmc_boilerplate:
            print(f"  {bmc.stem}: {claim}")
    ok = found >= FOUND_BAR and leaks == 0
    print(f"bar (found >= {FOUND_BAR:.0%}, no boilerplate claim): {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
