"""Coverage invariants over generated plain-text and Markdown documents.

Each generated document knows the role of every character it wrote:

- ``content``: words and punctuation of headings, questions, paragraphs, list items and
  quotes, including inline Markdown markup (``*emphasis*``, ``[links](…)``, inline code),
  which stays inside claims;
- ``inner``: the ``>`` prefixes of a block quote's continuation lines, which sit inside the
  quoted paragraph's contiguous span and so belong to its claim;
- ``markup``: block-structure markers — heading ``#`` marks and setext underlines, list
  bullets and numbers, the ``>`` that opens a quote, the ``[^1]:`` label of a footnote,
  emphasis marks wrapping a whole heading or question (``**Is it safe?**``), and in plain
  text the list markers and decoration lines without a letter or digit (``***``);
- ``kept``: pipe tables, one table block each, never part of a claim;
- ``nonprose``: code blocks, HTML blocks, front matter, link reference definitions
  and thematic breaks.

Ingested through ``parse_document`` and ``extract``, every non-whitespace ``content`` or
``inner`` character belongs to exactly one claim, section (heading or question), reference or
kept block (title, dateline, byline, boilerplate, contact, source line, asked question, …), and
no ``markup`` or ``nonprose`` character belongs to any. The documents mix in what real ones
hold besides statements: furniture lines ("Share this story", "By Jane Roe, MD"), datelines
glued to a first sentence, questions asked inside a paragraph, Wikipedia's "[edit]" markers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from provenance.extract.parse import parse_document
from provenance.extract.pipeline import Extraction, extract
from provenance.models import DocumentFormat

CONTENT, INNER, MARKUP, NONPROSE, KEPT = "content", "inner", "markup", "nonprose", "kept"

WORDS = [
    "magnesium",
    "glutamate",
    "blocks",
    "the",
    "receptor",
    "neurons",
    "may",
    "help",
    "calcium",
    "levels",
    "brain",
    "dose",
    "and",
    "studies",
]

SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@dataclass
class GeneratedDocument:
    """Text written piece by piece, with the role of every character."""

    pieces: list[tuple[str, str]] = field(default_factory=list)

    def add(self, piece: str, role: str = CONTENT) -> None:
        self.pieces.append((piece, role))

    @property
    def text(self) -> str:
        return "".join(piece for piece, _ in self.pieces)

    @property
    def roles(self) -> list[str]:
        return [role for piece, role in self.pieces for _ in piece]


words = st.lists(st.sampled_from(WORDS), min_size=1, max_size=6)

#: Lines that are kept as typed blocks (boilerplate, byline, contact, source line, …).
FURNITURE = [
    "Share this story",
    "Email a Friend",
    "By Jane Roe, MD",
    "Contact: Jane Roe, (734) 555-0100",
    "Source: Roe J (2015). Magnesium and glutamate. doi:10.1000/xyz123",
    "Figure 1. Magnesium blocks the receptor.",
    "All rights reserved.",
]


@st.composite
def sentences(draw: st.DrawFn, end: str = ".", markdown: bool = False) -> str:
    chosen = list(draw(words))
    if markdown and len(chosen) > 1:
        index = draw(st.integers(0, len(chosen) - 1))
        style = draw(st.sampled_from(["*{}*", "**{}**", "`{}`", "[{}](https://example.org/x)"]))
        chosen[index] = style.format(chosen[index])
    chosen[0] = chosen[0][:1].upper() + chosen[0][1:] if chosen[0][0].isalpha() else chosen[0]
    return " ".join(chosen) + end


@st.composite
def titles(draw: st.DrawFn) -> str:
    return " ".join(word.capitalize() for word in draw(words))


@st.composite
def prose(draw: st.DrawFn, markdown: bool = False, wrap: bool = True) -> str:
    """One to three sentences, optionally hard-wrapped between words."""
    text = " ".join(draw(st.lists(sentences(markdown=markdown), min_size=1, max_size=3)))
    if not wrap:
        return text
    tokens = text.split(" ")
    breaks = draw(st.lists(st.booleans(), min_size=len(tokens), max_size=len(tokens)))
    out = tokens[0]
    for token, newline in zip(tokens[1:], breaks[1:], strict=True):
        out += ("\n" if newline else " ") + token
    return out


# Plain text ---------------------------------------------------------------------------


@st.composite
def plain_documents(draw: st.DrawFn) -> GeneratedDocument:
    doc = GeneratedDocument()
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    kinds = st.sampled_from(
        [
            "heading",
            "question",
            "paragraph",
            "wrapped",
            "item",
            "blank",
            "decoration",
            "furniture",
            "dateline",
            "asked",
        ]
    )
    for kind in draw(st.lists(kinds, min_size=1, max_size=14)):
        if kind == "heading":
            doc.add(draw(titles()))
        elif kind == "question":
            doc.add(draw(sentences(end="?")))
        elif kind == "paragraph":
            doc.add(draw(prose(wrap=False)))
        elif kind == "wrapped":
            doc.add(draw(prose()).replace("\n", newline))
        elif kind == "decoration":
            doc.add(draw(st.sampled_from(["***", "=====", "- - -", "—", "* * *"])), MARKUP)
        elif kind == "item":
            doc.add(draw(st.sampled_from(["-", "*", "•", "1.", "2)"])), MARKUP)
            doc.add(" " + draw(sentences()))
        elif kind == "furniture":
            doc.add(draw(st.sampled_from(FURNITURE)))
        elif kind == "dateline":
            doc.add(
                draw(st.sampled_from(["ANN ARBOR--", "BOSTON (Reuters) -", "Feb. 23, 2015 --"]))
            )
            doc.add(" " + draw(sentences()))
        elif kind == "asked":
            doc.add(draw(sentences()) + " " + draw(sentences(end="?")) + " " + draw(sentences()))
        doc.add(newline)
    return doc


# Markdown -----------------------------------------------------------------------------


def _add_lines(doc: GeneratedDocument, text: str, first_prefix: str, next_prefix: str) -> None:
    """Add ``text`` line by line; the first line's prefix is markup, later ones are inner."""
    for index, line in enumerate(text.split("\n")):
        if index:
            doc.add("\n")
            doc.add(next_prefix, INNER if next_prefix.strip() else CONTENT)
        else:
            doc.add(first_prefix, MARKUP)
        doc.add(line)


def _add_emphasised(doc: GeneratedDocument, text: str, marker: str) -> None:
    """Emphasis around a whole heading or question is markup, left out of its span."""
    doc.add(marker, MARKUP)
    doc.add(text)
    doc.add(marker, MARKUP)


@st.composite
def markdown_block(draw: st.DrawFn, doc: GeneratedDocument, kind: str) -> None:
    if kind == "atx":
        doc.add("#" * draw(st.integers(1, 6)) + " ", MARKUP)
        _add_emphasised(doc, draw(titles()), draw(st.sampled_from(["", "**", "_"])))
        if draw(st.booleans()):
            doc.add(" " + "#" * draw(st.integers(1, 3)), MARKUP)
    elif kind == "edit":
        doc.add("## ", MARKUP)
        doc.add(draw(titles()) + "[edit]")
    elif kind == "setext":
        doc.add(draw(titles()))
        doc.add("\n" + draw(st.sampled_from(["=", "-"])) * draw(st.integers(3, 8)), MARKUP)
    elif kind == "paragraph":
        doc.add(draw(prose(markdown=True)))
    elif kind == "question":
        _add_emphasised(doc, draw(sentences(end="?")), draw(st.sampled_from(["", "**", "*"])))
    elif kind == "list":
        bullet = draw(st.sampled_from(["-", "*", "+", "1.", "1)"]))
        indent = " " * (len(bullet) + 1)
        for item in range(draw(st.integers(1, 3))):
            if item:
                doc.add("\n")
            _add_lines(doc, draw(prose(markdown=True)), bullet + " ", indent)
            if draw(st.booleans()):
                doc.add("\n")
                _add_lines(doc, draw(sentences()), indent + "- ", indent + "  ")
    elif kind == "quote":
        _add_lines(doc, draw(prose(markdown=True)), "> ", "> ")
        if draw(st.booleans()):
            doc.add("\n")
            doc.add(">", MARKUP)
            doc.add("\n")
            doc.add("> > ", MARKUP)
            doc.add(draw(sentences()))
    elif kind == "fence":
        fence = draw(st.sampled_from(["```", "~~~"]))
        doc.add(f"{fence}python\nCODE = Magnesium blocks.\n{fence}", NONPROSE)
    elif kind == "indented":
        doc.add("    CODE Magnesium blocks.\n    MORE code.", NONPROSE)
    elif kind == "table":
        doc.add("| CELL | Glutamate. |\n| --- | --- |\n| Magnesium. | CELL |", KEPT)
    elif kind == "html":
        doc.add("<div>\nHTML block text.\n</div>", NONPROSE)
    elif kind == "definition":
        label = draw(st.sampled_from(WORDS))
        doc.add(f"[{label}]: https://example.org/{label}", NONPROSE)
    elif kind == "footnotes":
        for index in range(draw(st.integers(1, 3))):
            if index:
                doc.add("\n")
            doc.add(f"[^{index + 1}]: ", MARKUP)
            doc.add(draw(st.one_of(sentences(), st.just("https://example.org/paper"))))
    elif kind == "rule":
        doc.add(draw(st.sampled_from(["***", "___", "* * *", "- - -"])), NONPROSE)


MARKDOWN_KINDS = [
    "atx",
    "edit",
    "setext",
    "paragraph",
    "question",
    "list",
    "quote",
    "fence",
    "indented",
    "table",
    "html",
    "definition",
    "rule",
    "footnotes",
]


@st.composite
def markdown_documents(draw: st.DrawFn) -> GeneratedDocument:
    doc = GeneratedDocument()
    if draw(st.booleans()):
        doc.add(
            draw(
                st.sampled_from(
                    ["---\ntitle: Magnesium\ntags: [META]\n---", "+++\ntitle = 'META'\n+++"]
                )
            ),
            NONPROSE,
        )
        doc.add("\n")
    previous = None
    for kind in draw(st.lists(st.sampled_from(MARKDOWN_KINDS), min_size=1, max_size=10)):
        if kind == "indented" and previous == "list":
            # Indented text right after a list continues the list item: say so explicitly.
            draw(markdown_block(doc, "paragraph"))
            doc.add("\n\n")
        draw(markdown_block(doc, kind))
        doc.add("\n\n")
        previous = kind
    return doc


# The invariants -----------------------------------------------------------------------


def ingest(text: str, fmt: DocumentFormat) -> Extraction:
    parsed = parse_document(text, fmt)
    return extract(parsed, source="generated", document_id="doc", version=1)


def assert_coverage(doc: GeneratedDocument, fmt: DocumentFormat) -> None:
    text, roles = doc.text, doc.roles
    extraction = ingest(text, fmt)
    for claim in extraction.claims:
        assert claim.text == text[claim.start : claim.end]
        assert KEPT not in roles[claim.start : claim.end]
    spans = sorted((c.start, c.end) for c in extraction.claims)
    assert all(end <= start for (_, end), (start, _) in pairwise(spans))

    covered = [0] * len(text)
    parts = [
        *((c.start, c.end) for c in extraction.claims),
        *((s.start, s.end) for s in extraction.sections),
        *((r.start, r.end) for r in extraction.references),
        *((b.start, b.end) for b in extraction.blocks),
    ]
    for start, end in parts:
        for offset in range(start, end):
            covered[offset] += 1
    for offset, char in enumerate(text):
        if char.isspace():
            continue
        expected = 1 if roles[offset] in (CONTENT, INNER, KEPT) else 0
        assert covered[offset] == expected, (
            f"{roles[offset]} {char!r} at {offset} covered {covered[offset]} times: "
            f"{text[max(0, offset - 30) : offset + 30]!r}"
        )

    again = ingest(text, fmt)
    assert [c.id for c in again.claims] == [c.id for c in extraction.claims]
    assert [c.model_dump() for c in again.claims] == [c.model_dump() for c in extraction.claims]


@SETTINGS
@given(plain_documents())
def test_plain_text_coverage(doc: GeneratedDocument) -> None:
    assert_coverage(doc, DocumentFormat.text)


@SETTINGS
@given(markdown_documents())
def test_markdown_coverage(doc: GeneratedDocument) -> None:
    assert_coverage(doc, DocumentFormat.markdown)
