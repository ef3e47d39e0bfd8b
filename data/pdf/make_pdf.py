"""Print a Markdown article as a two-column journal PDF with headless Chromium.

What it gives a PDF reader to get right, as real journal PDFs do: two justified columns, a
title across both, running headers (journal and short title) and footers ("Page N of M", the
DOI) from CSS ``@page`` margin boxes, words hyphenated at line ends (soft hyphens in long
words, which Chromium breaks with a hyphen), and a figure with its caption.

Usage (how the PLOS PDFs here were made, from ``data/citations/*.md``)::

    python data/pdf/make_pdf.py data/citations/plos_pmed.0020124_why_most_findings_false.md \\
        data/pdf/plos_pmed.0020124_why_most_findings_false.pdf \\
        "PLoS Medicine | www.plosmedicine.org" "Why Most Research Findings Are False" \\
        "doi:10.1371/journal.pmed.0020124" \\
        "Figure 1. PPV (probability that a research finding is true) as a function of the \\
pre-study odds for various numbers of conducted studies."
"""

from __future__ import annotations

import html
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from markdown_it import MarkdownIt

CSS = """
@page { size: A4; margin: 22mm 16mm 22mm 16mm;
  @top-left { content: "%(journal)s"; font: 8pt serif; }
  @top-right { content: "%(short)s"; font: 8pt serif; }
  @bottom-center { content: "Page " counter(page) " of " counter(pages); font: 8pt serif; }
  @bottom-right { content: "%(doi)s"; font: 8pt serif; }
}
@page :first { @top-right { content: none; } }
body { font: 9.5pt/1.3 "DejaVu Serif", serif; }
h1 { font-size: 16pt; column-span: all; }
.cols { columns: 2; column-gap: 7mm; text-align: justify; hyphens: auto; }
h2 { font-size: 11pt; } h3, h4 { font-size: 10pt; }
figure { break-inside: avoid; margin: 4mm 0; }
figure .box { height: 25mm; background: #ccc; }
figcaption { font-size: 8pt; }
"""
#: A soft hyphen after the fifth letter of long words: Chromium breaks there with a hyphen.
_LONG_WORD = re.compile(r"\b([A-Za-z]{5})([a-z]{5,})\b")


def article_html(markdown: str, journal: str, short: str, doi: str, caption: str | None) -> str:
    body = MarkdownIt("commonmark").enable("table").render(markdown)
    if caption:
        figure = (
            f'<figure><div class="box"></div><figcaption>{html.escape(caption)}</figcaption>'
            "</figure>"
        )
        index = 0
        for _ in range(3):  # after the third paragraph
            index = body.index("</p>", index) + 4
        body = body[:index] + figure + body[index:]
    body = re.sub(r">[^<]+<", lambda m: _LONG_WORD.sub(r"\1&shy;\2", m.group(0)), body)
    title_end = body.index("</h1>") + 5
    style = CSS % {"journal": journal, "short": short, "doi": doi}
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><style>{style}</style>'
        f'</head><body>{body[:title_end]}<div class="cols">{body[title_end:]}</div></body></html>'
    )


def print_pdf(page: str, pdf: Path) -> None:
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "article.html"
        source.write_text(page, encoding="utf-8")
        subprocess.run(
            [
                "chromium",
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-pdf-header-footer",
                f"--print-to-pdf={pdf}",
                str(source),
            ],
            check=True,
            capture_output=True,
        )


def main(argv: list[str]) -> None:
    markdown, pdf, journal, short, doi, *caption = argv
    page = article_html(
        Path(markdown).read_text("utf-8"), journal, short, doi, *caption[:1] or [None]
    )
    print_pdf(page, Path(pdf))


if __name__ == "__main__":
    main(sys.argv[1:])
