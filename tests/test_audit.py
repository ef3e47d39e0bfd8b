"""provenance audit: which claims fail, in what order, the exit status, files audited directly."""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from provenance.audit import query as audit_module
from provenance.audit.formats import write_json_findings
from provenance.audit.query import (
    DEFAULT_FAIL_ON,
    FINDING_FIELDS,
    AuditQuery,
    iter_finding_json,
    iter_findings,
    priority_score,
)
from provenance.cli import cli
from provenance.errors import ProvenanceError
from provenance.extract.blocks import trimmed_span
from provenance.extract.positions import LineIndex
from provenance.extract.read import FORMATS_BY_SUFFIX
from provenance.ingest import ingest
from provenance.models import (
    Attribution,
    Category,
    EvidenceStatus,
)
from provenance.store.connection import open_database
from provenance.store.writes import end_position
from tests.helpers import FAQ, FAQ_SPECS, GUIDE, GUIDE_SPECS, REPO, write_fixture_document


@pytest.fixture
def fixture_db(db_path: Path) -> Path:
    """Two documents whose claims, categories and statuses the tests control."""
    write_fixture_document(db_path, "docs/guide.md", GUIDE, GUIDE_SPECS)
    write_fixture_document(db_path, "docs/faq.md", FAQ, FAQ_SPECS)
    return db_path


def findings(db_path: Path, query: AuditQuery | None = None) -> list[dict[str, Any]]:
    db = open_database(db_path, create=False)
    try:
        return [f.as_dict() for f in iter_findings(db, query or AuditQuery())]
    finally:
        db.close()


def audit(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["audit", *args])
    return result.exit_code, result.output


# --- which claims, in which order ------------------------------------------------------


def test_default_findings_are_failing_statuses_grouped_by_document_worst_first(
    fixture_db: Path,
) -> None:
    found = [(f["document"], f["text"], f["priority"]) for f in findings(fixture_db)]
    assert found == [
        ("docs/faq.md", "Excess glutamate\ncan damage neurons.", 45 + 0 + 10),
        ("docs/faq.md", "Glutamate is an amino acid.", 10 + 20 + 10),
        ("docs/guide.md", "Magnesium cures migraines in most adults.", 50 + 20 + 10 + 5),
        ("docs/guide.md", "Magnesium cures migraines in most adults.", 50 + 20 + 10 + 5),
        ("docs/guide.md", "Take 400 mg a day with food.", 30 + 20 + 25),
        ("docs/guide.md", "Zinc may help some people sleep.", 50 + 0 + 10),
        ("docs/guide.md", "Experts say high doses are safe.", 10 + 20 + 5),
    ]


def test_priority_in_sql_matches_the_documented_score(fixture_db: Path) -> None:
    for finding in findings(fixture_db):
        assert finding["priority"] == priority_score(
            finding["category"],
            finding["certainty"],
            finding["evidence_status"],
            finding["repeats"],
            finding["attribution"],
        )


@given(
    category=st.sampled_from(list(Category)),
    status=st.sampled_from(list(EvidenceStatus)),
    attribution=st.sampled_from(list(Attribution)),
    repeats=st.integers(min_value=1, max_value=50),
)
def test_priority_orders_as_documented(
    category: Category, status: EvidenceStatus, attribution: Attribution, repeats: int
) -> None:
    def score(category: str, certainty: str, repeats: int, source: str = attribution) -> int:
        return priority_score(category, certainty, status.value, repeats, source)

    asserted = score(category.value, "asserted", repeats)
    hedged = score(category.value, "hedged", repeats)
    assert asserted > hedged
    assert score(category.value, "asserted", repeats + 1) >= asserted
    # An appeal to unnamed sources weighs like no source; a named one or a citation less.
    assert score(category.value, "asserted", repeats, "vague") == (
        score(category.value, "asserted", repeats, "none") + 5
    )
    assert score(category.value, "asserted", repeats, "named") == (
        score(category.value, "asserted", repeats, "cited")
    )
    for health in ("efficacy", "causal"):
        if category.value not in ("efficacy", "causal"):
            assert score(health, "hedged", 1) > score(category.value, "hedged", 1)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (AuditQuery(fail_on=("contradicted",)), ["Take 400 mg a day with food."]),
        (AuditQuery(categories=("causal",)), ["Excess glutamate\ncan damage neurons."]),
        (
            AuditQuery(certainties=("hedged",)),
            ["Excess glutamate\ncan damage neurons.", "Zinc may help some people sleep."],
        ),
        (
            AuditQuery(documents=("faq",)),
            ["Excess glutamate\ncan damage neurons.", "Glutamate is an amino acid."],
        ),
        (AuditQuery(fail_on=("cited",)), ["Vitamin D lowers blood pressure [1]."]),
    ],
)
def test_filters_narrow_the_findings(
    fixture_db: Path, query: AuditQuery, expected: list[str]
) -> None:
    assert [f["text"] for f in findings(fixture_db, query)] == expected


def test_new_only_and_since_cannot_be_combined() -> None:
    with pytest.raises(ProvenanceError):
        AuditQuery(new_only=True, since=1)


def test_json_fast_path_equals_the_findings(fixture_db: Path) -> None:
    db = open_database(fixture_db, create=False)
    try:
        from_sqlite = [json.loads(text) for text in iter_finding_json(db, AuditQuery())]
    finally:
        db.close()
    assert from_sqlite == findings(fixture_db)
    assert list(from_sqlite[0]) == list(FINDING_FIELDS)


def _json_array(db_path: Path, query: AuditQuery, out_path: Path, workers: int) -> int | None:
    db = open_database(db_path, create=False)
    try:
        with out_path.open("w", encoding="utf-8") as out:
            return audit_module.write_json_in_workers(db, query, out, workers)
    finally:
        db.close()


@pytest.mark.parametrize("chunk_claims", [1, 2, 3, 100])
@pytest.mark.parametrize(
    "query",
    [
        AuditQuery(),
        AuditQuery(fail_on=("contradicted",)),
        AuditQuery(categories=("causal",)),
        AuditQuery(fail_on=("supported",)),
    ],
)
def test_json_from_worker_processes_is_the_same_bytes(
    fixture_db: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    chunk_claims: int,
    query: AuditQuery,
) -> None:
    # Small chunks: several per worker, documents bigger than a chunk (streamed in batches
    # of two), chunks without findings and audits without any.
    monkeypatch.setattr(audit_module, "CHUNK_CLAIMS", chunk_claims)
    monkeypatch.setattr(audit_module, "STREAM_BATCH", 2)
    monkeypatch.setattr(audit_module, "WORKERS_FROM_CLAIMS", 0)
    db = open_database(fixture_db, create=False)
    try:
        expected = io.StringIO()
        count = write_json_findings(((1, text) for text in iter_finding_json(db, query)), expected)
    finally:
        db.close()
    for workers in (1, 2, 3):
        out_path = tmp_path / f"audit-{workers}.json"
        assert _json_array(fixture_db, query, out_path, workers) == count
        assert out_path.read_text(encoding="utf-8") == expected.getvalue()


def test_json_command_output_through_a_pipe_is_what_the_runner_sees(fixture_db: Path) -> None:
    # The runner has no file descriptor, so it takes the one-process path.
    _, from_runner = audit("--db", str(fixture_db), "--format", "json")
    command = [str(Path(sys.executable).parent / "provenance"), "audit", "--db", str(fixture_db)]
    piped = subprocess.run(
        [*command, "--format", "json"], capture_output=True, text=True, check=False
    )
    assert piped.returncode == 1
    assert piped.stdout == from_runner
    assert len(json.loads(piped.stdout)) == len(findings(fixture_db))


def test_a_json_worker_error_is_raised(fixture_db: Path, tmp_path: Path) -> None:
    db = open_database(fixture_db, create=False)
    try:
        with (tmp_path / "out.json").open("w") as out, pytest.MonkeyPatch.context() as patch:
            broken = "select no_such_column from claims"
            patch.setattr(audit_module, "repeated_sql", lambda scope="": broken)
            patch.setattr(audit_module, "WORKERS_FROM_CLAIMS", 0)
            with pytest.raises(sqlite3.OperationalError, match="no_such_column"):
                audit_module.write_json_in_workers(db, AuditQuery(), out, 2)
    finally:
        db.close()


def test_end_positions_match_the_document_text(fixture_db: Path) -> None:
    db = open_database(fixture_db, create=False)
    try:
        texts = dict(db.execute("select source, text from documents").fetchall())
    finally:
        db.close()
    checked = 0
    for finding in findings(fixture_db, AuditQuery(fail_on=tuple(s.value for s in EvidenceStatus))):
        index = LineIndex(texts[finding["document"]])
        assert (finding["line"], finding["column"]) == index.line_column(finding["start"])
        assert (finding["end_line"], finding["end_column"]) == index.line_column(finding["end"])
        checked += 1
    assert checked == len(GUIDE_SPECS) + len(FAQ_SPECS)


@settings(max_examples=300)
@given(
    text=st.text(alphabet=st.sampled_from("ab é\r\n\t.🙂"), max_size=40),
    data=st.data(),
)
def test_end_position_matches_line_index(text: str, data: st.DataObject) -> None:
    start, end = trimmed_span(
        text, data.draw(st.integers(0, len(text))), data.draw(st.integers(0, len(text)))
    )
    if start >= end:
        return
    claim = text[start:end]
    index = LineIndex(text)
    line, column = index.line_column(start)
    assert end_position(line, column, claim) == index.line_column(end)


# --- versions: only new claims ---------------------------------------------------------


def test_new_only_and_since_across_two_versions(db_path: Path, tmp_path: Path) -> None:
    page = tmp_path / "page.txt"
    page.write_text(
        "Magnesium lowers glutamate in the brain. Zinc supports the immune system.\n",
        encoding="utf-8",
    )
    ingest([page], db_path)
    page.write_text(
        "Magnesium lowers glutamate in the brain. Zinc supports the immune system."
        " Magnesium cures anxiety within a week.\n",
        encoding="utf-8",
    )
    ingest([page], db_path)
    every = [f["text"] for f in findings(db_path)]
    assert len(every) == 3
    new = ["Magnesium cures anxiety within a week."]
    assert [f["text"] for f in findings(db_path, AuditQuery(new_only=True))] == new
    assert [f["text"] for f in findings(db_path, AuditQuery(since=1))] == new
    assert sorted(f["text"] for f in findings(db_path, AuditQuery(since=0))) == sorted(every)
    assert findings(db_path, AuditQuery(since=2)) == []

    code, output = audit("--db", str(db_path), "--new-only", "--format", "json")
    assert code == 1
    assert [f["text"] for f in json.loads(output)] == new


# --- the command: formats and exit status ----------------------------------------------


def test_text_format_is_linter_style_with_a_summary_table(fixture_db: Path) -> None:
    code, output = audit("--db", str(fixture_db))
    assert code == 1
    lines = output.splitlines()
    assert lines[:3] == [
        "docs/faq.md:1:29: unsupported causal: Excess glutamate can damage neurons.",
        "docs/faq.md:1:1: unverifiable definition: Glutamate is an amino acid.",
        "docs/guide.md:3:1: unsupported efficacy: Magnesium cures migraines in most adults.",
    ]
    assert lines[7:] == [
        "",
        "document       attributed  unsupported  contradicted  unverifiable  total",
        "docs/faq.md             0            1             0             1      2",
        "docs/guide.md           1            3             1             0      5",
        "total                   1            4             1             1      7",
        "",
        "7 findings in 2 documents (at most 0 allowed).",
    ]


def test_csv_has_a_header_and_one_row_per_finding(fixture_db: Path) -> None:
    code, output = audit("--db", str(fixture_db), "--format", "csv")
    assert code == 1
    rows = list(csv.DictReader(io.StringIO(output)))
    assert [row["text"] for row in rows] == [f["text"] for f in findings(fixture_db)]
    assert list(rows[0]) == list(FINDING_FIELDS)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([], 1),
        (["--max", "6"], 1),
        (["--max", "7"], 0),
        (["--fail-on", "supported"], 1),
        (["--fail-on", "partially_supported"], 0),
        (["--category", "personal"], 0),
        (["--format", "sarif", "--max", "100"], 0),
        (["--format", "xml"], 2),
        (["--fail-on", "wrong"], 2),
        (["--max", "-1"], 2),
        (["--new-only", "--since", "1"], 2),
        (["--no-such-option"], 2),
    ],
)
def test_exit_status(fixture_db: Path, args: list[str], expected: int) -> None:
    code, output = audit("--db", str(fixture_db), *args)
    assert code == expected, output


def test_errors_exit_2_never_1(tmp_path: Path, fixture_db: Path) -> None:
    code, output = audit("--db", str(tmp_path / "missing.db"))
    assert code == 2
    assert "no such database" in output
    not_sqlite = tmp_path / "notes.db"
    not_sqlite.write_text("not a database", encoding="utf-8")
    code, output = audit("--db", str(not_sqlite))
    assert code == 2
    assert "not an SQLite database" in output
    code, output = audit("--db", str(fixture_db), str(tmp_path / "missing.md"))
    assert code == 2
    code, output = audit(str(tmp_path / "missing.md"))
    assert code == 2
    assert "no such file" in output


def test_no_findings_exits_0_and_says_so(fixture_db: Path) -> None:
    code, output = audit("--db", str(fixture_db), "--fail-on", "partially_supported")
    assert (code, output) == (0, "No findings (partially_supported fail).\n")
    code, output = audit("--db", str(fixture_db), "--category", "meta", "--format", "json")
    assert (code, json.loads(output)) == (0, [])


# --- files audited directly, and the example article -----------------------------------


def test_audit_files_directly_without_a_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("notes.md").write_text(
        "Zinc is a mineral.\n\nMagnesium cures migraines in every adult.\n", encoding="utf-8"
    )
    code, output = audit("notes.md", "--format", "json")
    assert code == 1
    found = json.loads(output)
    assert sorted((f["document"], f["line"], f["column"], f["text"]) for f in found) == [
        ("notes.md", 1, 1, "Zinc is a mineral."),
        ("notes.md", 3, 1, "Magnesium cures migraines in every adult."),
    ]
    assert not Path("claims.db").exists()


def test_auditing_the_example_article_lists_every_statement(ingested_db: Path) -> None:
    code, output = audit("--db", str(ingested_db), "--format", "json")
    assert code == 1
    found = json.loads(output)
    db = open_database(ingested_db, create=False)
    try:
        claim_ids = {row[0] for row in db.execute("select id from claims where is_current = 1")}
    finally:
        db.close()
    assert len(claim_ids) > 50
    assert {f["id"] for f in found} == claim_ids
    assert {f["evidence_status"] for f in found} <= set(DEFAULT_FAIL_ON)
    ranks = [(f["document"], -f["priority"], f["start"]) for f in found]
    assert ranks == sorted(ranks)


def test_pre_commit_hook_runs_audit_on_every_supported_file_type() -> None:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    (hook,) = hooks
    assert hook["id"] == "provenance-audit"
    assert hook["entry"] == "provenance audit"
    assert hook["language"] == "python"
    files = re.compile(hook["files"])
    for suffix in FORMATS_BY_SUFFIX:
        assert files.search(f"docs/page{suffix}"), suffix
    assert not files.search("provenance/cli.py")


def test_a_commit_during_a_parallel_audit_is_reported(fixture_db: Path, tmp_path: Path) -> None:
    # Workers read in separate transactions: a change in between must not pass silently.
    chunks = audit_module._chunks

    def chunks_then_a_commit(conn: sqlite3.Connection) -> object:
        planned = chunks(conn)
        with sqlite3.connect(fixture_db) as other:
            other.execute("update claims set section = 'moved' where rowid = 1")
        return planned

    db = open_database(fixture_db, create=False)
    try:
        with (tmp_path / "out.json").open("w") as out, pytest.MonkeyPatch.context() as patch:
            patch.setattr(audit_module, "_chunks", chunks_then_a_commit)
            patch.setattr(audit_module, "WORKERS_FROM_CLAIMS", 0)
            with pytest.raises(ProvenanceError, match="changed while it was audited"):
                audit_module.write_json_in_workers(db, AuditQuery(), out, 2)
    finally:
        db.close()


def test_findings_stream_in_index_order_without_sorting_every_claim(ingested_db: Path) -> None:
    """An index added for another purpose once made the planner sort every claim here."""
    sql, params = audit_module.findings_sql(AuditQuery(), audit_module._JSON_OBJECT)
    conn = sqlite3.connect(ingested_db)
    plan = [row[3] for row in conn.execute(f"explain query plan {sql}", params)]
    conn.close()
    assert "USE TEMP B-TREE FOR ORDER BY" not in plan, plan
    assert any("idx_claims_is_current_document_start" in step for step in plan), plan
    # Repeats are counted from the covering index alone, without reading rows.
    assert any("COVERING INDEX idx_claims_claim_key_is_current" in step for step in plan), plan
