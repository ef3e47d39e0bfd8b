"""Measure citation markers and reference lists against the PLOS gold files in data/citations.

Runs the real pipeline (``parse_document`` as Markdown, then ``extract``) on every
``data/citations/*.md`` and compares with its ``*.citations.json``. Gold spans sometimes
include the brackets and sometimes only the number, so everything is compared by
containment, never by equality.

- cited recall: share of gold in-text citations inside a claim whose attribution is cited;
- cited precision: share of claims marked cited that hold at least one gold citation;
- marker recall: share of gold citations inside one of the markers found;
- references parsed: gold reference entries that overlap a parsed Reference, and claims
  that overlap a gold reference entry (should be none);
- numeric resolution: numeric/superscript markers with every target resolved, and gold
  citations whose marker resolves to the gold entry.

Usage: ``python evaluation/citations.py [--json]``
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from provenance.extract.parse import parse_document
from provenance.extract.pipeline import Extraction, extract
from provenance.models import Attribution, CitationKind, DocumentFormat

DATA = Path(__file__).resolve().parent.parent / "data" / "citations"
CITED_RECALL_BAR = 0.98
CITED_PRECISION_BAR = 0.95


@dataclass
class DocumentScore:
    name: str
    gold_citations: int = 0
    in_cited_claim: int = 0
    in_marker: int = 0
    cited_claims: int = 0
    cited_claims_with_gold: int = 0
    gold_references: int = 0
    references_parsed: int = 0
    reference_entries_found: int = 0
    claims_overlapping_references: int = 0
    numeric_markers: int = 0
    numeric_markers_resolved: int = 0
    gold_resolved_correctly: int = 0
    missed: list[str] = field(default_factory=list)
    false_cited: list[str] = field(default_factory=list)


def _overlaps(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    return a_start < b_end and b_start < a_end


def _contains(outer_start: int, outer_end: int, inner_start: int, inner_end: int) -> bool:
    return outer_start <= inner_start and inner_end <= outer_end


def run_pipeline(text: str, name: str) -> Extraction:
    parsed = parse_document(text, DocumentFormat.markdown)
    return extract(parsed, source=name, document_id=name, version=1)


def score_document(markdown: Path) -> DocumentScore:
    text = markdown.read_text(encoding="utf-8")
    gold: dict[str, Any] = json.loads(
        markdown.with_name(markdown.name.replace(".md", ".citations.json")).read_text("utf-8")
    )
    result = run_pipeline(text, markdown.stem)
    score = DocumentScore(name=markdown.stem)
    citations_gold = gold["in_text_citations"]
    references_gold = gold["references"]
    gold_ref_spans = {r["id"]: (r["start"], r["end"]) for r in references_gold}
    parsed_refs = {r.id: r for r in result.references}
    score.gold_citations = len(citations_gold)
    for cited in citations_gold:
        start, end = cited["start"], cited["end"]
        claim = next((c for c in result.claims if _contains(c.start, c.end, start, end)), None)
        where = f"{start}: {text[max(0, start - 40) : end + 10]!r}"
        if claim is not None and claim.attribution is Attribution.cited:
            score.in_cited_claim += 1
        else:
            score.missed.append(where if claim else f"{where} (in no claim)")
        marker = None
        if claim is not None:
            marker = next(
                (m for m in claim.citations if _contains(m.start, m.end, start, end)), None
            )
        if marker is None:
            continue
        score.in_marker += 1
        gold_start, gold_end = gold_ref_spans[cited["rid"]]
        if any(
            _overlaps(parsed_refs[i].start, parsed_refs[i].end, gold_start, gold_end)
            for i in marker.reference_ids
        ):
            score.gold_resolved_correctly += 1
    for claim in result.claims:
        if claim.attribution is Attribution.cited:
            score.cited_claims += 1
            if any(_contains(claim.start, claim.end, g["start"], g["end"]) for g in citations_gold):
                score.cited_claims_with_gold += 1
            else:
                score.false_cited.append(f"{claim.start}: {claim.text[:120]!r}")
        for marker in claim.citations:
            if marker.kind in (CitationKind.numeric, CitationKind.superscript):
                score.numeric_markers += 1
                if len(marker.reference_ids) == len(marker.targets):
                    score.numeric_markers_resolved += 1
        if any(_overlaps(claim.start, claim.end, s, e) for s, e in gold_ref_spans.values()):
            score.claims_overlapping_references += 1
    score.gold_references = len(references_gold)
    score.reference_entries_found = len(result.references)
    score.references_parsed = sum(
        1
        for s, e in gold_ref_spans.values()
        if any(_overlaps(r.start, r.end, s, e) for r in result.references)
    )
    return score


@dataclass
class Summary:
    documents: list[DocumentScore]

    def total(self, name: str) -> int:
        return sum(int(getattr(d, name)) for d in self.documents)

    @property
    def cited_recall(self) -> float:
        return self.total("in_cited_claim") / max(1, self.total("gold_citations"))

    @property
    def cited_precision(self) -> float:
        return self.total("cited_claims_with_gold") / max(1, self.total("cited_claims"))

    @property
    def marker_recall(self) -> float:
        return self.total("in_marker") / max(1, self.total("gold_citations"))


def evaluate(folder: Path = DATA) -> Summary:
    return Summary([score_document(path) for path in sorted(folder.glob("*.md"))])


def report(summary: Summary) -> str:
    t = summary.total
    lines = [
        f"documents: {len(summary.documents)}",
        f"gold in-text citations in a cited claim: {t('in_cited_claim')}/{t('gold_citations')}"
        f" = {summary.cited_recall:.1%} (bar {CITED_RECALL_BAR:.0%})",
        f"cited claims holding a gold citation: {t('cited_claims_with_gold')}/{t('cited_claims')}"
        f" = {summary.cited_precision:.1%} (bar {CITED_PRECISION_BAR:.0%})",
        f"gold citations inside a found marker: {t('in_marker')}/{t('gold_citations')}"
        f" = {summary.marker_recall:.1%}",
        f"gold references parsed as references: {t('references_parsed')}/{t('gold_references')}"
        f" (entries found: {t('reference_entries_found')})",
        f"claims overlapping a gold reference entry: {t('claims_overlapping_references')}",
        f"numeric markers fully resolved: {t('numeric_markers_resolved')}/{t('numeric_markers')}",
        f"gold citations resolved to the gold entry: {t('gold_resolved_correctly')}"
        f"/{t('gold_citations')}",
    ]
    for document in summary.documents:
        for missed in document.missed:
            lines.append(f"  missed   {document.name} {missed}")
        for false in document.false_cited:
            lines.append(f"  not gold {document.name} {false}")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    summary = evaluate()
    if "--json" in argv:
        print(json.dumps([asdict(d) for d in summary.documents], indent=2))
    else:
        print(report(summary))
    passed = (
        summary.cited_recall >= CITED_RECALL_BAR and summary.cited_precision >= CITED_PRECISION_BAR
    )
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
