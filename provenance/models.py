"""The records provenance keeps: the single source of truth for storage, output and schemas."""

from __future__ import annotations

from enum import Enum
from typing import NamedTuple

from pydantic import BaseModel, ConfigDict, Field


class Category(str, Enum):
    """What kind of statement a claim makes (see docs/design.md)."""

    definition = "definition"
    mechanism = "mechanism"
    causal = "causal"
    efficacy = "efficacy"
    quantitative = "quantitative"
    finding = "finding"
    method = "method"
    evidence = "evidence"
    event = "event"
    prediction = "prediction"
    recommendation = "recommendation"
    evaluative = "evaluative"
    meta = "meta"
    personal = "personal"


#: What each category means (docs/design.md, "Categories"); also the ``taxonomy`` table.
CATEGORY_MEANINGS = {
    Category.definition: "what something is, its class, its general role or property",
    Category.mechanism: "how an effect happens at a molecular, cellular or physiological level",
    Category.causal: "a condition or exposure leads to or is linked to an outcome (general)",
    Category.efficacy: "an intervention helps, treats, prevents or lowers risk (general)",
    Category.quantitative: "its core is a number, dose, rate or proportion (not one study's)",
    Category.finding: "what a specific study, trial, analysis or report found",
    Category.method: "how a study was done: design, participants, procedure, measures, funding",
    Category.evidence: "the state of research as a whole: how much is known, what is needed",
    Category.event: "something that happened at a particular time: history, news, publications",
    Category.prediction: "what will or is expected to happen",
    Category.recommendation: "tells the reader what to do, or what is necessary or advisable",
    Category.evaluative: "a judgement of importance, complexity, novelty or promise",
    Category.meta: "the text speaking about itself",
    Category.personal: "a first-person experience or testimonial",
}


class Certainty(str, Enum):
    asserted = "asserted"
    hedged = "hedged"


class Attribution(str, Enum):
    """Who stands behind a statement: nobody named, unnamed sources, a named one, a citation."""

    none = "none"
    vague = "vague"
    named = "named"
    cited = "cited"


#: What each attribution means; also the ``taxonomy`` table.
ATTRIBUTION_MEANINGS = {
    Attribution.none: "asserted on the writer's own authority",
    Attribution.vague: "an appeal to unnamed sources: studies suggest, experts say",
    Attribution.named: "a source named in prose: a person, organisation, journal or study",
    Attribution.cited: "a citation marker or identifier in the sentence",
}


class EvidenceStatus(str, Enum):
    """Text-derived statuses first, then the ones a reviewer's verdict sets."""

    cited = "cited"
    attributed = "attributed"
    unsupported = "unsupported"
    supported = "supported"
    partially_supported = "partially_supported"
    contradicted = "contradicted"
    unverifiable = "unverifiable"
    not_a_claim = "not_a_claim"
    disputed = "disputed"


class Verdict(str, Enum):
    """A reviewer's finding on a claim; it replaces the text-derived evidence status."""

    supported = "supported"
    partially_supported = "partially_supported"
    contradicted = "contradicted"
    unverifiable = "unverifiable"
    not_a_claim = "not_a_claim"


class DocumentFormat(str, Enum):
    text = "text"
    markdown = "markdown"
    html = "html"
    pdf = "pdf"
    docx = "docx"


class BlockKind(str, Enum):
    """The parts a document is segmented into; only the body kinds hold claims."""

    heading = "heading"
    question = "question"
    paragraph = "paragraph"
    list_item = "list_item"
    quote = "quote"
    reference = "reference"
    #: Running headers, footers and page numbers of a paged document: kept, never claims.
    boilerplate = "boilerplate"
    #: A figure or table caption.
    caption = "caption"
    #: A table's cells (data, not statements).
    table = "table"
    page_title = "title"  # not "title": str.title is a method
    dateline = "dateline"
    byline = "byline"
    contents = "contents"
    contact = "contact"
    source_line = "source_line"
    formula = "formula"


BODY_BLOCK_KINDS = frozenset({BlockKind.paragraph, BlockKind.list_item, BlockKind.quote})
SECTION_BLOCK_KINDS = frozenset({BlockKind.heading, BlockKind.question})
#: Blocks kept as typed text of their own, never claims (questions asked inside a paragraph
#: are kept as such too).
KEPT_BLOCK_KINDS = frozenset(
    {
        BlockKind.page_title,
        BlockKind.dateline,
        BlockKind.byline,
        BlockKind.caption,
        BlockKind.contents,
        BlockKind.contact,
        BlockKind.boilerplate,
        BlockKind.source_line,
        BlockKind.table,
        BlockKind.formula,
    }
)


class CitationKind(str, Enum):
    numeric = "numeric"
    superscript = "superscript"
    author_year = "author_year"
    doi = "doi"
    pmid = "pmid"
    pmcid = "pmcid"
    arxiv = "arxiv"
    url = "url"


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", use_enum_values=False)


class Citation(_Record):
    """A citation marker found inside a claim, resolved to the reference list if possible."""

    kind: CitationKind = Field(description="Which pattern found the marker.")
    marker: str = Field(description="The marker exactly as it appears in the text.")
    start: int = Field(description="Offset of the marker in the document text.", ge=0)
    end: int = Field(description="End offset (exclusive) of the marker.", ge=0)
    targets: list[str] = Field(
        default_factory=list,
        description="What the marker points to: reference numbers, 'Author Year', DOI, PMID, URL…",
    )
    reference_ids: list[str] = Field(
        default_factory=list,
        description="Ids of the reference-list entries the marker resolves to.",
    )


class Claim(_Record):
    """One statement of a document: what it says, how sure it is, what supports it, where it is."""

    id: str = Field(
        description="Stable id: from the document source, the normalised text and its occurrence."
    )
    claim_key: str = Field(description="From the normalised text alone; groups repeated claims.")
    document: str = Field(description="The document's source (path or URL as given).")
    document_id: str = Field(description="Id of the document version the claim was read from.")
    version: int = Field(description="Version of the document the claim was read from.", ge=1)
    section: str | None = Field(
        default=None, description="The heading or question the claim sits under."
    )
    paragraph: int = Field(description="Index of the block (paragraph, list item) in the document.")
    start: int = Field(description="Start offset (characters) in the stored document text.", ge=0)
    end: int = Field(description="End offset (characters, exclusive) in the stored text.", ge=0)
    line: int = Field(description="Line of the start offset (1-based).", ge=1)
    column: int = Field(description="Column of the start offset (1-based, in characters).", ge=1)
    text: str = Field(description="The statement exactly as in the source text.")
    category: Category = Field(
        description="What kind of statement it is: " + ", ".join(c.value for c in Category) + "."
    )
    category_cues: list[str] = Field(
        default_factory=list, description="The cues that decided the category."
    )
    certainty: Certainty = Field(description="Asserted, or hedged by a cue word.")
    hedge_cues: list[str] = Field(default_factory=list, description="The hedge words found.")
    attribution: Attribution = Field(
        description="None, a vague appeal to unnamed sources, a source named in prose,"
        " or a citation."
    )
    attribution_cues: list[str] = Field(
        default_factory=list, description="The phrases that attribute the statement."
    )
    citations: list[Citation] = Field(
        default_factory=list, description="Citation markers in the statement."
    )
    evidence_status: EvidenceStatus = Field(
        description="cited / attributed / unsupported from the text, or the reviewers' verdict."
    )
    page: int | None = Field(
        default=None,
        description="Page of a paged document (PDF) the claim starts on (1-based).",
        ge=1,
    )


class ClaimDraft(NamedTuple):
    """A claim as extraction builds it: :class:`Claim`'s fields, in its order, not validated.

    Ingest stores these as they are, sparing its hot path a pydantic validation per claim.
    ``provenance.extract.pipeline.Extraction.claims`` gives the validated models; tests check that
    drafts validate and that the two field lists stay the same.
    """

    id: str
    claim_key: str
    document: str
    document_id: str
    version: int
    section: str | None
    paragraph: int
    start: int
    end: int
    line: int
    column: int
    text: str
    category: Category
    category_cues: list[str]
    certainty: Certainty
    hedge_cues: list[str]
    attribution: Attribution
    attribution_cues: list[str]
    citations: list[Citation]
    evidence_status: EvidenceStatus
    page: int | None = None

    def validated(self) -> Claim:
        return Claim.model_validate(self._asdict())


class Section(_Record):
    """A heading or FAQ question: structure, never a claim."""

    id: str
    document_id: str
    kind: BlockKind
    level: int = Field(description="Heading level (1 for top level; questions are 0).", ge=0)
    text: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    line: int = Field(ge=1)
    column: int = Field(ge=1)


class KeptBlock(_Record):
    """A part of a document that is neither a claim, a section nor a reference: a title,
    dateline, byline, caption, table of contents, contact block, boilerplate, source line,
    table, formula, or a question asked inside a paragraph. Kept, typed and shown, never a claim."""

    id: str
    document_id: str
    kind: BlockKind
    text: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    line: int = Field(ge=1)
    column: int = Field(ge=1)
    rows: list[list[str]] | None = Field(
        default=None, description="A table's rows, cell by cell (tables only)."
    )


class Reference(_Record):
    """An entry of the document's reference list: kept as a work cited, never a claim."""

    id: str
    document_id: str
    label: str | None = Field(
        default=None, description="The entry's number or key as printed (e.g. '3')."
    )
    text: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    line: int = Field(ge=1)
    column: int = Field(ge=1)
    doi: str | None = None
    pmid: str | None = None
    url: str | None = None


class Document(_Record):
    """One version of a document as read: the text offsets refer to, and where it came from."""

    id: str = Field(description="Id of this version of the document.")
    source: str = Field(description="Path or URL as given (normalised).")
    name: str = Field(description="Short name: the file name without its extension.")
    title: str | None = None
    format: DocumentFormat
    sha256: str = Field(description="SHA-256 of the exact bytes read.")
    size: int = Field(
        description="Size of the bytes read.", ge=0, json_schema_extra={"unit": "bytes"}
    )
    text: str = Field(description="The stored text; every offset refers to it.")
    version: int = Field(ge=1)
    ingested_at: str = Field(description="UTC time of the ingest, ISO 8601.")
    run_id: str = Field(description="The ingest run that read this version.")


class Run(_Record):
    """One invocation of ingest: what produced the claims."""

    id: str
    started_at: str
    tool_version: str
    ruleset_version: str
    arguments: list[str] = Field(default_factory=list)
    extractors: dict[str, str] = Field(
        default_factory=dict,
        description="Third-party extractors the run used, with their versions.",
    )


class Annotation(_Record):
    """A reviewer's verdict on a claim, with evidence. Append-only: never updated or deleted."""

    id: str
    claim_id: str = Field(description="The claim reviewed.")
    reviewer: str = Field(description="Who reviewed it.", min_length=1)
    verdict: Verdict
    evidence: list[str] = Field(
        default_factory=list,
        description="References: doi:, pmid:, pmcid:, isbn:, url:, or free text.",
    )
    note: str | None = None
    created_at: str = Field(description="UTC time, ISO 8601.")
