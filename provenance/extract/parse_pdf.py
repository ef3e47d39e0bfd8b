"""PDF: the text layer, rebuilt as plain stored text with typed blocks and page numbers.

The lines of each page come from :mod:`provenance.extract.pdf_text` (pypdfium2). Then:

- Running headers, footers and page numbers: a line in the top or bottom band of the page
  (``MARGIN_BAND``) whose text (digits ignored) recurs on another page at the same height,
  or that is only a page number ("3", "Page 3 of 8", "- 3 -"); also a line anywhere that
  recurs at the same height on half the pages, three at least (margin notes such as
  "Downloaded from ..."). These are boilerplate blocks: kept in the text, never claims; so
  are blocks without a letter (a stray superscript number), except a row of numbers, which is
  a table block, as is any block of four words or more, half of them numbers.
- Lines join into a block while they continue one another: the next line below the last
  (not above it: that is another column), a gap under about one line, the same font size
  and weight, overlapping horizontally. A short line ending a sentence, an indented first
  line after a sentence, or a line naming a usual section ("Methods", "References") ends a
  block.
- Reading order: on a page with two columns, blocks are read column by column (left, then
  right) within bands cut by full-width body text (a title, an abstract); full-width
  captions and boilerplate do not cut bands. A paragraph that ends without a full stop goes
  on in the next paragraph when that does not start with a capital, or, for a paragraph of several
  lines, when the next one starts higher up or on another page (a column or page break); a
  reference entry goes on in the next reference block that does not open a new entry.
- Words split at a line end are joined and the hyphen dropped ("immobi-" + "lization"). It
  is kept where it belongs to the word: before a capital or a digit, after a single letter
  ("p-" + "values"), where the document prints the hyphenated word whole elsewhere and never
  the joined one ("large-" + "scale"), or where both halves are words of the document and
  the joined form is not ("lifestyle-" + "related"). A compound split at its own hyphen that
  passes none of these tests loses its hyphen: the text layer cannot tell.
- A short block in a font at least a point larger than the body's, or bold in a document
  whose body is not, is a heading (levels by font size); so is a line that names a usual
  section, and a short line of its own, in capitals first and without a final stop, that
  opens a run of text (a subheading in the body's font: "Study design"). "Figure 3." /
  "Table 2:" opens a caption. After a reference heading ("References", see
  rules/citations.json) each numbered entry is its own block of kind reference.
- The title is the first level-1 heading (the largest font).

The stored text is the blocks joined by blank lines, lines within a block by single spaces.
``ParsedDocument.pages`` maps offsets in that text to page numbers.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from provenance.errors import ProvenanceError
from provenance.extract.blocks import Block, ParsedDocument
from provenance.extract.pdf_text import Line, line_joiner, open_pdf, page_lines, vocabulary
from provenance.extract.references import reference_heading
from provenance.models import BlockKind

#: Share of the page height at its top and bottom where running headers and footers sit.
MARGIN_BAND = 0.07
#: Lines at the same height (points) count as the same running line on another page.
SAME_HEIGHT = 4.0
#: A short line of its own with at most this many words may be a subheading.
HEADING_WORDS = 12
#: A block at least this share of whose words (four or more) are numbers is a table.
TABLE_NUMBERS = 0.5
#: Lines whose font sizes differ by more than this share (or 0.6 pt) are not one block.
SIZE_TOLERANCE = 0.12
#: A line this many times the body's font size or more is a title, never a section name.
TITLE_SIZE = 1.4
#: A text layer with fewer printable characters per page than this is taken for a scan.
MIN_CHARS_PER_PAGE = 20

_NO_TEXT_LAYER = "{label}: PDF has no text layer (a scanned image?); run OCR on it first"
_PAGE_NUMBER = re.compile(
    r"^\W{0,3}(?:page\s+)?(?:\d{1,4}|[ivxlc]{1,6})(?:\s*(?:of|/)\s*\d{1,4})?\W{0,3}$",
    re.IGNORECASE,
)
_CAPTION = re.compile(
    r"^(?:(?:Supplementary\s+|Additional\s+)?(?:Fig(?:ure)?s?\.?|Table|Chart|Scheme)"
    r"\s*[A-Z]?\d+[A-Za-z]?(?:\s*[.:|—–-]|\s+[A-Z(]))",
)
_ENTRY_LABEL = re.compile(r"^\s*(?:\[\d{1,4}\]|\d{1,4}\.\s|\d{1,4}\s+[A-Z])")
_SENTENCE_END = re.compile(r"[.?!:;][\"”’)\]]*$")
_DIGITS = re.compile(r"\d+")
_NUMBER = re.compile(r"[-+±−–(]?\d[\d.,:/%±−–)*]*")
_SECTION_DECORATION = re.compile(r"^\s*(?:\d{1,2}(?:\.\d{1,2})*\.?|[IVX]{1,4}\.)?\s*|[\s:.]*$")
_SECTION_NAMES = frozenset(
    {
        "abstract",
        "summary",
        "background",
        "introduction",
        "methods",
        "materials and methods",
        "methods and materials",
        "patients and methods",
        "results",
        "discussion",
        "results and discussion",
        "conclusion",
        "conclusions",
        "limitations",
        "acknowledgements",
        "acknowledgments",
        "funding",
        "competing interests",
        "conflicts of interest",
        "conflict of interest",
        "author contributions",
        "authors' contributions",
        "authors’ contributions",
        "abbreviations",
        "keywords",
        "key messages",
        "key points",
        "recommendations",
        "executive summary",
        "appendix",
    }
)


@dataclass(slots=True)
class _Block:
    kind: BlockKind
    lines: list[Line] = field(default_factory=list)
    level: int = 0

    @property
    def page(self) -> int:
        return self.lines[0].page

    @property
    def x0(self) -> float:
        return min(line.x0 for line in self.lines)

    @property
    def x1(self) -> float:
        return max(line.x1 for line in self.lines)

    @property
    def top(self) -> float:
        return max(line.top for line in self.lines)

    @property
    def text(self) -> str:
        return " ".join(line.text for line in self.lines)


def _running_key(line: Line) -> str:
    return _DIGITS.sub("#", line.text.casefold())


def _mark_boilerplate(pages: list[list[Line]], heights: list[float]) -> None:
    """Running headers, footers, page numbers and margin notes (see the module docstring)."""
    seen: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for lines in pages:
        for line in lines:
            seen[_running_key(line)].append((line.page, line.top))

    def recurrences(line: Line) -> int:
        return len(
            {
                page
                for page, top in seen[_running_key(line)]
                if page != line.page and abs(top - line.top) <= SAME_HEIGHT
            }
        )

    # Anywhere on the page, a line must recur on half the pages (and three at least).
    everywhere = max(3.0, len(pages) / 2) - 1
    for lines, height in zip(pages, heights, strict=True):
        for line in lines:
            in_band = line.top > height * (1 - MARGIN_BAND) or line.bottom < height * MARGIN_BAND
            running = in_band and (_PAGE_NUMBER.match(line.text) or recurrences(line) >= 1)
            line.boilerplate = bool(running) or (
                len(pages) >= 3 and recurrences(line) >= everywhere
            )


def _numeric_share(text: str, least: int = 4) -> float:
    """The share of a block's words that are numbers (a table's cells, a figure's axes), if
    it has ``least`` words or more."""
    words = text.split()
    if len(words) < least:
        return 0.0
    return sum(1 for word in words if _NUMBER.fullmatch(word)) / len(words)


def _section_name(text: str) -> bool:
    """A line that only names a usual section of a paper or report ("2. Methods"), with a
    capital as headings have ("results." at the top of a column ends a sentence)."""
    core = _SECTION_DECORATION.sub("", text)
    if not core[:1].isupper():
        return False
    return core.casefold() in _SECTION_NAMES or reference_heading(text)


def _names_section(line: Line, body_size: float, text: str | None = None) -> bool:
    """A line (or a block starting with it) that only names a section. In a title-sized
    font it is a word of the title instead ("... a systematic review of the literature")."""
    return _section_name(line.text if text is None else text) and line.size < TITLE_SIZE * body_size


def _continues(block: _Block, line: Line, body_size: float, column: float) -> bool:
    """Whether ``line`` goes on with ``block`` (``column``: the page's usual line width)."""
    last = block.lines[-1]
    if line.boilerplate or last.boilerplate:
        return False
    if _names_section(line, body_size) or _names_section(last, body_size):
        return False
    # Sizes are measured on a few letters: an italic word can shift them by a tenth.
    size_step = max(0.6, SIZE_TOLERANCE * max(line.size, last.size))
    if abs(line.size - last.size) > size_step or (line.bold != last.bold and len(line.text) > 3):
        return False
    if line.top > last.top + 1:  # above the last line: another column or a float
        return False
    gap = last.bottom - line.top
    if gap > 0.9 * max(last.height, line.height) or gap < -0.8 * last.height:
        return False
    if line.x0 > last.x1 or line.x1 < last.x0:  # side by side, not one under the other
        return False
    if block.kind is BlockKind.reference:
        return not _ENTRY_LABEL.match(line.text)
    if len(block.lines) == 1 and _heading_line(last, column) and line.text[:1].isupper():
        return False  # a run of text opened by a short line of its own: that is its heading
    width = max(ln.x1 for ln in block.lines) - min(ln.x0 for ln in block.lines)
    if (width > 0 and len(block.lines) > 1) or width > 20 * body_size:
        short = last.x1 < block.x1 - 0.12 * width
        if short and _SENTENCE_END.search(last.text) and not last.hyphen:
            return False
        indented = line.x0 > last.x0 + 0.6 * line.size and line.x0 - last.x0 < 0.25 * width
        if indented and _SENTENCE_END.search(last.text):
            return False  # an indented first line after a sentence
    return True


def _two_columns(lines: list[Line], width: float) -> bool:
    middle = width / 2
    body = [line for line in lines if not line.boilerplate and len(line.text) > 20]
    if not body:
        return False
    sided = sum(1 for line in body if line.x1 < middle + 5 or line.x0 > middle - 5)
    return sided > 0.5 * len(body)


def _reading_order(blocks: list[_Block], width: float, two_columns: bool) -> list[_Block]:
    """Column by column within bands cut by full-width body text (see the module docstring)."""
    if not two_columns:
        return sorted(blocks, key=lambda block: -block.top)
    middle = width / 2

    def column(block: _Block) -> int:
        if block.x1 < middle + 0.03 * width:
            return 0
        if block.x0 > middle - 0.03 * width:
            return 1
        return -1

    cuts = sorted(
        block.top
        for block in blocks
        if column(block) == -1 and block.kind in (BlockKind.paragraph, BlockKind.heading)
    )
    cuts_desc = sorted(cuts, reverse=True)

    def band(block: _Block) -> int:
        # The number of cuts at or above the block's top: blocks below a cut follow it.
        return sum(1 for cut in cuts_desc if cut >= block.top - 0.5)

    return sorted(blocks, key=lambda b: (band(b), max(column(b), 0), -b.top))


def _heading_line(line: Line, column: float) -> bool:
    """A short line (under 60 % of the column, a dozen words at most) that starts with a
    capital and does not end a sentence: the look of a subheading in the body's font."""
    return (
        line.x1 - line.x0 < 0.6 * column
        and line.text[:1].isupper()
        and len(line.text.split()) <= HEADING_WORDS
        and not _SENTENCE_END.search(line.text)
        and not line.text.endswith(",")
    )


def _column_width(lines: list[Line]) -> float:
    """The usual width of a page's lines of prose (the median of those of 40 characters)."""
    widths = sorted(line.x1 - line.x0 for line in lines if len(line.text) >= 40)
    return widths[len(widths) // 2] if widths else 0.0


def _group(lines: list[Line], body_size: float, in_references: bool) -> list[_Block]:
    """Lines into blocks, in PDFium's order; ``in_references``: the page goes on with a
    reference list begun on an earlier page."""
    blocks: list[_Block] = []
    column = _column_width(lines)
    for line in lines:
        if blocks and _continues(blocks[-1], line, body_size, column):
            blocks[-1].lines.append(line)
            continue
        kind = BlockKind.boilerplate if line.boilerplate else BlockKind.paragraph
        if in_references and kind is BlockKind.paragraph:
            kind = BlockKind.reference
        blocks.append(_Block(kind, [line]))
        if _names_section(line, body_size):
            in_references = reference_heading(line.text)
    return blocks


def _classify(blocks: list[_Block], body_size: float, body_bold: bool, column: float) -> None:
    heading_sizes: set[float] = set()
    for block in blocks:
        if block.kind is BlockKind.boilerplate:
            continue
        text = block.text
        first = block.lines[0]
        if _CAPTION.match(text):
            block.kind = BlockKind.caption
            continue
        if _numeric_share(text) >= TABLE_NUMBERS:
            block.kind = BlockKind.table  # a table's cells, read as lines
            continue
        if not any(character.isalpha() for character in text):
            # A row of figures is a table's; else page furniture (a stray superscript number).
            numbers = len(text.split()) > 1 and _numeric_share(text, 2) == 1
            block.kind = BlockKind.table if numbers else BlockKind.boilerplate
            continue
        short = len(block.lines) <= 3 and len(text.split()) <= 18 and text[-1:] not in ".,;"
        larger = first.size >= body_size + 1.0
        bolder = first.bold and not body_bold
        # One short line on its own, as a subheading in the body's font ("Study design").
        alone = len(block.lines) == 1 and _heading_line(first, column) and len(text) > 1
        if (short and (larger or bolder or alone)) or _names_section(first, body_size, text):
            block.kind = BlockKind.heading
            heading_sizes.add(first.size)
    ranks = {size: rank for rank, size in enumerate(sorted(heading_sizes, reverse=True), 1)}
    for block in blocks:
        if block.kind is BlockKind.heading:
            block.level = min(ranks.get(block.lines[0].size, 2), 6)


def _split_entries(blocks: list[_Block]) -> list[_Block]:
    """In a reference list, each numbered entry is its own block."""
    out: list[_Block] = []
    for block in blocks:
        if block.kind is not BlockKind.reference or len(block.lines) == 1:
            out.append(block)
            continue
        current = _Block(block.kind, [block.lines[0]])
        for line in block.lines[1:]:
            if _ENTRY_LABEL.match(line.text):
                out.append(current)
                current = _Block(block.kind, [line])
            else:
                current.lines.append(line)
        out.append(current)
    return out


def _ends_sentence(block: _Block) -> bool:
    last = block.lines[-1]
    return bool(_SENTENCE_END.search(last.text)) and not last.hyphen


def _merge_continuations(blocks: list[_Block]) -> list[_Block]:
    """A paragraph cut at the foot of a column or page goes on in the next body block, and
    a reference entry in the next block of the list that does not open a new entry."""
    out: list[_Block] = []
    open_paragraph: _Block | None = None
    last_entry: _Block | None = None
    for block in blocks:
        if block.kind is BlockKind.paragraph and open_paragraph is not None:
            first = block.text[:1]
            last, head = open_paragraph.lines[-1], block.lines[0]
            # Across a column or page break (the next text is higher up, or on another page)
            # a paragraph of several lines goes on whatever the case of the next word.
            broken = head.page != last.page or head.top > last.top + 1
            carried = broken and len(open_paragraph.lines) > 1
            if not first.isupper() or last.hyphen or carried:
                open_paragraph.lines.extend(block.lines)
                open_paragraph = None if _ends_sentence(open_paragraph) else open_paragraph
                continue
        if block.kind is BlockKind.reference:
            if last_entry is not None and not _ENTRY_LABEL.match(block.text):
                last_entry.lines.extend(block.lines)
                continue
            last_entry = block
        if block.kind is BlockKind.paragraph:
            open_paragraph = None if _ends_sentence(block) else block
        elif block.kind in (BlockKind.heading, BlockKind.reference):
            open_paragraph = None
        if block.kind is BlockKind.heading:
            last_entry = None
        out.append(block)
    return out


def check_pdf(data: bytes, label: str) -> None:
    """Refuse what :func:`parse_pdf` would refuse for the file as a whole (unreadable,
    encrypted, no pages, no text layer), reading no further than its first page with text."""
    document = open_pdf(data, label)
    try:
        if len(document) == 0:
            raise ProvenanceError(f"{label}: PDF has no pages")
        for index in range(len(document)):
            page = document[index]
            try:
                textpage = page.get_textpage()
                characters = textpage.count_chars()
                textpage.close()
            finally:
                page.close()
            if characters >= MIN_CHARS_PER_PAGE:
                return
    finally:
        document.close()
    raise ProvenanceError(_NO_TEXT_LAYER.format(label=label))


def parse_pdf(data: bytes, label: str) -> ParsedDocument:
    """Parse a PDF's text layer; a PDF without one (a scan) is refused."""
    document = open_pdf(data, label)
    try:
        pages: list[list[Line]] = []
        sizes: list[tuple[float, float]] = []
        for index in range(len(document)):
            page = document[index]
            try:
                sizes.append(page.get_size())
                pages.append(page_lines(page, index + 1))
            finally:
                page.close()
    finally:
        document.close()
    characters = sum(len(line.text) for lines in pages for line in lines)
    if characters < MIN_CHARS_PER_PAGE * max(len(pages), 1) / 4 or not characters:
        raise ProvenanceError(_NO_TEXT_LAYER.format(label=label))
    _mark_boilerplate(pages, [height for _, height in sizes])
    body_lines = [line for lines in pages for line in lines if not line.boilerplate]
    weighted: Counter[float] = Counter()
    bold_chars = 0
    for line in body_lines:
        weighted[line.size] += len(line.text)
        bold_chars += len(line.text) if line.bold else 0
    body_size = weighted.most_common(1)[0][0] if weighted else 10.0
    body_bold = bold_chars > 0.5 * sum(weighted.values())
    ordered: list[_Block] = []
    in_references = False
    for lines, (width, _) in zip(pages, sizes, strict=True):
        blocks = _group(lines, body_size, in_references)
        _classify(blocks, body_size, body_bold, _column_width(lines))
        page_start = len(ordered)
        ordered.extend(_reading_order(blocks, width, _two_columns(lines, width)))
        # Only this page's blocks: the earlier pages' are settled (each page used to be
        # re-read from the first, a cost growing with the square of the page count).
        in_references = _classify_references(ordered[page_start:], in_references)
    ordered = _merge_continuations(_split_entries(ordered))
    return _assemble(ordered, vocabulary(pages))


def _classify_references(blocks: list[_Block], in_references: bool) -> bool:
    """Re-kind the paragraphs after a reference heading (up to the next heading) as
    references, the list being open at the start if ``in_references``; whether it is still
    open at the end."""
    for block in blocks:
        if block.kind is BlockKind.heading:
            in_references = reference_heading(block.text)
        elif in_references and block.kind is BlockKind.paragraph:
            block.kind = BlockKind.reference
    return in_references


def _assemble(blocks: list[_Block], words: frozenset[str]) -> ParsedDocument:
    parts: list[str] = []
    out: list[Block] = []
    pages: list[tuple[int, int]] = []
    offset = 0
    title: str | None = None
    for block in blocks:
        if parts:
            parts.append("\n\n")
            offset += 2
        start = offset
        for index, line in enumerate(block.lines):
            if index:
                joiner = line_joiner(block.lines[index - 1], line, words)
                parts.append(joiner)
                offset += len(joiner)
            if not pages or pages[-1][1] != line.page:
                pages.append((offset, line.page))
            parts.append(line.text)
            offset += len(line.text)
        out.append(Block(block.kind, start, offset, block.level))
        if title is None and block.kind is BlockKind.heading and block.level == 1:
            title = block.text
    return ParsedDocument("".join(parts), out, title, pages)
