"""Audit reports: SARIF validated against the official schema, the Markdown report snapshot.

The Markdown snapshot is ``tests/snapshots/audit_report.md``, compared exactly except for the
"Generated …" timestamp. After an intended change to the report, regenerate it with::

    PROVENANCE_UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/test_audit_reports.py

and review the diff before committing it.
"""

from __future__ import annotations

import io
import json
import os
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

from provenance.audit.formats import ReportContext, artifact_uri, markdown_escape, write_sarif
from provenance.audit.query import Finding, FindingCounts
from provenance.cli import cli
from tests.helpers import FAQ, FAQ_SPECS, GUIDE, GUIDE_SPECS, write_fixture_document

HERE = Path(__file__).parent
SARIF_SCHEMA = HERE / "vendor" / "sarif" / "sarif-schema-2.1.0.json"
SNAPSHOT = HERE / "snapshots" / "audit_report.md"
TIMESTAMP = re.compile(r" Generated \d{4}-\d\d-\d\d \d\d:\d\d UTC\.")


@pytest.fixture
def report_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder holding ./claims.db with the two fixture documents."""
    monkeypatch.chdir(tmp_path)
    write_fixture_document(Path("claims.db"), "docs/guide.md", GUIDE, GUIDE_SPECS)
    write_fixture_document(Path("claims.db"), "docs/faq.md", FAQ, FAQ_SPECS)
    return tmp_path


def run_audit(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["audit", *args])
    return result.exit_code, result.output


def sarif(*args: str) -> dict[str, Any]:
    code, output = run_audit("--format", "sarif", *args)
    assert code in (0, 1), output
    log: dict[str, Any] = json.loads(output)
    return log


def validate(log: dict[str, Any]) -> None:
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors]


# --- SARIF -----------------------------------------------------------------------------


def test_sarif_validates_against_the_official_schema(report_dir: Path) -> None:
    log = sarif()
    validate(log)
    assert log["version"] == "2.1.0"
    assert len(log["runs"][0]["results"]) == 7


@pytest.mark.parametrize(
    "args", [["--fail-on", "partially_supported"], ["--category", "causal", "--new-only"]]
)
def test_sarif_validates_with_few_or_no_results(report_dir: Path, args: list[str]) -> None:
    validate(sarif(*args))


def test_sarif_has_one_rule_per_status_category_pair(report_dir: Path) -> None:
    run = sarif()["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    pairs = {(r["evidence_status"], r["category"]) for r in _json_findings()}
    assert sorted(rule["id"] for rule in rules) == sorted(f"{s}/{c}" for s, c in pairs)
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]


def marked_text(source: str, region: dict[str, Any]) -> str:
    """The text a viewer highlights: 1-based lines and columns, end column exclusive."""
    lines = source.splitlines(keepends=True)
    first, last = int(region["startLine"]) - 1, int(region["endLine"]) - 1
    start, end = int(region["startColumn"]) - 1, int(region["endColumn"]) - 1
    if first == last:
        return lines[first][start:end]
    return lines[first][start:] + "".join(lines[first + 1 : last]) + lines[last][:end]


def test_sarif_regions_mark_the_sentence_in_the_source_file(report_dir: Path) -> None:
    results = sarif("--document", "docs/faq.md")["runs"][0]["results"]
    for result in results:
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uri"] == "docs/faq.md"
        region = location["region"]
        assert marked_text(FAQ, region) == region["snippet"]["text"]
    assert {r["locations"][0]["physicalLocation"]["region"]["endLine"] for r in results} == {1, 2}


def test_sarif_regions_of_an_ingested_markdown_file_match_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    source = (
        "# Magnesium\n\n"
        "Magnesium blocks the NMDA receptor and lowers\n"
        "glutamate release. It **cures** migraines in adults.\n\n"
        "- Zinc improves sleep quality in older adults.\n"
    )
    Path("page.md").write_text(source, encoding="utf-8")
    log = sarif("page.md")
    validate(log)
    results = log["runs"][0]["results"]
    assert len(results) >= 3
    for result in results:
        region = result["locations"][0]["physicalLocation"]["region"]
        assert marked_text(source, region) == region["snippet"]["text"]
        assert source[region["charOffset"] :][: region["charLength"]] == region["snippet"]["text"]
    assert any(r["locations"][0]["physicalLocation"]["region"]["endLine"] == 4 for r in results)


def test_artifact_uris_are_uri_references() -> None:
    assert artifact_uri("docs/a b.md") == "docs/a%20b.md"
    assert artifact_uri("/srv/docs/a.md") == "file:///srv/docs/a.md"
    assert artifact_uri("https://example.org/page") == "https://example.org/page"


def test_sarif_says_when_positions_refer_to_extracted_html_text() -> None:
    finding = Finding(
        id="c1", document="page.html", document_id="d1", version=1, first_version=1,
        section=None, line=2, column=3, end_line=2, end_column=10, start=9, end=16,
        category="efficacy", certainty="asserted", attribution="none",
        evidence_status="unsupported", claim_key="k1", repeats=1, priority=80, text="Zinc wins",
    )  # fmt: skip
    counts = FindingCounts.empty()
    counts.add("page.html", "unsupported", "efficacy")
    for html_sources, expected in (({"page.html"}, "extracted-text"), (set(), None)):
        out = io.StringIO()
        write_sarif([finding], out, ReportContext(audited="x"), counts, html_sources)
        log = json.loads(out.getvalue())
        validate(log)
        assert log["runs"][0]["results"][0]["properties"].get("positions") == expected


def _json_findings() -> list[dict[str, Any]]:
    code, output = run_audit("--format", "json")
    assert code == 1
    found: list[dict[str, Any]] = json.loads(output)
    return found


# --- Markdown --------------------------------------------------------------------------


def test_markdown_report_matches_the_snapshot(report_dir: Path) -> None:
    code, output = run_audit("--format", "markdown")
    assert code == 1
    assert TIMESTAMP.search(output)
    report = TIMESTAMP.sub("", output)
    if os.environ.get("PROVENANCE_UPDATE_SNAPSHOTS"):
        SNAPSHOT.write_text(report, encoding="utf-8")
    assert report == SNAPSHOT.read_text(encoding="utf-8")


def test_markdown_report_without_findings(report_dir: Path) -> None:
    code, output = run_audit("--format", "markdown", "--fail-on", "partially_supported")
    assert code == 0
    assert "**No findings.**" in output
    assert "## Summary" not in output


def test_document_text_cannot_inject_markdown() -> None:
    escaped = markdown_escape("Take *two* <script>x</script> [link](u) | pipe\n# heading")
    assert escaped == (r"Take \*two\* \<script\>x\</script\> \[link\](u) \| pipe \# heading")
