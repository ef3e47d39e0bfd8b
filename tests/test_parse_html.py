"""HTML: main text only, rebuilt as stored text; hostile markup never reaches it."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from provenance.extract.blocks import ParsedDocument
from provenance.extract.parse import parse_document
from provenance.extract.parse_html import parse_html
from provenance.extract.pipeline import extract
from provenance.models import BlockKind, DocumentFormat


def blocks_of(parsed: ParsedDocument) -> list[tuple[str, str]]:
    return [(b.kind.value, parsed.text[b.start : b.end]) for b in parsed.blocks]


def test_blocks_and_stored_text_layout() -> None:
    parsed = parse_html(
        "<html><head><title> Magnesium &amp;\n Glutamate </title></head><body>"
        "<h1>Magnesium   and <em>glutamate</em></h1>"
        "<p>Magnesium\n   blocks&nbsp;NMDA receptors.</p>"
        "<h3>Dosage</h3><ul><li>Take 300 mg.</li><li>With <b>food</b>.</li></ul>"
        "<blockquote><p>Experts say it calms.</p></blockquote>"
        "<p>Is it safe?</p><dl><dt>Onset</dt><dd>Within weeks.</dd></dl>"
        "</body></html>"
    )
    assert parsed.title == "Magnesium & Glutamate"
    assert blocks_of(parsed) == [
        ("heading", "Magnesium and glutamate"),
        ("paragraph", "Magnesium blocks NMDA receptors."),
        ("heading", "Dosage"),
        ("list_item", "Take 300 mg."),
        ("list_item", "With food."),
        ("quote", "Experts say it calms."),
        ("question", "Is it safe?"),
        ("paragraph", "Onset"),
        ("paragraph", "Within weeks."),
    ]
    assert [b.level for b in parsed.blocks[:3]] == [1, 0, 3]
    assert parsed.text.startswith("Magnesium and glutamate\n\nMagnesium blocks NMDA")
    assert "\n\n\n" not in parsed.text


def test_title_falls_back_to_the_first_h1() -> None:
    assert parse_html("<h2>Intro</h2><h1>Real Title</h1><p>Text.</p>").title == "Real Title"
    assert parse_html("<p>Only text.</p>").title is None


def test_scripts_never_reach_the_stored_text() -> None:
    parsed = parse_html(
        "<p>Before.</p><script>alert(1)</script>"
        '<p>"><img src=x onerror=alert(1)>After.</p>'
        "<style>p { color: red }</style><p>Shown &lt;script&gt;alert(2)&lt;/script&gt; as text.</p>"
    )
    assert "alert(1)" not in parsed.text
    assert "onerror" not in parsed.text
    assert "<img" not in parsed.text
    assert "color" not in parsed.text
    assert blocks_of(parsed) == [
        ("paragraph", "Before."),
        ("paragraph", '">After.'),
        ("paragraph", "Shown <script>alert(2)</script> as text."),
    ]


@pytest.mark.parametrize(
    "hidden",
    [
        "<noscript>SECRET</noscript>",
        "<template><p>SECRET</p></template>",
        "<nav><ul><li>SECRET</li></ul></nav>",
        "<footer><p>SECRET</p></footer>",
        "<aside>SECRET</aside>",
        "<form><label>SECRET</label><input value=SECRET></form>",
        "<svg><text>SECRET</text></svg>",
        "<div hidden><p>SECRET</p></div>",
        '<p aria-hidden="true">SECRET</p>',
        '<div style="color: red; DISPLAY: none"><p>SECRET</p></div>',
        '<span style="visibility:hidden">SECRET</span>',
        "<header><a href='/'>SECRET</a></header>",
        "<pre><code>SECRET = 1</code></pre>",
        '<div role="navigation"><a>SECRET</a></div>',
        '<div role="contentinfo">SECRET</div>',
        '<div role="banner"><span>SECRET</span></div>',
    ],
)
def test_hidden_and_non_prose_elements_give_no_text(hidden: str) -> None:
    parsed = parse_html(f"<body><p>Kept one.</p>{hidden}<p>Kept two.</p></body>")
    assert "SECRET" not in parsed.text
    assert blocks_of(parsed) == [("paragraph", "Kept one."), ("paragraph", "Kept two.")]


def test_a_table_is_one_block_with_its_rows_kept_as_data() -> None:
    # Issue 11: tables were dropped while a <p> in a header cell became a claim ("• Monarch").
    parsed = parse_html(
        "<p>Counts below.</p><table><tr><th><p>• Monarch</p></th><th>Count</th></tr>"
        "<tr><td>Ducks</td><td>12</td></tr><tr><td></td><td></td></tr></table>"
    )
    table = parsed.blocks[-1]
    assert table.kind is BlockKind.table
    assert table.rows == [["• Monarch", "Count"], ["Ducks", "12"]]
    assert parsed.text[table.start : table.end] == "• Monarch | Count\nDucks | 12"
    assert [b.kind for b in parsed.blocks] == [BlockKind.paragraph, BlockKind.table]


def test_headings_in_a_header_and_paragraphs_in_table_cells_are_kept() -> None:
    parsed = parse_html(
        "<article><header><span>By SECRET</span><h1>Headline</h1></header>"
        "<table><tr><td>400 mg</td><td><p>Layout cell paragraph.</p></td></tr></table>"
        "</article>"
    )
    assert blocks_of(parsed) == [
        ("heading", "Headline"),
        ("paragraph", "Layout cell paragraph."),
        ("table", "400 mg"),
    ]


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        (
            "<div>Site menu</div><main><p>Main text.</p></main><div>Site footer</div>",
            ["Main text."],
        ),
        (
            "<p>Teaser.</p><article><p>Article one.</p></article>"
            "<article><p>Article two.</p></article>",
            ["Article one.", "Article two."],
        ),
        (
            "<article><p>Related article.</p></article><main><p>Main text.</p></main>",
            ["Main text."],
        ),
        ("<div>Everything.</div><p>Counts.</p>", ["Everything.", "Counts."]),
        ('<p>Menu.</p><div role="main"><p>Role main.</p></div>', ["Role main."]),
    ],
)
def test_main_or_article_is_taken_alone(page: str, expected: list[str]) -> None:
    parsed = parse_html(page)
    assert [text for _, text in blocks_of(parsed)] == expected


def test_line_breaks_and_implicit_closes() -> None:
    parsed = parse_html(
        "<div>Line one<br>line two<br/><br>New block.</div>"
        "<p>First paragraph<p>Second paragraph"
        "<ul><li>one<li>two<ul><li>nested</ul></ul>"
        "Loose body text."
    )
    assert blocks_of(parsed) == [
        ("paragraph", "Line one\nline two"),
        ("paragraph", "New block."),
        ("paragraph", "First paragraph"),
        ("paragraph", "Second paragraph"),
        ("list_item", "one"),
        ("list_item", "two"),
        ("list_item", "nested"),
        ("paragraph", "Loose body text."),
    ]


def test_inline_elements_do_not_break_words_or_blocks() -> None:
    parsed = parse_html("<p>Mag<b>nes</b>ium <a href='#1'>blocks</a> <i>NMDA</i>.</p>")
    assert blocks_of(parsed) == [("paragraph", "Magnesium blocks NMDA.")]


def test_deeply_nested_and_unclosed_markup_is_read_in_one_pass() -> None:
    depth = 20_000
    parsed = parse_html("<div><span>" * depth + "Deep text." + "</p></li>" * 10)
    assert blocks_of(parsed) == [("paragraph", "Deep text.")]


def test_claims_refer_to_the_rebuilt_text() -> None:
    source = "<h2>Dosage</h2><p>Most adults need 400&nbsp;mg. Take it with food.</p>"
    parsed = parse_document(source, DocumentFormat.html)
    extraction = extract(parsed, source="page.html", document_id="d1", version=1)
    assert [(c.text, c.section, c.line, c.column) for c in extraction.claims] == [
        ("Most adults need 400 mg.", "Dosage", 3, 1),
        ("Take it with food.", "Dosage", 3, 26),
    ]
    for claim in extraction.claims:
        assert parsed.text[claim.start : claim.end] == claim.text


def test_unclosed_head_and_foreign_titles() -> None:
    parsed = parse_html("<head><title>Page</title><meta charset=utf-8><p>Body text.</p>")
    assert (parsed.title, parsed.text) == ("Page", "Body text.")
    parsed = parse_html("<svg><title>Icon</title></svg><h1>Real Title</h1>")
    assert (parsed.title, parsed.text) == ("Real Title", "Real Title")
    parsed = parse_html("<head><noscript><p>SECRET</p></noscript></head><p>Shown.</p>")
    assert parsed.text == "Shown."


def test_superscript_reference_numbers_become_superscript_digits() -> None:
    parsed = parse_html(
        "<p>Magnesium blocks NMDA.<sup>1,2</sup> It calms neurons<sup><a href='#r3'>3–5</a></sup>."
        " Area in m<sup>2</sup>; note<sup>[6]</sup> and x<sup>a</sup>.</p>"
    )
    assert parsed.text == (
        "Magnesium blocks NMDA.¹,² It calms neurons³⁻⁵. Area in m²; note[6] and xa."
    )


STRUCTURE = """<p> </p> <div> </div> <ul> <li> </li> </ul> <h2> </h2> <blockquote> </blockquote>
<span> </span> <b> </b> <br> <hr> <table><tr><td> </td></tr></table> <main> </main> <pre> </pre>
"""
HOSTILE = [
    "<script>EVIL()</script>",
    "<style>EVIL{}</style>",
    "<nav>EVIL</nav>",
    "<div hidden>EVIL</div>",
    '"><img src=x onerror=EVIL>',
    "<!-- EVIL -->",
]
TEXTS = ["Magnesium", " blocks ", "NMDA.", "&lt;script&gt;", "&amp;", "\n  ", "?"]
html_pieces = st.sampled_from([*STRUCTURE.split(), *HOSTILE, *TEXTS])


@settings(max_examples=200, deadline=None)
@given(st.lists(html_pieces, max_size=40))
def test_stored_text_is_exactly_the_blocks_joined(pieces: list[str]) -> None:
    parsed = parse_html("".join(pieces))
    texts = [parsed.text[b.start : b.end] for b in parsed.blocks]
    assert parsed.text == "\n\n".join(texts)
    for text in texts:
        assert text and text == text.strip() and "\n\n" not in text and "  " not in text
    assert "EVIL" not in parsed.text
    assert "onerror" not in parsed.text


@pytest.mark.parametrize(
    "tail",
    ["<script>SECRET()", "<style>SECRET{}", "<!-- SECRET", "<!-- a --><!-- SECRET", "<!SECRET"],
)
def test_unterminated_scripts_and_comments_run_to_the_end(tail: str) -> None:
    parsed = parse_html(f"<p>Shown.</p>{tail}")
    assert parsed.text == "Shown."
