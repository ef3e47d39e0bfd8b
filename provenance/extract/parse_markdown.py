"""Markdown: parsed with markdown-it-py; the stored text is the Markdown source unchanged.

markdown-it reports line ranges (``token.map``), not character offsets, so each block's span
is computed from the start offsets of its source lines and then narrowed to the block's
content:

- a heading's span is its text without the ``#`` marks (or the setext underline);
- a list item's or quote's span starts after the bullet or ``>`` that opens it;
- the span of a paragraph that runs over several lines is contiguous, so continuation lines
  inside a block quote keep their ``>`` prefixes and list continuation lines keep their
  indentation: ``text[start:end]`` must be the claim exactly as written.

The innermost container decides the kind: a paragraph in a list item (even inside a quote)
is a list item, one in a block quote a quote; ``level`` is the nesting depth of that kind.

Inline markup (``*emphasis*``, ``[links](…)``, inline code and inline HTML) stays inside the
span. Markup that is not body text produces no block at all: code blocks, HTML
blocks, front matter (YAML ``---`` or TOML ``+++`` at the top), link reference definitions
and thematic breaks. A paragraph that is one line holding a single question (optionally all
bold or italic, ``**Is it safe?**``) is a question, as in plain-text FAQs. Emphasis that
wraps a whole heading or question is markup and left out of its span (the section name is
``Is it safe?``). Footnote definitions (``[^1]: …``) become one paragraph each, without the
label, so that a reference list can claim them. Containers nested deeper than
``MAX_NESTING`` are not read (markdown-it's guard against runaway recursion).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.token import Token

from provenance.extract.blocks import Block, ParsedDocument, trimmed_span
from provenance.extract.parse_text import is_question_line
from provenance.models import BlockKind

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_FRONT_MATTER_FENCES = {"---": ("---", "..."), "+++": ("+++",)}
_YAML_TITLE = re.compile(r"""title[ \t]*:[ \t]*(?P<value>.*?)[ \t]*$""")
_TOML_TITLE = re.compile(r"""title[ \t]*=[ \t]*(?P<value>.*?)[ \t]*$""")
_FOOTNOTE_MARK = re.compile(r"\[\^[^\]\s]{1,20}\]:[ \t]*")
_FOOTNOTE_LINE = re.compile(r" {0,3}\[\^[^\]\s]{1,20}\]:[ \t]*\S")
MAX_NESTING = 200
"""Container depth markdown-it descends to (its default, 20, drops deeper text)."""

# Block structure is all the spans need; inline parsing is three quarters of markdown-it's
# time, so it runs only for the few blocks whose inline markup matters (headings, questions).
_BLOCK_PARSER = (
    MarkdownIt("commonmark", {"maxNesting": MAX_NESTING}).enable("table").disable("inline")
)
_INLINE_PARSER = MarkdownIt("commonmark", {"maxNesting": MAX_NESTING})


def _with_inline_children(token: Token) -> Token:
    """Parse ``token``'s inline markup on demand (the block parser leaves it unparsed)."""
    if not token.children:
        parsed = _INLINE_PARSER.parseInline(token.content)
        token.children = parsed[0].children if parsed else []
    return token


def _may_be_question(content: str) -> bool:
    """Cheap test before parsing inline markup: one line ending in ``?`` (emphasis allowed)."""
    tail = content.rstrip()[-4:]
    return "\n" not in content and "?" in tail


@dataclass(frozen=True, slots=True)
class _SourceLines:
    """Start and end (before the line break) of every source line, split as markdown-it does."""

    text: str
    starts: list[int]
    ends: list[int]

    @classmethod
    def of(cls, text: str) -> _SourceLines:
        starts = [0]
        ends: list[int] = []
        for match in _LINE_BREAK.finditer(text):
            ends.append(match.start())
            starts.append(match.end())
        ends.append(len(text))
        return cls(text, starts, ends)

    def line(self, index: int) -> str:
        return self.text[self.starts[index] : self.ends[index]]

    def content_end(self, index: int) -> int:
        """The end of line ``index`` without trailing whitespace."""
        return trimmed_span(self.text, self.starts[index], self.ends[index])[1]


def _front_matter(lines: _SourceLines) -> tuple[int, str | None]:
    """How many leading lines are front matter, and the ``title`` it declares."""
    opener = lines.line(0).rstrip()
    closers = _FRONT_MATTER_FENCES.get(opener)
    if closers is None:
        return 0, None
    pattern = _YAML_TITLE if opener == "---" else _TOML_TITLE
    title: str | None = None
    for index in range(1, len(lines.starts)):
        line = lines.line(index)
        if line.rstrip() in closers:
            return index + 1, title
        found = pattern.match(line)
        if title is None and found:
            title = found.group("value").strip("\"'") or None
    return 0, None


def _inline_plain_text(token: Token) -> str:
    """The visible text of an inline token: markup dropped, breaks as spaces."""
    parts: list[str] = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "image":
            parts.append(_inline_plain_text(child))
    return "".join(parts).strip()


def _wrapping_markup(token: Token) -> list[str]:
    """The emphasis markers that wrap the whole inline content (``**…**``), outermost first."""
    children = [c for c in token.children or [] if c.type != "text" or c.content]
    markers: list[str] = []
    left, right = 0, len(children) - 1
    while (
        left < right
        and children[left].type in ("strong_open", "em_open")
        and children[right].type == children[left].type.replace("_open", "_close")
        and children[left].markup == children[right].markup
        and all(child.level > children[left].level for child in children[left + 1 : right])
    ):
        markers.append(children[left].markup)
        left += 1
        right -= 1
    return markers


def _unwrapped(text: str, start: int, end: int, inline: Token) -> tuple[int, int]:
    """The span without emphasis that wraps all of it (``**Is it safe?**``)."""
    for marker in _wrapping_markup(inline):
        inside = end - start > 2 * len(marker)
        if inside and text.startswith(marker, start) and text.endswith(marker, start, end):
            start, end = trimmed_span(text, start + len(marker), end - len(marker))
    return start, end


class _MarkdownBlocks:
    """Walks markdown-it's token stream and turns leaf blocks into spans of the source."""

    def __init__(self, lines: _SourceLines) -> None:
        self.lines = lines
        self.blocks: list[Block] = []
        self.first_h1: str | None = None

    def walk(self, tokens: list[Token]) -> None:
        containers: list[str] = []
        tables = 0
        heading: Token | None = None
        for token in tokens:
            kind = token.type
            if kind == "table_open":
                if not tables and token.map is not None:
                    self._table(*token.map)
                tables += 1
            elif kind == "table_close":
                tables -= 1
            if tables:
                continue
            if kind in ("blockquote_open", "list_item_open"):
                containers.append(kind)
            elif kind in ("blockquote_close", "list_item_close"):
                containers.pop()
            elif kind == "heading_open":
                heading = token
            elif kind == "heading_close":
                heading = None
            elif kind == "inline" and token.map is not None:
                if heading is not None:
                    self._heading(heading, _with_inline_children(token))
                elif not containers and _may_be_question(token.content):
                    self._paragraph(_with_inline_children(token), containers)
                else:
                    self._paragraph(token, containers)

    def _table(self, first: int, last: int) -> None:
        """A pipe table: one table block over its lines, its cells kept as rows (the
        delimiter row left out), never claims."""
        start, end = trimmed_span(
            self.lines.text, self.lines.starts[first], self.lines.ends[last - 1]
        )
        rows = [
            [cell.strip() for cell in self.lines.line(index).strip().strip("|").split("|")]
            for index in range(first, last)
            if index != first + 1
        ]
        if start < end:
            self.blocks.append(Block(BlockKind.table, start, end, rows=rows))

    def _content_start(self, line_index: int, first_line: str) -> int:
        """Where ``first_line`` (the block's first content line) starts in the source line."""
        lines = self.lines
        line_start = lines.starts[line_index]
        source_line = lines.line(line_index).rstrip()
        wanted = first_line.strip()
        if wanted and source_line.endswith(wanted):
            return line_start + len(source_line) - len(wanted)
        found = source_line.rfind(wanted) if wanted else -1
        if found >= 0:
            return line_start + found
        return trimmed_span(lines.text, line_start, lines.ends[line_index])[0]

    def _heading(self, opener: Token, inline: Token) -> None:
        assert inline.map is not None
        first_index = inline.map[0]
        content = inline.content
        if not content.strip():
            return
        level = int(opener.tag[1:]) if opener.tag[1:].isdigit() else 1
        if opener.markup.startswith("#"):
            line_start = self.lines.starts[first_index]
            source_line = self.lines.line(first_index)
            after_marks = len(source_line) - len(source_line.lstrip(" \t").lstrip("#"))
            found = source_line.find(content, after_marks)
            if found < 0:
                return
            start, end = line_start + found, line_start + found + len(content)
        else:
            content_lines = content.split("\n")
            start = self._content_start(first_index, content_lines[0])
            end = self.lines.content_end(first_index + len(content_lines) - 1)
        start, end = _unwrapped(self.lines.text, *trimmed_span(self.lines.text, start, end), inline)
        if start < end:
            self.blocks.append(Block(BlockKind.heading, start, end, level=level))
            if level == 1 and self.first_h1 is None:
                self.first_h1 = _inline_plain_text(inline) or self.lines.text[start:end]

    def _paragraph(self, inline: Token, containers: list[str]) -> None:
        assert inline.map is not None
        content_lines = inline.content.split("\n")
        if not inline.content.strip():
            return
        first_index = inline.map[0]
        start = self._content_start(first_index, content_lines[0])
        end = self.lines.content_end(first_index + len(content_lines) - 1)
        start, end = trimmed_span(self.lines.text, start, end)
        last_index = first_index + len(content_lines) - 1
        if not containers and self._footnote_paragraphs(start, first_index, last_index):
            return
        if start >= end:
            return
        if containers:
            innermost = containers[-1]
            if innermost == "list_item_open":
                depth = containers.count("list_item_open")
                self.blocks.append(Block(BlockKind.list_item, start, end, level=depth))
            else:
                depth = containers.count("blockquote_open")
                self.blocks.append(Block(BlockKind.quote, start, end, level=depth))
            return
        if len(content_lines) == 1 and is_question_line(_inline_plain_text(inline)):
            start, end = _unwrapped(self.lines.text, start, end, inline)
            self.blocks.append(Block(BlockKind.question, start, end))
            return
        self.blocks.append(Block(BlockKind.paragraph, start, end))

    def _footnote_paragraphs(self, start: int, first_index: int, last_index: int) -> bool:
        """Split a paragraph holding footnote definitions into one paragraph per note.

        CommonMark reads ``[^1]: …`` lines as one paragraph; each note is an entry of its own
        (for the reference list), without its ``[^1]:`` label.
        """
        lines = self.lines
        cuts = [
            index
            for index in range(first_index + 1, last_index + 1)
            if _FOOTNOTE_LINE.match(lines.text, lines.starts[index], lines.ends[index])
        ]
        if not cuts and not _FOOTNOTE_MARK.match(lines.text, start):
            return False
        starts = [start] + [lines.starts[index] for index in cuts]
        last_lines = [index - 1 for index in cuts] + [last_index]
        for piece_start, piece_last in zip(starts, last_lines, strict=True):
            piece_start, piece_end = trimmed_span(
                lines.text, piece_start, lines.content_end(piece_last)
            )
            mark = _FOOTNOTE_MARK.match(lines.text, piece_start, piece_end)
            if mark and mark.end() < piece_end:
                piece_start = mark.end()
            if piece_start < piece_end:
                self.blocks.append(Block(BlockKind.paragraph, piece_start, piece_end))
        return True


def _markdown_source_for_parser(text: str, lines: _SourceLines, front_matter_lines: int) -> str:
    """The source with front matter blanked out line for line, so line numbers still match."""
    if not front_matter_lines:
        return text
    cut = lines.starts[front_matter_lines] if front_matter_lines < len(lines.starts) else len(text)
    return "\n" * front_matter_lines + text[cut:]


def parse_markdown(text: str) -> ParsedDocument:
    """Segment Markdown into blocks whose offsets point into the unchanged source."""
    lines = _SourceLines.of(text)
    front_matter_lines, front_matter_title = _front_matter(lines)
    tokens = _BLOCK_PARSER.parse(_markdown_source_for_parser(text, lines, front_matter_lines))
    walker = _MarkdownBlocks(lines)
    walker.walk(tokens)
    blocks = walker.blocks + _footnotes_read_as_links(lines, tokens, front_matter_lines)
    blocks.sort(key=lambda block: block.start)
    return ParsedDocument(text=text, blocks=blocks, title=front_matter_title or walker.first_h1)


def _footnotes_read_as_links(
    lines: _SourceLines, tokens: list[Token], skipped_lines: int
) -> list[Block]:
    """Footnotes that CommonMark takes for link definitions (``[^2]: https://…``).

    A footnote is an entry of the document's notes or references, not a link target, so it
    becomes a paragraph (after its ``[^2]:`` label) for the reference list to claim.
    """
    covered = [False] * len(lines.starts)
    for token in tokens:
        if token.map is not None and token.level == 0:
            for index in range(token.map[0], min(token.map[1], len(covered))):
                covered[index] = True
    blocks: list[Block] = []
    for index in range(skipped_lines, len(lines.starts)):
        if covered[index]:
            continue
        line_start = lines.starts[index]
        if _FOOTNOTE_LINE.match(lines.text, line_start, lines.ends[index]):
            mark = _FOOTNOTE_MARK.search(lines.text, line_start, lines.ends[index])
            assert mark is not None
            start, end = trimmed_span(lines.text, mark.end(), lines.ends[index])
            blocks.append(Block(BlockKind.paragraph, start, end))
    return blocks
