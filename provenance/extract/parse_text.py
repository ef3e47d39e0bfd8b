"""Plain text: lines become headings, questions, list items and paragraphs.

A short line without final punctuation is a heading; a line that ends in ``?`` and holds one
sentence is a question; ``-``/``*``/``•``/``1.`` lines are list items (the marker is left
out of the span). Paragraphs are either one per line (the common export format, as in the
example article) or runs of lines separated by blank lines when the text is hard-wrapped.
Lines without a letter or digit (``***``, ``=====`` under a title) are decoration, like
blank lines: no block.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from provenance.extract.blocks import Block, ParsedDocument, trimmed_span
from provenance.models import SECTION_BLOCK_KINDS, BlockKind

HEADING_MAX_CHARS = 100
HEADING_MAX_WORDS = 14
WRAP_WIDTH = 100
# A title-like line in wrapped text stands alone if the next word would have fitted well
# within the wrap width (a fraction of the longest line).
WRAP_FIT = 0.85
_TERMINAL = ".!?:;,…\"'”’)]"
_LIST_MARKER = re.compile(r"(?:[-*•‣◦▪–]|\(?\d{1,3}[.)]|\(?[a-zA-Z][.)])[ \t]+(?=\S)")
_SENTENCE_INSIDE = re.compile(r"[.!?][\"'”’)\]]*\s+[A-Z0-9\"“‘(]")
_SECTION_NUMBER = re.compile(r"\d{1,2}(?:\.\d{1,2})*\.?(?=[ \t])")
_NUMBERED_HEADING = re.compile(r"\d{1,2}(?:\.\d{1,2})*\.?[ \t]+\S")
_ADDRESS = re.compile(r"https?://|www\.", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class _Line:
    start: int
    end: int  # trimmed content end

    def content(self, text: str) -> str:
        return text[self.start : self.end]


def _lines(text: str) -> list[_Line | None]:
    """Each line's trimmed span, or None for a blank or decoration line."""
    lines: list[_Line | None] = []
    pos = 0
    for raw in text.splitlines(keepends=True):
        start, end = trimmed_span(text, pos, pos + len(raw))
        lines.append(_Line(start, end) if start < end and _has_word(raw) else None)
        pos += len(raw)
    return lines


def _has_word(line: str) -> bool:
    """Lines without a letter or digit (``***``, ``=====``, ``—``) are decoration."""
    return any(char.isalnum() for char in line)


def is_heading_line(line: str) -> bool:
    """A short line with no final punctuation that starts like a title (and holds no web
    address: "3. See https://…" is a list item, not a section)."""
    if len(line) > HEADING_MAX_CHARS or len(line.split()) > HEADING_MAX_WORDS:
        return False
    if line[-1] in _TERMINAL or _ADDRESS.search(line):
        return False
    first = line[0]
    return first.isupper() or first.isdigit() or not first.isalpha()


def heading_level(line: str) -> int:
    """1, or the depth of a section number ("2.1 Methods" is level 2)."""
    numbered = _SECTION_NUMBER.match(line)
    return numbered.group(0).rstrip(".").count(".") + 1 if numbered else 1


def is_question_line(line: str) -> bool:
    """A line that is one sentence, and a question (:func:`is_question_sentence`)."""
    return (
        line.endswith("?") and not _SENTENCE_INSIDE.search(line[:-1]) and is_question_sentence(line)
    )


#: A sentence that asks: its final ``?`` may be followed by closing quotes, brackets and
#: citation markers.
_QUESTION_END = re.compile(r"\?[\"'”’)\]*]*(?:\[\d{1,4}(?:[,–-]\d{1,4})*\])*[⁰¹²³⁴⁵⁶⁷⁸⁹]*$")


#: The question mark of a question is this close to its end (after quotes and markers).
QUESTION_TAIL = 40
_QUOTE_CLOSERS = {'"': '"', "”": "“", "’": "‘", "'": "'"}
#: A clause this long before a colon states something even when a question follows it.
STATEMENT_BEFORE_COLON_WORDS = 5


def is_question_sentence(sentence: str) -> bool:
    """A sentence ending in a question mark asks rather than states: never a claim.

    Not a question: a statement that ends by quoting a title that asks ('…, as shown in the
    chart in "How Much Sleep Is Enough?"'), or one that states something before a colon and
    then the question it raises ("Settling it takes an answer to one question: did …?").
    """
    if "?" not in sentence[-QUESTION_TAIL:] or _QUESTION_END.search(sentence) is None:
        return False
    stripped = sentence.rstrip("⁰¹²³⁴⁵⁶⁷⁸⁹]0123456789,–-[").rstrip()
    closer = stripped[-1]
    if closer in _QUOTE_CLOSERS:
        opener = stripped.rfind(_QUOTE_CLOSERS[closer], 0, len(stripped) - 1)
        if opener > 0:
            return False
    head, colon, _ = sentence.partition(": ")
    return not (colon and len(head.split()) >= STATEMENT_BEFORE_COLON_WORDS)


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
        return Block(BlockKind.heading, line.start, line.end, level=heading_level(content))
    return Block(BlockKind.paragraph, line.start, line.end)


def _not_a_section(text: str, block: Block) -> Block:
    """A title-like line found to be prose: a list item if it has a marker ("2. Doses above
    … see" continued on the next line), else a paragraph."""
    marker = _LIST_MARKER.match(text, block.start, block.end)
    if marker:
        return Block(BlockKind.list_item, marker.end(), block.end)
    return Block(BlockKind.paragraph, block.start, block.end)


def _first_word_length(text: str, line: _Line) -> int:
    content = line.content(text)
    return len(content.split(None, 1)[0])


def _starts_section(text: str, lines: list[_Line], index: int, width: int) -> bool:
    """Whether the heading or question on ``lines[index]`` stands alone in a wrapped text.

    A title-like line whose next line's first word would still have fitted on it was broken
    on purpose; one that is as long as the wrap width is just a wrapped line of prose.
    """
    line = lines[index]
    if index + 1 == len(lines):
        return True
    following = lines[index + 1]
    if text[line.end - 1] == "?" or _LIST_MARKER.match(following.content(text)):
        return True
    if not text[following.start].isupper() and not text[following.start].isdigit():
        return False
    needed = (line.end - line.start) + 1 + _first_word_length(text, following)
    return needed <= WRAP_FIT * width


def _wrapped_group_blocks(text: str, group: list[_Line], width: int) -> list[Block]:
    """Blocks of one run of non-blank lines in a hard-wrapped text."""
    blocks: list[Block] = []
    for index, line in enumerate(group):
        block = _classify_line(text, line)
        last = blocks[-1] if blocks else None
        if block.kind in SECTION_BLOCK_KINDS:
            after_sentence = index == 0 or text[group[index - 1].end - 1] in ".!?:"
            stands_alone = _starts_section(text, group, index, width)
            if last is None or last.kind in SECTION_BLOCK_KINDS:
                if not stands_alone:
                    block = _not_a_section(text, block)
            elif not (after_sentence and stands_alone):
                block = _not_a_section(text, block)
        if (
            last is not None
            and last.kind in (BlockKind.paragraph, BlockKind.list_item)
            and block.kind is BlockKind.paragraph
        ):
            blocks[-1] = Block(last.kind, last.start, line.end)
        else:
            blocks.append(block)
    return [_as_question_if_one(text, block) for block in blocks]


def _as_question_if_one(text: str, block: Block) -> Block:
    """A wrapped paragraph that is a single question sentence is a question."""
    if block.kind is BlockKind.paragraph and is_question_line(text[block.start : block.end]):
        return Block(BlockKind.question, block.start, block.end)
    return block


def _wrapped_blocks(text: str, lines: list[_Line | None]) -> list[Block]:
    present = [line for line in lines if line is not None]
    width = max(line.end - line.start for line in present)
    blocks: list[Block] = []
    group: list[_Line] = []
    for line in [*lines, None]:
        if line is not None:
            group.append(line)
        elif group:
            blocks.extend(_wrapped_group_blocks(text, group, width))
            group = []
    return blocks


def _continues(text: str, previous: _Line, line: _Line) -> bool:
    """Whether ``line`` carries on the text of the line before it: that one has no final
    punctuation and this one starts in lower case ("…per day, and the" / "official advice").
    A heading or a paragraph of its own is followed by a capital, a digit or a marker."""
    return text[previous.end - 1] not in _TERMINAL and text[line.start].islower()


def _line_blocks(text: str, lines: list[_Line | None]) -> list[Block]:
    """One block per line, except that a line continuing the one before it (see
    :func:`_continues`) joins that line's paragraph or list item (a title-like line that is
    continued was prose wrapped by hand, not a heading)."""
    blocks: list[Block] = []
    previous: _Line | None = None
    for line in lines:
        if line is not None and previous is not None and _continues(text, previous, line):
            last = blocks[-1]
            if last.kind in SECTION_BLOCK_KINDS:
                last = _not_a_section(text, last)
            blocks[-1] = Block(last.kind, last.start, line.end)
        elif line is not None:
            blocks.append(_classify_line(text, line))
        previous = line
    return blocks


def parse_plain_text(text: str) -> ParsedDocument:
    """Segment plain text into blocks; the stored text is the input unchanged.

    Without blank lines between paragraphs (the common export format, as in the example
    article) every line is its own block. In a hard-wrapped text (runs of short lines
    separated by blank lines) the lines of a run are joined into one paragraph or list item,
    unless a line is a heading or question that stands on its own.
    """
    lines = _lines(text)
    if _is_hard_wrapped(text, lines):
        blocks = _wrapped_blocks(text, lines)
    else:
        blocks = _line_blocks(text, lines)
    title = None
    if blocks and blocks[0].kind is BlockKind.heading:
        title = text[blocks[0].start : blocks[0].end]
    return ParsedDocument(text=text, blocks=blocks, title=title)
