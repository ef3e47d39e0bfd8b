"""Reference lists: found after their heading or at the end, parsed, and cited by markers."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluation.citations import CITED_PRECISION_BAR, CITED_RECALL_BAR, evaluate
from provenance.extract.citations import find_citations
from provenance.extract.parse import parse_document
from provenance.extract.pipeline import extract
from provenance.extract.positions import LineIndex
from provenance.extract.references import (
    _folded,
    looks_like_work,
    parse_references,
    reference_heading,
    resolve_citations,
)
from provenance.ids import part_id
from provenance.models import BlockKind, Citation, CitationKind, DocumentFormat, Reference

ARTICLE = """\
Magnesium and sleep

Magnesium may improve sleep quality [1]. Trials disagree [2–3].
Smith et al. (2020) found no effect, unlike (Lee & Park, 2019a).

References
1. Abbasi B, Kimiagar M (2012) Magnesium and insomnia. J Res Med Sci 17: 1161-9. doi:10.1000/abc.1
2. Smith J, Brown K, Green L (2020) Magnesium and sleep: a trial. Sleep 43: 1-9. PMID: 31234567
3. Lee H, Park S (2019a) Minerals and rest. Nutrients 11: 20-30. https://example.org/lee (2020).
4. Lee H, Park S (2019b) More minerals. Nutrients 11: 31-40.
"""

MARKDOWN = """\
# Magnesium and sleep

Magnesium may improve sleep quality [1]. One trial disagrees [2].

## References

### Trials

1. Abbasi B, Kimiagar M (2012) The effect of magnesium on insomnia. J Res Med Sci 17: 1161-1169.
2. Smith J, Brown K (2020) Magnesium and sleep. Sleep 43: 1-9.

## Appendix

The appendix is prose again.
"""


def parsed_kinds(text: str, fmt: DocumentFormat) -> list[tuple[BlockKind, str]]:
    parsed = parse_document(text, fmt)
    return [(b.kind, parsed.text[b.start : b.end]) for b in parsed.blocks]


def references_of(text: str, fmt: DocumentFormat = DocumentFormat.text) -> list[Reference]:
    parsed = parse_document(text, fmt)
    return parse_references(parsed.text, parsed.blocks, "doc", LineIndex(parsed.text))


@pytest.mark.parametrize(
    ("heading", "opens"),
    [
        ("References", True),
        ("REFERENCES", True),
        ("## References", True),
        ("Bibliography", True),
        ("Sources:", True),
        ("Notes", True),
        ("Works Cited", True),
        ("7. Literature cited", True),
        ("**References**", True),
        ("Referencing styles", False),
        ("Sources of magnesium", False),
        ("Introduction", False),
    ],
)
def test_reference_headings(heading: str, opens: bool) -> None:
    assert reference_heading(heading) is opens


@pytest.mark.parametrize(
    ("entry", "work"),
    [
        ("Ott A, Breteler MM (1995) Prevalence of dementia. BMJ 310: 970-973.", True),
        ("Smith, J., & Jones, K. (2019). A title. Journal of Things, 3(2), 1-9.", True),
        ("World Health Organization. Obesity. 2021. https://www.who.int/obesity", True),
        ("Take 200 mg of magnesium daily with food.", False),
        ("In 2020, the guidance changed.", False),
    ],
)
def test_looks_like_work(entry: str, work: bool) -> None:
    assert looks_like_work(entry) is work


def test_plain_text_list_after_heading_becomes_references() -> None:
    kinds = parsed_kinds(ARTICLE, DocumentFormat.text)
    assert (BlockKind.heading, "References") in kinds
    entries = [text for kind, text in kinds if kind is BlockKind.reference]
    assert len(entries) == 4
    assert entries[0].startswith("Abbasi B")
    assert all(
        kind is not BlockKind.reference
        for kind, _ in kinds[: kinds.index((BlockKind.heading, "References"))]
    )


def test_markdown_list_ends_at_a_heading_of_the_same_level() -> None:
    kinds = parsed_kinds(MARKDOWN, DocumentFormat.markdown)
    references = [text for kind, text in kinds if kind is BlockKind.reference]
    assert [r[:8] for r in references] == ["Abbasi B", "Smith J,"]
    assert (BlockKind.heading, "Trials") in kinds  # a sub-heading inside the list stays one
    assert (BlockKind.paragraph, "The appendix is prose again.") in kinds


@pytest.mark.parametrize(
    ("text", "fmt"),
    [
        (
            "Claim [1].\n\n**References**\n\n1. Smith J (2020) Sleep. S 43: 1-9.\n",
            DocumentFormat.markdown,
        ),
        ("Claim [1].\n\nReferences:\n\n1. Smith J (2020) Sleep. S 43: 1-9.\n", DocumentFormat.text),
    ],
)
def test_a_paragraph_naming_the_list_is_its_heading(text: str, fmt: DocumentFormat) -> None:
    kinds = parsed_kinds(text, fmt)
    assert [k for k, _ in kinds] == [BlockKind.paragraph, BlockKind.heading, BlockKind.reference]


def test_hard_wrapped_unnumbered_entries_are_split() -> None:
    text = (
        "Magnesium helps (Smith 2020).\n\n"
        "References\n\n"
        "Abbasi B, Kimiagar M (2012) The effect of magnesium on insomnia in elderly\n"
        "subjects. J Res Med Sci 17: 1161-1169.\n"
        "Smith J, Brown K (2020) Magnesium and sleep.\n"
        "Sleep 43: 1-9.\n"
    )
    references = references_of(text)
    assert [r.text[:8] for r in references] == ["Abbasi B", "Smith J,"]
    assert references[0].text.endswith("1161-1169.")
    citations = find_citations(text, 0, text.index("\n"))
    assert resolve_citations(citations, references)[0].reference_ids == [references[1].id]


def test_trailing_numbered_works_without_heading() -> None:
    text = (
        "Magnesium helps [1].\n\n"
        "1. Abbasi B, Kimiagar M (2012) Magnesium and insomnia. J Res Med Sci 17: 1161-1169.\n"
        "2. Smith J, Brown K (2020) Magnesium and sleep. Sleep 43: 1-9.\n"
    )
    kinds = parsed_kinds(text, DocumentFormat.text)
    assert [k for k, _ in kinds] == [BlockKind.paragraph, BlockKind.reference, BlockKind.reference]


def test_trailing_numbered_steps_are_not_works() -> None:
    text = (
        "How to take magnesium.\n\n"
        "1. Take 200 mg with dinner in 2024.\n"
        "2. Stop if you get diarrhoea.\n"
    )
    kinds = parsed_kinds(text, DocumentFormat.text)
    assert BlockKind.reference not in [k for k, _ in kinds]


def test_parse_references_labels_identifiers_and_positions() -> None:
    references = references_of(ARTICLE)
    assert [r.label for r in references] == ["1", "2", "3", "4"]
    first, second, third, _ = references
    assert first.doi == "10.1000/abc.1"
    assert second.pmid == "31234567"
    assert third.url == "https://example.org/lee"
    start = ARTICLE.index("Abbasi B")
    assert (first.start, first.line, first.column) == (start, 7, 4)
    assert first.text == ARTICLE[first.start : first.end]
    assert first.id == part_id("reference", "doc", start)


@pytest.mark.parametrize(
    ("sentence", "labels"),
    [
        ("shown [1].", [["1"]]),
        ("shown [2–3].", [["2", "3"]]),
        ("shown [1-3].", [["1", "2", "3"]]),
        ("shown [1, 4].", [["1", "4"]]),
        ("shown.¹⁻² Then", [["1", "2"]]),
        ("Smith et al. (2020) found", [["2"]]),
        ("unlike (Lee & Park, 2019a).", [["3"]]),
        ("unlike (Lee and Park 2019).", [["3", "4"]]),
        ("see doi:10.1000/abc.1 here", [["1"]]),
        ("see PMID: 31234567 here", [["2"]]),
        ("shown [9] and (Jones 2001).", [[], []]),
    ],
)
def test_resolve_against_a_reference_list(sentence: str, labels: list[list[str]]) -> None:
    references = references_of(ARTICLE)
    by_id = {r.id: r.label for r in references}
    resolved = resolve_citations(find_citations(sentence, 0, len(sentence)), references)
    assert [[by_id[i] for i in c.reference_ids] for c in resolved] == labels


def test_unlabelled_entries_resolve_by_position() -> None:
    text = (
        "Claim [2].\n\nReferences\n\n"
        "Abbasi B (2012) Magnesium and insomnia. J Res Med Sci 17: 1161-1169.\n\n"
        "Smith J (2020) Magnesium and sleep. Sleep 43: 1-9.\n"
    )
    references = references_of(text)
    assert [r.label for r in references] == [None, None]
    citation = Citation(kind=CitationKind.numeric, marker="[2]", start=6, end=9, targets=["2"])
    assert resolve_citations([citation], references)[0].reference_ids == [references[1].id]


def test_bracket_labels_are_read_from_the_entry() -> None:
    text = (
        "Claim [2].\n\nBibliography\n\n"
        "[1] Abbasi B (2012) Magnesium. J 17: 1-2.\n\n"
        "[2] Smith J (2020) Sleep. S 43: 1-9.\n"
    )
    references = references_of(text)
    assert [(r.label, r.text[:7]) for r in references] == [("1", "Abbasi "), ("2", "Smith J")]


def test_reference_entries_are_never_claims() -> None:
    parsed = parse_document(ARTICLE, DocumentFormat.text)
    result = extract(parsed, source="a.txt", document_id="doc", version=1)
    assert len(result.references) == 4
    first_entry = min(r.start for r in result.references)
    assert all(claim.end <= first_entry for claim in result.claims)
    cited = [c for c in result.claims if c.citations]
    assert all(c.reference_ids for claim in cited for c in claim.citations)


_LINES = st.sampled_from(
    [
        "Magnesium helps sleep [1].",
        "Zinc may help (Smith et al., 2020).",
        "## References",
        "References",
        "Notes:",
        "## Methods",
        "1. Smith J, Lee K (2020) Sleep and magnesium. J Sleep 4: 1-9.",
        "2. Lee K (2019) Zinc. Nutr 3: 2-5. doi:10.1000/abc",
        "[3] Park H (2018) Iron. Blood 2: 1-2.",
        "Abbasi B (2012) Magnesium and insomnia. J Res Med Sci 17: 1161-1169.",
        "- a bullet point about dosing",
        "",
    ]
)


@settings(max_examples=60, deadline=None)
@given(st.lists(_LINES, max_size=14), st.sampled_from(list(DocumentFormat)))
def test_references_and_claims_never_overlap(lines: list[str], fmt: DocumentFormat) -> None:
    text = "\n".join(lines)
    parsed = parse_document(text, fmt)
    result = extract(parsed, source="doc", document_id="doc", version=1)
    previous_end = 0
    for reference in result.references:
        assert previous_end <= reference.start < reference.end
        assert parsed.text[reference.start : reference.end] == reference.text
        previous_end = reference.end
    assert len({r.id for r in result.references}) == len(result.references)
    for claim in result.claims:
        assert not any(r.start < claim.end and claim.start < r.end for r in result.references)
        known = {r.id for r in result.references}
        assert all(set(c.reference_ids) <= known for c in claim.citations)


def test_plos_bars() -> None:
    summary = evaluate()
    assert summary.cited_recall >= CITED_RECALL_BAR
    assert summary.cited_precision >= CITED_PRECISION_BAR
    assert summary.total("references_parsed") == summary.total("gold_references")
    assert summary.total("claims_overlapping_references") == 0
    assert summary.total("gold_resolved_correctly") == summary.total("gold_citations")


@given(st.text(alphabet=st.sampled_from([*"aéüÅﬁİßǅ xK", "\u0301", "\u0308", "\u0327"])))
def test_name_folding_drops_case_and_every_combining_mark(text: str) -> None:
    decomposed = unicodedata.normalize("NFKD", text)
    expected = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    assert _folded(text) == expected
