"""Issue 11's reproductions: on real documents only statements become claims; titles,
datelines, bylines, captions, contents, contact blocks, boilerplate, source lines, tables,
see-also lists and asked questions are kept, typed, and never claims."""

from __future__ import annotations

import json
from pathlib import Path

import pypdfium2.version
import pytest
import sqlite_utils
import trafilatura
from click.testing import CliRunner

from provenance.cli import cli
from provenance.extract.citations import find_citations
from provenance.extract.parse import parse_document
from provenance.extract.parse_text import is_question_sentence
from provenance.extract.pipeline import Extraction, extract
from provenance.extract.sentences import split_sentences
from provenance.extract.structure_rules import parse_rules
from provenance.ingest import ingest
from provenance.models import DocumentFormat


def run(text: str, fmt: DocumentFormat = DocumentFormat.text) -> Extraction:
    return extract(parse_document(text, fmt), source="doc", document_id="doc", version=1)


def claims(extraction: Extraction) -> list[str]:
    return [draft.text for draft in extraction.drafts]


def kept(extraction: Extraction) -> list[tuple[str, str]]:
    return [(block.kind.value, block.text) for block in extraction.blocks]


def sentences(text: str) -> list[str]:
    return [text[start:end] for start, end in split_sentences(text, 0, len(text))]


WIKIPEDIA_MARKDOWN = """\
# Duck

Ducks are waterfowl.[1] They are found on every continent.[2]

## Contents

1 Taxonomy

3.7.1 NSS

## Taxonomy[edit]

All ducks belong to the order Anseriformes.[1]

## See also[edit]

- Domestic duck
- (2005).

## References[edit]

1. Carboneras C (1992). Handbook of the Birds of the World. Lynx Edicions.
2. Kear J (2005). Ducks, Geese and Swans. Oxford University Press. ISBN 978-0-19-861009-0.

## Further reading

- Madge S (1988). Wildfowl. ISBN 978-0-7470-2201-5.
"""


def test_wikipedia_edit_markers_contents_and_see_also_are_not_claims() -> None:
    extraction = run(WIKIPEDIA_MARKDOWN, DocumentFormat.markdown)
    assert claims(extraction) == [
        "Ducks are waterfowl.[1]",
        "They are found on every continent.[2]",
        "All ducks belong to the order Anseriformes.[1]",
    ]
    assert [s.text for s in extraction.sections] == [
        "Duck",
        "Contents",
        "Taxonomy",
        "See also",
        "References",
        "Further reading",
    ]
    assert ("contents", "3.7.1 NSS") in kept(extraction)
    assert kept(extraction).count(("boilerplate", "[edit]")) == 3
    references = [r.text for r in extraction.references]
    assert "Domestic duck" in references and "(2005)." in references
    assert any(r.startswith("Madge S (1988)") for r in references)
    # The "References[edit]" heading still opens the list the markers resolve to.
    cited = extraction.drafts[0].citations[0]
    assert cited.reference_ids == [extraction.references[2].id]


def test_a_section_about_literature_is_not_a_bibliography() -> None:
    text = (
        "Reading habits\n\nLiterature\n"
        "Novels were the most borrowed books in every library we studied in the region.\n"
        "Poetry was borrowed far less often than either novels or plays in those years.\n"
    )
    extraction = run(text)
    assert claims(extraction) == [
        "Novels were the most borrowed books in every library we studied in the region.",
        "Poetry was borrowed far less often than either novels or plays in those years.",
    ]
    assert extraction.references == []


NEWS_RELEASE = """\
New drug cuts migraine days in half.
Trial in 1,200 adults finds fewer attacks after three months
ANN ARBOR--Patients who took the drug had half as many migraine days as those on placebo, \
researchers at the University of Michigan report in a study of 1,200 adults.
Feb. 23, 2015 -- The drug was well tolerated by most of the patients in the trial.
4.9 million babies are born with a serious birth defect worldwide every year
What if the drug also prevented strokes? That question is now being studied.
FOR MEDIA USE:
Notes to editors
Contact: Jane Roe, (734) 555-0100, jroe@umich.edu
Source: Smith J, Lee K (2015). Erenumab for migraine. N Engl J Med. doi:10.1056/NEJMoa1234567
About the University of Michigan: The university is a public research university in Ann Arbor.
Share this story
"""


def test_a_news_release_keeps_its_furniture_out_of_the_claims() -> None:
    extraction = run(NEWS_RELEASE)
    assert claims(extraction) == [
        "Patients who took the drug had half as many migraine days as those on placebo,"
        " researchers at the University of Michigan report in a study of 1,200 adults.",
        "The drug was well tolerated by most of the patients in the trial.",
        "4.9 million babies are born with a serious birth defect worldwide every year",
        "That question is now being studied.",
    ]
    blocks = kept(extraction)
    assert ("title", "New drug cuts migraine days in half.") in blocks
    assert ("dateline", "ANN ARBOR--") in blocks
    assert ("dateline", "Feb. 23, 2015 --") in blocks
    assert ("question", "What if the drug also prevented strokes?") in blocks
    assert ("boilerplate", "FOR MEDIA USE:") in blocks
    assert ("contact", "Contact: Jane Roe, (734) 555-0100, jroe@umich.edu") in blocks
    source = [text for kind, text in blocks if kind == "source_line"]
    assert source == [
        "Source: Smith J, Lee K (2015). Erenumab for migraine. N Engl J Med."
        " doi:10.1056/NEJMoa1234567"
    ]
    assert ("boilerplate", "Share this story") in blocks
    assert any(
        kind == "boilerplate" and text.startswith("About the University") for kind, text in blocks
    )


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("By Brenda Goodman, MA", "byline"),
        ("Michael Shadlen, Ph.D.", "byline"),
        ("Posted on Tuesday 15 October 2019 at 09:11 by Bradley M. Kuhn.", "byline"),
        ("Published 21 November 2019 · Tagged with WebAssembly tooling", "dateline"),
        ("Figure 1. Ducks feeding at dusk on the lake.", "caption"),
        ("Font Size", "boilerplate"),
        ("Email a Friend", "boilerplate"),
        ("Please try again later.", "boilerplate"),
        (
            "This article is republished from The Conversation under a Creative Commons license.",
            "boilerplate",
        ),
        (
            "Related research article Bergevin C (2020). Overtone focusing. eLife 9:e50476.",
            "source_line",
        ),
    ],
)
def test_lines_that_are_not_statements(line: str, kind: str) -> None:
    text = (
        f"Ducks\nDucks are waterfowl that live near water.\n{line}\nDucks eat plants and insects.\n"
    )
    extraction = run(text)
    assert claims(extraction) == [
        "Ducks are waterfowl that live near water.",
        "Ducks eat plants and insects.",
    ]
    assert kept(extraction) == [(kind, line)]


def test_captions_and_tables_of_a_web_page() -> None:
    page = (
        "<article><h1>Anzac Day</h1><p>Crowds gathered before dawn in Wellington.</p>"
        "<figure><img src=a.jpg><figcaption>Anzac Day service at the National War Memorial"
        "</figcaption></figure><div id=toc><ul><li>1 History</li></ul></div></article>"
    )
    extraction = run(page, DocumentFormat.html)
    assert claims(extraction) == ["Crowds gathered before dawn in Wellington."]
    assert kept(extraction) == [
        ("caption", "Anzac Day service at the National War Memorial"),
        ("contents", "1 History"),
    ]


def test_a_raw_page_keeps_only_its_article_as_claims() -> None:
    menu = "".join(f"<div class=menu><a href=/s{i}>Section {i}</a></div>" for i in range(12))
    article = "".join(
        f"<p>Paragraph {i} says that ducks of kind {i} were counted on the lakes of the region"
        f" during the survey of {1990 + i}.</p>"
        for i in range(8)
    )
    footer = "<div class=foot><p>Sign up for our newsletter to get the latest news.</p></div>"
    page = (
        f"<html><body><div class=top>{menu}</div><div class=story>{article}</div>"
        f"{footer}</body></html>"
    )
    extraction = run(page, DocumentFormat.html)
    assert len(claims(extraction)) == 8
    assert all(text.startswith("Paragraph") for text in claims(extraction))
    assert {kind for kind, _ in kept(extraction)} == {"boilerplate"}


@pytest.mark.parametrize(
    "sentence",
    ["What if chocolate prevented diabetes?", 'Is it safe?"', "Why now?[28]", "Really?)"],
)
def test_questions_ask(sentence: str) -> None:
    assert is_question_sentence(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        'Compare your sleep with the chart in "How Much Sleep Is Enough?"',
        "Settling the dispute takes an answer: did this agent act within the task?",
        "Ducks quack.",
    ],
)
def test_statements_that_end_in_a_question_mark_are_statements(sentence: str) -> None:
    assert not is_question_sentence(sentence)


def test_questions_inside_a_paragraph_are_kept_not_claimed() -> None:
    extraction = run(
        "Cocoa is studied widely. What if chocolate prevented diabetes? Nobody knows.\n"
    )
    assert claims(extraction) == ["Cocoa is studied widely.", "Nobody knows."]
    assert kept(extraction) == [("question", "What if chocolate prevented diabetes?")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Sequences were deposited (GenBank accession no. DQ677879). They were new.",
            ["Sequences were deposited (GenBank accession no. DQ677879).", "They were new."],
        ),
        (
            "Call tel. (301) 402-1663 to enrol. Enrolment is open.",
            ["Call tel. (301) 402-1663 to enrol.", "Enrolment is open."],
        ),
        (
            "The trial ran in Atlanta, Ga. The results were clear.",
            ["The trial ran in Atlanta, Ga.", "The results were clear."],
        ),
        (
            "Ducks quack.[245][n 8] Geese honk.",
            ["Ducks quack.[245][n 8]", "Geese honk."],
        ),
        (
            "We used Stata 12 (StataCorp. College Station, TX). Results were robust.",
            ["We used Stata 12 (StataCorp. College Station, TX).", "Results were robust."],
        ),
        (
            'said John Smith, Ph.D. "We were surprised," he added.',
            ["said John Smith, Ph.D.", '"We were surprised," he added.'],
        ),
        (
            "The clinic is on Main Rd. Researchers meet there.",
            ["The clinic is on Main Rd.", "Researchers meet there."],
        ),
        (
            "Write to 100 Main Rd. Ann Arbor, MI 48109. It opens at nine.",
            ["Write to 100 Main Rd. Ann Arbor, MI 48109.", "It opens at nine."],
        ),
        (
            'Critics asked "why now?" [28]. Nobody answered.',
            ['Critics asked "why now?" [28].', "Nobody answered."],
        ),
        ('The talks ended. "', ['The talks ended. "']),
    ],
)
def test_splitting_cases_of_issue_11(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


def test_every_character_is_in_one_claim_or_one_kept_part() -> None:
    extraction = run(NEWS_RELEASE)
    covered = [0] * len(NEWS_RELEASE)
    parts = [
        *((c.start, c.end) for c in extraction.drafts),
        *((s.start, s.end) for s in extraction.sections),
        *((r.start, r.end) for r in extraction.references),
        *((b.start, b.end) for b in extraction.blocks),
    ]
    for start, end in parts:
        for offset in range(start, end):
            covered[offset] += 1
    assert all(
        count == 1 for char, count in zip(NEWS_RELEASE, covered, strict=True) if not char.isspace()
    )


def test_structure_rules_are_data_with_a_version() -> None:
    rules = parse_rules("version = 3\n[boilerplate whole]\n# a comment\nshare\n")
    assert rules.version.startswith("3-")
    assert rules.matches("boilerplate whole", "Share")
    assert not rules.matches("boilerplate whole", "Share the load.")
    with pytest.raises(ValueError):
        parse_rules("share\n")


def test_kept_blocks_are_stored_counted_by_stats_and_the_run_names_its_extractor(
    tmp_path: Path,
) -> None:
    release = tmp_path / "release.txt"
    release.write_text(NEWS_RELEASE, encoding="utf-8")
    db_path = tmp_path / "claims.db"
    ingest([release], db_path)
    result = CliRunner().invoke(cli, ["stats", "--db", str(db_path), "--format", "json"])
    assert result.exit_code == 0, result.output
    stats = json.loads(result.output)
    assert stats["claims"] == 4
    assert stats["kept_blocks"] == {
        "boilerplate": 4,
        "dateline": 2,
        "contact": 1,
        "question": 1,
        "source_line": 1,
        "title": 1,
    }
    text = CliRunner().invoke(cli, ["stats", "--db", str(db_path)]).output
    assert "kept blocks (not claims)" in text and "title" in text
    db = sqlite_utils.Database(db_path)
    (run,) = db["runs"].rows
    assert json.loads(run["extractors"]) == {
        "pypdfium2": str(pypdfium2.version.PYPDFIUM_INFO),
        "trafilatura": trafilatura.__version__,
    }
    stored = {row["kind"]: row["text"] for row in db["blocks"].rows}
    assert stored["dateline"] == "Feb. 23, 2015 --"
    assert not set(db["blocks"].rows_where("text in (select text from claims)"))


def test_a_supplement_address_is_not_a_citation_but_a_source_address_is() -> None:
    supplement = "Data are in Supplemental Material (http://www.ehponline.org/docs/suppl.pdf)."
    assert find_citations(supplement, 0, len(supplement)) == []
    cited = "Data are from the survey (http://www.cdc.gov/nchs/nhanes.htm)."
    assert [c.kind.value for c in find_citations(cited, 0, len(cited))] == ["url"]


def test_wikipedia_pages_edit_links_are_not_text_and_references_heading_is_found() -> None:
    page = (
        '<div id="content"><h1>Duck</h1><p>Ducks are waterfowl.<sup class="reference">'
        '<a href="#cite_note-1">[1]</a></sup></p>'
        '<h2><span class="mw-headline">References</span><span class="mw-editsection">'
        '<span class="mw-editsection-bracket">[</span><a href="/edit">edit</a>'
        '<span class="mw-editsection-bracket">]</span></span></h2>'
        '<ol class="references"><li>^ Carboneras C (1992). Ducks. Lynx Edicions.</li></ol></div>'
    )
    extraction = run(page, DocumentFormat.html)
    assert "edit" not in extraction.drafts[0].text
    assert claims(extraction) == ["Ducks are waterfowl.[1]"]
    assert [s.text for s in extraction.sections] == ["Duck", "References"]
    assert [r.text for r in extraction.references] == [
        "^ Carboneras C (1992). Ducks. Lynx Edicions."
    ]


def test_author_year_lists_without_a_period_after_et_al_are_citations() -> None:
    text = "Fat intake was linked to risk (Weiss et al, 1981; Potter and McMichael, 1983)."
    (found,) = find_citations(text, 0, len(text))
    assert found.kind.value == "author_year"
    assert found.marker == "(Weiss et al, 1981; Potter and McMichael, 1983)"


@pytest.mark.parametrize(
    ("text", "marker"),
    [
        (
            "The clone was sequenced [GenBank accession no. AI979399 (National Center for "
            "Biotechnology Information 2008)].",
            "(National Center for Biotechnology Information 2008)",
        ),
        (
            "Expression rose (Lema SC, Dickey JT, unpublished data; Liu et al. 2000).",
            "(Lema SC, Dickey JT, unpublished data; Liu et al. 2000)",
        ),
    ],
)
def test_organisation_and_initialled_author_citations(text: str, marker: str) -> None:
    (found,) = find_citations(text, 0, len(text))
    assert (found.kind.value, found.marker) == ("author_year", marker)


def test_places_listed_with_a_year_are_still_not_citations() -> None:
    text = "Sales rose (Paris, London 2000)."
    assert find_citations(text, 0, len(text)) == []


def _wikipedia_2024(sections: int) -> str:
    """A page in Wikipedia's markup since 2024: headings in ``mw-heading`` divisions and a
    note's brackets in their own ``cite-bracket`` spans."""
    body = "".join(
        f'<div class="mw-heading mw-heading2"><h2 id="S{i}">Part {i}</h2>'
        '<span class="mw-editsection">[<a href="/e">edit</a>]</span></div>'
        f'<p>Ducks of group {i} are small.<sup class="reference"><a href="#cite_note-1">'
        '<span class="cite-bracket">[</span>1<span class="cite-bracket">]</span></a></sup>'
        f" They live near water in region {i}.</p>"
        for i in range(1, sections + 1)
    )
    return (
        '<html><body><main id="content"><h1 id="firstHeading">Duck</h1>'
        '<div class="mw-parser-output"><table class="infobox"><tr><th>Named</th><td>1758'
        '<sup class="reference"><a href="#cite_note-1"><span class="cite-bracket">[</span>1'
        '<span class="cite-bracket">]</span></a></sup></td></tr></table>'
        + body
        + '<div class="mw-heading mw-heading2">'
        '<h2 id="References">References</h2></div><ol class="references">'
        '<li id="cite_note-1"><a href="#cite_ref-1">^</a> <cite>Zawinski, Jamie (1996).</cite>'
        "</li></ol></div></main></body></html>"
    )


def test_wikipedia_notes_in_bracket_spans_end_their_sentence_and_resolve() -> None:
    extraction = run(_wikipedia_2024(3), DocumentFormat.html)
    assert claims(extraction) == [
        text
        for i in range(1, 4)
        for text in (f"Ducks of group {i} are small.[1]", f"They live near water in region {i}.")
    ]
    assert ("table", "Named | 1758[1]") in kept(extraction)
    (reference,) = extraction.references
    assert reference.text == "^ Zawinski, Jamie (1996)."
    assert all(
        draft.citations[0].reference_ids == [reference.id] for draft in extraction.drafts[::2]
    )


def test_map_legend_entries_are_captions_not_headings() -> None:
    legend = "".join(
        f'<div class="legend"><span class="legend-color" style="background-color:{colour}">'
        f"&#160;</span>&#160;{label}</div>"
        for colour, label in (("#0f0", "Breeding"), ("#00f", "Year-round"))
    )
    page = (
        "<html><body><main><h1>Mallard</h1><p>The mallard is a duck.</p><figure>"
        '<img src="m.png"><figcaption>Range of the mallard</figcaption></figure>'
        f"{legend}<p>Mallards live in wetlands.</p></main></body></html>"
    )
    extraction = run(page, DocumentFormat.html)
    assert [s.text for s in extraction.sections] == ["Mallard"]
    assert kept(extraction) == [
        ("caption", "Range of the mallard"),
        ("caption", "Breeding"),
        ("caption", "Year-round"),
    ]
    assert claims(extraction) == ["The mallard is a duck.", "Mallards live in wetlands."]
