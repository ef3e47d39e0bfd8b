"""The text layer of PDF pages as lines, read with pypdfium2 (PDFium).

PDFium gives a page's text in its content order with a box per character and marks where a
line ends (the text is kept aligned with the boxes, character for character). Each line
here is one run of text: PDFium's line breaks cut the text, and so does a jump inside what
PDFium ran together (to the next column at the same height, or to
another line: the words on either side of a space then sit far apart or at another height).
A word PDFium joined over a line-end hyphen (it marks the hyphen U+FFFE) is cut there too,
and the line is marked as ending in a split word, as is a line ending in a hyphen (ASCII,
U+2010 or a soft hyphen) after a letter. Boxes are PDFium's "loose" ones (from the font's
ascent and descent), so a line's height is its font size whatever its letters.

:func:`line_joiner` says how two lines of a block join (a space, nothing, or a hyphen kept),
from the words the document prints whole (:func:`vocabulary`).
"""

from __future__ import annotations

import ctypes
import re
import statistics
from dataclasses import dataclass

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from provenance.errors import ProvenanceError

_LINE_BREAK = re.compile(r"\r\n|\r|\n|\ufffe")
_HYPHENS = "-\u2010\u00ad\ufffe"
_WORD = re.compile(r"\w+(?:-\w+)*")
_LAST_WORD = re.compile(r"\w+$")
_FIRST_WORD = re.compile(r"\w+")
#: Control characters some fonts map their glyphs to (bullets drawn as U+0001): spaces.
_CONTROLS = {code: " " for code in range(0x20)}
_BOLD_FONT = re.compile(r"bold|black|heavy|semibold|demi|[.,-]B(?:$|\W)|-BoldMT", re.IGNORECASE)


@dataclass(slots=True)
class Line:
    page: int
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    bold: bool
    #: The line ends in a hyphen that splits a word (PDFium's mark, or a hyphen char).
    hyphen: bool = False
    boilerplate: bool = False

    @property
    def height(self) -> float:
        return max(self.top - self.bottom, 1.0)


def open_pdf(data: bytes, label: str) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as error:
        reason = str(error)
        if "password" in reason.lower():
            raise ProvenanceError(f"{label}: PDF is encrypted (password required)") from None
        raise ProvenanceError(f"{label}: not a readable PDF ({reason.rstrip('.')})") from None


def _font_name(raw: object, index: int) -> str:
    length = pdfium_c.FPDFText_GetFontInfo(raw, index, None, 0, None)
    if length <= 0:
        return ""
    buffer = ctypes.create_string_buffer(length)
    pdfium_c.FPDFText_GetFontInfo(raw, index, buffer, length, None)
    return buffer.value.decode("latin-1")


def _bold(raw: object, index: int) -> bool:
    font = _font_name(raw, index)
    return bool(_BOLD_FONT.search(font)) or pdfium_c.FPDFText_GetFontWeight(raw, index) >= 600


def _pieces(
    textpage: pdfium.PdfTextPage, text: str, first: int, last: int, middle: float
) -> list[tuple[int, int]]:
    """Cut PDFium's line ``text[first:last + 1]`` where it jumps to another line or column.

    PDFium can run two lines together (side by side in two columns, or a line and the one
    under it): the words on either side of a space then sit far apart (more than 2.5 line
    heights, or more than half of one across the middle of the page, where a column gutter
    is), go back to the left, or sit at another height.
    """
    cuts: list[tuple[int, int]] = []
    start = first
    index = text.find(" ", first, last)
    while index != -1:
        after = index + 1
        while after < last and text[after] == " ":
            after += 1
        before = textpage.get_charbox(index - 1, loose=True)
        following = textpage.get_charbox(after, loose=True)
        height = max(before[3] - before[1], 1.0)
        backwards = following[0] < before[2] - 2 * height
        gap = following[0] - before[2]
        gutter = gap > 2.5 * height or (gap > 0.5 * height and before[2] <= middle <= following[0])
        other_height = abs(following[1] - before[1]) > 0.9 * height
        if backwards or gutter or other_height:
            cuts.append((start, index - 1))
            start = after
        index = text.find(" ", after, last)
    cuts.append((start, last))
    return cuts


def _page_text(textpage: pdfium.PdfTextPage) -> str:
    """The page's text, one character per PDFium character, so that indices match boxes.

    PDFium's text leaves out characters without a Unicode value (some math glyphs), which
    would shift every box after them: then the text is read character by character.
    """
    text: str = textpage.get_text_range()
    count = textpage.count_chars()
    if len(text) == count:
        return text
    return "".join(_character(pdfium_c.FPDFText_GetUnicode(textpage.raw, i)) for i in range(count))


def _character(code: int) -> str:
    if code == 2:  # PDFium's mark of a hyphen at a line end, as in its text
        return "\ufffe"
    if code == 0 or 0xD800 <= code <= 0xDFFF:
        return " "
    return chr(code)


def page_lines(page: pdfium.PdfPage, number: int) -> list[Line]:
    textpage = page.get_textpage()
    try:
        text = _page_text(textpage)
        raw = textpage.raw
        lines: list[Line] = []
        position = 0
        for match in [*_LINE_BREAK.finditer(text), None]:
            end = match.start() if match else len(text)
            piece = text[position:end]
            if piece.strip():
                first = position + (len(piece) - len(piece.lstrip()))
                last = position + len(piece.rstrip()) - 1
                pieces = _pieces(textpage, text, first, last, page.get_width() / 2)
                for start, stop in pieces:
                    line = _line(textpage, raw, text, start, stop, number)
                    if line is not None:
                        lines.append(line)
                if lines and match is not None and match.group() == "\ufffe":
                    lines[-1].hyphen = True
            position = match.end() if match else len(text)
        return lines
    finally:
        textpage.close()


def _line(
    textpage: pdfium.PdfTextPage, raw: object, text: str, first: int, last: int, page: int
) -> Line | None:
    raw_text = text[first : last + 1]
    stripped = " ".join(raw_text.replace("\u00ad", "").translate(_CONTROLS).split())
    if not stripped:
        return None
    boxes = [textpage.get_charbox(i, loose=True) for i in (first, (first + last) // 2, last)]
    size = statistics.median(box[3] - box[1] for box in boxes)
    # Bold from end to end: a line that opens with a run-in heading ("Methods. We ...") is not.
    bold = _bold(raw, first) and _bold(raw, last)
    hyphen = raw_text.endswith("\u00ad")
    if not hyphen and len(stripped) > 2 and stripped[-1] in _HYPHENS and stripped[-2].isalpha():
        hyphen = True
        stripped = stripped[:-1]
    return Line(
        page=page,
        text=stripped,
        x0=boxes[0][0],
        x1=boxes[2][2],
        top=max(box[3] for box in boxes),
        bottom=min(box[1] for box in boxes),
        size=round(size, 1),
        bold=bold,
        hyphen=hyphen,
    )


def line_joiner(previous: Line, line: Line, vocabulary: frozenset[str]) -> str:
    """What goes between two lines of a block: a space, or nothing after a split word.

    The hyphen is kept where it is the word's own: before a capital or a digit ("Pre-" +
    "Study", "COVID-" + "19"), after a single letter ("p-" + "values"), or where the
    document spells the word with a hyphen elsewhere and never without ("large-scale"), or
    where both halves are words of the document and the joined form is not
    ("lifestyle-" + "related"; but "some-" + "times" joins where "sometimes" occurs).
    """
    if not previous.hyphen:
        return " "
    head = _LAST_WORD.search(previous.text)
    tail = _FIRST_WORD.match(line.text)
    if not head or not tail or line.text[:1].isupper() or line.text[:1].isdigit():
        return "-"
    before, after = head.group().casefold(), tail.group().casefold()
    if len(before) == 1:
        return "-"
    joined = f"{before}{after}"
    if f"{before}-{after}" in vocabulary and joined not in vocabulary:
        return "-"
    halves_are_words = min(len(before), len(after)) >= 3 and {before, after} <= vocabulary
    return "-" if halves_are_words and joined not in vocabulary else ""


def vocabulary(pages: list[list[Line]]) -> frozenset[str]:
    """The words of the text as printed whole (not split at a line end), case folded."""
    words: set[str] = set()
    for lines in pages:
        split_before = False
        for line in lines:
            found = _WORD.findall(line.text.casefold())
            words.update(found[int(split_before) : len(found) - int(line.hyphen)])
            split_before = line.hyphen
    return frozenset(words)
