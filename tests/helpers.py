"""Helpers shared by test modules (no test module imports another)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import sqlite_utils
from click.testing import CliRunner

from provenance.cli import cli
from provenance.extract.positions import LineIndex
from provenance.ids import claim_id, claim_key, document_id, normalise_text
from provenance.models import (
    Attribution,
    Category,
    Certainty,
    Claim,
    Document,
    DocumentFormat,
    EvidenceStatus,
    Run,
)
from provenance.review.log import make_annotation, record_annotations
from provenance.store.connection import open_database
from provenance.store.writes import DocumentWrite, write_document, write_run

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "corpus" / "magnesium-glutamate.txt"
DATA = REPO / "data"


@dataclass(frozen=True)
class Spec:
    """A statement of a fixture document, with the classification the test wants it to have."""

    text: str
    category: str = "efficacy"
    certainty: str = "asserted"
    status: str = "unsupported"
    section: str | None = None


def write_fixture_document(db_path: Path, source: str, text: str, specs: list[Spec]) -> None:
    """Write one document (version 1) with exactly these claims, bypassing extraction.

    Each spec's text is found in ``text`` in order (a repeated statement is found again after
    the previous occurrence), so offsets, lines and columns are real.
    """
    db = open_database(db_path)
    doc_id = document_id(source, 1)
    run = Run(
        id="fixture" + doc_id[:5],
        started_at="2026-01-01T00:00:00Z",
        tool_version="test",
        ruleset_version="test",
    )
    lines = LineIndex(text)
    occurrences: Counter[str] = Counter()
    claims = []
    cursor = 0
    for paragraph, spec in enumerate(specs):
        start = text.index(spec.text, cursor)
        cursor = start + len(spec.text)
        normalised = normalise_text(spec.text)
        occurrences[normalised] += 1
        line, column = lines.line_column(start)
        claims.append(
            Claim(
                id=claim_id(source, normalised, occurrences[normalised]),
                claim_key=claim_key(normalised),
                document=source,
                document_id=doc_id,
                version=1,
                section=spec.section,
                paragraph=paragraph,
                start=start,
                end=cursor,
                line=line,
                column=column,
                text=spec.text,
                category=Category(spec.category),
                certainty=Certainty(spec.certainty),
                attribution=Attribution.cited if spec.status == "cited" else Attribution.none,
                evidence_status=EvidenceStatus(spec.status),
            )
        )
    document = Document(
        id=doc_id,
        source=source,
        name=Path(source).stem,
        format=DocumentFormat.markdown,
        sha256="0" * 64,
        size=len(text.encode()),
        text=text,
        version=1,
        ingested_at="2026-01-01T00:00:00Z",
        run_id=run.id,
    )
    try:
        with db.atomic():
            write_run(db, run)
            write_document(db, DocumentWrite(document=document, claims=claims))
    finally:
        db.close()


GUIDE = """# Magnesium guide

Magnesium cures migraines in most adults. Zinc may help some people sleep.

## Safety

Experts say high doses are safe. Magnesium cures migraines in most adults.
Take 400 mg a day with food. Magnesium is *the* <b>best</b> mineral.

## Sources

Vitamin D lowers blood pressure [1].
"""


GUIDE_SPECS = [
    Spec("Magnesium cures migraines in most adults.", section="Magnesium guide"),
    Spec("Zinc may help some people sleep.", certainty="hedged", section="Magnesium guide"),
    Spec("Experts say high doses are safe.", "evaluative", status="attributed", section="Safety"),
    Spec("Magnesium cures migraines in most adults.", section="Safety"),
    Spec("Take 400 mg a day with food.", "recommendation", status="contradicted", section="Safety"),
    Spec(
        "Magnesium is *the* <b>best</b> mineral.",
        "evaluative",
        status="supported",
        section="Safety",
    ),
    Spec("Vitamin D lowers blood pressure [1].", "causal", status="cited", section="Sources"),
]


FAQ = """Glutamate is an amino acid. Excess glutamate
can damage neurons.
"""


FAQ_SPECS = [
    Spec("Glutamate is an amino acid.", "definition", status="unverifiable"),
    Spec("Excess glutamate\ncan damage neurons.", "causal", certainty="hedged"),
]


def claim_ids(db_path: Path) -> list[str]:
    db = sqlite_utils.Database(db_path)
    try:
        return [row[0] for row in db.execute("select id from claims order by document, start")]
    finally:
        db.close()


def annotate(
    db_path: Path,
    claim_id: str,
    reviewer: str,
    verdict: str,
    *,
    created_at: str,
    evidence: list[str] | None = None,
    note: str | None = None,
) -> str:
    """A reviewer's verdict, recorded through the annotation log like the annotate command."""
    annotation = make_annotation(claim_id, reviewer, verdict, evidence or (), note, created_at)
    db = open_database(db_path)
    try:
        record_annotations(db, [annotation])
    finally:
        db.close()
    return annotation.id


def export_json(db_path: Path, *args: str) -> Any:
    return json.loads(run_export(db_path, *args))


HOSTILE_TEXT = """\
<script>alert(1)</script> Safety first
Magnesium cures everything <script>alert(1)</script> according to nobody.
A claim with "><img src=x onerror=alert(1)> inside it is still a claim.
See javascript:alert(1) for details, or <a href="javascript:alert(1)">this link</a>.
"""


HOSTILE_MARKDOWN = """\
# Heading <script>alert(1)</script>

Magnesium lowers glutamate, see [the proof](javascript:alert(1)) and "><img src=x onerror=alert(1)>.

## <img src=x onerror=alert(1)>

Experts say this is true [1].

## References

1. A paper. javascript:alert(1) https://example.org/"><script>alert(1)</script>
"""


@contextmanager
def serving_process(db_path: Path, *extra: str) -> Iterator[tuple[str, list[str]]]:
    """A real ``provenance serve`` on a free loopback port: its base URL, and the lines it
    printed before it started listening (the review sign-in links among them)."""
    port = free_port()
    process = subprocess.Popen(
        [str(PROVENANCE), "serve", "--db", str(db_path), "--port", str(port), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    printed: list[str] = []
    try:
        assert process.stdout is not None
        while "review" in " ".join(extra) and not any("review" in line for line in printed):
            line = process.stdout.readline()
            if not line:
                break
            printed.append(line.rstrip("\n"))
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                output = "\n".join(printed) + process.stdout.read()
                raise AssertionError(f"provenance serve exited: {output}")
            try:
                with urllib.request.urlopen(f"{base}/-/versions.json", timeout=5):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        # Keep reading what it prints (the access log), so that a full pipe never blocks it.
        threading.Thread(target=process.stdout.read, daemon=True).start()
        yield base, printed
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout:
            process.stdout.close()


@contextmanager
def serving(db_path: Path, *extra: str) -> Iterator[str]:
    """A real ``provenance serve`` on a free loopback port; yields its base URL."""
    with serving_process(db_path, *extra) as (base, _):
        yield base


def run_export(db_path: Path, *args: str) -> str:
    result = CliRunner().invoke(cli, ["export", "--db", str(db_path), *args])
    assert result.exit_code == 0, result.output
    return result.stdout


PROVENANCE = Path(sys.executable).with_name("provenance")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --- a real HTTP server on 127.0.0.1 for the web-address tests --------------------------------
# Routes are set per test: ``server.route(path, body, content_type=..., status=..., headers=...)``,
# ``server.redirect(path, to, status=302)``; ``/slow`` waits ``slow_seconds`` before answering;
# ``/endless`` streams without end (no Content-Length); every request's path and User-Agent
# are recorded in ``server.requests``.


@dataclass
class Route:
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


class LocalServer:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, str]] = []
        self.slow_seconds = 5.0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:  # quiet
                return

            def do_GET(self) -> None:
                server.requests.append((self.path, self.headers.get("User-Agent", "")))
                if self.path == "/slow":
                    time.sleep(server.slow_seconds)
                if self.path == "/endless":
                    self.send_response(200)
                    self.send_header("Content-Type", "text/html")
                    self.end_headers()
                    try:
                        while True:
                            self.wfile.write(b"<p>more</p>" * 1000)
                    except (BrokenPipeError, ConnectionResetError):
                        return
                route = server.routes.get(self.path)
                if route is None:
                    route = Route(b"<h1>Not found</h1>", status=404)
                self.send_response(route.status)
                self.send_header("Content-Type", route.content_type)
                self.send_header("Content-Length", str(len(route.body)))
                for name, value in route.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                try:
                    self.wfile.write(route.body)
                except (BrokenPipeError, ConnectionResetError):
                    return

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return self.base + path

    def route(
        self,
        path: str,
        body: bytes | str,
        content_type: str = "text/html; charset=utf-8",
        status: int = 200,
        headers: dict[str, str] | None = None,
    ) -> None:
        data = body.encode() if isinstance(body, str) else body
        self.routes[path] = Route(data, content_type, status, headers or {})

    def redirect(self, path: str, to: str, status: int = 302) -> None:
        self.routes[path] = Route(b"", status=status, headers={"Location": to})

    def __enter__(self) -> LocalServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
