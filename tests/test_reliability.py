"""Promises kept under attack: an append-only log nobody rewrites, CSV that a spreadsheet does
not execute, verdicts dated honestly, one-line errors, no orphan workers, nothing skipped."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import given
from hypothesis import strategies as st

from provenance.cli import cli
from provenance.errors import ProvenanceError
from provenance.output import FORMULA_STARTS, from_spreadsheet_cell, spreadsheet_cell
from provenance.review.log import make_annotation, recomputed_statuses, record_annotations
from provenance.store.connection import open_database
from provenance.timestamps import shifted, utc_timestamp
from tests.helpers import EXAMPLE, PROVENANCE, annotate, claim_ids


def run_cli(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def assert_one_line_error(result: Result, *needles: str) -> None:
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1, message
    for needle in needles:
        assert needle in message, message


def rows(db_path: Path, sql: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


# --- 1. the append-only log cannot be rewritten, and a database without its guard is refused ---

REWRITES = {
    "insert or replace": "insert or replace into annotations"
    " (id, claim_id, reviewer, verdict, evidence, note, created_at)"
    " select id, claim_id, reviewer, 'supported', evidence, note, created_at from annotations",
    "replace into": "replace into annotations"
    " (id, claim_id, reviewer, verdict, evidence, note, created_at)"
    " select id, claim_id, reviewer, 'supported', evidence, note, created_at from annotations",
    "replace by rowid, under a new id": "insert or replace into annotations"
    " (rowid, id, claim_id, reviewer, verdict, evidence, note, created_at)"
    " select rowid, 'forged', claim_id, reviewer, 'supported', evidence, note, created_at"
    " from annotations",
    "upsert": "insert into annotations"
    " (id, claim_id, reviewer, verdict, evidence, note, created_at)"
    " select id, claim_id, reviewer, 'supported', evidence, note, created_at from annotations"
    " where true on conflict(id) do update set verdict = 'supported'",
    "update": "update annotations set verdict = 'supported'",
    "delete": "delete from annotations",
}


@pytest.fixture
def contradicted(ingested_db: Path) -> Path:
    """The example database with one claim contradicted by alice."""
    first = claim_ids(ingested_db)[0]
    annotate(ingested_db, first, "alice", "contradicted", created_at="2024-01-01T00:00:00Z")
    return ingested_db


@pytest.mark.parametrize("statement", sorted(REWRITES))
def test_no_sql_rewrites_a_verdict(contradicted: Path, statement: str) -> None:
    before = rows(contradicted, "select rowid, * from annotations")
    conn = sqlite3.connect(contradicted)
    try:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute(REWRITES[statement])
        conn.commit()
    finally:
        conn.close()
    assert rows(contradicted, "select rowid, * from annotations") == before
    db = open_database(contradicted)
    try:
        stored = dict(db.execute("select id, evidence_status from claims").fetchall())
        assert stored == {k: v.value for k, v in recomputed_statuses(db).items()}
    finally:
        db.close()


@pytest.mark.skipif(shutil.which("sqlite3") is None, reason="no sqlite3 command-line shell")
def test_the_sqlite3_shell_cannot_replace_a_verdict(contradicted: Path) -> None:
    before = rows(contradicted, "select * from annotations")
    shell = subprocess.run(
        ["sqlite3", str(contradicted), REWRITES["replace into"]],
        capture_output=True,
        text=True,
        check=False,
    )
    assert shell.returncode != 0
    assert "append-only" in shell.stderr
    assert rows(contradicted, "select * from annotations") == before


def test_an_annotation_cannot_be_inserted_twice_even_quietly(contradicted: Path) -> None:
    conn = sqlite3.connect(contradicted)
    try:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("insert or ignore into annotations select * from annotations")
    finally:
        conn.close()


def _drop_trigger(db_path: Path, name: str, replacement: str | None = None) -> None:
    conn = sqlite3.connect(db_path)
    try:
        with conn:
            conn.execute(f"drop trigger {name}")
            if replacement:
                conn.execute(replacement)
    finally:
        conn.close()


@pytest.mark.parametrize(
    ("trigger", "replacement"),
    [
        ("annotations_no_replace", None),
        ("annotations_no_update", None),
        ("annotations_no_delete", None),
        # same name, harmless body: the SQL is compared, not just the name
        (
            "annotations_no_delete",
            "create trigger annotations_no_delete before delete on annotations begin select 1; end",
        ),
    ],
)
@pytest.mark.parametrize("command", [["stats"], ["annotations", "export"], ["claims"]])
def test_a_database_whose_guard_was_removed_is_not_trusted(
    ingested_db: Path, trigger: str, replacement: str | None, command: list[str]
) -> None:
    _drop_trigger(ingested_db, trigger, replacement)
    result = run_cli(*command, "--db", str(ingested_db))
    assert_one_line_error(result, str(ingested_db), f"append-only trigger '{trigger}'")


# --- 2. CSV cells a spreadsheet would run as formulas ------------------------------------

HOSTILE_TEXT = (
    '=HYPERLINK("http://evil.example","click") is a formula.\n\n'
    "+SUM(1,2) adds numbers.\n\n"
    "-2+3 is negative.\n\n"
    "@SUM(A1) is also dangerous.\n\n"
    "Zinc is a metal.\n"
)
HOSTILE_REVIEWER = "=cmd|' /C calc'!A0"
HOSTILE_NOTE = "@SUM(1+1)*cmd|' /C calc'!A0"


@pytest.fixture
def hostile_db(tmp_path: Path) -> Path:
    """Claims whose text starts like a formula, annotated by a reviewer whose name does too."""
    document = tmp_path / "hostile.txt"
    document.write_text(HOSTILE_TEXT, encoding="utf-8")
    db_path = tmp_path / "hostile.db"
    result = run_cli("ingest", str(document), "--db", str(db_path))
    assert result.exit_code == 0, result.output
    for claim_id in claim_ids(db_path):
        annotate(
            db_path,
            claim_id,
            HOSTILE_REVIEWER,
            "contradicted",
            created_at=utc_timestamp(),
            note=HOSTILE_NOTE,
            evidence=["-1 evidence"],
        )
    return db_path


CSV_WRITERS = {
    "claims --format csv": ["claims", "--format", "csv"],
    "export --format csv": ["export", "--format", "csv"],
    "audit --format csv": ["audit", "--format", "csv", "--fail-on", "contradicted"],
    "annotations export": ["annotations", "export", "--format", "csv"],
}


def _cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.parametrize("writer", sorted(CSV_WRITERS))
def test_every_csv_writer_neutralises_formulas(hostile_db: Path, writer: str) -> None:
    result = run_cli(*CSV_WRITERS[writer], "--db", str(hostile_db))
    assert result.exit_code in (0, 1), result.output  # audit fails on its findings
    table = _cells(result.stdout)
    header, body = table[0], table[1:]
    assert body, result.stdout
    for row in body:
        for cell in row:
            assert not cell.startswith(FORMULA_STARTS), (writer, cell)
    texts = {row[header.index("text" if "text" in header else "claim_text")] for row in body}
    hostile = {line for line in HOSTILE_TEXT.splitlines() if line.startswith(FORMULA_STARTS)}
    assert len(hostile) == 4
    assert texts >= {"'" + line for line in hostile}
    if writer == "annotations export":
        assert {row[header.index("reviewer")] for row in body} == {"'" + HOSTILE_REVIEWER}
        assert {row[header.index("note")] for row in body} == {"'" + HOSTILE_NOTE}
        assert {row[header.index("evidence")] for row in body} == {"'-1 evidence"}


def test_an_exported_csv_imports_back_unchanged(hostile_db: Path, tmp_path: Path) -> None:
    exported = run_cli("annotations", "export", "--format", "csv", "--db", str(hostile_db))
    assert exported.exit_code == 0, exported.output
    path = tmp_path / "review.csv"
    path.write_text(exported.stdout, encoding="utf-8")
    before = rows(hostile_db, "select * from annotations order by id")
    again = run_cli("annotations", "import", str(path), "--db", str(hostile_db))
    assert again.exit_code == 0, again.output
    assert "0 annotation(s) recorded (0 replacing edited rows), 5 already recorded" in again.stdout
    assert rows(hostile_db, "select * from annotations order by id") == before
    # Into a ledger of the same document without them: the very same annotations, ids included.
    fresh = tmp_path / "fresh.db"
    document = tmp_path / "hostile.txt"
    assert run_cli("ingest", str(document), "--db", str(fresh)).exit_code == 0
    imported = run_cli("annotations", "import", str(path), "--db", str(fresh))
    assert imported.exit_code == 0, imported.output
    assert rows(fresh, "select * from annotations order by id") == before


def test_no_csv_is_written_but_through_the_safe_writer() -> None:
    package = Path(__file__).resolve().parent.parent / "provenance"
    writers = sorted(
        path.relative_to(package).as_posix()
        for path in package.rglob("*.py")
        if "csv.writer(" in path.read_text(encoding="utf-8")
        or "csv.DictWriter(" in path.read_text(encoding="utf-8")
    )
    assert writers == ["output.py"]


@given(st.text())
def test_spreadsheet_cells_are_safe_and_undone_exactly(value: str) -> None:
    cell = spreadsheet_cell(value)
    assert not cell.startswith(FORMULA_STARTS)
    assert from_spreadsheet_cell(cell) == value


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("'=1", "''=1"),
        ("'tis so", "'tis so"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_spreadsheet_cell_examples(value: str, cell: str) -> None:
    assert spreadsheet_cell(value) == cell
    assert from_spreadsheet_cell(cell) == value


# --- 5. one-line errors --------------------------------------------------------------------


@contextlib.contextmanager
def _immutable(path: Path) -> Iterator[None]:
    """Make a file unwritable even to root (``chattr +i``), or skip where that is impossible."""
    chattr = shutil.which("chattr")
    if os.geteuid() != 0:
        path.chmod(0o444)
        try:
            yield
        finally:
            path.chmod(0o644)
        return
    if chattr is None:
        pytest.skip("running as root without chattr: no way to make a file read-only")
    made = subprocess.run([chattr, "+i", str(path)], capture_output=True, check=False)
    if made.returncode != 0:
        pytest.skip(f"running as root and chattr +i fails here: {made.stderr.decode().strip()}")
    try:
        yield
    finally:
        subprocess.run([chattr, "-i", str(path)], check=True)


@pytest.fixture
def read_only_db(ingested_db: Path) -> Iterator[Path]:
    with _immutable(ingested_db):
        yield ingested_db


def test_annotate_on_a_read_only_database(read_only_db: Path) -> None:
    first = claim_ids(read_only_db)[0]
    result = run_cli(
        "annotate", first, "--verdict", "supported", "--reviewer", "a", "--db", str(read_only_db)
    )
    assert_one_line_error(result, "cannot record annotations", "readonly")
    assert rows(read_only_db, "select count(*) from annotations") == [(0,)]


def test_import_into_a_read_only_database(read_only_db: Path, tmp_path: Path) -> None:
    first = claim_ids(read_only_db)[0]
    path = tmp_path / "import.jsonl"
    path.write_text(json.dumps({"claim_id": first, "verdict": "supported", "reviewer": "a"}))
    result = run_cli("annotations", "import", str(path), "--db", str(read_only_db))
    assert_one_line_error(result, "cannot record annotations", "readonly")


def test_the_library_reports_an_unwritable_database(ingested_db: Path) -> None:
    first = claim_ids(ingested_db)[0]
    db = open_database(ingested_db)
    try:
        db.execute("pragma query_only = 1")
        with pytest.raises(ProvenanceError, match=r"cannot record annotations: .*readonly"):
            record_annotations(db, [make_annotation(first, "a", "supported")])
    finally:
        db.close()


@pytest.mark.parametrize("table", ["annotations", "claim_changes", "references"])
@pytest.mark.parametrize(
    "command",
    [
        ["stats"],
        ["diff", "magnesium-glutamate"],
        ["annotate", "{claim}", "--verdict", "supported", "--reviewer", "a"],
        ["history", "{claim}"],
        ["annotations", "export"],
    ],
)
def test_a_database_missing_a_table(ingested_db: Path, table: str, command: list[str]) -> None:
    first = claim_ids(ingested_db)[0]
    conn = sqlite3.connect(ingested_db)
    try:
        with conn:
            conn.execute(f"drop table [{table}]")
    finally:
        conn.close()
    args = [part.replace("{claim}", first) for part in command]
    result = run_cli(*args, "--db", str(ingested_db))
    assert_one_line_error(result, str(ingested_db), f"table '{table}' is missing")


def test_jsonl_nested_too_deeply(ingested_db: Path, tmp_path: Path) -> None:
    path = tmp_path / "deep.jsonl"
    path.write_text("[" * 100_000 + "\n", encoding="utf-8")
    result = run_cli("annotations", "import", str(path), "--db", str(ingested_db))
    assert_one_line_error(result, "line 1 is nested too deeply")


def test_evidence_nested_too_deeply(ingested_db: Path, tmp_path: Path) -> None:
    first = claim_ids(ingested_db)[0]
    path = tmp_path / "deep.csv"
    path.write_text(f"claim_id,verdict,reviewer,evidence\n{first},supported,a,{'[' * 100_000}\n")
    result = run_cli("annotations", "import", str(path), "--db", str(ingested_db))
    assert_one_line_error(result, "row 2: evidence", "is not a JSON list")


def test_a_long_note_survives_export_and_import(ingested_db: Path, tmp_path: Path) -> None:
    first = claim_ids(ingested_db)[0]
    note = "A careful reading. " * 15_000  # 285,000 characters: over csv's 131,072 default
    annotate(ingested_db, first, "alice", "contradicted", created_at=utc_timestamp(), note=note)
    exported = run_cli("annotations", "export", "--db", str(ingested_db))
    assert exported.exit_code == 0
    path = tmp_path / "review.csv"
    path.write_text(exported.stdout, encoding="utf-8")
    limit = csv.field_size_limit()
    result = run_cli("annotations", "import", str(path), "--db", str(ingested_db))
    assert result.exit_code == 0, result.output
    assert "1 already recorded" in result.stdout
    assert csv.field_size_limit() == limit  # raised for the file, then put back


# --- 6. time cannot be forged ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("when", "message"),
    [
        ("9999-12-31T00:00:00Z", "in the future"),
        ("2019-12-31T00:00:00Z", "before the claim existed"),
    ],
)
def test_forged_times_are_refused_on_import(
    ingested_db: Path, tmp_path: Path, when: str, message: str
) -> None:
    first = claim_ids(ingested_db)[0]
    path = tmp_path / "forged.jsonl"
    path.write_text(
        json.dumps({"claim_id": first, "verdict": "supported", "reviewer": "m", "created_at": when})
    )
    before = rows(ingested_db, "select id, evidence_status from claims")
    result = run_cli("annotations", "import", str(path), "--db", str(ingested_db))
    assert_one_line_error(result, first, message)
    assert rows(ingested_db, "select count(*) from annotations") == [(0,)]
    assert rows(ingested_db, "select id, evidence_status from claims") == before


def test_forged_times_are_refused_by_the_library(ingested_db: Path) -> None:
    first = claim_ids(ingested_db)[0]
    db = open_database(ingested_db)
    try:
        future = shifted(utc_timestamp(), timedelta(minutes=6))
        with pytest.raises(ProvenanceError, match="in the future"):
            record_annotations(db, [make_annotation(first, "m", "supported", created_at=future)])
        # another machine's clock a little ahead is fine
        ahead = shifted(utc_timestamp(), timedelta(minutes=4))
        record_annotations(db, [make_annotation(first, "m", "supported", created_at=ahead)])
    finally:
        db.close()


# --- 7. no orphan workers ----------------------------------------------------------------------


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with open(task / "children", encoding="ascii") as children:
            found.update(int(child) for child in children.read().split())
    return found


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")  # a zombie has exited; only reaping is left


@pytest.mark.skipif(
    not Path("/proc/self/task").exists(), reason="finds child processes through /proc (Linux)"
)
@pytest.mark.parametrize("kill_signal", [signal.SIGKILL, signal.SIGTERM])
def test_workers_die_with_their_parent(tmp_path: Path, kill_signal: signal.Signals) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    article = EXAMPLE.read_text(encoding="utf-8")
    for number in range(12):  # 12 × 0.6 MB: several seconds of work for two workers
        (corpus / f"article-{number:02}.txt").write_text(article * 40, encoding="utf-8")
    process = subprocess.Popen(
        [str(PROVENANCE), "ingest", str(corpus), "--db", str(tmp_path / "c.db"), "--jobs", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    workers: set[int] = set()
    try:
        deadline = time.monotonic() + 60
        while len(workers) < 2:
            assert process.poll() is None, "the ingest ended before its workers were seen"
            assert time.monotonic() < deadline, "no workers started"
            workers = _children(process.pid)
            time.sleep(0.05)
        process.send_signal(kill_signal)
        # The pipes close only when every process holding them is gone (the `| tee` hang).
        process.communicate(timeout=30)
        assert process.returncode == -kill_signal
        deadline = time.monotonic() + 10
        while any(_running(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not [pid for pid in workers if _running(pid)]
    finally:
        for pid in workers:  # so that a failure here leaves no orphan behind either
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        if process.poll() is None:
            process.kill()
        process.communicate()


FALLBACK_ONLY = """
import multiprocessing, os, sys, time
from provenance import workers

workers._ask_kernel_for_death_signal = lambda: None  # leave only the portable watcher


def work(parent: int) -> None:
    workers.exit_with_parent(parent)
    time.sleep(60)


child = multiprocessing.get_context("fork").Process(target=work, args=(os.getpid(),))
child.start()
print(child.pid, flush=True)
time.sleep(60)
"""


@pytest.mark.skipif(
    not Path("/proc/self/task").exists(), reason="finds child processes through /proc (Linux)"
)
def test_without_the_kernel_signal_a_worker_still_follows_its_parent() -> None:
    parent = subprocess.Popen(
        [sys.executable, "-c", FALLBACK_ONLY], stdout=subprocess.PIPE, text=True
    )
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    try:
        time.sleep(0.5)
        assert _running(child)
        parent.kill()
        parent.wait()
        deadline = time.monotonic() + 10
        while _running(child) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _running(child)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(child, signal.SIGKILL)
        parent.stdout.close()


# --- 8. nothing skipped silently -----------------------------------------------------------


@pytest.fixture
def private_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """docs/ with a readable article and a subfolder nobody may list (docs/private)."""
    top = tmp_path / "docs"
    private = top / "private"
    private.mkdir(parents=True)
    shutil.copyfile(EXAMPLE, top / "a.txt")
    shutil.copyfile(EXAMPLE, private / "b.txt")
    # Root reads any folder whatever its mode, so the refusal is made by the file system call.
    real_scandir = os.scandir

    def scandir(path: str | os.PathLike[str] = ".") -> Iterator[os.DirEntry[str]]:
        if Path(path) == private:
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    return private


def test_an_unreadable_folder_is_refused_like_an_unreadable_file(
    private_folder: Path, db_path: Path
) -> None:
    result = run_cli("ingest", str(private_folder.parent), "--db", str(db_path))
    assert_one_line_error(result, f"{private_folder}: cannot read folder (Permission denied)")
    assert not db_path.exists()


def test_keep_going_reports_an_unreadable_folder_and_ingests_the_rest(
    private_folder: Path, db_path: Path
) -> None:
    result = run_cli("ingest", str(private_folder.parent), "--db", str(db_path), "--keep-going")
    assert result.exit_code == 1, result.output
    assert f"skipped: {private_folder}: cannot read folder (Permission denied)" in result.stderr
    assert rows(db_path, "select name from documents") == [("a",)]


# --- 4. memory per document: a limit, named, that the user can raise -------------------------


def test_the_document_size_limit_can_be_raised(tmp_path: Path, db_path: Path) -> None:
    document = tmp_path / "article.txt"
    shutil.copyfile(EXAMPLE, document)
    refused = run_cli("ingest", str(document), "--db", str(db_path), "--max-document-mb", "0.01")
    size = len(EXAMPLE.read_text(encoding="utf-8"))
    assert_one_line_error(
        refused, f"{size:,} characters of text, over the limit of 10,000", "--max-document-mb"
    )
    assert not db_path.exists()
    accepted = run_cli("ingest", str(document), "--db", str(db_path), "--max-document-mb", "0.02")
    assert accepted.exit_code == 0, accepted.output


def test_keep_going_skips_a_document_over_the_limit(tmp_path: Path, db_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    shutil.copyfile(EXAMPLE, docs / "large.txt")
    (docs / "small.txt").write_text("Zinc is a metal.\n", encoding="utf-8")
    result = run_cli(
        "ingest", str(docs), "--db", str(db_path), "--max-document-mb", "0.01", "--keep-going"
    )
    assert result.exit_code == 1, result.output
    assert "skipped: " in result.stderr and "large.txt" in result.stderr
    assert rows(db_path, "select name from documents") == [("small",)]
