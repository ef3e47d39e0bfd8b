"""HTML: the main text only, rebuilt as plain stored text that every offset refers to.

Longer than 500 lines because the page is read by one state machine (the parser class and the
element and block records it keeps): splitting it would scatter one pass over several files.

The page is read with the standard library's ``html.parser`` in one pass (linear in the size
of the input: each element is pushed and popped once, implicit closes are found through the
nearest block ancestor instead of a search of the stack). What becomes a block:

- ``h1``–``h6`` are headings (with their level); ``li`` is a list item; ``blockquote`` a
  quote; ``p``, ``div``, ``dd``, ``dt``, ``figcaption``, ``summary`` and text sitting
  directly in any other block element are paragraphs. A paragraph, ``dt`` or ``summary``
  that is a single line holding one question is a question.
- ``<br>`` keeps a line break inside the block; two in a row end the block.
- Never text: ``script``, ``style``, ``noscript``, ``template``, ``nav``, ``footer``,
  ``aside``, ``form``, ``svg`` and similar, anything ``hidden``, ``aria-hidden="true"`` or
  styled ``display:none``/``visibility:hidden`` (except a formula's MathML, the text of what is
  shown), Wikipedia's "[edit]" links; ``pre`` (code, as in Markdown); inside a ``header`` only
  its headings are kept. The ARIA roles ``navigation``, ``contentinfo``, ``complementary``,
  ``search`` and ``banner`` count as the elements they stand for, ``role="main"`` as ``<main>``.
- A table is one ``table`` block: its cells' text, row by row (the rows are kept as data);
  paragraphs nested in a data cell (layout tables) are kept as paragraphs.
- Typed by their markup: a table of contents (``id="toc"``, ``class="toc"``) is ``contents``,
  ``figcaption`` and caption classes are ``caption``, embedded social posts are
  ``boilerplate``, a block that is only a formula is ``formula``.
- Reference numbers in ``<sup>`` (``<sup>1,2</sup>``) become superscript digits (``¹,²``),
  the form the citation finder reads; other ``<sup>`` text is kept as it is.
- If the page has text inside ``<main>`` (or else ``<article>``), only that text is kept.
- Body blocks that the main-content extractor leaves out (menus, related stories, footers
  without a ``<footer>``) are ``boilerplate`` (:mod:`provenance.extract.main_content`).

The stored text is the blocks' text joined by blank lines: entities decoded, whitespace in a
block collapsed to single spaces. Markup never reaches it, so text that shows ``<script>``
(written ``&lt;script&gt;``) is kept literally while real scripts are dropped.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser

from provenance.extract.blocks import TO_SUPERSCRIPT, Block, ParsedDocument
from provenance.extract.main_content import MainContent, main_content
from provenance.extract.parse_text import is_question_line
from provenance.models import BlockKind

_HIDDEN_TAGS = frozenset(
    {
        "script",
        "style",
        "noscript",
        "template",
        "nav",
        "footer",
        "aside",
        "form",
        "svg",
        "annotation",
        "annotation-xml",
        "iframe",
        "object",
        "canvas",
        "video",
        "audio",
        "select",
        "textarea",
        "button",
        "dialog",
        "head",
    }
)
_VOID_TAGS = frozenset(
    {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
    }
)
_BLOCK_TAGS = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "caption",
        "center",
        "dd",
        "details",
        "dialog",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hgroup",
        "html",
        "legend",
        "li",
        "main",
        "menu",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "title",
        "tr",
        "ul",
    }
)
# ARIA landmarks that mean the same as nav, footer and aside (role="banner" is a header).
_HIDDEN_ROLES = frozenset({"navigation", "contentinfo", "complementary", "search"})
_HEAD_CONTENT = frozenset(
    {"base", "link", "meta", "noscript", "script", "style", "template", "title"}
)
# Reference numbers in <sup> become superscript digits, the form citations are found in.
_REFERENCE_NUMBERS = re.compile(r"\s*\d+(?:\s*[,–-]\s*\d+)*\s*")
_HEADING_TAGS = {f"h{level}": level for level in range(1, 7)}
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)

# What text directly inside an element is: a block kind, or dropped.
_HEADING, _LIST_ITEM, _QUOTE, _PARAGRAPH, _TERM, _DROPPED, _CODE = (
    "heading",
    "list_item",
    "quote",
    "paragraph",
    "term",
    "dropped",
    "code",
)
_OWN_KIND = {
    "li": _LIST_ITEM,
    "blockquote": _QUOTE,
    "dt": _TERM,
    "summary": _TERM,
    "td": _DROPPED,
    "th": _DROPPED,
    "caption": _DROPPED,
    "pre": _CODE,
}
_RESETS_DROPPED = frozenset({"p", "div", "ul", "ol", "dl", "blockquote", "section", "article"})


@dataclass(frozen=True, slots=True)
class _Element:
    tag: str
    kind: str
    level: int
    hidden: bool
    headings_only: bool
    in_main: bool
    in_article: bool
    in_title: bool
    in_foreign: bool  # inside svg or math, whose <title> is not the page's
    in_sup: bool
    block_index: int  # stack index of the nearest block-level element (itself if a block)
    region: str = ""  # "contents", "caption" or "boilerplate": what the text inside is
    in_math: bool = False
    in_header_cell: bool = False  # inside <th>: all of it is table data


@dataclass(slots=True)
class _PendingBlock:
    kind: str = _PARAGRAPH
    level: int = 0
    in_main: bool = False
    in_article: bool = False
    region: str = ""
    math_only: bool = True  # every piece of text so far came from inside <math>
    prose: list[str] = field(default_factory=list)  # the text outside <math>
    lines: list[list[str]] = field(default_factory=lambda: [[]])
    started: bool = False


@dataclass(frozen=True, slots=True)
class _TextBlock:
    kind: BlockKind
    level: int
    text: str
    in_main: bool
    in_article: bool
    rows: list[list[str]] | None = None
    prose: str | None = None  # the text outside formulas, where it differs


@dataclass(slots=True)
class _Table:
    """A table being read: its rows of cells, each cell's text in pieces."""

    in_main: bool
    in_article: bool
    rows: list[list[list[str]]] = field(default_factory=list)

    def cells(self) -> list[list[str]]:
        rows = [[" ".join("".join(cell).split()) for cell in row] for row in self.rows]
        return [row for row in rows if any(row)]


#: Classes of page controls that are never text (Wikipedia's "[edit]" links).
_HIDDEN_CLASSES = frozenset({"mw-editsection", "mw-jump-link"})
#: Classes of text hidden from sight that stands for what is shown (a formula's MathML).
_ACCESSIBLE_TEXT_CLASSES = frozenset({"mwe-math-mathml-a11y", "mwe-math-mathml-inline"})
#: Classes and ids that make an element's text a table of contents or a caption.
_CONTENTS_CLASSES = frozenset({"toc", "vector-toc", "toccolours"})
# "legend": a map's or chart's key (Wikipedia's {{legend}}: "Breeding", "Year-round").
_CAPTION_CLASSES = frozenset(
    {"thumbcaption", "infobox-caption", "wp-caption-text", "caption", "legend"}
)
#: Classes of embedded social-media posts: boilerplate wherever they sit.
_EMBED_CLASSES = frozenset({"twitter-tweet", "instagram-media", "tiktok-embed", "fb-post"})


def _classes(attrs: list[tuple[str, str | None]]) -> set[str]:
    return {
        token
        for name, value in attrs
        if name in ("class", "id") and value
        for token in value.lower().split()
    }


def _is_hidden(attrs: list[tuple[str, str | None]]) -> bool:
    for name, value in attrs:
        if name == "class" and value:
            classes = value.split()
            if _HIDDEN_CLASSES.intersection(classes):
                return True
            if _ACCESSIBLE_TEXT_CLASSES.intersection(classes):
                return False  # hidden from sight, but it is the text of what is shown
        if name == "hidden":
            return True
        if name == "aria-hidden" and (value or "").strip().lower() == "true":
            return True
        if name == "style" and value and _HIDDEN_STYLE.search(value):
            return True
        if name == "role" and (value or "").strip().lower() in _HIDDEN_ROLES:
            return True
    return False


def _role(attrs: list[tuple[str, str | None]]) -> str:
    return next(((value or "").strip().lower() for name, value in attrs if name == "role"), "")


class _MainTextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        root = _Element("#root", _PARAGRAPH, 0, False, False, False, False, False, False, False, 0)
        self.stack: list[_Element] = [root]
        self.open_tags: Counter[str] = Counter()
        self.pending = _PendingBlock()
        self.breaks = 0
        self.blocks: list[_TextBlock] = []
        self.title_parts: list[str] = []
        self.tables: list[_Table] = []

    # Stack handling -------------------------------------------------------------------

    def _push(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        parent = self.stack[-1]
        role = _role(attrs) if attrs else ""
        is_block = tag in _BLOCK_TAGS
        if tag in _HEADING_TAGS:
            kind, level = _HEADING, _HEADING_TAGS[tag]
        elif tag in _OWN_KIND:
            kind, level = _OWN_KIND[tag], 0
        elif parent.kind == _DROPPED and tag in _RESETS_DROPPED and not parent.in_header_cell:
            kind, level = _PARAGRAPH, 0
        else:
            kind, level = parent.kind, parent.level
        element = _Element(
            tag=tag,
            kind=kind,
            level=level,
            hidden=parent.hidden or tag in _HIDDEN_TAGS or _is_hidden(attrs),
            headings_only=parent.headings_only or tag == "header" or role == "banner",
            in_main=parent.in_main or tag == "main" or role == "main",
            in_article=parent.in_article or tag == "article",
            in_title=parent.in_title or (tag == "title" and not parent.in_foreign),
            in_foreign=parent.in_foreign or tag in ("svg", "math"),
            in_sup=parent.in_sup or tag == "sup",
            block_index=len(self.stack) if is_block else parent.block_index,
            region=_region(tag, attrs, parent.region),
            in_header_cell=parent.in_header_cell or tag == "th",
            in_math=parent.in_math or tag == "math",
        )
        if not element.hidden:
            if tag == "table":
                self.tables.append(_Table(element.in_main, element.in_article))
            elif tag == "tr" and self.tables:
                self.tables[-1].rows.append([])
            elif tag in ("td", "th") and self.tables:
                table = self.tables[-1]
                if not table.rows:
                    table.rows.append([])
                table.rows[-1].append([])
        self.stack.append(element)
        self.open_tags[tag] += 1

    def _truncate(self, index: int) -> None:
        """Close every element from stack position ``index`` up."""
        if index <= 0:
            return
        self._flush()
        self._pop(index)

    def _pop(self, index: int) -> None:
        """Remove the elements from stack position ``index`` up; a closed table is kept."""
        for element in reversed(self.stack[index:]):
            self.open_tags[element.tag] -= 1
            if element.tag == "table" and not element.hidden and self.tables:
                self._flush()
                self._end_table(self.tables.pop())
        del self.stack[index:]

    def _end_table(self, table: _Table) -> None:
        rows = table.cells()
        if rows:
            text = "\n".join(" | ".join(cell for cell in row if cell) for row in rows)
            self.blocks.append(
                _TextBlock(BlockKind.table, 0, text, table.in_main, table.in_article, rows)
            )

    def _nearest_block(self) -> tuple[int, str]:
        index = self.stack[-1].block_index
        return index, self.stack[index].tag

    def _close_implicitly(self, tag: str) -> None:
        """The closes HTML implies when a block starts inside an unclosed one."""
        if self.open_tags["p"]:
            index, current = self._nearest_block()
            if current == "p" and tag in _BLOCK_TAGS:
                self._truncate(index)
        index, current = self._nearest_block()
        closes = (
            (tag == "li" and current == "li")
            or (tag in ("dt", "dd") and current in ("dt", "dd"))
            or (tag in ("td", "th", "tr") and current in ("td", "th"))
            or (tag in _HEADING_TAGS and current in _HEADING_TAGS)
        )
        if closes:
            self._truncate(index)
        index, current = self._nearest_block()
        if tag == "tr" and current == "tr":
            self._truncate(index)

    # Text handling --------------------------------------------------------------------

    def _flush(self) -> None:
        pending = self.pending
        self.breaks = 0
        if pending.started:
            lines = [" ".join(words) for words in ("".join(line).split() for line in pending.lines)]
            text = "\n".join(line for line in lines if line)
            if text:
                self.blocks.append(self._text_block(pending, text))
        self.pending = _PendingBlock()

    def _text_block(self, pending: _PendingBlock, text: str) -> _TextBlock:
        kind = pending.kind
        single_line = "\n" not in text
        if kind in (_PARAGRAPH, _TERM) and single_line and is_question_line(text):
            block_kind = BlockKind.question
        elif kind == _HEADING:
            block_kind = BlockKind.heading
        elif kind == _LIST_ITEM:
            block_kind = BlockKind.list_item
        elif kind == _QUOTE:
            block_kind = BlockKind.quote
        else:
            block_kind = BlockKind.paragraph
        if pending.region == "contents" and block_kind is not BlockKind.heading:
            block_kind = BlockKind.contents
        elif pending.region == "caption":
            block_kind = BlockKind.caption
        elif pending.region == "boilerplate":
            block_kind = BlockKind.boilerplate
        elif pending.math_only:
            block_kind = BlockKind.formula
        level = pending.level if block_kind is BlockKind.heading else 0
        prose = "".join(pending.prose)
        return _TextBlock(block_kind, level, text, pending.in_main, pending.in_article, prose=prose)

    def handle_data(self, data: str) -> None:
        element = self.stack[-1]
        if (
            element.in_sup
            and _REFERENCE_NUMBERS.fullmatch(data)
            and not self._after_bracket(element)
        ):
            data = data.translate(TO_SUPERSCRIPT)
        if element.in_title:
            self.title_parts.append(data)
            return
        if element.hidden:
            return
        if element.kind == _DROPPED or element.in_header_cell:
            if self.tables and self.tables[-1].rows and self.tables[-1].rows[-1]:
                self.tables[-1].rows[-1][-1].append(data)
            return
        if element.kind == _CODE:
            return
        if element.headings_only and element.kind != _HEADING:
            return
        pending = self.pending
        if not pending.started:
            if not data.strip():
                return
            pending.kind, pending.level = element.kind, element.level
            pending.in_main, pending.in_article = element.in_main, element.in_article
            pending.region = element.region
            pending.started = True
        if self.breaks and data.strip():
            if self.breaks > 1:
                self._flush()
                self.handle_data(data)
                return
            pending.lines.append([])
            self.breaks = 0
        if not element.in_math:
            pending.prose.append(data)
            if data.strip():
                pending.math_only = False
        pending.lines[-1].append(data)

    def _after_bracket(self, element: _Element) -> bool:
        """Whether the text so far (of the paragraph, or of the table cell) ends in "[":
        Wikipedia writes a note's brackets in their own spans,
        ``<sup><span class="cite-bracket">[</span>1<span …>]</span></sup>``, which reads "[1]"
        like ``<sup>[1]</sup>``, not "[¹]"."""
        if element.kind == _DROPPED or element.in_header_cell:
            rows = self.tables[-1].rows if self.tables else []
            line = rows[-1][-1] if rows and rows[-1] else []
        else:
            line = self.pending.lines[-1] if self.pending.started else []
        return bool(line) and line[-1].endswith("[")

    # Parser callbacks -----------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            if self.pending.started:
                self.breaks += 1
            return
        if self.stack[-1].tag == "head" and tag not in _HEAD_CONTENT:
            # A body element inside an unclosed <head> closes it, as browsers do.
            self._truncate(len(self.stack) - 1)
        if tag in _BLOCK_TAGS or tag == "hr":
            self._flush()
            self._close_implicitly(tag)
        if tag not in _VOID_TAGS:
            self._push(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == "br":
            self.handle_starttag(tag, [])
            return
        if not self.open_tags[tag]:
            if tag in _BLOCK_TAGS:
                self._flush()
            return
        index = len(self.stack) - 1
        while self.stack[index].tag != tag:
            index -= 1
        if tag in _BLOCK_TAGS or any(e.tag in _BLOCK_TAGS for e in self.stack[index + 1 :]):
            self._flush()
        self._pop(index)

    def close(self) -> None:
        # What is left unparsed is an unfinished construct; an unterminated comment or
        # declaration runs to the end of the page (as in browsers), it is not text.
        if self.rawdata.startswith("<!"):
            self.rawdata = ""
        super().close()
        self._flush()
        self._pop(1)  # tables left open at the end of the page


def _region(tag: str, attrs: list[tuple[str, str | None]], inherited: str) -> str:
    if inherited:
        return inherited
    if tag == "figcaption":
        return "caption"
    if not attrs:
        return ""
    classes = _classes(attrs)
    if classes & _CONTENTS_CLASSES:
        return "contents"
    if classes & _CAPTION_CLASSES:
        return "caption"
    if classes & _EMBED_CLASSES:
        return "boilerplate"
    return ""


MAIN_CONTENT_MIN_BLOCKS = 20
"""A page with fewer blocks is all article (an extractor guesses badly on a short page)."""

#: Kinds a main-content extractor may call boilerplate.
_CONTENT_KINDS = frozenset(
    {BlockKind.paragraph, BlockKind.list_item, BlockKind.quote, BlockKind.question}
)


def _mark_boilerplate(blocks: list[_TextBlock], main: MainContent | None) -> list[_TextBlock]:
    """Body blocks that the main-content extractor left out are boilerplate."""
    if main is None:
        return blocks
    marked = []
    for block in blocks:
        if block.kind in _CONTENT_KINDS and not main.holds(
            block.text if block.prose is None else block.prose
        ):
            block = _TextBlock(
                BlockKind.boilerplate, 0, block.text, block.in_main, block.in_article
            )
        marked.append(block)
    return marked


def _select_main(blocks: list[_TextBlock]) -> list[_TextBlock]:
    in_main = [block for block in blocks if block.in_main]
    if in_main:
        return in_main
    in_article = [block for block in blocks if block.in_article]
    return in_article or blocks


def parse_html(source: str) -> ParsedDocument:
    """Extract the main text of an HTML page as stored text plus blocks."""
    parser = _MainTextParser()
    parser.feed(source)
    parser.close()
    selected = _select_main(parser.blocks)
    if len(selected) >= MAIN_CONTENT_MIN_BLOCKS:
        selected = _mark_boilerplate(selected, main_content(source))
    parts: list[str] = []
    blocks: list[Block] = []
    offset = 0
    for text_block in selected:
        if parts:
            parts.append("\n\n")
            offset += 2
        blocks.append(
            Block(
                text_block.kind,
                offset,
                offset + len(text_block.text),
                level=text_block.level,
                rows=text_block.rows,
            )
        )
        parts.append(text_block.text)
        offset += len(text_block.text)
    title = " ".join("".join(parser.title_parts).split()) or None
    if title is None:
        h1 = next(
            (b for b in selected if b.kind is BlockKind.heading and b.level == 1),
            next((b for b in parser.blocks if b.kind is BlockKind.heading and b.level == 1), None),
        )
        title = h1.text.replace("\n", " ") if h1 is not None else None
    return ParsedDocument(text="".join(parts), blocks=blocks, title=title)
