"""The pages a reviewer lives on: the document page (windows, anchors, legend, findings),
claims and documents found as the CLI finds them, the documents list, the claims table."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from datasette.app import Datasette

from provenance.audit.query import AuditQuery, iter_findings
from provenance.ingest import ingest
from provenance.publish import document_view
from provenance.publish.metadata import DEFAULT_COLUMNS, DEFAULT_FACETS, database_name
from provenance.publish.serve import make_datasette
from provenance.store.connection import open_database
from tests.dbrows import rows

STATIC = Path(document_view.__file__).parent / "static"


async def page(ds: Datasette, path: str) -> str:
    response = await ds.client.get(path)
    assert response.status_code == 200, (path, response.status_code, response.text[:300])
    return str(response.text)


def columns(text: str) -> list[str]:
    return re.findall(r'<th [^>]*class="col-([a-z_]+)"', text)


def claim_anchors(text: str) -> list[str]:
    return re.findall(r'id="c-([0-9a-f]+)"', text)


@pytest.mark.asyncio
async def test_every_claim_has_an_anchor_and_the_claim_page_links_to_it(
    ingested_db: Path,
) -> None:
    ds = make_datasette(ingested_db)
    document_id = rows(ingested_db, "select id from documents")[0][0]
    text = await page(ds, f"/-/provenance/documents/{document_id}")
    assert claim_anchors(text) == [
        r[0] for r in rows(ingested_db, "select id from claims order by start")
    ]
    claim_id = rows(ingested_db, "select id from claims order by start limit 1 offset 7")[0][0]
    claim = await page(ds, f"/-/provenance/claims/{claim_id}")
    assert f"?claim={claim_id}#c-{claim_id}" in html.unescape(claim)


@pytest.mark.asyncio
async def test_the_legend_filters_by_status_and_by_category(ingested_db: Path) -> None:
    ds = make_datasette(ingested_db)
    document_id = rows(ingested_db, "select id from documents")[0][0]
    base = f"/-/provenance/documents/{document_id}"
    text = await page(ds, base)
    links = dict(re.findall(r'data-status="([a-z_]+)">\s*<a href="([^"]+)"', text))
    assert set(links) == {
        r[0] for r in rows(ingested_db, "select distinct evidence_status from claims")
    }
    only = await page(ds, html.unescape(links["attributed"]))
    highlighted = re.findall(r'<a class="pv-claim pv-status-([a-z_]+)"', only)
    expected = rows(ingested_db, "select count(*) from claims where evidence_status = 'attributed'")
    assert highlighted == ["attributed"] * expected[0][0]
    assert len(claim_anchors(only)) == len(claim_anchors(text))  # the others stay, unmarked
    category = await page(ds, f"{base}?category=efficacy")
    shown = re.findall(r'data-category="([a-z]+)" title', category)
    assert shown and set(shown) == {"efficacy"}


@pytest.mark.asyncio
async def test_markdown_headings_lose_their_marks(tmp_path: Path) -> None:
    doc = tmp_path / "notes.md"
    doc.write_text("# Zinc facts\n\nZinc is a mineral.\n\n## How much ##\n\nAdults need 8 mg.\n")
    db = tmp_path / "claims.db"
    ingest([doc], db)
    ds = make_datasette(db)
    document_id = rows(db, "select id from documents")[0][0]
    text = await page(ds, f"/-/provenance/documents/{document_id}")
    headings = re.findall(r'role="heading" aria-level="\d">([^<]*)<', text)
    assert headings == ["Zinc facts", "How much"]


@pytest.mark.asyncio
async def test_an_earlier_version_shows_its_own_claims(db_path: Path, example_copy: Path) -> None:
    ingest([example_copy], db_path)
    text = example_copy.read_text(encoding="utf-8")
    example_copy.write_text("Zinc is a mineral too.\n\n" + text, encoding="utf-8")
    ingest([example_copy], db_path)
    first, second = [r[0] for r in rows(db_path, "select id from documents order by version")]
    ds = make_datasette(db_path)
    old = await page(ds, f"/-/provenance/documents/{first}")
    new = await page(ds, f"/-/provenance/documents/{second}")
    assert "the latest is" in old
    old_count = int(re.search(r'pv-legend-total">(\d+)<', old).group(1))  # type: ignore[union-attr]
    new_count = int(re.search(r'pv-legend-total">(\d+)<', new).group(1))  # type: ignore[union-attr]
    assert old_count == new_count - 1 > 50
    # Each claim of the old version is marked where it was in the old text.
    old_text = text
    for claim_id, claim_text in rows(db_path, "select id, text from claims where is_current = 1"):
        if claim_id in claim_anchors(old):
            assert claim_text in old_text
    marked = re.findall(r'<a class="pv-claim [^"]+" id="c-[0-9a-f]+"[^>]*>(.*?)</a>', old, re.S)
    assert len(marked) == old_count
    assert all(html.unescape(m) in old_text for m in marked)


@pytest.mark.asyncio
async def test_findings_are_listed_beside_the_text_in_the_audits_order(ingested_db: Path) -> None:
    ds = make_datasette(ingested_db)
    document_id = rows(ingested_db, "select id from documents")[0][0]
    text = await page(ds, f"/-/provenance/documents/{document_id}")
    listed = re.findall(r'<li><a href="[^"]+" data-claim-id="([0-9a-f]+)"', text)
    db = open_database(ingested_db, create=False)
    try:
        expected = [f.id for f in iter_findings(db, AuditQuery())]
    finally:
        db.close()
    assert listed == expected[: document_view.FINDINGS_LISTED]


@pytest.mark.asyncio
async def test_a_long_document_is_read_a_window_at_a_time(
    ingested_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(document_view, "WINDOW_CHARACTERS", 2_000)
    ds = make_datasette(ingested_db)
    document_id = rows(ingested_db, "select id from documents")[0][0]
    seen: list[str] = []
    path: str | None = f"/-/provenance/documents/{document_id}"
    while path:
        text = await page(ds, path)
        seen += claim_anchors(text)
        later = re.search(r'<a rel="next" href="([^"]+)">later text', text)
        path = html.unescape(later.group(1)) if later else None
    assert seen == [r[0] for r in rows(ingested_db, "select id from claims order by start")]
    # Opening at a claim opens the window that holds it.
    last = seen[-1]
    text = await page(ds, f"/-/provenance/documents/{document_id}?claim={last}")
    assert last in claim_anchors(text) and seen[0] not in claim_anchors(text)


@pytest.mark.asyncio
async def test_claims_and_documents_are_found_as_the_cli_finds_them(
    ingested_db: Path, example_copy: Path
) -> None:
    ds = make_datasette(ingested_db)
    claim_id = rows(ingested_db, "select id from claims limit 1")[0][0]
    ids = [r[0] for r in rows(ingested_db, "select id from claims")]
    prefix = next(
        claim_id[:n] for n in range(4, 16) if sum(i.startswith(claim_id[:n]) for i in ids) == 1
    )
    found = await ds.client.get(f"/-/provenance/claims/{prefix}")
    assert found.status_code == 302 and found.headers["location"].endswith(claim_id)
    shared = next(i[0] for i in ids if sum(j[0] == i[0] for j in ids) > 1)
    assert (await ds.client.get(f"/-/provenance/claims/{shared}")).status_code == 404
    document_id = rows(ingested_db, "select id from documents")[0][0]
    for name in (example_copy.name, example_copy.stem):
        response = await ds.client.get(f"/-/provenance/documents/{name}")
        assert response.status_code == 302, name
        assert response.headers["location"].endswith(document_id)
    assert (await ds.client.get("/-/provenance/documents/webmd_superbugs.html")).status_code == 404


@pytest.mark.asyncio
async def test_the_index_links_to_a_list_of_documents(ingested_db: Path) -> None:
    ds = make_datasette(ingested_db)
    index = await page(ds, "/")
    assert 'href="/-/provenance/documents"' in index
    listing = await page(ds, "/-/provenance/documents")
    document_id = rows(ingested_db, "select id from documents")[0][0]
    assert f"/-/provenance/documents/{document_id}" in listing
    claims = rows(ingested_db, "select count(*) from claims")[0][0]
    assert f">{claims}</td>" in listing


@pytest.mark.asyncio
async def test_the_claims_table_opens_with_chosen_columns_and_facets(ingested_db: Path) -> None:
    ds = make_datasette(ingested_db)
    name = database_name(ingested_db)
    text = await page(ds, f"/{name}/claims")
    assert columns(text) == ["id", *DEFAULT_COLUMNS]
    facets = set(re.findall(r'id="facet-([a-z_]+)"', text))
    assert facets == set(DEFAULT_FACETS)
    # Datasette lays facets out by their number of values; the stylesheet puts them in order.
    css = (STATIC / "provenance.css").read_text(encoding="utf-8")
    ordered = sorted(
        re.findall(r"#facet-([a-z_]+) \{ order: (\d+); \}", css), key=lambda f: int(f[1])
    )
    assert [name for name, _ in ordered] == list(DEFAULT_FACETS)
    everything = await page(ds, f"/{name}/claims?_columns=all")
    assert len(columns(everything)) > 20
    chosen = await page(ds, f"/{name}/claims?_col=text")
    assert columns(chosen) == ["id", "text"]
