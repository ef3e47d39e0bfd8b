"""Markdown: blocks point into the unchanged source; non-prose markup yields no block."""

from __future__ import annotations

import pytest

from provenance.extract.blocks import ParsedDocument
from provenance.extract.parse import parse_document
from provenance.extract.parse_markdown import parse_markdown
from provenance.extract.pipeline import extract
from provenance.extract.positions import LineIndex
from provenance.models import BlockKind, DocumentFormat


def blocks_of(source: str) -> list[tuple[str, int, str]]:
    parsed = parse_markdown(source)
    assert parsed.text == source
    return [(b.kind.value, b.level, source[b.start : b.end]) for b in parsed.blocks]


def test_headings_atx_and_setext_with_levels_and_without_marks() -> None:
    source = "Top Title\n=========\n\nSub title\n---\n\n### Third *level* ###\n\n  ## Indented\n"
    assert blocks_of(source) == [
        ("heading", 1, "Top Title"),
        ("heading", 2, "Sub title"),
        ("heading", 3, "Third *level*"),
        ("heading", 2, "Indented"),
    ]


def test_list_items_exclude_bullets_and_record_nesting() -> None:
    source = (
        "- Magnesium blocks NMDA receptors\n"
        "  and calms neurons.\n"
        "  - Nested point.\n"
        "* Star item.\n"
        "\n"
        "1. First step.\n"
        "\n"
        "   Second paragraph of the step.\n"
        "2) Paren item.\n"
    )
    assert blocks_of(source) == [
        ("list_item", 1, "Magnesium blocks NMDA receptors\n  and calms neurons."),
        ("list_item", 2, "Nested point."),
        ("list_item", 1, "Star item."),
        ("list_item", 1, "First step."),
        ("list_item", 1, "Second paragraph of the step."),
        ("list_item", 1, "Paren item."),
    ]


def test_block_quotes_exclude_the_opening_marker_and_keep_inner_ones() -> None:
    source = "> Magnesium is calming.\n> It is cheap.\n>\n> > Nested quote.\n\n>No space.\n"
    assert blocks_of(source) == [
        ("quote", 1, "Magnesium is calming.\n> It is cheap."),
        ("quote", 2, "Nested quote."),
        ("quote", 1, "No space."),
    ]


@pytest.mark.parametrize(
    "markup",
    [
        "```python\nSECRET = 1\n```\n",
        "~~~\nSECRET\n~~~\n",
        "    SECRET indented code\n",
        "<div>\nSECRET html block\n</div>\n",
        "[SECRET]: https://example.org/SECRET\n",
        "***\n",
        "- - -\n",
    ],
)
def test_non_prose_blocks_produce_no_block(markup: str) -> None:
    source = f"Before it.\n\n{markup}\nAfter it.\n"
    parsed = parse_markdown(source)
    texts = [source[b.start : b.end] for b in parsed.blocks]
    assert texts == ["Before it.", "After it."]
    assert all(b.kind is BlockKind.paragraph for b in parsed.blocks)


def test_a_pipe_table_is_one_table_block_with_its_rows() -> None:
    source = "Before it.\n\n| Group | Dose |\n|---|---|\n| A | 5 mg. |\n\nAfter it.\n"
    parsed = parse_markdown(source)
    assert [(b.kind, source[b.start : b.end]) for b in parsed.blocks] == [
        (BlockKind.paragraph, "Before it."),
        (BlockKind.table, "| Group | Dose |\n|---|---|\n| A | 5 mg. |"),
        (BlockKind.paragraph, "After it."),
    ]
    assert parsed.blocks[1].rows == [["Group", "Dose"], ["A", "5 mg."]]


@pytest.mark.parametrize(
    ("front_matter", "title"),
    [
        ('---\ntitle: "Magnesium Guide"\ntags: [SECRET]\n---\n', "Magnesium Guide"),
        ("+++\ntitle = 'Magnesium Guide'\nSECRET = true\n+++\n", "Magnesium Guide"),
        ("---\nauthor: SECRET\n...\n", "First Heading"),
    ],
)
def test_front_matter_is_skipped_and_gives_the_title(front_matter: str, title: str) -> None:
    source = f"{front_matter}# First Heading\n\nBody text.\n"
    parsed = parse_markdown(source)
    assert parsed.title == title
    assert [source[b.start : b.end] for b in parsed.blocks] == ["First Heading", "Body text."]
    assert parsed.blocks[0].start == source.index("# First") + 2


def test_title_is_the_first_level_one_heading_as_plain_text() -> None:
    assert parse_markdown("## Second\n\n# The *Real* Title\n\n# Later\n").title == "The Real Title"
    assert parse_markdown("Just a paragraph.\n").title is None


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("Is magnesium safe?\n", "Is magnesium safe?"),
        ("**Is magnesium safe?**\n", "Is magnesium safe?"),
        ("_Does it lower glutamate?_\n", "Does it lower glutamate?"),
        ("***Is it both?***\n", "Is it both?"),
        ("**Is it** or **is it not?**\n", "**Is it** or **is it not?**"),
    ],
)
def test_single_question_paragraph_is_a_question(source: str, expected: str) -> None:
    assert blocks_of(source) == [("question", 0, expected)]


@pytest.mark.parametrize(
    "source",
    [
        "It helps. Does it work?\n",
        "Is it safe\nfor children?\n",
        "- Is it safe?\n",
    ],
)
def test_other_questions_stay_body_text(source: str) -> None:
    assert all(kind != "question" for kind, _, _ in blocks_of(source))


def test_windows_line_endings_map_to_the_real_lines() -> None:
    source = "# Dosage\r\n\r\nMost adults need 400 mg.\r\nTake it with food.\r\n\r\n- Item.\r\n"
    assert blocks_of(source) == [
        ("heading", 1, "Dosage"),
        ("paragraph", 0, "Most adults need 400 mg.\r\nTake it with food."),
        ("list_item", 1, "Item."),
    ]


def test_claims_point_at_line_and_column_of_the_markdown_file() -> None:
    source = (
        "---\ntitle: Guide\n---\n"
        "# Magnesium\n\n"
        "Magnesium blocks NMDA receptors. It is cheap.\n\n"
        "> Experts say it *calms* neurons.\n\n"
        "```\nnot a claim.\n```\n\n"
        "- Take 300 mg daily.\n"
    )
    parsed: ParsedDocument = parse_document(source, DocumentFormat.markdown)
    extraction = extract(parsed, source="guide.md", document_id="d1", version=1)
    found = [(c.text, c.line, c.column, c.section) for c in extraction.claims]
    assert found == [
        ("Magnesium blocks NMDA receptors.", 6, 1, "Magnesium"),
        ("It is cheap.", 6, 34, "Magnesium"),
        ("Experts say it *calms* neurons.", 8, 3, "Magnesium"),
        ("Take 300 mg daily.", 14, 3, "Magnesium"),
    ]
    lines = LineIndex(source)
    for claim in extraction.claims:
        assert lines.line_column(claim.start) == (claim.line, claim.column)
        assert source.splitlines()[claim.line - 1][claim.column - 1 :].startswith(claim.text)


def test_footnotes_become_one_paragraph_each_without_their_label() -> None:
    source = (
        "Magnesium calms neurons.[^1]\n\n"
        "[^1]: Smith J. Magnesium and sleep. J Sleep. 2020;3:1-5.\n"
        "    Second line of the note.\n"
        "[^2]: https://example.org/paper\n"
        "[^3]: Doe A. Glutamate review. 2021.\n\n"
        "[plain]: https://example.org/not-a-footnote\n"
    )
    assert blocks_of(source) == [
        ("paragraph", 0, "Magnesium calms neurons.[^1]"),
        (
            "paragraph",
            0,
            "Smith J. Magnesium and sleep. J Sleep. 2020;3:1-5.\n    Second line of the note.",
        ),
        ("paragraph", 0, "https://example.org/paper"),
        ("paragraph", 0, "Doe A. Glutamate review. 2021."),
    ]


def test_deep_nesting_keeps_its_text() -> None:
    depth = 40
    source = (
        "> " * depth
        + "Deep quote.\n\n"
        + "".join("  " * level + f"- Level {level}.\n" for level in range(depth))
    )
    found = blocks_of(source)
    assert found[0] == ("quote", depth, "Deep quote.")
    assert found[1:] == [("list_item", level + 1, f"Level {level}.") for level in range(depth)]


def test_pathological_nesting_does_not_crash() -> None:
    parsed = parse_markdown("> " * 5000 + "x\n\n" + "- " * 5000 + "y\n")
    assert all(parsed.text[b.start : b.end] for b in parsed.blocks)


def test_emphasis_wrapping_a_whole_heading_is_markup() -> None:
    assert blocks_of("## **Dosage and Safety**\n\n## *Partly* emphasised\n") == [
        ("heading", 2, "Dosage and Safety"),
        ("heading", 2, "*Partly* emphasised"),
    ]
