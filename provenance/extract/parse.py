"""Turn a source into stored text plus blocks, by format."""

from __future__ import annotations

from functools import cache
from importlib.metadata import version

from provenance.extract.blocks import ParsedDocument
from provenance.extract.parse_docx import parse_docx
from provenance.extract.parse_html import parse_html
from provenance.extract.parse_markdown import parse_markdown
from provenance.extract.parse_text import parse_plain_text
from provenance.extract.read import SourceText
from provenance.extract.references import mark_reference_blocks
from provenance.extract.structure import refine_blocks
from provenance.models import BlockKind, DocumentFormat


def parse_document(source_text: str, fmt: DocumentFormat) -> ParsedDocument:
    """Parse ``source_text`` of the given format; what is not a statement (titles, datelines,
    boilerplate, reference lists, …) is marked as such (:mod:`provenance.extract.structure`)."""
    if fmt is DocumentFormat.markdown:
        parsed = parse_markdown(source_text)
    elif fmt is DocumentFormat.html:
        parsed = parse_html(source_text)
    else:
        parsed = parse_plain_text(source_text)
    blocks = refine_blocks(parsed.text, parsed.blocks, fmt)
    parsed.blocks = mark_reference_blocks(parsed.text, blocks)
    if parsed.title is None:
        parsed.title = next(
            (parsed.text[b.start : b.end] for b in parsed.blocks if b.kind is BlockKind.page_title),
            None,
        )
    return parsed


def parse_source(source: SourceText) -> ParsedDocument:
    """Parse a source as read: a binary format from its bytes, the others from their text."""
    if source.format is DocumentFormat.pdf:
        from provenance.extract.parse_pdf import parse_pdf  # see check_source

        parsed = parse_pdf(source.data, source.source)
    elif source.format is DocumentFormat.docx:
        parsed = parse_docx(source.data, source.source)
    else:
        return parse_document(source.text, source.format)
    parsed.blocks = mark_reference_blocks(parsed.text, parsed.blocks)
    return parsed


def check_source(source: SourceText) -> None:
    """Refuse a binary source that cannot be parsed, before anything is written."""
    if source.format is DocumentFormat.pdf:
        # Imported when a PDF comes: PDFium (its library and bindings) weighs 7.5 MB, which
        # ingesting other formats never needs.
        from provenance.extract.parse_pdf import check_pdf

        check_pdf(source.data, source.source)
    elif source.format is DocumentFormat.docx:
        parse_docx(source.data, source.source)  # milliseconds: parsed in full


@cache
def extractor_versions() -> dict[str, str]:
    """The libraries documents are read with (PDF text, web pages' main content), and their
    versions, recorded with each run. Read from the installed packages' metadata: importing
    trafilatura costs as much as ingesting 12 MB of text."""
    return {"pypdfium2": version("pypdfium2"), "trafilatura": version("trafilatura")}
