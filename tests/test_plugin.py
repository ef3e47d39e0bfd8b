"""The Datasette plugin and published site, in process: facets, canned queries, pages."""

from __future__ import annotations

import html
import json
import re
import sqlite3
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode

import pytest
from datasette.app import Datasette
from markupsafe import Markup

from provenance import publish as plugin
from provenance.audit.query import AuditQuery, iter_findings
from provenance.ingest import ingest
from provenance.publish import html as plugin_html
from provenance.publish.metadata import (
    CANNED_QUERIES,
    DEFAULT_FACETS,
    build_metadata,
    database_name,
)
from provenance.publish.serve import make_datasette, warm_up
from provenance.store.connection import open_database
from tests.dbrows import rows
from tests.helpers import HOSTILE_MARKDOWN, HOSTILE_TEXT

HOSTILE_STRINGS = ("<script>alert(1)</script>", "<img src=x", 'href="javascript:')


class LiveMarkup(HTMLParser):
    """Collects what a browser would act on: event handlers, script links, injected tags."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_script = tag == "script"
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=...>")
            if name in ("href", "src") and (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}={value}>")
        if tag == "img" and ("src", "x") in attrs:
            self.found.append("<img src=x>")

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and "alert(1)" in data:
            self.found.append("<script>alert(1)</script>")


def live_markup(page: str) -> list[str]:
    parser = LiveMarkup()
    parser.feed(page)
    parser.close()
    return parser.found


@pytest.fixture
def ds(ingested_db: Path) -> Datasette:
    return make_datasette(ingested_db)


@pytest.fixture
def hostile_db(tmp_path: Path) -> Path:
    folder = tmp_path / "hostile"
    folder.mkdir()
    (folder / "hostile.txt").write_text(HOSTILE_TEXT, encoding="utf-8")
    (folder / "hostile.md").write_text(HOSTILE_MARKDOWN, encoding="utf-8")
    db_path = tmp_path / "hostile.db"
    ingest([folder], db_path)
    return db_path


@pytest.fixture
def foreign_db(tmp_path: Path) -> Iterator[Path]:
    """Not a provenance database, though it has a claims table with familiar columns."""
    path = tmp_path / "foreign.db"
    conn = sqlite3.connect(path)
    conn.execute("create table claims (id text primary key, text text, evidence_status text)")
    conn.execute("insert into claims values ('abc', 'Hello <b>world</b>', 'unsupported')")
    conn.execute("create table documents (id text primary key, text text)")
    conn.execute("insert into documents values ('d1', 'Some text')")
    conn.commit()
    conn.close()
    yield path


async def get_html(ds: Datasette, path: str) -> str:
    response = await ds.client.get(path)
    assert response.status_code == 200, (path, response.text[:500])
    return str(response.text)


# --- facets, search, canned queries ----------------------------------------------------------


@pytest.mark.asyncio
async def test_default_facets_count_what_the_database_holds(
    ds: Datasette, ingested_db: Path
) -> None:
    name = database_name(ingested_db)
    response = await ds.client.get(f"/{name}/claims.json?_facet_size=max&_size=1")
    facets = response.json()["facet_results"]
    assert list(facets) == list(DEFAULT_FACETS)
    for column in DEFAULT_FACETS:
        expected = dict(
            rows(
                ingested_db,
                f"select [{column}], count(*) from claims where is_current = 1"
                f" and [{column}] is not null group by [{column}]",
            )
        )
        shown = {item["value"]: item["count"] for item in facets[column]["results"]}
        assert shown == expected, column
    assert (
        response.json()["filtered_table_rows_count"]
        == rows(ingested_db, "select count(*) from claims")[0][0]
    )


@pytest.mark.asyncio
async def test_facet_counts_follow_a_selected_filter(ds: Datasette, ingested_db: Path) -> None:
    name = database_name(ingested_db)
    response = await ds.client.get(f"/{name}/claims.json?certainty=hedged&_size=1")
    facets = response.json()["facet_results"]
    expected = dict(
        rows(
            ingested_db,
            "select category, count(*) from claims where certainty = 'hedged' group by category",
        )
    )
    assert {i["value"]: i["count"] for i in facets["category"]["results"]} == expected
    assert sum(expected.values()) == response.json()["filtered_table_rows_count"] > 0


@pytest.mark.asyncio
async def test_claims_page_in_reading_order_with_search_box(
    ds: Datasette, ingested_db: Path
) -> None:
    name = database_name(ingested_db)
    page = await get_html(ds, f"/{name}/claims")
    assert 'name="_search"' in page
    assert "sorted by position" in page
    # The sort key is shown as where the claim is (with every column shown).
    first = rows(ingested_db, "select line, [column] from claims order by start limit 1")[0]
    everything = await get_html(ds, f"/{name}/claims?_columns=all")
    assert f'<td class="col-position type-str">{first[0]}:{first[1]}</td>' in everything
    listed = await ds.client.get(f"/{name}/claims.json?_shape=objects&_size=max")
    in_order = rows(ingested_db, "select id from claims order by document, version, start")
    assert [row["id"] for row in listed.json()["rows"]] == [r[0] for r in in_order]
    response = await ds.client.get(f"/{name}/claims.json?_search=NMDA&_shape=objects")
    found = {row["id"] for row in response.json()["rows"]}
    expected = {r[0] for r in rows(ingested_db, "select id from claims where text like '%NMDA%'")}
    assert found == expected and found


@pytest.mark.asyncio
async def test_foreign_keys_show_labels(ds: Datasette, ingested_db: Path) -> None:
    name = database_name(ingested_db)
    response = await ds.client.get(f"/{name}/claims.json?_labels=on&_size=1&_shape=objects")
    row = response.json()["rows"][0]
    assert row["document_id"]["label"] == "magnesium-glutamate"


@pytest.mark.asyncio
@pytest.mark.parametrize("query", sorted(CANNED_QUERIES))
async def test_every_canned_query_runs(ds: Datasette, ingested_db: Path, query: str) -> None:
    name = database_name(ingested_db)
    section = rows(ingested_db, "select section from claims where section is not null limit 1")
    arguments = (
        {"section": section[0][0], "document": ""} if "params" in CANNED_QUERIES[query] else {}
    )
    params = "?" + urlencode(arguments) if arguments else ""
    response = await ds.client.get(f"/{name}/{query}.json{params or '?'}&_shape=objects")
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["ok"] is True
    if query != "repeated_claims":
        assert data["rows"], query
    assert (await ds.client.get(f"/{name}/{query}{params}")).status_code == 200


@pytest.mark.asyncio
async def test_unsupported_statements_are_the_unsupported_claims_in_order(
    ds: Datasette, ingested_db: Path
) -> None:
    name = database_name(ingested_db)
    response = await ds.client.get(f"/{name}/unsupported_statements.json?_shape=objects&_size=max")
    ids = [row["id"] for row in response.json()["rows"]]
    db = open_database(ingested_db, create=False)
    try:
        audit_order = [f.id for f in iter_findings(db, AuditQuery(fail_on=("unsupported",)))]
    finally:
        db.close()
    assert ids == audit_order  # the audit's order: worst first, not document order
    assert ids != [
        r[0]
        for r in rows(
            ingested_db,
            "select id from claims where evidence_status = 'unsupported' order by start",
        )
    ]
    priorities = [row["priority"] for row in response.json()["rows"]]
    assert priorities == sorted(priorities, reverse=True)


@pytest.mark.asyncio
async def test_repeated_claims_lists_every_place(tmp_path: Path, example_copy: Path) -> None:
    twin = example_copy.parent / "twin.txt"
    twin.write_text(example_copy.read_text(encoding="utf-8"), encoding="utf-8")
    db_path = tmp_path / "twins.db"
    ingest([example_copy.parent], db_path)
    ds = make_datasette(db_path)
    response = await ds.client.get("/twins/repeated_claims.json?_shape=objects&_size=max")
    found = response.json()["rows"]
    total = rows(db_path, "select count(*) from claims")[0][0]
    assert len(found) == total  # every statement appears in both documents
    assert {row["occurrences"] for row in found} >= {2}


@pytest.mark.asyncio
async def test_review_queue_drops_reviewed_claims(ingested_db: Path) -> None:
    claim_id = rows(ingested_db, "select id from claims limit 1")[0][0]
    annotate(ingested_db, claim_id, "supported", ["doi:10.1000/xyz"], "Checked.")
    ds = make_datasette(ingested_db)
    name = database_name(ingested_db)
    response = await ds.client.get(f"/{name}/review_queue.json?_shape=objects&_size=max")
    ids = {row["id"] for row in response.json()["rows"]}
    assert claim_id not in ids
    assert len(ids) == rows(ingested_db, "select count(*) from claims")[0][0] - 1


# --- old versions -----------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_claims_of_earlier_versions_are_hidden_by_default(
    db_path: Path, example_copy: Path
) -> None:
    ingest([example_copy], db_path)
    text = example_copy.read_text(encoding="utf-8")
    example_copy.write_text(text.split("\n", 1)[1], encoding="utf-8")  # drop the first paragraph
    ingest([example_copy], db_path)
    current, old = rows(db_path, "select sum(is_current = 1), sum(is_current = 0) from claims")[0]
    assert old > 0
    ds = make_datasette(db_path)
    name = database_name(db_path)
    default = (await ds.client.get(f"/{name}/claims.json?_size=1")).json()
    assert default["filtered_table_rows_count"] == current
    statuses = {
        i["value"]: i["count"] for i in default["facet_results"]["evidence_status"]["results"]
    }
    assert sum(statuses.values()) == current
    everything = (await ds.client.get(f"/{name}/claims.json?_size=1&_versions=all")).json()
    assert everything["filtered_table_rows_count"] == current + old
    only_old = (await ds.client.get(f"/{name}/claims.json?_size=1&is_current=0")).json()
    assert only_old["filtered_table_rows_count"] == old
    page = await get_html(ds, f"/{name}/claims")
    assert "the latest version of each document" in page
    assert "Include claims of earlier versions" in page
    assert "Only claims of latest versions" in await get_html(ds, f"/{name}/claims?_versions=all")
    # Reading order across documents and versions, page after page.
    other = example_copy.with_name("a-first.md")
    other.write_text("# A\n\nZinc is a mineral. It is in oysters.\n", encoding="utf-8")
    ingest([other], db_path)
    ds = make_datasette(db_path)
    listed: list[str] = []
    path = f"/{name}/claims.json?_shape=objects&_size=40&_versions=all"
    while path:
        page_json = (await ds.client.get(path)).json()
        listed += [row["id"] for row in page_json["rows"]]
        path = page_json["next_url"] and page_json["next_url"].split("localhost", 1)[-1]
    expected = rows(db_path, "select id from claims order by document, version, start")
    assert listed == [r[0] for r in expected]


# --- claim and document pages -----------------------------------------------------------------


def annotate(db_path: Path, claim_id: str, verdict: str, evidence: list[str], note: str) -> None:
    conn = sqlite3.connect(db_path)
    count = conn.execute("select count(*) from annotations").fetchone()[0]
    conn.execute(
        "insert into annotations (id, claim_id, reviewer, verdict, evidence, note, created_at)"
        " values (?, ?, ?, ?, ?, ?, ?)",
        [f"a{count}", claim_id, "ada", verdict, json.dumps(evidence), note,
         f"2026-01-0{count + 1}T00:00:00Z"],
    )  # fmt: skip
    conn.execute("update claims set evidence_status = ? where id = ?", [verdict, claim_id])
    conn.commit()
    conn.close()


@pytest.mark.asyncio
async def test_every_claim_page_renders(ds: Datasette, ingested_db: Path) -> None:
    claims = rows(
        ingested_db,
        "select c.id, c.text, c.line, c.[column], c.start, c.[end], d.sha256, c.section"
        " from claims c join documents d on d.id = c.document_id",
    )
    assert len(claims) > 50
    for claim_id, text, line, column, start, end, sha256, section in claims:
        page = await get_html(ds, f"/-/provenance/claims/{claim_id}")
        marked = re.search(r'<mark class="pv-span [^"]+">(.*?)</mark>', page, re.S)
        assert marked and html.unescape(marked.group(1)) == text
        assert f"line {line}:{column}" in page
        assert f"characters {start}–{end}" in page
        assert sha256 in page
        if section:
            assert str(Markup.escape(section)) in page
        assert "Annotation history" in page and "Not reviewed yet." in page


@pytest.mark.asyncio
async def test_claim_page_shows_paragraph_cues_and_history(ingested_db: Path) -> None:
    claim_id, paragraph, hedges = rows(
        ingested_db,
        "select id, paragraph, hedge_cues from claims where hedge_cues != '[]' limit 1",
    )[0]
    annotate(
        ingested_db, claim_id, "partially_supported", ["pmid:12345", "url:javascript:x"], "<b>n</b>"
    )
    annotate(ingested_db, claim_id, "supported", ["doi:10.1000/abc"], "Second look.")
    ds = make_datasette(ingested_db)
    page = await get_html(ds, f"/-/provenance/claims/{claim_id}")
    for other in rows(
        ingested_db,
        "select text from claims where paragraph = ? and id != ?",
        (paragraph, claim_id),
    ):
        assert str(Markup.escape(other[0])) in page  # the rest of its paragraph
    for cue in json.loads(hedges):
        assert f"<q>{Markup.escape(cue)}</q>" in page
    history = page[page.index("Annotation history") :]
    assert history.index("partially_supported") < history.index("Second look.")
    assert 'href="https://pubmed.ncbi.nlm.nih.gov/12345/"' in history
    assert 'href="https://doi.org/10.1000/abc"' in history
    assert "url:javascript:x" in history and 'href="url:javascript' not in history
    assert "&lt;b&gt;n&lt;/b&gt;" in history
    assert "pv-status-supported" in page
    annotations = await get_html(ds, "/claims/annotations")
    assert 'class="pv-badge pv-status-partially_supported"' in annotations
    assert "&lt;b&gt;n&lt;/b&gt;" in annotations


@pytest.mark.asyncio
async def test_claim_page_lists_the_same_statement_elsewhere(
    tmp_path: Path, example_copy: Path
) -> None:
    (example_copy.parent / "twin.txt").write_text(example_copy.read_text(encoding="utf-8"))
    db_path = tmp_path / "twins.db"
    ingest([example_copy.parent], db_path)
    claim_id, key = rows(db_path, "select id, claim_key from claims limit 1")[0]
    twin = rows(db_path, "select id from claims where claim_key = ? and id != ?", (key, claim_id))
    page = await get_html(make_datasette(db_path), f"/-/provenance/claims/{claim_id}")
    assert f"/-/provenance/claims/{twin[0][0]}" in page


@pytest.mark.asyncio
async def test_document_page_highlights_every_claim(ds: Datasette, ingested_db: Path) -> None:
    document_id, text = rows(ingested_db, "select id, text from documents")[0]
    page = await get_html(ds, f"/-/provenance/documents/{document_id}")
    claims = rows(ingested_db, "select id, text, evidence_status from claims order by start")
    highlights = re.findall(
        r'<a class="pv-claim (pv-status-[a-z_]+)" id="c-[0-9a-f]+" href="[^"]*/-/provenance/claims/'
        r'([0-9a-f]+)(?:\?[^"]*)?"[^>]*>(.*?)</a>',
        page,
        re.S,
    )
    assert [(h[1], html.unescape(h[2])) for h in highlights] == [(c[0], c[1]) for c in claims]
    assert all(h[0] == f"pv-status-{c[2]}" for h, c in zip(highlights, claims, strict=True))
    headings = rows(ingested_db, "select text from sections")
    assert page.count('class="pv-heading') == len(headings)
    legend = dict(
        re.findall(r'data-status="([a-z_]+)">.*?<span class="pv-count">(\d+)</span>', page, re.S)
    )
    expected = rows(ingested_db, "select evidence_status, count(*) from claims group by 1")
    assert {k: int(v) for k, v in legend.items()} == dict(expected)
    # the text between highlights is the document's own text, in order
    plain = html.unescape(re.sub(r"<[^>]+>", "", page[page.index('<div class="pv-document">') :]))
    assert text.strip()[:200] in plain


@pytest.mark.asyncio
async def test_missing_claim_and_document_are_404(ds: Datasette) -> None:
    assert (await ds.client.get("/-/provenance/claims/ffffffff")).status_code == 404
    assert (await ds.client.get("/-/provenance/documents/nope")).status_code == 404


@pytest.mark.asyncio
async def test_table_cells_get_badges_and_links(ds: Datasette, ingested_db: Path) -> None:
    name = database_name(ingested_db)
    page = await get_html(ds, f"/{name}/claims")
    assert 'class="pv-badge pv-status-unsupported"' in page
    assert 'class="pv-badge pv-certainty-asserted"' in page
    assert 'class="pv-claim-link" href="/-/provenance/claims/' in page
    assert '<link rel="stylesheet" href="/-/static-plugins/provenance/provenance.css">' in page
    documents = await get_html(ds, f"/{name}/documents")
    assert "/-/provenance/documents/" in documents
    stylesheet = await ds.client.get("/-/static-plugins/provenance/provenance.css")
    assert stylesheet.status_code == 200
    assert ".pv-badge" in stylesheet.text


# --- hostile documents ------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_hostile_document_renders_as_inert_text(hostile_db: Path) -> None:
    ds = make_datasette(hostile_db)
    name = database_name(hostile_db)
    paths = [f"/{name}/claims", f"/{name}/documents", f"/{name}/sections", f"/{name}/references"]
    paths += [f"/{name}/{query}" for query in CANNED_QUERIES if query != "section_claims"]
    paths += [
        f"/-/provenance/documents/{r[0]}" for r in rows(hostile_db, "select id from documents")
    ]
    paths += [f"/-/provenance/claims/{r[0]}" for r in rows(hostile_db, "select id from claims")]
    for section in rows(
        hostile_db, "select distinct section from claims where section is not null"
    ):
        paths.append(f"/{name}/section_claims?{urlencode({'section': section[0], 'document': ''})}")
    assert any("script" in r[0] for r in rows(hostile_db, "select text from claims"))
    for path in paths:
        page = await get_html(ds, path)
        for hostile in HOSTILE_STRINGS:
            assert hostile not in page, (path, hostile)
        assert live_markup(page) == [], path
    for (document_id,) in rows(hostile_db, "select id from documents"):
        page = await get_html(ds, f"/-/provenance/documents/{document_id}")
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page or "&lt;img src=x" in page


def test_the_inertness_check_would_catch_live_markup() -> None:
    found = live_markup(HOSTILE_TEXT + HOSTILE_MARKDOWN)
    assert {"<script>alert(1)</script>", "<img src=x>", "<img onerror=...>"} <= set(found)
    assert "<a href=javascript:alert(1)>" in found


def test_hrefs_only_for_web_urls() -> None:
    assert plugin_html.safe_href("javascript:alert(1)") is None
    assert plugin_html.safe_href(" JAVASCRIPT:alert(1)") is None
    assert plugin_html.safe_href("data:text/html,<script>") is None
    assert plugin_html.safe_href("https://example.org/x") == "https://example.org/x"
    assert plugin_html.evidence_href("doi:10.1/a b") == "https://doi.org/10.1/a%20b"
    assert plugin_html.evidence_href("pmid:12x") is None
    assert plugin_html.evidence_href("a book") is None


def test_badges_escape_and_never_invent_classes() -> None:
    assert plugin_html.status_badge("unsupported").startswith(
        '<span class="pv-badge pv-status-unsupported"'
    )
    odd = plugin_html.status_badge('x" onmouseover="alert(1)')
    assert "pv-status-unknown" in odd and 'x" onmouseover' not in odd
    assert plugin_html.status_class('"><script>') == "pv-status-unknown"


# --- inert elsewhere ------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_plugin_does_nothing_on_a_foreign_database(
    foreign_db: Path, ingested_db: Path
) -> None:
    ds = Datasette(immutables=[str(foreign_db)])
    page = await get_html(ds, "/foreign/claims")
    assert "pv-badge" not in page and "/-/provenance/" not in page
    assert "Hello &lt;b&gt;world&lt;/b&gt;" in page
    assert "pv-document-link" not in await get_html(ds, "/foreign/documents")
    assert (await ds.client.get("/-/provenance/claims/abc")).status_code == 404
    assert (await ds.client.get("/-/provenance/documents/d1")).status_code == 404
    data = (await ds.client.get("/foreign/claims.json?_facet=evidence_status")).json()
    assert data["filtered_table_rows_count"] == 1

    row = sqlite3.connect(":memory:")
    row.row_factory = sqlite3.Row
    sample = row.execute("select 'abc' as id, 'unsupported' as evidence_status").fetchone()
    for column, value in (("evidence_status", "unsupported"), ("text", "x")):
        hook = plugin.render_cell(sample, value, column, "claims", "foreign", ds)
        assert hook is not None and await hook() is None
    filters = plugin.filters_from_request(FakeRequest(), "foreign", "claims", ds)
    assert filters is not None and await filters() is None
    actions = plugin.table_actions(ds, None, "foreign", "claims", FakeRequest())
    assert actions is not None and await actions() is None
    assert await plugin.extra_css_urls("foreign", ds)() == []
    assert plugin.render_cell(sample, "x", "text", "other_table", "foreign", ds) is None
    row.close()

    # the same Datasette serving both: the provenance database is still decorated
    both = Datasette(immutables=[str(foreign_db), str(ingested_db)])
    assert "pv-badge" not in await get_html(both, "/foreign/claims")
    assert "pv-badge" in await get_html(both, f"/{database_name(ingested_db)}/claims")


class FakeRequest:
    """Just enough of a request for the hooks: no query-string arguments."""

    def __init__(self) -> None:
        self.args: dict[str, str] = {}


@pytest.mark.asyncio
async def test_a_database_name_with_dots_is_served(tmp_path: Path, example_copy: Path) -> None:
    db_path = tmp_path / "review.v2.db"
    ingest([example_copy], db_path)
    ds = make_datasette(db_path)
    await warm_up(ds, db_path)
    page = await get_html(ds, ds.urls.table("review.v2", "claims"))
    assert "pv-badge" in page
    link = re.search(r'href="(/-/provenance/claims/[^"]+)"', page)
    assert link is not None
    assert "pv-span" in await get_html(ds, html.unescape(link.group(1)))


@pytest.mark.asyncio
async def test_facets_are_never_remembered_on_a_database_that_can_change(
    ingested_db: Path,
) -> None:
    ds = Datasette(files=[str(ingested_db)], metadata=build_metadata(ingested_db))
    path = "/claims/claims.json?_size=1"
    before = (await ds.client.get(path)).json()["facet_results"]["evidence_status"]["results"]
    conn = sqlite3.connect(ingested_db)
    conn.execute("update claims set evidence_status = 'contradicted' where rowid = 1")
    conn.commit()
    conn.close()
    after = (await ds.client.get(path)).json()["facet_results"]["evidence_status"]["results"]
    assert "contradicted" not in {item["value"] for item in before}
    assert {item["value"]: item["count"] for item in after}["contradicted"] == 1


@pytest.mark.asyncio
async def test_document_page_shows_kept_blocks_muted_and_never_as_claims(tmp_path: Path) -> None:
    release = tmp_path / "release.txt"
    release.write_text(
        "New drug cuts migraine days in half.\nTrial in adults\n"
        "ANN ARBOR--Patients who took the drug had fewer migraine days. Is <b> safe? Yes.\n"
        "Share this story\n",
        encoding="utf-8",
    )
    db_path = tmp_path / "claims.db"
    ingest([release], db_path)
    ds = make_datasette(db_path)
    document_id = rows(db_path, "select id from documents")[0][0]
    page = await get_html(ds, f"/-/provenance/documents/{document_id}")
    blocks = re.findall(
        r'<span class="pv-block pv-block-([a-z_]+)" title="[^"]*">(.*?)</span>', page
    )
    assert blocks == [
        ("title", "New drug cuts migraine days in half."),
        ("dateline", "ANN ARBOR--"),
        ("question", "Is &lt;b&gt; safe?"),
        ("boilerplate", "Share this story"),
    ]
    assert page.count('class="pv-claim ') == 2
