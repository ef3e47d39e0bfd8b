"""Web addresses, against a real HTTP server on 127.0.0.1: fetch, record, re-ingest, refuse."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from provenance.cli import cli
from provenance.errors import ProvenanceError
from provenance.extract.fetch import USER_AGENT, FetchLimits
from provenance.ingest import ingest
from tests.helpers import DATA, LocalServer

ARTICLE = """<!doctype html><html><head><title>Zinc and colds</title>
<link rel="canonical" href="/articles/zinc"></head><body>
<nav><a href="/">Home</a> Subscribe to our newsletter today.</nav>
<main><h1>Zinc and colds</h1>
<p>Zinc lozenges shortened colds by a third in a 2017 meta-analysis. Experts say more trials are
needed.</p></main><footer>Copyright 2026. All rights reserved.</footer></body></html>"""


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with LocalServer() as running:
        yield running


def run(args: list[str]) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, args)
    return result.exit_code, result.stdout, result.stderr.strip()


def query(db_path: Path, sql: str) -> list[Any]:
    with sqlite3.connect(db_path) as conn:
        return conn.execute(sql).fetchall()


def test_a_page_is_fetched_read_as_html_and_its_fetch_recorded(
    server: LocalServer, db_path: Path
) -> None:
    server.route(
        "/zinc",
        ARTICLE,
        headers={"ETag": '"v1"', "Last-Modified": "Mon, 07 Dec 2026 10:00:00 GMT"},
    )
    server.redirect("/old-zinc", "/zinc", 301)
    url = server.url("/old-zinc")
    code, out, err = run(["ingest", url, "--db", str(db_path)])
    assert code == 0, err
    assert f"{url}: new, version 1, 2 claims" in out
    (document,) = query(
        db_path, "select id, source, name, format, sha256, size, text from documents"
    )
    _, source, name, fmt, sha, size, text = document
    assert (source, name, fmt) == (url, "zinc", "html")
    body = ARTICLE.encode()
    assert (sha, size) == (hashlib.sha256(body).hexdigest(), len(body))
    # The same HTML parser as files: navigation and footer are not text.
    assert "newsletter" not in text and "Copyright" not in text
    (row,) = query(
        db_path,
        "select url, final_url, redirects, canonical_url, content_type, etag, last_modified,"
        " fetched_at, encoding from document_sources",
    )
    assert row[:7] == (
        url,
        server.url("/zinc"),
        json.dumps([url]),
        server.url("/articles/zinc"),
        "text/html",
        '"v1"',
        "Mon, 07 Dec 2026 10:00:00 GMT",
    )
    assert row[7].endswith("Z") and row[8] == "utf-8"
    assert {agent for _, agent in server.requests} == {USER_AGENT}
    assert USER_AGENT.startswith("provenance/")
    claims = query(db_path, "select document, text from claims")
    assert {document for document, _ in claims} == {url}


def test_re_ingest_is_a_no_op_unless_the_page_changed(server: LocalServer, db_path: Path) -> None:
    server.route("/zinc", ARTICLE)
    url = server.url("/zinc")
    assert run(["ingest", url, "--db", str(db_path)])[0] == 0
    code, out, _ = run(["ingest", url, "--db", str(db_path)])
    assert code == 0 and f"{url}: unchanged (version 1)" in out
    server.route("/zinc", ARTICLE.replace("by a third", "by 33%"))
    code, out, _ = run(["ingest", url, "--db", str(db_path)])
    assert code == 0 and f"{url}: updated, version 2" in out
    assert query(db_path, "select version from documents order by version") == [(1,), (2,)]
    assert len(query(db_path, "select * from document_sources")) == 2


def test_pdf_and_docx_addresses_go_through_their_readers(
    server: LocalServer, db_path: Path
) -> None:
    pdf = DATA / "pdf" / "plos_pmed.0020007_mental_exercise_dementia.pdf"
    docx = DATA / "docx" / "press_release.docx"
    server.route("/paper", pdf.read_bytes(), content_type="application/pdf")
    server.route(
        "/release",
        docx.read_bytes(),
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    code, _, err = run(
        ["ingest", server.url("/paper"), server.url("/release"), "--db", str(db_path)]
    )
    assert code == 0, err
    formats = dict(query(db_path, "select source, format from documents"))
    assert formats == {server.url("/paper"): "pdf", server.url("/release"): "docx"}
    pages = query(db_path, "select distinct page from claims where document like '%/paper'")
    assert sorted(page for (page,) in pages) == [1, 2, 3]


def test_many_addresses_from_a_file(server: LocalServer, db_path: Path, tmp_path: Path) -> None:
    server.route("/a", "<p>Iron carries oxygen in the blood.</p>")
    server.route("/b", "Vitamin C does not prevent colds.", content_type="text/plain")
    listing = tmp_path / "urls.txt"
    listing.write_text(
        f"# sources for the March issue\n{server.url('/a')}\n\n{server.url('/b')}\n",
        encoding="utf-8",
    )
    code, out, err = run(["ingest", "--from-file", str(listing), "--db", str(db_path)])
    assert code == 0, err
    assert "2 document(s): 2 new" in out
    assert query(db_path, "select source, format from documents order by source") == [
        (server.url("/a"), "html"),
        (server.url("/b"), "text"),
    ]
    code, _, err = run(["ingest", "--db", str(db_path)])
    assert code == 2 and "give at least one path or address" in err


def test_a_declared_charset_decodes_and_is_recorded(server: LocalServer, db_path: Path) -> None:
    text = "“Zinc works,” says Dr Müller."
    server.route("/w", text.encode("windows-1252"), content_type="text/plain; charset=windows-1252")
    assert run(["ingest", server.url("/w"), "--db", str(db_path)])[0] == 0
    assert query(db_path, "select text from documents") == [(text,)]
    assert query(db_path, "select encoding from document_sources") == [("windows-1252",)]


def test_exports_name_the_address_as_the_claims_source(server: LocalServer, db_path: Path) -> None:
    server.route("/zinc", ARTICLE)
    url = server.url("/zinc")
    assert run(["ingest", url, "--db", str(db_path)])[0] == 0
    code, out, _ = run(["export", "--format", "webannotation", "--db", str(db_path)])
    assert code == 0
    annotations = json.loads(out)
    assert annotations and all(a["target"]["source"] == url for a in annotations)
    code, out, _ = run(["export", "--format", "jsonl", "--db", str(db_path)])
    assert {json.loads(line)["document"] for line in out.splitlines()} == {url}


BAD: dict[str, tuple[Callable[[LocalServer], str], str]] = {
    "404": (lambda s: s.url("/missing"), "HTTP 404 Not Found"),
    "wrong content type": (lambda s: s.url("/image"), "unsupported content type 'image/png'"),
    "redirect loop": (lambda s: s.url("/loop"), "more than 10 redirects"),
    "refused connection": (lambda s: "http://127.0.0.1:9/nothing", "cannot fetch"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_addresses_are_one_line_errors_and_change_nothing(
    case: str, server: LocalServer, ingested_db: Path
) -> None:
    server.route("/image", b"\x89PNG\r\n", content_type="image/png")
    server.redirect("/loop", "/loop")
    server.route("/zinc", ARTICLE)
    make, needle = BAD[case]
    before = hashlib.sha256(ingested_db.read_bytes()).hexdigest()
    code, _, err = run(["ingest", server.url("/zinc"), make(server), "--db", str(ingested_db)])
    assert code == 1
    assert len(err.splitlines()) == 1 and needle in err, err
    assert hashlib.sha256(ingested_db.read_bytes()).hexdigest() == before


def test_timeouts_and_size_limits(server: LocalServer, db_path: Path) -> None:
    server.slow_seconds = 3
    server.route("/big", b"<p>" + b"x" * 5000 + b"</p>")
    limits = FetchLimits(timeout=0.5, max_bytes=4000, total_seconds=2)
    with pytest.raises(ProvenanceError, match=r"/slow: timed out after 0.5 s"):
        ingest([server.url("/slow")], db_path, limits=limits)
    with pytest.raises(
        ProvenanceError, match=r"/big: too large \(5,007 bytes; the limit is 4,000\)"
    ):
        ingest([server.url("/big")], db_path, limits=limits)
    # No Content-Length: the body is cut off as soon as it passes the limit.
    with pytest.raises(ProvenanceError, match=r"/endless: too large \(over 4,000 bytes\)"):
        ingest([server.url("/endless")], db_path, limits=limits)
    assert not db_path.exists()
