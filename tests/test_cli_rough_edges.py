"""What a new user hits first: filters naming nothing, one file seen from two folders, bad
files in a folder, edited claims in a gate, URLs, wording, small samples, the README's ids."""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from provenance.cli import cli
from provenance.timestamps import utc_timestamp
from tests.dbrows import rows
from tests.helpers import EXAMPLE, REPO, annotate


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


@contextmanager
def working_directory(path: Path) -> Iterator[None]:
    before = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(before)


# --- a filter naming no document -------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        ["claims"],
        ["audit"],
        ["export"],
        ["annotations", "export"],
        ["review", "--reviewer", "ada"],
    ],
)
def test_a_document_filter_naming_nothing_is_a_usage_error(
    ingested_db: Path, command: list[str]
) -> None:
    result = run(*command, "--db", str(ingested_db), "--document", "webmd_superbugs.html")
    assert result.exit_code == 2, result.output
    assert "no document named 'webmd_superbugs.html'" in result.output
    assert "magnesium-glutamate" in result.output  # it says which documents there are
    assert "Traceback" not in result.output


def test_a_document_is_named_by_its_file_name_or_any_path_to_it(
    ingested_db: Path, example_copy: Path
) -> None:
    every = rows(ingested_db, "select count(*) from claims")[0][0]
    for name in (example_copy.name, str(example_copy.resolve()), "magnesium-glutamate"):
        result = run("claims", "--db", str(ingested_db), "--document", name, "--format", "json")
        assert result.exit_code == 0, result.output
        assert len(json.loads(result.output)) == every, name
    audit = run("audit", "--db", str(ingested_db), "--document", example_copy.name)
    assert audit.exit_code == 1  # findings: the filter matched the document
    assert example_copy.stem in audit.output


# --- one file, one document ------------------------------------------------------------------


def test_one_file_is_one_document_from_any_folder_or_path(tmp_path: Path) -> None:
    docs = tmp_path / "project" / "docs"
    docs.mkdir(parents=True)
    source = docs / EXAMPLE.name
    shutil.copyfile(EXAMPLE, source)
    db = tmp_path / "claims.db"
    with working_directory(tmp_path / "project"):
        assert run("ingest", f"docs/{EXAMPLE.name}", "--db", str(db)).exit_code == 0
    claim_id = rows(db, "select id from claims order by start limit 1")[0][0]
    annotate(db, claim_id, "ada", "supported", created_at=utc_timestamp())
    with working_directory(docs):
        again = run("ingest", EXAMPLE.name, "--db", str(db))
    assert again.exit_code == 0 and "unchanged" in again.output, again.output
    absolute = run("ingest", str(source.resolve()), "--db", str(db))
    assert f"docs/{EXAMPLE.name}: unchanged" in absolute.output
    # Edited elsewhere and ingested from a third place: version 2 of the same document.
    source.write_text(source.read_text(encoding="utf-8") + "\nZinc is a mineral.\n")
    with working_directory(tmp_path):
        assert run("ingest", str(source.relative_to(tmp_path)), "--db", str(db)).exit_code == 0
    assert rows(db, "select count(distinct source), max(version) from documents") == [(1, 2)]
    assert rows(db, "select source from documents limit 1")[0][0] == f"docs/{EXAMPLE.name}"
    # The review carried over: same claim id, still supported.
    assert rows(db, "select evidence_status, is_current from claims where id = ?", (claim_id,)) == [
        ("supported", 1)
    ]


def test_two_files_of_the_same_name_in_two_folders_stay_two_documents(tmp_path: Path) -> None:
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "notes.txt").write_text(f"Folder {folder} holds zinc.\n")
    db = tmp_path / "claims.db"
    for folder in ("a", "b"):
        with working_directory(tmp_path / folder):
            assert run("ingest", "notes.txt", "--db", str(db)).exit_code == 0
    assert rows(db, "select count(distinct source), max(version) from documents") == [(2, 1)]


# --- bad files in a folder ---------------------------------------------------------------------


def test_every_bad_file_is_reported_and_keep_going_ingests_the_others(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    shutil.copyfile(EXAMPLE, docs / EXAMPLE.name)
    (docs / "empty.txt").write_bytes(b"")
    # Neither UTF-8 nor Windows-1252 (0x81 and 0x8D are undefined there).
    (docs / "undecodable.txt").write_bytes(b"Caf\x81\x8d au lait is a drink.")
    db = tmp_path / "claims.db"
    refused = run("ingest", str(docs), "--db", str(db))
    assert refused.exit_code == 1
    assert "empty.txt" in refused.output and "undecodable.txt" in refused.output
    assert "2 sources cannot be ingested" in refused.output
    assert len(refused.output.strip().splitlines()) == 1
    assert not db.exists()  # nothing was written
    kept = run("ingest", str(docs), "--db", str(db), "--keep-going")
    assert kept.exit_code == 1
    assert kept.stderr.count("skipped:") == 2
    assert rows(db, "select name from documents") == [(EXAMPLE.stem,)]


# --- the gate counts edited claims ------------------------------------------------------------


def test_new_only_and_since_include_edited_claims(db_path: Path, example_copy: Path) -> None:
    assert run("ingest", str(example_copy), "--db", str(db_path)).exit_code == 0
    text = example_copy.read_text(encoding="utf-8")
    first = rows(db_path, "select text from claims order by start limit 1")[0][0]
    reworded = first.replace("crucial", "absolutely essential")
    assert reworded != first
    example_copy.write_text(text.replace(first, reworded), encoding="utf-8")
    assert run("ingest", str(example_copy), "--db", str(db_path)).exit_code == 0
    edited = rows(
        db_path, "select claim_id from claim_changes where review_reset = 1 and to_version = 2"
    )
    assert len(edited) == 1
    for gate in (["--new-only"], ["--since", "1"]):
        result = run("audit", "--db", str(db_path), "--format", "json", *gate)
        assert result.exit_code == 1, result.output
        assert [f["id"] for f in json.loads(result.output)] == [edited[0][0]]
    none = run("audit", "--db", str(db_path), "--format", "json", "--since", "2")
    assert none.exit_code == 0 and json.loads(none.output) == []


# --- wording and samples ---------------------------------------------------------------------


def test_sarif_says_an_before_a_vowel(ingested_db: Path) -> None:
    result = run("audit", "--db", str(ingested_db), "--format", "sarif")
    rules = json.loads(result.output)["runs"][0]["tool"]["driver"]["rules"]
    texts = [rule["fullDescription"]["text"] for rule in rules]
    assert any(t.startswith("An efficacy statement") for t in texts)
    assert not any(re.match(r"A [aeiou]", t) for t in texts)


def test_agreement_on_few_claims_says_so(ingested_db: Path) -> None:
    claim_id = rows(ingested_db, "select id from claims limit 1")[0][0]
    annotate(ingested_db, claim_id, "ada", "supported", created_at="2026-01-01T00:00:00Z")
    annotate(ingested_db, claim_id, "bob", "supported", created_at="2026-01-02T00:00:00Z")
    result = run("stats", "--db", str(ingested_db), "--agreement")
    assert result.exit_code == 0
    assert "on 1 claims" in result.output
    assert "warning: only 1 claim(s) reviewed by both" in result.output


# --- the README's examples ------------------------------------------------------------------


def test_the_readme_claim_id_exists_in_the_demo_ledger(tmp_path: Path) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    prefixes = set(re.findall(r"provenance (?:show|history|annotate) ([0-9a-f]{4,16})\b", readme))
    assert len(prefixes) == 1, prefixes
    db = tmp_path / "claims.db"
    with working_directory(REPO):  # as `make demo` ingests it
        assert run("ingest", "corpus/", "--db", str(db)).exit_code == 0
    for command in ("show", "history"):
        result = run(command, next(iter(prefixes)), "--db", str(db))
        assert result.exit_code == 0, result.output
