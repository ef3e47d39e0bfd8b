"""A real browser against a real ``provenance serve``: highlights, legend, links, inert text.

Headless Chromium from Debian's packages, driven by Playwright (no browser download).
"""

from __future__ import annotations

import os
import re
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from provenance.ingest import ingest
from tests.dbrows import rows
from tests.helpers import EXAMPLE, HOSTILE_MARKDOWN, HOSTILE_TEXT, REPO, serving

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = REPO / "test-artifacts"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists() and not os.environ.get("CI"),
        reason="/usr/bin/chromium is not installed (apt-get install chromium)",
    ),
]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The example article and two hostile documents, served by a real ``provenance serve``."""
    folder = tmp_path_factory.mktemp("browser")
    docs = folder / "docs"
    docs.mkdir()
    shutil.copyfile(EXAMPLE, docs / EXAMPLE.name)
    (docs / "hostile.txt").write_text(HOSTILE_TEXT, encoding="utf-8")
    (docs / "hostile.md").write_text(HOSTILE_MARKDOWN, encoding="utf-8")
    db_path = folder / "claims.db"
    ingest([docs], db_path)
    with serving(db_path) as base:
        yield base, db_path


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh page that records every dialog (an alert() would mean a script ran)."""
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.dialogs = []

    def on_dialog(dialog: Any) -> None:
        page.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    yield page
    context.close()


def document_id(db_path: Path, name: str) -> str:
    return str(rows(db_path, "select id from documents where name = ?", (name,))[0][0])


def test_document_page_highlights_every_claim_with_a_matching_legend(
    site: tuple[str, Path], page: Any
) -> None:
    base, db_path = site
    doc = document_id(db_path, EXAMPLE.stem)
    page.goto(f"{base}/-/provenance/documents/{doc}")
    highlights = page.locator("a.pv-claim")
    claims = rows(
        db_path,
        "select id, evidence_status from claims where document_id = ? order by start",
        (doc,),
    )
    assert highlights.count() == len(claims) > 50
    shown_ids = highlights.evaluate_all("els => els.map(e => e.dataset.claimId)")
    assert shown_ids == [c[0] for c in claims]
    shown = Counter(highlights.evaluate_all("els => els.map(e => e.dataset.status)"))
    legend = {
        entry.get_attribute("data-status"): int(entry.locator(".pv-count").inner_text())
        for entry in page.locator(".pv-legend-entry").all()
    }
    assert legend == dict(Counter(c[1] for c in claims)) == dict(shown)
    assert int(page.locator(".pv-legend-total").inner_text()) == len(claims)
    headings = rows(db_path, "select count(*) from sections where document_id = ?", (doc,))
    assert page.locator("[role=heading].pv-heading").count() == headings[0][0]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "document-page.png"), full_page=True)
    assert (ARTIFACTS / "document-page.png").stat().st_size > 10_000


def test_clicking_a_highlight_opens_its_claim_page(site: tuple[str, Path], page: Any) -> None:
    base, db_path = site
    doc = document_id(db_path, EXAMPLE.stem)
    page.goto(f"{base}/-/provenance/documents/{doc}")
    target = page.locator("a.pv-claim").nth(5)
    claim_id = target.get_attribute("data-claim-id")
    text = rows(db_path, "select text from claims where id = ?", (claim_id,))[0][0]
    target.click()
    page.wait_for_url(re.compile(rf"/-/provenance/claims/{claim_id}"))
    assert page.locator("mark.pv-span").inner_text() == text
    assert claim_id in page.locator("h1").inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "claim-page.png"), full_page=True)


def test_no_script_from_a_document_runs(site: tuple[str, Path], page: Any) -> None:
    base, db_path = site
    name = db_path.stem
    urls = [f"{base}/{name}/claims", f"{base}/{name}/documents", f"{base}/{name}/sections"]
    hostile_docs = rows(db_path, "select id from documents where name = 'hostile'")
    assert len(hostile_docs) == 2
    urls += [f"{base}/-/provenance/documents/{d[0]}" for d in hostile_docs]
    claims = rows(
        db_path,
        "select c.id from claims c join documents d on d.id = c.document_id"
        " where d.name = 'hostile'",
    )
    urls += [f"{base}/-/provenance/claims/{c[0]}" for c in claims]
    for url in urls:
        page.goto(url)
        page.wait_for_load_state("load")
        assert page.dialogs == [], url
        injected = page.evaluate(
            '() => document.querySelectorAll(\'img[src="x"], [onerror], a[href^="javascript:" i]\')'
            ".length"
        )
        assert injected == 0, url
    text_doc = rows(db_path, "select id from documents where source like '%hostile.txt'")[0][0]
    page.goto(f"{base}/-/provenance/documents/{text_doc}")
    body = page.locator(".pv-document").inner_text()
    assert "<script>alert(1)</script>" in body  # shown as text, not run
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "hostile-document.png"), full_page=True)
