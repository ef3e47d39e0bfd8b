"""Plain text: lines become headings, questions, list items and paragraphs.

A short line without final punctuation is a heading; a line that ends in ``?`` is a
question; ``-``/``*``/``•``/``1.`` lines are list items. Paragraphs are either one per line
(the common export format, as in the example article) or runs of lines separated by blank
lines when the text is hard-wrapped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from provenance.blocks import Block, ParsedDocument, trimmed_span
from provenance.models import BlockKind

HEADING_MAX_CHARS = 100
HEADING_MAX_WORDS = 14
WRAP_WIDTH = 100
_TERMINAL = ".!?:;,…\"'”’)]"
_LIST_MARKER = re.compile(r"(?:[-*•‣◦▪–]|\(?\d{1,3}[.)]|\(?[a-zA-Z][.)])[ \t]+(?=\S)")
_SENTENCE_INSIDE = re.compile(r"[.!?][\"'”’)\]]*\s+[A-Z0-9\"“‘(]")
_NUMBERED_HEADING = re.compile(r"\d{1,2}(?:\.\d{1,2})*\.?[ \t]+\S")


@dataclass(frozen=True, slots=True)
class _Line:
    start: int
    end: int  # trimmed content end

    def content(self, text: str) -> str:
        return text[self.start : self.end]


def _lines(text: str) -> list[_Line | None]:
    """Each line's trimmed span, or None for a blank line."""
    lines: list[_Line | None] = []
    pos = 0
    for raw in text.splitlines(keepends=True):
        start, end = trimmed_span(text, pos, pos + len(raw))
        lines.append(_Line(start, end) if start < end else None)
        pos += len(raw)
    return lines


def is_heading_line(line: str) -> bool:
    """A short line with no final punctuation that starts like a title."""
    if len(line) > HEADING_MAX_CHARS or len(line.split()) > HEADING_MAX_WORDS:
        return False
    if line[-1] in _TERMINAL:
        return False
    first = line[0]
    return first.isupper() or first.isdigit() or not first.isalpha()


def is_question_line(line: str) -> bool:
    """A line that is one sentence ending in a question mark."""
    return line.endswith("?") and not _SENTENCE_INSIDE.search(line[:-1])


def _is_hard_wrapped(text: str, lines: list[_Line | None]) -> bool:
    present = [ln for ln in lines if ln is not None]
    if not present or len(present) == len(lines):
        return False
    short = sum(1 for ln in present if ln.end - ln.start <= WRAP_WIDTH)
    return short / len(present) >= 0.6 and len(present) > len(lines) - len(present)


def _classify_line(text: str, line: _Line) -> Block:
    content = line.content(text)
    marker = _LIST_MARKER.match(content)
    numbered_heading = _NUMBERED_HEADING.match(content) and is_heading_line(content)
    if marker and not numbered_heading:
        return Block(BlockKind.list_item, line.start + marker.end(), line.end)
    if is_question_line(content):
        return Block(BlockKind.question, line.start, line.end)
    if is_heading_line(content):
        return Block(BlockKind.heading, line.start, line.end, level=1)
    return Block(BlockKind.paragraph, line.start, line.end)


def parse_plain_text(text: str) -> ParsedDocument:
    """Segment plain text into blocks; the stored text is the input unchanged."""
    lines = _lines(text)
    wrapped = _is_hard_wrapped(text, lines)
    blocks: list[Block] = []
    previous: _Line | None = None
    for line in lines:
        if line is None:
            previous = None
            continue
        block = _classify_line(text, line)
        last = blocks[-1] if blocks else None
        continues = (
            wrapped
            and previous is not None
            and last is not None
            and last.kind in (BlockKind.paragraph, BlockKind.list_item, BlockKind.quote)
            and block.kind is not BlockKind.list_item
            and (block.kind is BlockKind.paragraph or not text[line.start].isupper())
        )
        if continues and last is not None:
            blocks[-1] = Block(last.kind, last.start, line.end)
        else:
            blocks.append(block)
        previous = line
    title = None
    if blocks and blocks[0].kind is BlockKind.heading:
        title = text[blocks[0].start : blocks[0].end]
    return ParsedDocument(text=text, blocks=blocks, title=title)
