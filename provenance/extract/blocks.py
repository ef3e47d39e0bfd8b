"""Blocks: the structural parts of a parsed document, with offsets into its stored text."""

from __future__ import annotations

import bisect
import sys
from dataclasses import dataclass, field

from provenance.models import BlockKind


@dataclass(frozen=True, slots=True)
class Block:
    """A heading, question, paragraph, list item, quote, reference entry, or a kept part
    (title, dateline, byline, caption, contents, contact, boilerplate, source line, table).

    ``start``/``end`` are offsets into the stored text; ``text[start:end]`` is the block's
    content with markup prefixes (``#``, ``-``, ``>``) already excluded and no surrounding
    whitespace. ``level`` is a heading's level (1–6); for list items and quotes read from
    Markdown it is their nesting depth (1 for the outermost); otherwise 0.
    """

    kind: BlockKind
    start: int
    end: int
    level: int = 0
    rows: list[list[str]] | None = None  # a table's cells, row by row


@dataclass(slots=True)
class ParsedDocument:
    """A document's stored text and its blocks in reading order."""

    text: str
    blocks: list[Block] = field(default_factory=list)
    title: str | None = None
    #: For a paged document: ``(offset, page)`` where each page's text starts in ``text``,
    #: in order (see :func:`page_at`); empty for the others.
    pages: list[tuple[int, int]] = field(default_factory=list)


def trimmed_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink ``[start, end)`` so that it neither starts nor ends with whitespace."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def page_at(pages: list[tuple[int, int]], offset: int) -> int | None:
    """The page that ``offset`` of the stored text is on (``None`` for an unpaged document)."""
    index = bisect.bisect_right(pages, (offset, sys.maxsize)) - 1
    return pages[index][1] if index >= 0 else None


#: Superscript digits (and minus) to plain ones, and back: the parsers write a note marker in
#: the stored text as superscript digits, which citations reads as a superscript citation.
FROM_SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")
TO_SUPERSCRIPT = str.maketrans("0123456789-–", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁻")
