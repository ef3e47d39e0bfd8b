"""DOCX: the body of a Word document, rebuilt as plain stored text with typed blocks.

Read with the standard library (zipfile, ElementTree) from the WordprocessingML parts:

- A paragraph whose style is "Title" or "Heading N" (or has an outline level) is a heading
  of that level; a paragraph with list numbering (its own or its style's, as "List Bullet")
  is a list item at its list level; any other paragraph with text is a paragraph.
- A table is one table block: cells joined by " | ", rows by line breaks (data, not claims).
- Footnotes and endnotes: each reference mark becomes a superscript number in the text
  (numbered in order of first reference, as Word shows them), and the notes follow the body
  under a "Notes" heading as numbered entries, so that the reference-list rules keep them
  as references and resolve the marks to them.
- Never text: comments (and their marks), deleted revisions, field codes, drawings and
  their fallbacks.

Bounded: parts larger than ``MAX_PART_BYTES`` once uncompressed, or compressed more than
``MAX_RATIO`` times, are refused (a zip bomb) before they are read in full; so is a part
that declares a DTD (entity expansion, "billion laughs").
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from provenance.errors import ProvenanceError
from provenance.extract.blocks import TO_SUPERSCRIPT, Block, ParsedDocument
from provenance.models import BlockKind

#: The largest uncompressed part read (the body of a long report is a few MB).
MAX_PART_BYTES = 64 * 1024 * 1024
#: Larger compression ratios than this for a part of over 1 MB are taken for a zip bomb.
MAX_RATIO = 200

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_DC_TITLE = "{http://purl.org/dc/elements/1.1/}title"
_SKIPPED = frozenset(
    {
        f"{_W}del",
        f"{_W}delText",
        f"{_W}instrText",
        f"{_W}drawing",
        f"{_W}pict",
        f"{_W}object",
        f"{_W}commentReference",
        f"{_W}pPr",
        f"{_W}rPr",
        _MC_FALLBACK,
    }
)
_HEADING_STYLE = re.compile(r"^heading\s*([1-9])$", re.IGNORECASE)
_NOTES_HEADING = "Notes"


@dataclass(frozen=True, slots=True)
class _Style:
    name: str
    based_on: str | None
    outline: int | None
    numbered: bool


def _read_part(archive: zipfile.ZipFile, name: str, label: str) -> bytes | None:
    try:
        info = archive.getinfo(name)
    except KeyError:
        return None
    ratio = info.file_size / max(info.compress_size, 1)
    if info.file_size > MAX_PART_BYTES or (info.file_size > 1 << 20 and ratio > MAX_RATIO):
        raise ProvenanceError(
            f"{label}: refused: {name} would inflate to {info.file_size:,} bytes (a zip bomb?)"
        )
    try:
        with archive.open(info) as handle:
            data = handle.read(MAX_PART_BYTES + 1)
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as error:
        raise ProvenanceError(f"{label}: damaged DOCX ({name}: {error})") from None
    if len(data) > MAX_PART_BYTES:
        raise ProvenanceError(f"{label}: refused: {name} is larger than it says (a zip bomb?)")
    return data


def _xml(data: bytes, name: str, label: str) -> ET.Element:
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        # Word never writes one; entities are how "billion laughs" XML inflates.
        raise ProvenanceError(f"{label}: refused: {name} declares a DTD (Word never does)")
    try:
        return ET.fromstring(data)
    except ET.ParseError as error:
        raise ProvenanceError(f"{label}: damaged DOCX ({name}: {error})") from None


def _numbered(numbering: ET.Element | None) -> bool:
    """List numbering that is on: a numbering id other than 0 (0 switches it off)."""
    if numbering is None:
        return False
    number_id = numbering.find(f"{_W}numId")
    return number_id is not None and (number_id.get(f"{_W}val") or "0") != "0"


def _styles(root: ET.Element | None) -> dict[str, _Style]:
    styles: dict[str, _Style] = {}
    if root is None:
        return styles
    for style in root.iter(f"{_W}style"):
        style_id = style.get(f"{_W}styleId")
        if not style_id:
            continue
        name = style.find(f"{_W}name")
        based = style.find(f"{_W}basedOn")
        outline = style.find(f"{_W}pPr/{_W}outlineLvl")
        numbered = _numbered(style.find(f"{_W}pPr/{_W}numPr"))
        styles[style_id] = _Style(
            name=(name.get(f"{_W}val") or style_id) if name is not None else style_id,
            based_on=based.get(f"{_W}val") if based is not None else None,
            outline=int(outline.get(f"{_W}val") or 0) if outline is not None else None,
            numbered=numbered,
        )
    return styles


class _Reader:
    def __init__(self, styles: dict[str, _Style], notes: dict[tuple[str, str], ET.Element]):
        self.styles = styles
        self.notes = notes
        #: Notes in order of first reference: (kind, id) -> number shown.
        self.numbers: dict[tuple[str, str], int] = {}
        self.parts: list[str] = []
        self.blocks: list[Block] = []
        self.offset = 0
        self.title: str | None = None

    # -- text -------------------------------------------------------------------------

    def _runs(self, element: ET.Element, note_marks: bool = True) -> Iterator[str]:
        for child in element:
            tag = child.tag
            if tag in _SKIPPED:
                continue
            if tag == f"{_W}t":
                yield child.text or ""
            elif tag in (f"{_W}tab", f"{_W}br", f"{_W}cr"):
                yield " "
            elif tag in (f"{_W}footnoteReference", f"{_W}endnoteReference") and note_marks:
                kind = "footnote" if tag == f"{_W}footnoteReference" else "endnote"
                key = (kind, child.get(f"{_W}id") or "")
                if key in self.notes:
                    number = self.numbers.setdefault(key, len(self.numbers) + 1)
                    yield str(number).translate(TO_SUPERSCRIPT)
            elif tag == f"{_W}noBreakHyphen":
                yield "-"
            elif tag == f"{_W}sym":
                continue
            else:
                yield from self._runs(child, note_marks)

    def _add(self, text: str, kind: BlockKind, level: int = 0) -> None:
        text = " ".join(text.split()) if kind is not BlockKind.table else text
        if not text:
            return
        if self.parts:
            self.parts.append("\n\n")
            self.offset += 2
        self.parts.append(text)
        self.blocks.append(Block(kind, self.offset, self.offset + len(text), level))
        self.offset += len(text)

    # -- structure ----------------------------------------------------------------------

    def _style_chain(self, style_id: str | None) -> Iterator[_Style]:
        seen: set[str] = set()
        while style_id and style_id in self.styles and style_id not in seen:
            seen.add(style_id)
            style = self.styles[style_id]
            yield style
            style_id = style.based_on

    def _paragraph_kind(self, paragraph: ET.Element) -> tuple[BlockKind, int]:
        props = paragraph.find(f"{_W}pPr")
        style_id = None
        if props is not None:
            style = props.find(f"{_W}pStyle")
            style_id = style.get(f"{_W}val") if style is not None else None
            outline = props.find(f"{_W}outlineLvl")
            if outline is not None and int(outline.get(f"{_W}val") or 9) < 9:
                return BlockKind.heading, int(outline.get(f"{_W}val") or 0) + 1
            numbering = props.find(f"{_W}numPr")
            if numbering is not None and _numbered(numbering):
                level = numbering.find(f"{_W}ilvl")
                depth = int(level.get(f"{_W}val") or 0) + 1 if level is not None else 1
                return BlockKind.list_item, depth
        for named in self._style_chain(style_id):
            heading = _HEADING_STYLE.match(named.name)
            if heading:
                return BlockKind.heading, int(heading.group(1))
            if named.name.casefold() == "title":
                return BlockKind.heading, 1
            if named.outline is not None and named.outline < 9:
                return BlockKind.heading, named.outline + 1
            if named.numbered:
                return BlockKind.list_item, 1
        return BlockKind.paragraph, 0

    def body(self, container: ET.Element) -> None:
        for child in container:
            if child.tag == f"{_W}p":
                kind, level = self._paragraph_kind(child)
                text = "".join(self._runs(child))
                self._add(text, kind, level)
                if kind is BlockKind.heading and self.title is None and text.strip():
                    self.title = " ".join(text.split())
            elif child.tag == f"{_W}tbl":
                self._add(self._table(child), BlockKind.table)
            elif child.tag == f"{_W}sdt":
                content = child.find(f"{_W}sdtContent")
                if content is not None:
                    self.body(content)
            elif child.tag == f"{_W}customXml":
                self.body(child)

    def _table(self, table: ET.Element) -> str:
        rows: list[str] = []
        for row in table.iter(f"{_W}tr"):
            cells = []
            for cell in row.findall(f"{_W}tc"):
                paragraphs = [" ".join("".join(self._runs(p)).split()) for p in cell.iter(f"{_W}p")]
                cells.append(" ".join(p for p in paragraphs if p))
            if any(cells):
                rows.append(" | ".join(cells))
        return "\n".join(rows)

    def notes_section(self) -> None:
        if not self.numbers:
            return
        self._add(_NOTES_HEADING, BlockKind.heading, 1)
        for key, number in sorted(self.numbers.items(), key=lambda item: item[1]):
            note = self.notes[key]
            text = " ".join(
                " ".join("".join(self._runs(p, note_marks=False)).split())
                for p in note.iter(f"{_W}p")
            ).strip()
            self._add(f"{number}. {text}", BlockKind.paragraph)


def parse_docx(data: bytes, label: str) -> ParsedDocument:
    """Parse a DOCX file's bytes; anything that is not a Word document is refused."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise ProvenanceError(f"{label}: not a DOCX file (not a zip archive)") from None
    with archive:
        document = _read_part(archive, "word/document.xml", label)
        if document is None:
            raise ProvenanceError(f"{label}: not a Word document (a zip without word/document.xml)")
        root = _xml(document, "word/document.xml", label)
        styles_data = _read_part(archive, "word/styles.xml", label)
        styles = _styles(_xml(styles_data, "word/styles.xml", label) if styles_data else None)
        notes: dict[tuple[str, str], ET.Element] = {}
        for kind in ("footnote", "endnote"):
            part = f"word/{kind}s.xml"
            data_part = _read_part(archive, part, label)
            if data_part is None:
                continue
            for note in _xml(data_part, part, label).iter(f"{_W}{kind}"):
                if note.get(f"{_W}type") in (None, "normal"):
                    notes[(kind, note.get(f"{_W}id") or "")] = note
        core = _read_part(archive, "docProps/core.xml", label)
        core_title = None
        if core is not None:
            title_element = _xml(core, "docProps/core.xml", label).find(_DC_TITLE)
            if title_element is not None and (title_element.text or "").strip():
                core_title = " ".join((title_element.text or "").split())
    body = root.find(f"{_W}body")
    reader = _Reader(styles, notes)
    if body is not None:
        reader.body(body)
    reader.notes_section()
    if not reader.blocks:
        raise ProvenanceError(f"{label}: document has no text")
    return ParsedDocument("".join(reader.parts), reader.blocks, core_title or reader.title)
