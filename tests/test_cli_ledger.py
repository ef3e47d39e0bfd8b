"""The ledger from the command line: ingest, claims, show, stats, schema."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from provenance.cli import cli
from provenance.models import Claim

CLAIM_JSON_FIELDS = [
    "id",
    "claim_key",
    "document",
    "document_id",
    "version",
    "section",
    "paragraph",
    "start",
    "end",
    "line",
    "column",
    "text",
    "category",
    "category_cues",
    "certainty",
    "hedge_cues",
    "attribution",
    "attribution_cues",
    "citations",
    "evidence_status",
    "page",
]


def invoke(args: list[str], exit_code: int = 0) -> str:
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == exit_code, result.output
    return result.stdout


def claims_json(db_path: Path, *extra: str) -> list[dict[str, Any]]:
    claims: list[dict[str, Any]] = json.loads(
        invoke(["claims", "--db", str(db_path), "--format", "json", *extra])
    )
    return claims


def test_ingest_reports_new_document_and_claim_count(db_path: Path, example_copy: Path) -> None:
    out = invoke(["ingest", str(example_copy), "--db", str(db_path)])
    assert "new, version 1" in out
    with sqlite3.connect(db_path) as conn:
        (count,) = conn.execute("select count(*) from claims").fetchone()
    assert f"{count} claims" in out
    assert count > 80


def test_each_json_claim_has_exactly_the_documented_fields(ingested_db: Path) -> None:
    claims = claims_json(ingested_db)
    assert claims
    for claim in claims:
        assert list(claim) == CLAIM_JSON_FIELDS
        Claim.model_validate(claim)


def test_claim_text_equals_stored_text_at_offsets(ingested_db: Path) -> None:
    with sqlite3.connect(ingested_db) as conn:
        (text,) = conn.execute("select text from documents").fetchone()
    lines = text.split("\n")
    for claim in claims_json(ingested_db):
        assert text[claim["start"] : claim["end"]] == claim["text"]
        line, column = claim["line"], claim["column"]
        assert isinstance(line, int) and isinstance(column, int)
        assert lines[line - 1][column - 1 :].startswith(str(claim["text"]))


def test_example_headings_and_questions_are_sections_not_claims(ingested_db: Path) -> None:
    with sqlite3.connect(ingested_db) as conn:
        kinds = dict(conn.execute("select kind, count(*) from sections group by kind").fetchall())
        sections = [row[0] for row in conn.execute("select text from sections")]
    assert kinds == {"heading": 9, "question": 7}
    claim_texts = {c["text"] for c in claims_json(ingested_db)}
    assert not claim_texts & set(sections)
    faq = [c for c in claims_json(ingested_db) if str(c["section"]).endswith("?")]
    assert faq, "the FAQ answers sit under their questions"


def test_jsonl_csv_and_table_list_the_same_claims(ingested_db: Path) -> None:
    as_json = claims_json(ingested_db)
    jsonl = invoke(["claims", "--db", str(ingested_db), "--format", "jsonl"])
    assert [json.loads(line) for line in jsonl.splitlines()] == as_json
    rows = list(
        csv.DictReader(io.StringIO(invoke(["claims", "--db", str(ingested_db), "--format", "csv"])))
    )
    assert [r["id"] for r in rows] == [c["id"] for c in as_json]
    assert list(rows[0]) == CLAIM_JSON_FIELDS
    table = invoke(["claims", "--db", str(ingested_db)])
    assert table.splitlines()[0].split()[:3] == ["id", "category", "evidence_status"]
    assert len(table.splitlines()) == len(as_json) + 2


@pytest.mark.parametrize(
    ("option", "field"),
    [
        ("--category", "category"),
        ("--status", "evidence_status"),
        ("--certainty", "certainty"),
        ("--attribution", "attribution"),
    ],
)
def test_filters_select_exactly_the_matching_claims(
    ingested_db: Path, option: str, field: str
) -> None:
    every = claims_json(ingested_db)
    for value in sorted({str(c[field]) for c in every}):
        chosen = claims_json(ingested_db, option, value)
        assert chosen == [c for c in every if c[field] == value]


def test_comma_separated_filter_values_and_limit(ingested_db: Path) -> None:
    every = claims_json(ingested_db)
    statuses = sorted({str(c["evidence_status"]) for c in every})
    both = claims_json(ingested_db, "--status", ",".join(statuses))
    assert both == every
    assert claims_json(ingested_db, "--limit", "3") == every[:3]


def test_search_uses_full_text_index(ingested_db: Path) -> None:
    found = claims_json(ingested_db, "--search", "NMDA receptor")
    assert found
    for claim in found:
        assert "nmda" in str(claim["text"]).lower() and "receptor" in str(claim["text"]).lower()
    # FTS syntax in user input is treated as words, not as a query language.
    assert claims_json(ingested_db, "--search", 'NEAR( "unbalanced') == []


def test_document_filter_accepts_name_source_and_id(ingested_db: Path) -> None:
    every = claims_json(ingested_db)
    first = every[0]
    for value in ("magnesium-glutamate", str(first["document"]), str(first["document_id"])):
        assert claims_json(ingested_db, "--document", value) == every
    result = CliRunner().invoke(
        cli, ["claims", "--db", str(ingested_db), "--document", "nothing-like-it"]
    )
    assert result.exit_code == 2  # a filter naming no document is a usage error, not "none"
    assert "no document named 'nothing-like-it'" in result.output


def test_show_accepts_a_unique_prefix(ingested_db: Path) -> None:
    claim = claims_json(ingested_db)[5]
    out = invoke(["show", str(claim["id"])[:8], "--db", str(ingested_db)])
    assert str(claim["text"]) in out
    assert f"line {claim['line']}, column {claim['column']}" in out
    shown = json.loads(invoke(["show", str(claim["id"])[:8], "--db", str(ingested_db), "--json"]))
    assert shown == claim


def test_show_unknown_and_ambiguous_ids_are_clear_errors(ingested_db: Path) -> None:
    result = CliRunner().invoke(cli, ["show", "ffffffffffffffff0", "--db", str(ingested_db)])
    assert result.exit_code == 1
    assert "no claim with id" in result.output
    result = CliRunner().invoke(cli, ["show", "", "--db", str(ingested_db)])
    assert result.exit_code == 1
    ids = [str(c["id"]) for c in claims_json(ingested_db)]
    shared = next(i[0] for i in ids if sum(j[0] == i[0] for j in ids) > 1)
    result = CliRunner().invoke(cli, ["show", shared, "--db", str(ingested_db)])
    assert result.exit_code == 1
    assert "ambiguous" in result.output


def test_stats_counts_match_the_claims(ingested_db: Path) -> None:
    stats = json.loads(invoke(["stats", "--db", str(ingested_db), "--format", "json"]))
    every = claims_json(ingested_db)
    assert stats["claims"] == len(every)
    assert stats["documents"] == 1
    for field in ("category", "evidence_status", "certainty", "attribution"):
        assert sum(stats[field].values()) == len(every)
        for value, count in stats[field].items():
            assert count == sum(1 for c in every if c[field] == value)
    text = invoke(["stats", "--db", str(ingested_db)])
    assert f"{len(every)} claims in 1 document(s)" in text


def test_folder_ingest_is_recursive_and_shows_a_summary(tmp_path: Path, db_path: Path) -> None:
    docs = tmp_path / "docs"
    (docs / "deeper").mkdir(parents=True)
    (docs / "a.txt").write_text("Zinc supports immunity. It is common.\n", encoding="utf-8")
    (docs / "deeper" / "b.md").write_text("# Title\n\nIron carries oxygen.\n", encoding="utf-8")
    (docs / "ignored.odt").write_bytes(b"PK\x03\x04")
    (docs / ".hidden").mkdir()
    (docs / ".hidden" / "c.txt").write_text("Hidden claim.\n", encoding="utf-8")
    out = invoke(["ingest", str(docs), "--db", str(db_path)])
    assert "2 document(s): 2 new, 0 updated, 0 unchanged; 3 claims" in out
    documents = {str(c["document"]) for c in claims_json(db_path)}
    assert documents == {f"{docs.as_posix()}/a.txt", f"{docs.as_posix()}/deeper/b.md"}


def test_reingest_unchanged_is_a_no_op_and_changed_is_a_new_version(
    db_path: Path, example_copy: Path
) -> None:
    invoke(["ingest", str(example_copy), "--db", str(db_path)])
    before = claims_json(db_path)
    out = invoke(["ingest", str(example_copy), "--db", str(db_path)])
    assert "unchanged (version 1)" in out
    assert claims_json(db_path) == before
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("select count(*) from runs").fetchone() == (1,)
    text = example_copy.read_text(encoding="utf-8")
    example_copy.write_text(text + "\nZinc is a trace element.\n", encoding="utf-8")
    out = invoke(["ingest", str(example_copy), "--db", str(db_path)])
    assert "updated, version 2" in out
    after = claims_json(db_path)
    assert [c["id"] for c in after[:-1]] == [c["id"] for c in before]
    assert after[-1]["text"] == "Zinc is a trace element."
    assert {c["version"] for c in after} == {2}


def test_schema_prints_and_writes(tmp_path: Path) -> None:
    claim_schema = json.loads(invoke(["schema", "claim"]))
    assert claim_schema["title"] == "Claim"
    assert set(claim_schema["properties"]) == set(CLAIM_JSON_FIELDS)
    out = invoke(["schema", "--out", str(tmp_path / "s")])
    written = sorted(p.name for p in (tmp_path / "s").iterdir())
    assert written == sorted(Path(line).name for line in out.splitlines())
    assert "claim.schema.json" in written


def test_help_lists_every_command() -> None:
    out = invoke(["--help"])
    for command in ("ingest", "claims", "show", "stats", "schema"):
        assert command in out


def test_every_listed_command_loads_under_its_own_name() -> None:
    from provenance.cli import COMMANDS, ProvenanceGroup

    assert isinstance(cli, ProvenanceGroup)
    context = click.Context(cli)
    for name in COMMANDS:
        command = cli.get_command(context, name)
        assert command is not None and command.name == name
    assert cli.get_command(context, "no-such-command") is None
    result = CliRunner().invoke(cli, ["no-such-command"])
    assert result.exit_code == 2


def test_a_document_without_statements_is_pointed_out(tmp_path: Path, db_path: Path) -> None:
    page = tmp_path / "app.html"
    page.write_text(
        "<html><head><title>App</title><script>render()</script></head>"
        '<body><div id="root"></div></body></html>',
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["ingest", str(page), "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    assert "0 claims (no statements found: is the text in the file?)" in result.output
