"""From a parsed document to claim, section and reference records."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from provenance.errors import ProvenanceError
from provenance.extract.blocks import ParsedDocument, page_at
from provenance.extract.citations import find_citations
from provenance.extract.classify import RULESET_VERSION as CLASSIFY_RULESET_VERSION
from provenance.extract.classify import classify_sentences
from provenance.extract.parse_text import is_question_sentence
from provenance.extract.positions import LineIndex
from provenance.extract.references import ReferenceIndex, parse_references
from provenance.extract.sentences import split_sentences
from provenance.extract.structure_rules import rules as structure_rules
from provenance.ids import claim_id, claim_key, normalise_text, part_id
from provenance.models import (
    BODY_BLOCK_KINDS,
    KEPT_BLOCK_KINDS,
    SECTION_BLOCK_KINDS,
    Attribution,
    BlockKind,
    Citation,
    Claim,
    ClaimDraft,
    EvidenceStatus,
    KeptBlock,
    Reference,
    Section,
)

#: The version of every rule set that decides what a document's claims are: reading a
#: document again with other rules makes a new version of it.
RULESET_VERSION = f"{CLASSIFY_RULESET_VERSION}.structure-{structure_rules().version}"

#: A "statement" longer than this has no sentence boundary: the input is not prose.
MAX_STATEMENT_CHARS = 20_000


@dataclass(slots=True)
class Extraction:
    """Everything one document version yields, in document order."""

    drafts: list[ClaimDraft] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    blocks: list[KeptBlock] = field(default_factory=list)

    @property
    def claims(self) -> list[Claim]:
        """The claims, validated (built anew on each call)."""
        return [draft.validated() for draft in self.drafts]


#: The evidence status a statement has before any review.
_TEXT_STATUS = {
    Attribution.cited: EvidenceStatus.cited,
    Attribution.vague: EvidenceStatus.attributed,
    Attribution.named: EvidenceStatus.attributed,
    Attribution.none: EvidenceStatus.unsupported,
}


def _kept(
    parsed: ParsedDocument,
    kind: BlockKind,
    start: int,
    end: int,
    document_id: str,
    lines: LineIndex,
    rows: list[list[str]] | None = None,
) -> KeptBlock:
    line, column = lines.line_column(start)
    return KeptBlock(
        id=part_id(kind.value, document_id, start),
        document_id=document_id,
        kind=kind,
        text=parsed.text[start:end],
        start=start,
        end=end,
        line=line,
        column=column,
        rows=rows,
    )


def extract(parsed: ParsedDocument, *, source: str, document_id: str, version: int) -> Extraction:
    """Turn every body sentence into a claim; headings and questions become sections."""
    text = parsed.text
    lines = LineIndex(text)
    result = Extraction()
    result.references = parse_references(text, parsed.blocks, document_id, lines)
    # Arranged for looking markers up once, for every sentence of the document.
    references = ReferenceIndex.of(result.references) if result.references else None
    occurrences: Counter[str] = Counter()
    structure = structure_rules()
    drafts = result.drafts
    line_column = lines.line_column
    section: str | None = None
    statements: list[tuple[str | None, int, int, int, list[Citation]]] = []
    for paragraph, block in enumerate(parsed.blocks):
        if block.kind in SECTION_BLOCK_KINDS:
            section = text[block.start : block.end]
            line, column = lines.line_column(block.start)
            result.sections.append(
                Section(
                    id=part_id("section", document_id, block.start),
                    document_id=document_id,
                    kind=block.kind,
                    level=block.level if block.kind is BlockKind.heading else 0,
                    text=section,
                    start=block.start,
                    end=block.end,
                    line=line,
                    column=column,
                )
            )
            continue
        if block.kind in KEPT_BLOCK_KINDS:
            result.blocks.append(
                _kept(parsed, block.kind, block.start, block.end, document_id, lines, block.rows)
            )
            continue
        if block.kind not in BODY_BLOCK_KINDS:
            continue
        for start, end in split_sentences(text, block.start, block.end):
            if end - start > MAX_STATEMENT_CHARS:
                line, column = lines.line_column(start)
                raise ProvenanceError(
                    f"{source}: {end - start:,} characters without a sentence boundary at line"
                    f" {line}, column {column} (limit {MAX_STATEMENT_CHARS:,}); is this prose?"
                )
            sentence = text[start:end]
            if is_question_sentence(sentence):
                result.blocks.append(
                    _kept(parsed, BlockKind.question, start, end, document_id, lines)
                )
                continue
            if structure.matches("boilerplate sentence", sentence):
                result.blocks.append(
                    _kept(parsed, BlockKind.boilerplate, start, end, document_id, lines)
                )
                continue
            citations = find_citations(text, start, end)
            if citations and references is not None:
                citations = references.resolve(citations)
            statements.append((section, paragraph, start, end, citations))
    # Classified together: a statement's attribution weighs its neighbours' cues.
    decisions = classify_sentences(
        [text[start:end] for _, _, start, end, _ in statements],
        [bool(citations) for *_, citations in statements],
    )
    for (section, paragraph, start, end, citations), decided in zip(
        statements, decisions, strict=True
    ):
        sentence = text[start:end]
        normalised = normalise_text(sentence)
        occurrences[normalised] += 1
        line, column = line_column(start)
        drafts.append(
            ClaimDraft(
                claim_id(source, normalised, occurrences[normalised]),
                claim_key(normalised),
                source,
                document_id,
                version,
                section,
                paragraph,
                start,
                end,
                line,
                column,
                sentence,
                decided.category,
                decided.category_cues,
                decided.certainty,
                decided.hedge_cues,
                decided.attribution,
                decided.attribution_cues,
                citations,
                _TEXT_STATUS[decided.attribution],
                page_at(parsed.pages, start) if parsed.pages else None,
            )
        )
    return result
