"""Reference lists: found, kept as references (never claims), and cited by markers.

A reference list is either

- the blocks after a heading such as "References", "Bibliography", "Sources", "Notes",
  "Works cited" or "Literature cited" (rules/citations.json; case and Markdown ``#`` marks,
  numbering and a final colon do not matter), up to the next heading of the same or a higher
  level; a "heading" inside the list that reads like a work (a year and an author or an
  identifier) is an entry the plain-text parser mistook for a heading; or
- without such a heading, a run of at least two blocks at the end of the document that each
  read like a work and are numbered or carry a DOI, PMID or URL.

An entry's label is its number or key as printed ("1." / "1)" / "[1]" / "[^1]:"); numeric
markers resolve by label, or by position in the list when no entry has a label. Author-year
markers resolve to entries that start with the cited surname and hold the cited year.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from provenance.extract.blocks import FROM_SUPERSCRIPT, Block, trimmed_span
from provenance.extract.citations import (
    first_identifiers,
    organisation_names,
    rules,
)
from provenance.extract.positions import LineIndex
from provenance.ids import part_id
from provenance.models import BODY_BLOCK_KINDS, BlockKind, Citation, CitationKind, Reference

MIN_TRAILING_ENTRIES = 2
"""A list of works without a heading needs at least this many entries at the document's end."""
HEADING_MAX_CHARS = 60
"""A longer line is prose, never the heading of a reference list."""
PARAGRAPH_HEADING_LEVEL = 6
"""The level given to a paragraph that only names a reference list ("**References**")."""
SKIPPED_AT_END = frozenset({BlockKind.heading})
"""Blocks that may follow a trailing list of works without ending it."""

_HEADING_DECORATION = re.compile(r"^[\s#*_]*(?:[\dIVXivx]{1,4}[.)]?\s+)?|[\s#*_:.]*$")
_LABEL = re.compile(
    r"\s{0,20}(?:\[\^?(?P<bracket>[\w.\-]{1,20})\]:?|(?P<number>\d{1,3})[.)]"
    r"|\^(?P<caret>\d{1,4})|(?P<superscript>[⁰¹²³⁴⁵⁶⁷⁸⁹]{1,4}))[ \t]+"
)
_YEAR = re.compile(r"(?<!\d)(1[5-9]\d\d|20\d\d)([a-z]?)(?![\d])")
_AUTHOR_START = re.compile(
    r"^\W{0,3}(?:[A-Z][\w'’\-]{1,30},?\s+(?:[A-Z]{1,3}\b|[A-Z]\.)"  # Ott A, / Smith, J.
    r"|[A-Z][\w'’\-]{1,30}(?:\s+[A-Z][\w'’\-]{1,30}){0,2},\s)"  # Smith, John,
)
_WORK_SIGNALS = re.compile(
    r"\bet al\b|\d{1,4}\s*(?:\(\d{1,4}\))?\s*:\s*\d{1,6}|\bpp?\.\s*\d|\b[Vv]ol\.|\bdoi\b"
    r"|\b(?:Journal|J|Proc|Rev|Lancet|BMJ|JAMA|Nature|Science|Press|Publishers?)\b"
)


def _folded(text: str) -> str:
    """Case and accents do not matter when comparing names."""
    if text.isascii():  # nothing to decompose
        return text.casefold()
    decomposed = unicodedata.normalize("NFKD", text)
    # Each distinct combining mark is removed in one pass (half the cost of a test per character).
    for mark in {ch for ch in set(decomposed) if unicodedata.combining(ch)}:
        decomposed = decomposed.replace(mark, "")
    return decomposed.casefold()


def reference_heading(heading: str) -> bool:
    """Whether a heading's text opens a reference list ("## References", "7. Notes:")."""
    if len(heading) > HEADING_MAX_CHARS:
        return False
    core = _HEADING_DECORATION.sub("", heading)
    return " ".join(core.casefold().split()) in set(rules()["reference_headings"])


def looks_like_work(entry: str) -> bool:
    """Whether a block reads like a cited work: a year with authors, journal details or an id."""
    firsts = first_identifiers(entry, 0, len(entry))
    has_id = any(kind in firsts for kind in (CitationKind.doi, CitationKind.pmid, CitationKind.url))
    has_year = _YEAR.search(entry) is not None
    score = (
        int(has_year)
        + int(has_id)
        + int(_AUTHOR_START.match(entry) is not None)
        + int(_WORK_SIGNALS.search(entry) is not None)
    )
    return (has_year or has_id) and score >= 2


def _block_line_prefix(text: str, block: Block) -> str:
    """What the line holds before the block: the list marker the parser left out of it."""
    line_start = text.rfind("\n", max(0, block.start - 200), block.start) + 1
    if block.start - line_start > 200:
        return ""
    return text[line_start : block.start]


def _label(text: str, block: Block) -> tuple[str | None, int]:
    """The entry's printed label and where its text starts after it."""
    prefix = _block_line_prefix(text, block)
    marker = re.fullmatch(r"\s{0,20}(?:\[\^?([\w.\-]{1,20})\]:?|(\d{1,4})[.)])\s*", prefix)
    if marker:
        return marker.group(1) or marker.group(2), block.start
    found = _LABEL.match(text, block.start, block.end)
    if found:
        label = found.group("bracket") or found.group("number") or found.group("caret")
        if label is None:
            label = found.group("superscript").translate(FROM_SUPERSCRIPT)
        return label, found.end()
    return None, block.start


def _numbered(text: str, block: Block) -> bool:
    return _label(text, block)[0] is not None


def _entry(block: Block) -> Block:
    return Block(BlockKind.reference, block.start, block.end, block.level)


def mark_reference_blocks(text: str, blocks: list[Block]) -> list[Block]:
    """Return ``blocks`` with the entries of a reference list re-kinded as references.

    A paragraph that only says "References" (``**References**``, ``Sources:``) is the list's
    heading too; it becomes a heading of the lowest level, so any real heading ends the list.
    """
    marked = list(blocks)
    in_list_level: int | None = None
    found_heading = False
    entries = 0  # in the current list: only its first block can show it is prose
    for index, block in enumerate(blocks):
        content = text[block.start : block.end]
        if block.kind is BlockKind.paragraph and reference_heading(content):
            marked[index] = Block(
                BlockKind.heading, block.start, block.end, PARAGRAPH_HEADING_LEVEL
            )
            in_list_level = PARAGRAPH_HEADING_LEVEL
            found_heading = True
            entries = 0
        elif block.kind is BlockKind.heading:
            if in_list_level is not None and looks_like_work(content):
                marked[index] = _entry(block)
                continue
            if in_list_level is not None and block.level > in_list_level:
                continue  # a sub-heading inside the list ("Journal articles")
            in_list_level = block.level if reference_heading(content) else None
            entries = 0
            found_heading = found_heading or in_list_level is not None
        elif in_list_level is not None and (
            block.kind in BODY_BLOCK_KINDS or block.kind is BlockKind.question
        ):
            if entries == 0 and _reads_like_prose(text, block):
                # "Notes:" over remarks, "Literature" over a section about it: not a list.
                in_list_level = None
                continue
            marked[index] = _entry(block)
            entries += 1
    if not found_heading:
        _mark_trailing_works(text, marked)
    return marked


PROSE_MIN_WORDS = 12
"""An unlabelled block this long, mostly in lower-case words and naming no work, is prose."""
PROSE_LOWER_SHARE = 0.6
"""Titles, names and journals are capitalised: a list of works has fewer lower-case words."""


def _reads_like_prose(text: str, block: Block) -> bool:
    """Whether the first block under a reference heading is prose rather than an entry:
    unlabelled, long, mostly lower-case words, and naming no work."""
    if _numbered(text, block):
        return False
    content = text[block.start : block.end]
    if looks_like_work(content):
        return False
    words = re.findall(r"[^\W\d_][\w'’-]*", content)
    lower = sum(1 for word in words if word[0].islower())
    return len(words) >= PROSE_MIN_WORDS and lower >= PROSE_LOWER_SHARE * len(words)


def _mark_trailing_works(text: str, blocks: list[Block]) -> None:
    """Re-kind a numbered list of works that ends the document (no heading announces it)."""
    run: list[int] = []
    for index in range(len(blocks) - 1, -1, -1):
        block = blocks[index]
        if block.kind in SKIPPED_AT_END and not run:
            continue
        if block.kind not in BODY_BLOCK_KINDS:
            break
        content = text[block.start : block.end]
        firsts = first_identifiers(content, 0, len(content))
        strong = _numbered(text, block) or any(
            kind in firsts for kind in (CitationKind.doi, CitationKind.pmid)
        )
        if not (strong and looks_like_work(content)):
            break
        run.append(index)
    if len(run) >= MIN_TRAILING_ENTRIES:
        for index in run:
            blocks[index] = _entry(blocks[index])


def parse_references(
    text: str, blocks: list[Block], document_id: str, lines: LineIndex
) -> list[Reference]:
    """One Reference per entry of the reference-kind blocks, in document order.

    A block normally holds one entry; a block of several lines is split where a line opens a
    new entry (a label such as "2." or "[2]", or authors and a year after a line that ended a
    sentence), as hard-wrapped plain text runs unnumbered entries together.
    """
    references: list[Reference] = []
    for block in blocks:
        if block.kind is not BlockKind.reference:
            continue
        for entry in _split_entry_lines(text, block):
            label, start = _label(text, entry)
            end = entry.end
            if start >= end:
                continue
            line, column = lines.line_column(start)
            firsts = first_identifiers(text, start, end)
            references.append(
                Reference(
                    id=part_id("reference", document_id, start),
                    document_id=document_id,
                    label=label,
                    text=text[start:end],
                    start=start,
                    end=end,
                    line=line,
                    column=column,
                    doi=firsts.get(CitationKind.doi),
                    pmid=firsts.get(CitationKind.pmid),
                    url=firsts.get(CitationKind.url),
                )
            )
    return references


def _split_entry_lines(text: str, block: Block) -> list[Block]:
    cuts = [block.start]
    newline = text.find("\n", block.start, block.end)
    while newline != -1:
        following = text.find("\n", newline + 1, block.end)
        line_start, line_end = trimmed_span(
            text, newline + 1, block.end if following == -1 else following
        )
        line = text[line_start:line_end]
        before = newline - 1
        while before > cuts[-1] and text[before].isspace():
            before -= 1
        after_sentence = text[before] == "."
        opens = _LABEL.match(line) is not None or (
            after_sentence and _AUTHOR_START.match(line) is not None and _YEAR.search(line)
        )
        if line and opens:
            cuts.append(line_start)
        newline = following
    cuts.append(block.end)
    spans = [trimmed_span(text, a, b) for a, b in itertools.pairwise(cuts)]
    return [Block(BlockKind.reference, a, b, block.level) for a, b in spans if a < b]


_FIRST_WORD = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True, slots=True)
class _Work:
    id: str
    start: str  # the entry's first 200 characters, case and accents folded
    years: frozenset[str]  # "2019" and "2019a" for an entry dated 2019a


@dataclass(frozen=True, slots=True)
class ReferenceIndex:
    """The reference list arranged for looking markers up."""

    by_number: dict[str, list[str]]
    by_identifier: dict[str, list[str]]
    by_first_word: dict[str, list[_Work]]

    @classmethod
    def of(cls, references: list[Reference]) -> ReferenceIndex:
        by_number: dict[str, list[str]] = {}
        by_identifier: dict[str, list[str]] = {}
        by_first_word: dict[str, list[_Work]] = {}
        labelled = any(r.label is not None for r in references)
        for position, reference in enumerate(references, start=1):
            key = reference.label if labelled else str(position)
            if key is not None:
                by_number.setdefault(_number_key(key), []).append(reference.id)
            identifiers = [reference.doi, reference.pmid, reference.url]
            identifiers += re.findall(r"PMC\d{4,9}|\d{4}\.\d{4,5}", reference.text)
            for identifier in identifiers:
                if identifier:
                    by_identifier.setdefault(identifier.casefold(), []).append(reference.id)
            dated = _YEAR.findall(reference.text)
            years = frozenset(y + s for y, s in dated) | frozenset(y for y, _ in dated)
            start = _folded(reference.text[:200])
            first = _FIRST_WORD.search(start)
            if first is not None:
                work = _Work(reference.id, start[first.start() :], years)
                by_first_word.setdefault(first.group(0), []).append(work)
        return cls(by_number, by_identifier, by_first_word)

    def author_year(self, target: str) -> list[str]:
        """Entries that start with the cited surname (or another name of the same
        organisation: WHO, World Health Organization) and carry the cited year."""
        surname, _, year = target.rpartition(" ")
        folded = _folded(" ".join(surname.split()))
        candidates = []
        for wanted in _organisation_aliases().get(folded, (folded,)):
            first = _FIRST_WORD.match(wanted)
            if first is None:
                continue
            candidates += [
                work
                for work in self.by_first_word.get(first.group(0), [])
                if work.start.startswith(wanted)
                and not work.start[len(wanted) : len(wanted) + 1].isalpha()
            ]
        # One entry can start with two names of an organisation (FAO, FAO of the UN).
        exact = list(dict.fromkeys(work.id for work in candidates if year in work.years))
        if exact or len(year) == 4:
            return exact
        return list(dict.fromkeys(work.id for work in candidates if year[:4] in work.years))

    def resolve(self, citations: list[Citation]) -> list[Citation]:
        """Fill each citation's ``reference_ids`` from the reference list."""
        resolved: list[Citation] = []
        for citation in citations:
            ids: list[str] = []
            for target in citation.targets:
                if citation.kind in (CitationKind.numeric, CitationKind.superscript):
                    found = self.by_number.get(_number_key(target), [])
                elif citation.kind is CitationKind.author_year:
                    found = self.author_year(target)
                else:
                    found = self.by_identifier.get(target.casefold(), [])
                ids.extend(i for i in found if i not in ids)
            if ids:
                citation = Citation(
                    kind=citation.kind,
                    marker=citation.marker,
                    start=citation.start,
                    end=citation.end,
                    targets=citation.targets,
                    reference_ids=ids,
                )
            resolved.append(citation)
        return resolved


@cache
def _organisation_aliases() -> dict[str, tuple[str, ...]]:
    """Each folded name of a listed organisation → all its folded names, acronym first."""
    aliases: dict[str, tuple[str, ...]] = {}
    for acronym, full_names in organisation_names().items():
        names = tuple(_folded(name) for name in (acronym, *full_names))
        for name in names:
            aliases[name] = names
    return aliases


def _number_key(label: str) -> str:
    label = label.strip().rstrip(".)").lstrip("[^").rstrip("]:")
    return str(int(label)) if label.isdigit() else label.casefold()


def resolve_citations(citations: list[Citation], references: list[Reference]) -> list[Citation]:
    """Fill each citation's ``reference_ids`` from the document's reference list (for one
    sentence; a document's sentences share one :class:`ReferenceIndex`)."""
    if not citations or not references:
        return citations
    return ReferenceIndex.of(references).resolve(citations)
