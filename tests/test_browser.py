"""A real browser against a real ``provenance serve``: highlights, legend, links, inert text.

Headless Chromium from Debian's packages, driven by Playwright (no browser download).
"""

from __future__ import annotations

import os
import re
import shutil
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from provenance.ingest import ingest
from tests.dbrows import rows
from tests.helpers import EXAMPLE, HOSTILE_MARKDOWN, HOSTILE_TEXT, REPO, serving, serving_process

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


# --- review in the browser ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def review_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, Path]]:
    """``provenance serve --review --reviewer ada``: base URL, the printed sign-in URL, database."""
    folder = tmp_path_factory.mktemp("review")
    shutil.copyfile(EXAMPLE, folder / EXAMPLE.name)
    db_path = folder / "claims.db"
    ingest([folder / EXAMPLE.name], db_path)
    with serving_process(db_path, "--review", "--reviewer", "ada") as (base, printed):
        found = [line for line in printed if line.startswith("review as ada: ")]
        assert len(found) == 1, printed
        yield base, found[0].removeprefix("review as ada: "), db_path


def next_in_queue(base: str, claim_id: str) -> str:
    """The claim the queue page sends a reviewer to after ``claim_id``."""
    request = urllib.request.Request(f"{base}/-/provenance/queue?after={claim_id}")
    opener = urllib.request.build_opener(NoRedirect)
    try:
        opener.open(request)
    except urllib.error.HTTPError as answer:
        return str(answer.headers["location"]).rsplit("/", 1)[1]
    raise AssertionError("the queue page did not redirect")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def verdicts(db_path: Path) -> list[tuple[Any, ...]]:
    return rows(db_path, "select claim_id, reviewer, verdict, evidence, note from annotations")


def test_a_reviewer_signs_in_with_the_printed_link_and_reviews_by_keyboard(
    review_site: tuple[str, str, Path], page: Any
) -> None:
    base, login, db_path = review_site
    assert re.fullmatch(rf"{re.escape(base)}/-/provenance/login\?token=[\w-]{{20,}}", login)
    page.goto(login)
    page.wait_for_url(re.compile(r"/-/provenance/claims/[0-9a-f]+$"))
    first = page.url.rsplit("/", 1)[1]
    following = next_in_queue(base, first)
    assert page.locator("form.pv-review").is_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "claim-page-review.png"), full_page=True)
    before = len(verdicts(db_path))
    page.keyboard.press("c")  # contradicted, as in the terminal review
    assert page.locator('input[data-key="c"]').is_checked()
    assert page.evaluate("document.activeElement.name") == "evidence"
    page.keyboard.type("doi:10.1000/xyz123")
    page.keyboard.press("Tab")
    page.keyboard.type("The trial measured serum magnesium.")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/-/provenance/claims/{following}$"))  # on to the next claim
    assert verdicts(db_path)[before:] == [
        (first, "ada", "contradicted", '["doi:10.1000/xyz123"]',
         "The trial measured serum magnesium.")
    ]  # fmt: skip
    # The status shows at once, with no restart: on the claim page and in the table.
    page.goto(f"{base}/-/provenance/claims/{first}")
    assert "contradicted" in page.locator("h1 .pv-badge").inner_text()
    page.goto(f"{base}/{db_path.stem}/claims?id={first}")
    assert "contradicted" in page.locator("td.col-evidence_status").inner_text()
    # j and k move along the queue.
    page.goto(f"{base}/-/provenance/claims/{following}")
    with page.expect_navigation():
        page.keyboard.press("j")
    assert page.url.rsplit("/", 1)[1] not in (first, following)
    with page.expect_navigation():
        page.keyboard.press("k")
    assert page.url.endswith(f"/claims/{following}")


def test_a_reviewer_records_a_verdict_from_the_document_page(
    review_site: tuple[str, str, Path], page: Any
) -> None:
    base, login, db_path = review_site
    page.goto(login)
    document = rows(db_path, "select id from documents")[0][0]
    page.goto(f"{base}/-/provenance/documents/{document}")
    findings = page.locator(".pv-findings a[data-claim-id]")
    first = findings.nth(0).get_attribute("data-claim-id")
    second = findings.nth(1).get_attribute("data-claim-id")
    page.keyboard.press("j")  # the first finding, worst first
    assert page.locator(f"#c-{first}").get_attribute("class").endswith("pv-selected")
    page.keyboard.press("j")
    page.keyboard.press("k")
    assert page.locator(".pv-selected").get_attribute("id") == f"c-{first}"
    page.keyboard.press("s")
    page.keyboard.type("pmid:12345678")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "document-page-review.png"))
    page.keyboard.press("Control+Enter")
    page.wait_for_url(re.compile(rf"claim={second}#c-{second}$"))
    assert (first, "ada", "supported", '["pmid:12345678"]', None) in verdicts(db_path)
    assert "pv-status-supported" in page.locator(f"#c-{first}").get_attribute("class")
    assert page.locator(".pv-selected").get_attribute("id") == f"c-{second}"


def test_without_sign_in_or_the_csrf_token_a_post_is_refused(
    review_site: tuple[str, str, Path], browser: Any
) -> None:
    base, login, db_path = review_site
    claim = rows(db_path, "select id from claims order by start desc limit 1")[0][0]
    before = verdicts(db_path)
    anonymous = browser.new_context()
    try:
        page = anonymous.new_page()
        page.goto(f"{base}/-/provenance/claims/{claim}")
        assert page.locator("form.pv-review").count() == 0
        assert page.locator(".pv-review-signin a").is_visible()
        response = page.request.post(
            f"{base}/-/provenance/annotate", form={"claim": claim, "verdict": "supported"}
        )
        assert response.status == 403
    finally:
        anonymous.close()
    signed_in = browser.new_context()
    try:
        page = signed_in.new_page()
        page.goto(login)
        page.goto(f"{base}/-/provenance/claims/{claim}")
        # The browser sends its cookies, but the form's CSRF token is missing or forged.
        for form in ({"claim": claim, "verdict": "supported"},
                     {"claim": claim, "verdict": "supported", "csrftoken": "forged"}):  # fmt: skip
            assert page.request.post(f"{base}/-/provenance/annotate", form=form).status == 403
    finally:
        signed_in.close()
    assert verdicts(db_path) == before


def test_screenshots_of_the_pages_a_reviewer_lives_on(site: tuple[str, Path], page: Any) -> None:
    base, db_path = site
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(f"{base}/{db_path.stem}/claims")
    page.screenshot(path=str(ARTIFACTS / "claims-table.png"))
    # The claim text is among the first columns and the status is on screen.
    text = page.locator("th.col-text").bounding_box()
    status = page.locator("th.col-evidence_status").bounding_box()
    assert text is not None and status is not None
    assert text["x"] < 300 and status["x"] + status["width"] <= 1200
    first_row = page.locator("table.rows-and-columns tbody tr").first.bounding_box()
    assert first_row is not None and first_row["y"] < 900  # on the first screen
    # Facets in the order a reviewer narrows by: status first.
    xs = {
        name: page.locator(f"#facet-{name}").bounding_box()
        for name in ("evidence_status", "category", "certainty")
    }
    assert all(box is not None for box in xs.values())
    order = sorted(xs, key=lambda name: (xs[name]["y"], xs[name]["x"]))
    assert order == ["evidence_status", "category", "certainty"]
    # A facet's label keeps its count on the same line.
    item = page.locator("#facet-category li").first.bounding_box()
    assert item is not None and item["height"] < 30
    page.goto(f"{base}/{db_path.stem}/unsupported_statements")
    page.screenshot(path=str(ARTIFACTS / "unsupported-statements.png"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 1200
