"""Citation markers: every kind, the look-alikes that are not citations, and the invariants."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from provenance.extract.citations import expand_numbers, find_citations
from provenance.extract.references import resolve_citations
from provenance.models import CitationKind, Reference

N = CitationKind.numeric
S = CitationKind.superscript
AY = CitationKind.author_year


def markers(text: str) -> list[tuple[CitationKind, str, list[str]]]:
    return [(c.kind, c.marker, c.targets) for c in find_citations(text, 0, len(text))]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # numeric, as PLOS Markdown writes them
        ("in population-based studies [1] and", [(N, "[1]", ["1"])]),
        ("epidemiological studies [1-3].", [(N, "[1-3]", ["1", "2", "3"])]),
        ("epidemiological studies [1–3].", [(N, "[1–3]", ["1", "2", "3"])]),
        ("molecular research [4,5].", [(N, "[4,5]", ["4", "5"])]),
        ("as reported [1, 4].", [(N, "[1, 4]", ["1", "4"])]),
        ("as reported [1,3-5].", [(N, "[1,3-5]", ["1", "3", "4", "5"])]),
        ("all causes [5,10–13].", [(N, "[5,10–13]", ["5", "10", "11", "12", "13"])]),
        ("see [ref. 7] here", [(N, "[ref. 7]", ["7"])]),
        ("a footnote[^3] here", [(N, "[^3]", ["3"])]),
        ("linked [[2]](#ref-2) here", [(N, "[2]", ["2"])]),
        # superscript
        ("cardiovascular disease¹² in", [(S, "¹²", ["12"])]),
        ("as shown.¹⁻³ Then", [(S, "¹⁻³", ["1", "2", "3"])]),
        ("the studies¹,² agree", [(S, "¹,²", ["1", "2"])]),
        ("the studies<sup>4,6</sup> agree", [(S, "<sup>4,6</sup>", ["4", "6"])]),
        (
            'trials<sup><a href="#r2">2</a></sup> too',
            [(S, '<sup><a href="#r2">2</a></sup>', ["2"])],
        ),
        ("trials^2-4^ too", [(S, "^2-4^", ["2", "3", "4"])]),
        # author-year
        ("risk (Smith et al., 2020).", [(AY, "(Smith et al., 2020)", ["Smith 2020"])]),
        (
            "risk (Smith and Jones 2019; Lee 2021).",
            [(AY, "(Smith and Jones 2019; Lee 2021)", ["Smith 2019", "Lee 2021"])],
        ),
        ("risk (Smith & Jones, 2019a).", [(AY, "(Smith & Jones, 2019a)", ["Smith 2019a"])]),
        ("Smith et al. (2020) showed it", [(AY, "Smith et al. (2020)", ["Smith 2020"])]),
        ("Later, Smith and Jones (2019) found", [(AY, "Smith and Jones (2019)", ["Smith 2019"])]),
        ("as shown in Smith et al. (2020).", [(AY, "Smith et al. (2020)", ["Smith 2020"])]),
        (
            "as Smith, Jones and Lee (2019) found",
            [(AY, "Smith, Jones and Lee (2019)", ["Smith 2019"])],
        ),
        (
            "(e.g., van der Berg 2019a, b; Davey Smith, 2003, p. 12)",
            [
                (
                    AY,
                    "(e.g., van der Berg 2019a, b; Davey Smith, 2003, p. 12)",
                    ["van der Berg 2019a", "van der Berg 2019b", "Davey Smith 2003"],
                )
            ],
        ),
        ("it (O’Brien, in press) is", [(AY, "(O’Brien, in press)", ["O’Brien in press"])]),
        ("noted [Smith 2020] here", [(AY, "[Smith 2020]", ["Smith 2020"])]),
        (
            "shown (Smith et al., 2020; 2021, Jones 2019)",
            [
                (
                    AY,
                    "(Smith et al., 2020; 2021, Jones 2019)",
                    ["Smith 2020", "Smith 2021", "Jones 2019"],
                )
            ],
        ),
        # organisations as authors: acronyms from rules/citations.json, also narrative
        ("WHO (2020) recommends it", [(AY, "WHO (2020)", ["WHO 2020"])]),
        ("as advised (WHO, 2020).", [(AY, "(WHO, 2020)", ["WHO 2020"])]),
        ("according to the CDC (2019) data", [(AY, "CDC (2019)", ["CDC 2019"])]),
        ("as set out in NICE (2018).", [(AY, "NICE (2018)", ["NICE 2018"])]),
        ("SMITH et al. (2020) showed it", [(AY, "SMITH et al. (2020)", ["SMITH 2020"])]),
        ("UNRWA and WHO (2019) advise", [(AY, "UNRWA and WHO (2019)", ["UNRWA 2019"])]),
        ("McDonald (2019) showed it", [(AY, "McDonald (2019)", ["McDonald 2019"])]),
        (
            "shown (NICE 2018; Smith et al., 2020).",
            [(AY, "(NICE 2018; Smith et al., 2020)", ["NICE 2018", "Smith 2020"])],
        ),
        (
            "EFSA (2010) and the FDA (2016a, b) differ",
            [
                (AY, "EFSA (2010)", ["EFSA 2010"]),
                (AY, "FDA (2016a, b)", ["FDA 2016a", "FDA 2016b"]),
            ],
        ),
        # a name in capitals is an author in parentheses when listed, before "et al." or
        # beside another author, whose parentheses then cite every work they name
        ("a risk (SMITH et al., 2020).", [(AY, "(SMITH et al., 2020)", ["SMITH 2020"])]),
        ("a risk (UNRWA et al., 2019).", [(AY, "(UNRWA et al., 2019)", ["UNRWA 2019"])]),
        (
            "a risk (UNRWA 2019; Lee 2021).",
            [(AY, "(UNRWA 2019; Lee 2021)", ["UNRWA 2019", "Lee 2021"])],
        ),
        ("a risk (UNRWA and WHO, 2019).", [(AY, "(UNRWA and WHO, 2019)", ["UNRWA 2019"])]),
        ("as advised [WHO 2020].", [(AY, "[WHO 2020]", ["WHO 2020"])]),
        # listed since: UN agencies, guideline bodies of the medical societies
        ("as reported (UNAIDS 2019).", [(AY, "(UNAIDS 2019)", ["UNAIDS 2019"])]),
        (
            "staged (GOLD 2023; APA, 2013)",
            [(AY, "(GOLD 2023; APA, 2013)", ["GOLD 2023", "APA 2013"])],
        ),
        (
            "(Joint United Nations Programme on HIV/AIDS, 2019)",
            [
                (
                    AY,
                    "(Joint United Nations Programme on HIV/AIDS, 2019)",
                    ["Joint United Nations Programme on HIV/AIDS 2019"],
                )
            ],
        ),
        # capitals inside a surname are no acronym
        (
            "(McDonald 2019; LeBlanc, 2010; Ng 2018)",
            [
                (
                    AY,
                    "(McDonald 2019; LeBlanc, 2010; Ng 2018)",
                    ["McDonald 2019", "LeBlanc 2010", "Ng 2018"],
                )
            ],
        ),
        ("the cohort (UK Biobank 2019).", [(AY, "(UK Biobank 2019)", ["UK Biobank 2019"])]),
        # their full names, narrative too, with "for", "and" inside the name
        (
            "World Health Organization (2020) recommends it",
            [(AY, "World Health Organization (2020)", ["World Health Organization 2020"])],
        ),
        (
            "risk (Centers for Disease Control and Prevention, 2019; Lee 2021).",
            [
                (
                    AY,
                    "(Centers for Disease Control and Prevention, 2019; Lee 2021)",
                    ["Centers for Disease Control and Prevention 2019", "Lee 2021"],
                )
            ],
        ),
        # identifiers
        (
            "doi:10.1371/journal.pmed.0020124.",
            [
                (
                    CitationKind.doi,
                    "doi:10.1371/journal.pmed.0020124",
                    ["10.1371/journal.pmed.0020124"],
                )
            ],
        ),
        (
            "(https://doi.org/10.1016/S0140-6736(04)17286-1)",
            [
                (
                    CitationKind.doi,
                    "https://doi.org/10.1016/S0140-6736(04)17286-1",
                    ["10.1016/S0140-6736(04)17286-1"],
                )
            ],
        ),
        ("as 10.1000/xyz123 says", [(CitationKind.doi, "10.1000/xyz123", ["10.1000/xyz123"])]),
        ("PMID: 12345678.", [(CitationKind.pmid, "PMID: 12345678", ["12345678"])]),
        ("in PMC1234567 we", [(CitationKind.pmcid, "PMC1234567", ["PMC1234567"])]),
        ("arXiv:2101.00001 shows", [(CitationKind.arxiv, "arXiv:2101.00001", ["2101.00001"])]),
        (
            "arXiv:hep-th/9901001v2",
            [(CitationKind.arxiv, "arXiv:hep-th/9901001v2", ["hep-th/9901001v2"])],
        ),
        (
            "see https://pubmed.ncbi.nlm.nih.gov/12345678/.",
            [(CitationKind.pmid, "https://pubmed.ncbi.nlm.nih.gov/12345678/", ["12345678"])],
        ),
        (
            "Statistics Finland (http://www.stat.fi/index_en.html).",
            [
                (
                    CitationKind.url,
                    "http://www.stat.fi/index_en.html",
                    ["http://www.stat.fi/index_en.html"],
                )
            ],
        ),
        (
            "see https://en.wikipedia.org/wiki/Magnesium_(element), then",
            [
                (
                    CitationKind.url,
                    "https://en.wikipedia.org/wiki/Magnesium_(element)",
                    ["https://en.wikipedia.org/wiki/Magnesium_(element)"],
                )
            ],
        ),
        ("visit www.who.int.", [(CitationKind.url, "www.who.int", ["www.who.int"])]),
        (
            "per [the guideline](https://example.org/g) here",
            [
                (
                    CitationKind.url,
                    "[the guideline](https://example.org/g)",
                    ["https://example.org/g"],
                )
            ],
        ),
        (
            'per <a href="https://example.org/g">the guideline</a> here',
            [(CitationKind.url, "https://example.org/g", ["https://example.org/g"])],
        ),
        (  # "10.1/x" has too short a registrant to be a DOI
            "both [2] and (Lee 2021) and doi:10.1/x",
            [(N, "[2]", ["2"]), (AY, "(Lee 2021)", ["Lee 2021"])],
        ),
    ],
)
def test_markers(text: str, expected: list[tuple[CitationKind, str, list[str]]]) -> None:
    assert markers(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Magnesium intake rose in 2020 and fell in 2021.",
        "He wrote it [sic] twice.",
        "The hazard ratio [HR] was 0.42.",
        "Take magnesium (2–5 mg) daily.",
        "Doses (200-400 mg per day) vary.",
        "(1) Consult your doctor.",
        "Text ends.\n[1] First item of a list",
        "[2] Second item at the very start",
        "The interval [0, 1] is closed.",
        "A falling range [5-2] is not a citation.",
        "It was measured (January 2020) and again (in 2021).",
        "Shown in (Table 2020) and (Figure 3, 2020).",
        "An area of 25 m² and kg/m² and R² = 0.9 and 10⁻³ and ¹³C-glucose.",
        "initial BMI (1975), and current smoking (1981) were used",
        "BMI (1975) was used.",
        "HbA1c (2019) was high.",
        "IgG (2019) and SNPs (2020) rose.",
        "Mortality in the USA and UK (2020) rose.",
        "Mortality in the USA (2020) rose.",
        "The UK (2019) and the EU (2020) rates.",
        "Rates rose in the United Kingdom (2019) and in Denmark (2020).",
        # acronyms in parentheses: measures, countries, surveys, not authors
        "initial weight (BMI 1975) was used.",
        "Mortality rose (USA, 2020).",
        "Mortality rose (USA and UK, 2020).",
        "Mortality rose [USA 2020].",
        "Glycaemia was high (HbA1c 2019).",
        "Admissions fell (COVID-19, 2020).",
        "Intake was measured (NHANES 2015-2016) and (NHANES 2015).",
        "Titres rose (IgG, 2019) and (N 2019).",
        "A surname in capitals alone is lost with them (SMITH, 2020).",
        "An unlisted organisation alone is lost too (UNRWA 2019).",
        "PPV = ([1 - β]R + uβR)/(R + α − βR)",
        "Between 1995 and 2004 (a decade) things changed.",
        "See [the section](#methods) below.",
        "A 1–3 mm lesion.",
        "![A figure](https://example.org/figure.png)",
    ],
)
def test_look_alikes_are_not_citations(text: str) -> None:
    assert markers(text) == []


def test_offsets_refer_to_the_whole_text_and_stay_in_range() -> None:
    text = "First [1]. Second sentence [2,3]. Third [4]."
    start = text.index("Second")
    end = text.index(" Third")
    found = find_citations(text, start, end)
    assert [(c.start, c.end, c.marker) for c in found] == [
        (text.index("[2,3]"), text.index("[2,3]") + 5, "[2,3]")
    ]


ORGANISATION_REFERENCES = [
    "WHO. Guideline: sodium intake for adults and children. Geneva: WHO; 2012.",
    "World Health Organization (2020) Guidelines on physical activity. Geneva.",
    "CDC (2019) Adult obesity facts. Atlanta.",
    "Food and Agriculture Organization of the United Nations (2003) Diet and disease.",
    "Whooley MA (2020) Depression and heart disease.",
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("WHO (2012) advised it.", ["r1"]),
        ("as advised (WHO, 2020).", ["r2"]),  # the acronym finds the full name
        ("World Health Organization (2012) advised it.", ["r1"]),  # and the reverse
        ("according to the CDC (2019) data", ["r3"]),
        ("(NICE 2018; Smith et al., 2020)", []),
        ("(FAO, 2003)", ["r4"]),  # once, though two of its names start the entry
        ("Whooley (2020) found", ["r5"]),  # "WHO" is no prefix of "Whooley"
    ],
)
def test_organisations_resolve_to_their_entries(text: str, expected: list[str]) -> None:
    references = [
        Reference(id=f"r{i}", document_id="d", text=entry, start=0, end=1, line=1, column=1)
        for i, entry in enumerate(ORGANISATION_REFERENCES, start=1)
    ]
    resolved = resolve_citations(find_citations(text, 0, len(text)), references)
    assert [i for citation in resolved for i in citation.reference_ids] == expected


def test_narrative_authors_do_not_reach_into_a_previous_marker() -> None:
    text = "see https://example.org/Smith (2020) here"
    assert [c.kind for c in find_citations(text, 0, len(text))] == [CitationKind.url]


@pytest.mark.parametrize(
    ("numbers", "expected"),
    [
        ("1", ["1"]),
        ("1-3", ["1", "2", "3"]),
        ("1,3–5", ["1", "3", "4", "5"]),
        ("2; 7", ["2", "7"]),
        ("0", None),
        ("5-2", None),
        ("1-900", None),
    ],
)
def test_expand_numbers(numbers: str, expected: list[str] | None) -> None:
    assert expand_numbers(numbers) == expected


@pytest.mark.parametrize(
    ("pattern", "marker_count"),
    [
        ("[1,", 0),
        ("[", 0),
        ("(", 0),
        ("(Smith and ", 0),
        ("Smith, ", 0),
        ("(Smith 2019, ", 0),
        ("10.1234/", 1),
        ("A", 0),
        ("van ", 0),
        ("<sup>1,", 0),
        ("(Centers for Disease Control and ", 0),
        ("World Health Organization and ", 0),
        ("WHO ", 0),
        ("(USA 2020) ", 0),
        ("(BMI 1975; USA, 2020; N 2019) [", 0),
        ("word¹,", None),
        ("http://x.org/a" + ")" * 1990 + " ", 200_000 // 2005),
    ],
)
def test_pathological_lines_finish(pattern: str, marker_count: int | None) -> None:
    # Bounded repetitions keep every scan linear; a backtracking blow-up would not return.
    text = pattern * (200_000 // len(pattern))
    found = find_citations(text, 0, len(text))
    if marker_count is not None:
        assert len(found) == marker_count
    else:
        assert found


_ALPHABET = st.sampled_from(
    [*"ab Sm(),;.[]-–0123456789¹²⁻^<>/:", "et al.", " and ", "2020", "doi:10.1234/", "http://x"]
)


@given(st.lists(_ALPHABET, max_size=60).map("".join), st.integers(0, 10), st.integers(0, 10))
def test_markers_are_in_range_sorted_and_disjoint(text: str, cut_start: int, cut_end: int) -> None:
    start = min(cut_start, len(text))
    end = max(start, len(text) - cut_end)
    found = find_citations(text, start, end)
    previous_end = start
    for citation in found:
        assert previous_end <= citation.start < citation.end <= end
        assert text[citation.start : citation.end] == citation.marker
        assert citation.targets
        previous_end = citation.end
