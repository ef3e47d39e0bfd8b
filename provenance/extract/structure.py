"""Structure by evidence: which blocks are not statements, and what they are instead.

A parser says what a block looks like (a heading, a paragraph, a list item); this module
decides what it is, from several signals at once: its text (rules/structure.rules), its
shape (length, sentences, final punctuation, a verb), its position (the first blocks of a
document, what follows a heading) and the heading it sits under. What it finds:

- **title**: in plain text, a first line that is one short sentence standing above a heading
  or deck line, a dateline or a one-sentence deck (a headline, even one ending in a period),
  and such a deck right under it;
- **dateline**: "ANN ARBOR--", "Feb. 23, 2015 --" opening the first paragraphs (split off the
  sentence they are glued to), or a block that is only a date;
- **byline**: "By Brenda Goodman, MA", "Michael Shadlen, Ph.D.", "Posted on … by …";
- **contact**: contact lines and short blocks made of names, telephone numbers and e-mail
  addresses, and what follows a "Contact" heading;
- **source line**: "Source:", "Reference:", "Article:" lines, and the study named under an
  "Article" heading;
- **boilerplate**: sharing, navigation and subscription lines, copyright and licence notices,
  "About <organisation>" paragraphs and whatever follows an "About …" heading;
- **contents**: a table of contents (the "Contents" heading and its numbered entries);
- **caption**: "Figure 1.", "Table 2:" paragraphs;
- **reference**: hatnotes ("See also: …", "Main article: …"), kept with the reference list;
- Wikipedia's "[edit]" after a heading is split off the heading as boilerplate, so that the
  heading is found ("References[edit]" is the reference list's heading);
- in plain text, a "heading" that reads like a sentence (several lower-case words and a verb:
  "4.9 million babies are born with a serious birth defect every year") is a paragraph.

Every block keeps its exact span, so the stored text is covered as before: a block is only
re-kinded or split in two.
"""

from __future__ import annotations

import re
from dataclasses import replace

from provenance.extract.blocks import Block
from provenance.extract.references import looks_like_work, reference_heading
from provenance.extract.structure_rules import StructureRules, rules
from provenance.models import BODY_BLOCK_KINDS, BlockKind, DocumentFormat

TITLE_MAX_WORDS = 20
"""A first paragraph longer than this is text, not a headline."""
TITLE_FOLLOWED_BY_WORDS = 15
"""A headline is followed by a paragraph at least this long (and twice its length)."""
LONG_BLOCK_CHARS = 400
"""A block longer than this is never short furniture: only its first characters are read
(for an "About …:" paragraph, a caption, a source line or a dateline that opens it)."""
RULES_MAX_CHARS = 3000
"""Blocks longer than this are never furniture: the rules are not run on them (which also
keeps their cost bounded on a 50 MB paragraph)."""
SHORT_BLOCK_WORDS = 30
"""Contact and source lines are short; a longer block is text."""
SENTENCE_HEADING_MIN_WORDS = 8
"""A plain-text heading with this many words, most of them lower-case and one a verb, is a
sentence that lacks its period."""
DATELINE_BLOCKS = 4
"""A dateline opens one of the first blocks of a story."""

#: What a reference list's heading makes of its blocks: nothing here (references.py reads them).
_REFERENCE_LIST = "reference list"
#: "[edit source]" with some space: the marker is found among a block's last characters.
EDIT_MARKER_CHARS = 20
_EDIT_MARKER = re.compile(r"\s*\[\s*edit(?: source)?\s*\]\s*$", re.IGNORECASE)
_SENTENCE_BREAK = re.compile(r"[.!?][\"'”’)\]]*\s+[\"“‘(]?[A-Z0-9]")
_FINITE_VERB = re.compile(
    r"\b(?:is|are|was|were|has|have|had|will|would|can|could|may|might|must|should|shall|"
    r"does|do|did)\b",
    re.IGNORECASE,
)
_QUESTION_WORDS = frozenset(
    {
        "who",
        "what",
        "when",
        "where",
        "why",
        "how",
        "which",
        "whose",
        "whom",
        "is",
        "are",
        "can",
        "does",
        "do",
        "should",
    }
)
_WORD = re.compile(r"[\w’'-]+")
_VERB = re.compile(
    r"\b(?:is|are|was|were|be|been|being|has|have|had|will|would|can|could|may|might|must|"
    r"should|shall|does|do|did|\w{3,}ed)\b",
    re.IGNORECASE,
)


_MARKDOWN_INLINE = re.compile(r"!?\[([^\]]*)\]\([^)]*\)|\*\*|__|(?<!\w)[*_]|[*_](?!\w)|`")
_CITATION_MARK = re.compile(r"\[\d|\(\w[^()]{0,40}\d{4}\)")
_MARKUP_CHARS = frozenset("*_`[>")
_TRAILING_URL = re.compile(r"https?://\S+$")
_DOI = re.compile(r"\b10\.\d{4,9}/\S+")
_LEAD_LABEL = re.compile(r"\*\*(?P<label>[^*\n]{1,40}?):?\*\*:?[ \t]+(?=\S)")
TITLE_CASE_MAX_WORDS = 8
"""A short Title Case line without final punctuation is a heading, whatever its markup."""


def _collapsed(text: str) -> str:
    return " ".join(text.split())


def _plain(text: str) -> str:
    """A block's text as read: whitespace collapsed, Markdown emphasis, code and link syntax
    removed, a quote's ``>`` marks dropped."""
    if _MARKUP_CHARS.isdisjoint(text):
        return " ".join(text.split())
    return _collapsed(_MARKDOWN_INLINE.sub(lambda m: m.group(1) or "", text).replace("\n>", "\n"))


def _words(text: str) -> int:
    return len(_WORD.findall(text))


def _one_sentence(text: str) -> bool:
    return _SENTENCE_BREAK.search(text.rstrip(".!?")) is None


def _sentence_like_heading(text: str) -> bool:
    """A plain-text heading that is really a sentence without its final period: long, mostly
    lower-case, with a finite verb ("… are born …"), not opening like a question ("Who might
    benefit from …", a heading that asks)."""
    words = _WORD.findall(text)
    if len(words) < SENTENCE_HEADING_MIN_WORDS or words[0].lower() in _QUESTION_WORDS:
        return False
    lower = sum(1 for word in words[1:] if word[0].islower())
    return lower * 2 > len(words) - 1 and _FINITE_VERB.search(text) is not None


def _lead_in_label(text: str) -> bool:
    """A few words ending in a colon, with no verb ("General guidelines for safe seafood
    consumption:"): the label of what follows, not a statement."""
    return text.endswith(":") and _words(text) <= TITLE_CASE_MAX_WORDS and not _VERB.search(text)


def _title_case_line(text: str) -> bool:
    """A short line in Title Case without final punctuation ("Overview", "Frequently Asked
    Questions (FAQs)"): a heading, even where the markup says paragraph."""
    words = _WORD.findall(text)
    if not words or len(words) > TITLE_CASE_MAX_WORDS or text[-1] in ".!?:;,":
        return False
    if not text[0].isupper() or any(char.isdigit() for char in text):
        return False
    significant = [word for word in words if len(word) > 3]
    return all(word[0].isupper() for word in significant)


def _kind_of_text(
    text: str, body_seen: int, structure: StructureRules, long: bool = False
) -> BlockKind | None:
    """The kept kind a block's own text shows, if any (of a long block, ``text`` is its start:
    only the rules that read a block's beginning apply)."""
    if long:
        return structure.start_kind(text)
    words = _words(text)
    short = words <= SHORT_BLOCK_WORDS
    if short and structure.matches("dateline whole", text):
        return BlockKind.dateline
    if structure.matches("boilerplate whole", text) or structure.matches("boilerplate start", text):
        return BlockKind.boilerplate
    if structure.matches("hatnote start", text):
        return BlockKind.reference
    if structure.matches("caption start", text):
        return BlockKind.caption
    if short and structure.matches("byline whole", text):
        return BlockKind.byline
    if body_seen <= DATELINE_BLOCKS and structure.matches("author list whole", text):
        return BlockKind.byline
    if short and (
        structure.matches("contact start", text)
        or (structure.matches("contact signals", text) and not _SENTENCE_BREAK.search(text))
    ):
        return BlockKind.contact
    if words <= SHORT_BLOCK_WORDS * 2 and structure.matches("source line start", text):
        return BlockKind.source_line
    if body_seen <= DATELINE_BLOCKS and words <= 15 and _DOI.search(text):
        return BlockKind.source_line
    return None


def _looks_like_citation(text: str) -> bool:
    """A short block naming a study: authors ("et al."), a year, a DOI or a journal."""
    return _words(text) <= SHORT_BLOCK_WORDS * 2 and (
        looks_like_work(text) or re.search(r"\bet al\b|\bdoi\b|10\.\d{4,}/", text) is not None
    )


def refine_blocks(text: str, blocks: list[Block], fmt: DocumentFormat) -> list[Block]:
    """Re-kind (and where a dateline or a label is glued to a sentence, split) the blocks."""
    structure = rules()
    refined: list[Block] = []
    under: BlockKind | str | None = None  # what the current heading makes of its body blocks
    heading_level = 0
    body_seen = 0
    boilerplate_list = False  # list items continuing a boilerplate lead-in ("These resources:")
    for index, block in enumerate(blocks):
        kind = block.kind
        if block.end - block.start > RULES_MAX_CHARS:
            # Titles, bylines and furniture are short: a long block is text, read as it is.
            if kind in BODY_BLOCK_KINDS:
                body_seen += 1
            refined.append(block)
            continue
        long = block.end - block.start > LONG_BLOCK_CHARS
        # Furniture is short and the rules for long text look only at its start.
        if long and fmt is not DocumentFormat.markdown:
            content = text[block.start : block.start + LONG_BLOCK_CHARS]  # only its start is read
        else:
            content = _plain(text[block.start : min(block.end, block.start + LONG_BLOCK_CHARS)])
        edit = (
            _EDIT_MARKER.search(text, max(block.start, block.end - EDIT_MARKER_CHARS), block.end)
            if text[block.end - 1] == "]" and kind in (BlockKind.heading, BlockKind.paragraph)
            else None
        )
        if edit is not None and edit.start() > block.start:
            level = block.level or 2
            head = Block(BlockKind.heading, block.start, edit.start(), level)
            marker_start = text.index("[", edit.start())
            marker_end = text.rindex("]", edit.start(), edit.end()) + 1
            refined.append(head)
            refined.append(Block(BlockKind.boilerplate, marker_start, marker_end))
            under, heading_level = (
                _heading_effect(_plain(text[head.start : head.end]), structure),
                level,
            )
            continue
        if (
            kind is BlockKind.heading
            and fmt is DocumentFormat.text
            and _sentence_like_heading(content)
        ):
            kind = BlockKind.paragraph
            block = replace(block, kind=kind, level=0)
        elif (
            kind is BlockKind.paragraph
            and not long
            and under is not _REFERENCE_LIST
            and index + 1 < len(blocks)
            and (_title_case_line(content) or _lead_in_label(content))
            and not structure.matches("boilerplate whole", content)
            and not (index == 0 and fmt is not DocumentFormat.html)
        ):
            kind = BlockKind.heading
            block = replace(block, kind=kind, level=6)
        if kind is BlockKind.heading:
            effect = _heading_effect(content, structure)
            # Only plain text guesses headings from punctuation: markup says what a heading is.
            shown_as = (
                _kind_of_text(content, body_seen + 1, structure, long)
                if effect is None and fmt is DocumentFormat.text
                else None
            )
            if shown_as in _NOT_HEADINGS:
                # "By Brenda Goodman, MA", "Font Size": short lines a parser takes for headings.
                refined.append(replace(block, kind=shown_as, level=0))
                continue
            if under is None or block.level <= heading_level or heading_level == 0:
                under, heading_level = effect, block.level
            elif effect is not None:
                under = effect
            refined.append(block)
            continue
        if kind not in BODY_BLOCK_KINDS:
            refined.append(block)
            continue
        if under is _REFERENCE_LIST:
            refined.append(block)  # a reference list: references.py reads it
            continue
        body_seen += 1
        label = (
            _LEAD_LABEL.match(text, block.start, block.end)
            if fmt is DocumentFormat.markdown
            else None
        )
        if label and structure.matches("lead label", label.group("label")):
            inner = label.start("label")
            refined.append(Block(BlockKind.heading, inner, inner + len(label.group("label")), 6))
            block = replace(block, start=label.end())
            content = _plain(text[block.start : block.end])
        new_kind = _kind_of_text(content, body_seen, structure, long)
        if under is BlockKind.contents:
            if structure.matches("contents entry", content) or _words(content) <= 6:
                new_kind = BlockKind.contents
            else:
                under = None
        elif under is BlockKind.source_line:
            if new_kind is None and _looks_like_citation(content):
                new_kind = BlockKind.source_line
        elif isinstance(under, BlockKind) and new_kind is None:
            new_kind = under
        if new_kind is None and kind is BlockKind.list_item and boilerplate_list:
            new_kind = BlockKind.boilerplate
        boilerplate_list = new_kind is BlockKind.boilerplate and (
            kind is BlockKind.list_item or content.endswith(":")
        )
        if (
            new_kind is None
            and kind is BlockKind.list_item
            and _words(content) <= SHORT_BLOCK_WORDS
            and _TRAILING_URL.search(content)
        ):
            new_kind = BlockKind.reference
        if (
            new_kind is None
            and fmt is DocumentFormat.text
            and _is_title(text, blocks, index, refined)
        ):
            new_kind = BlockKind.page_title
        if new_kind is not None:
            refined.append(replace(block, kind=new_kind, level=0))
            continue
        length = structure.prefix("dateline start", content) if body_seen <= DATELINE_BLOCKS else 0
        if length:
            split = _raw_offset(text, block.start, length)
            rest = split
            while rest < block.end and text[rest].isspace():
                rest += 1
            if rest < block.end:
                end = _trim_end(text, block.start, split)
                refined.append(Block(BlockKind.dateline, block.start, end))
                refined.append(replace(block, start=rest))
                continue
        refined.append(block)
    return refined


#: Kinds that a line looking like a heading turns out to be.
_NOT_HEADINGS = frozenset(
    {
        BlockKind.byline,
        BlockKind.dateline,
        BlockKind.boilerplate,
        BlockKind.contact,
        BlockKind.source_line,
        BlockKind.caption,
    }
)


def _heading_effect(heading: str, structure: StructureRules) -> BlockKind | str | None:
    """What a heading makes of the body blocks under it, if anything special."""
    if reference_heading(heading):
        return _REFERENCE_LIST
    if structure.matches("see also heading", heading):
        return BlockKind.reference
    if structure.matches("contents heading", heading):
        return BlockKind.contents
    if structure.matches("about heading", heading) and heading[:1].isupper():
        return BlockKind.boilerplate
    if structure.matches("source line heading", heading):
        return BlockKind.source_line
    if _words(heading) <= 3 and structure.matches("contact start", heading.rstrip(":") + ":"):
        return BlockKind.contact
    return None


def _is_title(text: str, blocks: list[Block], index: int, refined: list[Block]) -> bool:
    """A short one-sentence paragraph that opens a plain-text document is a headline when what
    follows it is what follows headlines: a heading or deck line, a dateline, or a one-sentence
    deck; the deck right under such a headline is part of it."""
    if index > 1 or index + 1 >= len(blocks):
        return False
    block = blocks[index]
    content = _collapsed(text[block.start : block.end])
    if (
        block.kind is not BlockKind.paragraph
        or _words(content) > TITLE_MAX_WORDS
        or not _one_sentence(content)
        or _CITATION_MARK.search(content)
    ):
        return False
    if index == 1:
        return bool(refined) and refined[-1].kind is BlockKind.page_title
    following = blocks[index + 1]
    following_text = _collapsed(text[following.start : following.end])
    if following.kind in (BlockKind.heading, BlockKind.question):
        return True
    if following.kind is not BlockKind.paragraph:
        return False
    if rules().prefix("dateline start", following_text):
        return True
    # A one-sentence deck, itself followed by running text.
    return (
        index + 2 < len(blocks)
        and _one_sentence(following_text)
        and _words(following_text) <= TITLE_MAX_WORDS
        and _words(_collapsed(text[blocks[index + 2].start : blocks[index + 2].end]))
        >= TITLE_FOLLOWED_BY_WORDS
    )


def _raw_offset(text: str, start: int, collapsed_length: int) -> int:
    """The offset in ``text`` after ``collapsed_length`` characters of its collapsed form."""
    position, seen, in_space = start, 0, False
    while position < len(text) and seen < collapsed_length:
        if text[position].isspace():
            if not in_space:
                seen += 1
            in_space = True
        else:
            seen += 1
            in_space = False
        position += 1
    return position


def _trim_end(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1].isspace():
        end -= 1
    return end
