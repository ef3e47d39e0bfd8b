"""Plain text: headings, FAQ questions, list items and paragraphs, one-per-line or wrapped."""

from __future__ import annotations

from collections import Counter

import pytest

from provenance.extract.blocks import ParsedDocument
from provenance.extract.parse import parse_document
from provenance.extract.parse_text import is_heading_line, is_question_line, parse_plain_text
from provenance.extract.pipeline import extract
from provenance.models import BlockKind, DocumentFormat
from tests.helpers import EXAMPLE


def kinds_and_texts(parsed: ParsedDocument) -> list[tuple[str, str]]:
    return [(b.kind.value, parsed.text[b.start : b.end]) for b in parsed.blocks]


def test_example_article_has_nine_headings_seven_questions_and_99_claims() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    parsed = parse_document(text, DocumentFormat.text)
    counts = Counter(block.kind for block in parsed.blocks)
    assert counts == {BlockKind.heading: 9, BlockKind.question: 7, BlockKind.paragraph: 24}
    headings = [text[b.start : b.end] for b in parsed.blocks if b.kind is BlockKind.heading]
    assert headings[0] == "Introduction to Glutamate and Its Role in the Brain"
    assert headings[-1] == "Conclusion"
    questions = [text[b.start : b.end] for b in parsed.blocks if b.kind is BlockKind.question]
    assert all(q.endswith("?") for q in questions)
    assert questions[0].startswith("What is the role of magnesium in the body")
    extraction = extract(parsed, source="magnesium-glutamate.txt", document_id="d1", version=1)
    assert len(extraction.claims) == 99
    assert len(extraction.sections) == 16
    # The opening paragraph has no heading above it; the FAQ answers sit under their question.
    assert extraction.claims[0].section is None
    faq_claims = [c for c in extraction.claims if c.section == questions[0]]
    assert faq_claims and faq_claims[0].text.startswith("Magnesium is an essential mineral")


@pytest.mark.parametrize(
    ("line", "heading"),
    [
        ("Introduction", True),
        ("Magnesium’s Impact on Glutamate", True),
        ("2.1 Methods and materials", True),
        ("Magnesium lowers glutamate.", False),
        ("Conclusion:", False),
        ("lowercase start is prose", False),
        (
            "A very long line with many words that keeps going well past fourteen words in all",
            False,
        ),
    ],
)
def test_heading_lines(line: str, heading: bool) -> None:
    assert is_heading_line(line) is heading


@pytest.mark.parametrize(
    ("line", "question"),
    [
        ("How does magnesium lower glutamate levels in the body?", True),
        ("What is it, and how does it interact with glutamate?", True),
        ("Magnesium helps. Does it work?", False),
        ("Does it work? Yes.", False),
        # The same rule as for a question inside a paragraph: a statement before a colon, or
        # a title quoted at the end, makes the line a statement.
        ("Settling it takes an answer to one question: did it work?", False),
        ('The chart appeared in "How Much Sleep Is Enough?"', False),
    ],
)
def test_question_lines(line: str, question: bool) -> None:
    assert is_question_line(line) is question


def test_one_block_per_line_without_blank_lines() -> None:
    text = (
        "Magnesium and Glutamate\n"
        "Magnesium blocks the NMDA receptor. It also calms neurons.\n"
        "Is magnesium safe?\n"
        "- Most adults tolerate it well.\n"
        "2) Take it with food.\n"
        "1. Overview\n"
    )
    parsed = parse_plain_text(text)
    assert parsed.title == "Magnesium and Glutamate"
    assert kinds_and_texts(parsed) == [
        ("heading", "Magnesium and Glutamate"),
        ("paragraph", "Magnesium blocks the NMDA receptor. It also calms neurons."),
        ("question", "Is magnesium safe?"),
        ("list_item", "Most adults tolerate it well."),
        ("list_item", "Take it with food."),
        ("heading", "1. Overview"),
    ]


WRAPPED = """\
Magnesium and the Brain

Introduction
Magnesium is a mineral that the body needs for hundreds of enzymes, and
Alzheimer Disease Research Centres
have studied it for decades. It matters.

How does magnesium
lower glutamate?

It blocks the NMDA receptor in a voltage-dependent way, which limits the
influx of calcium ions into neurons.

Key points
- magnesium blocks NMDA receptors and this item is long enough to wrap
  onto a second line
- it is cheap
"""


def test_hard_wrapped_paragraphs_keep_their_lines_together() -> None:
    parsed = parse_plain_text(WRAPPED)
    assert kinds_and_texts(parsed) == [
        ("heading", "Magnesium and the Brain"),
        ("heading", "Introduction"),
        (
            "paragraph",
            "Magnesium is a mineral that the body needs for hundreds of enzymes, and\n"
            "Alzheimer Disease Research Centres\n"
            "have studied it for decades. It matters.",
        ),
        ("question", "How does magnesium\nlower glutamate?"),
        (
            "paragraph",
            "It blocks the NMDA receptor in a voltage-dependent way, which limits the\n"
            "influx of calcium ions into neurons.",
        ),
        ("heading", "Key points"),
        (
            "list_item",
            "magnesium blocks NMDA receptors and this item is long enough to wrap\n"
            "  onto a second line",
        ),
        ("list_item", "it is cheap"),
    ]


def test_first_line_of_a_wrapped_paragraph_is_not_a_heading() -> None:
    text = (
        "Glutamate Excess\n\n"
        "Excess glutamate overstimulates the receptors of nerve cells in the\n"
        "Hippocampus and can damage them over time, as many studies report.\n\n"
        "Magnesium is an essential mineral found in leafy greens, nuts and\n"
        "seeds.\n"
    )
    kinds = [kind for kind, _ in kinds_and_texts(parse_plain_text(text))]
    assert kinds == ["heading", "paragraph", "paragraph"]


def test_windows_line_endings_stay_out_of_spans() -> None:
    text = "Dosage\r\nMost adults need 400 mg.\r\nIs more better?\r\n"
    parsed = parse_plain_text(text)
    assert kinds_and_texts(parsed) == [
        ("heading", "Dosage"),
        ("paragraph", "Most adults need 400 mg."),
        ("question", "Is more better?"),
    ]


def test_document_without_leading_heading_has_no_title() -> None:
    assert parse_plain_text("Magnesium matters.\nIt really does.\n").title is None


def test_decoration_lines_are_not_blocks() -> None:
    text = "Magnesium Basics\n================\nIt is a mineral.\n* * *\n—\nIt calms neurons.\n"
    assert kinds_and_texts(parse_plain_text(text)) == [
        ("heading", "Magnesium Basics"),
        ("paragraph", "It is a mineral."),
        ("paragraph", "It calms neurons."),
    ]


@pytest.mark.parametrize(
    ("line", "level"),
    [("Methods", 1), ("2. Methods", 1), ("2.1 Participants", 2), ("2.1.3. Dosing", 3)],
)
def test_section_numbers_give_the_heading_level(line: str, level: int) -> None:
    (block,) = parse_plain_text(line + "\n").blocks
    assert (block.kind, block.level) == (BlockKind.heading, level)


def test_lines_wrapped_by_hand_without_blank_lines_are_not_headings() -> None:
    text = (
        "Guidance on magnesium\n"
        "Most adults need around 400 mg of magnesium per day, and the\n"
        "official recommendation is published online at\n"
        "https://ods.od.nih.gov/factsheets/Magnesium\n"
        "2. Doses above 350 mg from supplements can cause diarrhoea, see\n"
        "the label.\n"
        "Safety\n"
        "Kidney disease changes this.\n"
    )
    parsed = parse_plain_text(text)
    assert kinds_and_texts(parsed) == [
        ("heading", "Guidance on magnesium"),
        (
            "paragraph",
            "Most adults need around 400 mg of magnesium per day, and the\n"
            "official recommendation is published online at\n"
            "https://ods.od.nih.gov/factsheets/Magnesium",
        ),
        ("list_item", "Doses above 350 mg from supplements can cause diarrhoea, see\nthe label."),
        ("heading", "Safety"),
        ("paragraph", "Kidney disease changes this."),
    ]


@pytest.mark.parametrize(
    "line", ["3. See https://example.org/doses", "Full text at www.example.org/magnesium"]
)
def test_a_line_with_a_web_address_is_not_a_heading(line: str) -> None:
    assert not is_heading_line(line)
    assert [kind for kind, _ in kinds_and_texts(parse_plain_text(f"Title\n\n{line}\n"))] == [
        "heading",
        "list_item" if line[0].isdigit() else "paragraph",
    ]


def test_a_numbered_line_continued_in_wrapped_text_is_a_list_item() -> None:
    text = (
        "Guidance\n\n"
        "Most adults need around 400 mg a day.\n\n"
        "2. Doses above 350 mg from supplements can cause diarrhoea, see\n"
        "https://example.org/doses\n"
    )
    assert kinds_and_texts(parse_plain_text(text)) == [
        ("heading", "Guidance"),
        ("paragraph", "Most adults need around 400 mg a day."),
        (
            "list_item",
            "Doses above 350 mg from supplements can cause diarrhoea, see\n"
            "https://example.org/doses",
        ),
    ]
