"""Reference lists: found, kept as references (never claims), and cited by markers."""

from __future__ import annotations

from provenance.blocks import Block
from provenance.models import Citation, Reference
from provenance.positions import LineIndex


def mark_reference_blocks(text: str, blocks: list[Block]) -> list[Block]:
    """Return ``blocks`` with the entries of a reference list re-kinded as references."""
    return blocks


def parse_references(
    text: str, blocks: list[Block], document_id: str, lines: LineIndex
) -> list[Reference]:
    """One Reference per reference-kind block, in document order."""
    return []


def resolve_citations(citations: list[Citation], references: list[Reference]) -> list[Citation]:
    """Fill each citation's ``reference_ids`` from the document's reference list."""
    return citations
