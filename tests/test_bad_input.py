"""Bad input: a clear one-line error, a non-zero exit status, and the database unchanged."""

from __future__ import annotations

import hashlib
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from provenance.cli import cli


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run_cli(args: list[str]) -> Result:
    return CliRunner().invoke(cli, args)


def assert_clean_failure(result: Result, *needles: str, exit_code: int = 1) -> None:
    """One line on stderr, naming the problem; no traceback."""
    assert result.exit_code == exit_code, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1 if exit_code == 1 else message
    assert "Traceback" not in result.output
    for needle in needles:
        assert needle in message


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _folder(parent: Path, name: str, *files: str) -> Path:
    folder = parent / name
    folder.mkdir()
    for file in files:
        _write(folder, file, b"%PDF-1.4")
    return folder


BAD_FILES: dict[str, tuple[Callable[[Path], Path], str]] = {
    "missing": (lambda d: d / "nowhere.txt", "no such file or directory"),
    "empty folder": (lambda d: _folder(d, "empty"), "no supported files"),
    "folder of unsupported files": (lambda d: _folder(d, "odts", "a.odt"), "no supported files"),
    "unsupported suffix": (lambda d: _write(d, "paper.odt", b"PK\x03\x04"), "unsupported file"),
    "empty file": (lambda d: _write(d, "empty.txt", b""), "file is empty"),
    "only whitespace": (lambda d: _write(d, "blank.md", b" \n\n\t\n"), "has no text"),
    "binary": (lambda d: _write(d, "image.txt", bytes(range(256)) * 4), "binary"),
    "NUL bytes": (lambda d: _write(d, "nul.txt", b"Zinc is a metal.\x00 Iron too."), "NUL"),
    "invalid UTF-8": (  # 0x81 is undefined in Windows-1252 too
        lambda d: _write(d, "mixed.txt", b"Caf\x81 au lait is hot."),
        "neither UTF-8 (byte 0x81 at offset 3) nor Windows-1252",
    ),
    "5 MB single line of non-prose": (
        lambda d: _write(d, "huge.txt", b"x" * (5 * 1024 * 1024)),
        "without a sentence boundary",
    ),
    "50 MB document": (
        lambda d: _write(d, "huge.txt", b"Zinc is a metal. " * (3 * 1024 * 1024)),
        "53,477,376 characters of text, over the limit of 10,000,000 for one document",
    ),
    "UTF-16 with a byte-order mark": (
        lambda d: _write(d, "utf16.txt", "Zinc is a metal.\n".encode("utf-16")),
        "file is UTF-16 (little-endian), not UTF-8",
    ),
    "UTF-16 without a byte-order mark": (
        lambda d: _write(d, "utf16.txt", "Zinc is a metal.\n".encode("utf-16-be")),
        "file is UTF-16 (big-endian, no byte-order mark), not UTF-8",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_file_leaves_database_unchanged(case: str, ingested_db: Path, tmp_path: Path) -> None:
    make, needle = BAD_FILES[case]
    bad = make(tmp_path)
    before = digest(ingested_db)
    result = run_cli(["ingest", str(bad), "--db", str(ingested_db)])
    assert_clean_failure(result, needle)
    assert digest(ingested_db) == before


@pytest.mark.parametrize("case", ["missing", "empty file", "invalid UTF-8"])
def test_bad_file_creates_no_database(case: str, db_path: Path, tmp_path: Path) -> None:
    make, needle = BAD_FILES[case]
    result = run_cli(["ingest", str(make(tmp_path)), "--db", str(db_path)])
    assert_clean_failure(result, needle)
    assert not db_path.exists()


def test_one_bad_file_among_good_ones_writes_nothing(
    ingested_db: Path, example_copy: Path, tmp_path: Path
) -> None:
    good = _write(tmp_path / "docs", "zinc.txt", b"Zinc supports immune function.\n")
    _write(tmp_path / "docs", "broken.txt", b"\x81\x8d bad bytes")
    before = digest(ingested_db)
    result = run_cli(["ingest", str(good.parent), "--db", str(ingested_db)])
    assert_clean_failure(result, "broken.txt", "neither UTF-8")
    assert digest(ingested_db) == before


def test_utf8_with_bom_is_read_and_hashed_as_bytes(db_path: Path, tmp_path: Path) -> None:
    data = b"\xef\xbb\xbfMagnesium is a mineral.\n"
    path = _write(tmp_path, "bom.txt", data)
    assert run_cli(["ingest", str(path), "--db", str(db_path)]).exit_code == 0
    with sqlite3.connect(db_path) as conn:
        text, sha = conn.execute("select text, sha256 from documents").fetchone()
        (claim,) = conn.execute("select text from claims").fetchone()
    assert text == "Magnesium is a mineral.\n"
    assert sha == hashlib.sha256(data).hexdigest()
    assert claim == "Magnesium is a mineral."


def test_windows_1252_is_decoded_and_the_encoding_recorded(db_path: Path, tmp_path: Path) -> None:
    # A press release saved on Windows: curly quotes, a euro sign, an accented name.
    text = "“Zinc shortens colds,” said Dr Müller. The pack costs 5 €.\n"
    path = _write(tmp_path, "press.txt", text.encode("windows-1252"))
    utf8 = _write(tmp_path, "plain.txt", b"Iron is a metal.\n")
    assert run_cli(["ingest", str(path), str(utf8), "--db", str(db_path)]).exit_code == 0
    with sqlite3.connect(db_path) as conn:
        rows = conn.execute(
            "select d.name, d.text, d.sha256, s.encoding from documents d"
            " join document_sources s on s.document_id = d.id order by d.name"
        ).fetchall()
    assert rows == [
        ("plain", "Iron is a metal.\n", digest(utf8), "utf-8"),
        ("press", text, digest(path), "windows-1252"),
    ]


def test_html_declared_charset_is_used_before_windows_1252(db_path: Path, tmp_path: Path) -> None:
    page = '<meta charset="iso-8859-7"><p>Η μελέτη έδειξε όφελος.</p>'.encode("iso-8859-7")
    path = _write(tmp_path, "greek.html", page)
    assert run_cli(["ingest", str(path), "--db", str(db_path)]).exit_code == 0
    with sqlite3.connect(db_path) as conn:
        text, encoding = conn.execute(
            "select d.text, s.encoding from documents d join document_sources s"
            " on s.document_id = d.id"
        ).fetchone()
    assert (text, encoding) == ("Η μελέτη έδειξε όφελος.", "iso-8859-7")


def test_unwritable_database_location(example_copy: Path, tmp_path: Path) -> None:
    missing_folder = tmp_path / "no" / "such" / "claims.db"
    result = run_cli(["ingest", str(example_copy), "--db", str(missing_folder)])
    assert_clean_failure(result, "does not exist")
    assert not missing_folder.parent.exists()


def test_folder_nobody_can_write(example_copy: Path, tmp_path: Path) -> None:
    """/proc refuses new files even to root, unlike a chmod-ed folder."""
    result = run_cli(["ingest", str(example_copy), "--db", "/proc/provenance-claims.db"])
    assert_clean_failure(result, "cannot open database")


def test_read_only_database_file(ingested_db: Path, example_copy: Path) -> None:
    example_copy.write_text("Zinc is a metal.\n", encoding="utf-8")
    with sqlite3.connect(f"file:{ingested_db}?mode=ro", uri=True):
        pass
    before = digest(ingested_db)
    ingested_db.chmod(0o444)
    try:
        if os.access(ingested_db, os.W_OK):
            pytest.skip("this user can write read-only files (root)")
        result = run_cli(["ingest", str(example_copy), "--db", str(ingested_db)])
        assert_clean_failure(result, "cannot write database")
    finally:
        ingested_db.chmod(0o644)
    assert digest(ingested_db) == before


def test_database_that_is_not_provenance(tmp_path: Path, example_copy: Path) -> None:
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("create table birds (name text)")
        conn.execute("insert into birds values ('wren')")
    before = digest(other)
    for args in (["ingest", str(example_copy)], ["claims"], ["stats"]):
        result = run_cli([*args, "--db", str(other)])
        assert_clean_failure(result, "not a provenance database")
    assert digest(other) == before


def test_file_that_is_not_sqlite(tmp_path: Path, example_copy: Path) -> None:
    fake = _write(tmp_path, "fake.db", b"this is not a database at all" * 100)
    before = digest(fake)
    result = run_cli(["ingest", str(example_copy), "--db", str(fake)])
    assert_clean_failure(result, "not an SQLite database")
    assert digest(fake) == before


def test_reading_a_missing_database_does_not_create_it(db_path: Path) -> None:
    result = run_cli(["claims", "--db", str(db_path)])
    assert_clean_failure(result, "no such database")
    assert not db_path.exists()


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["claims", "--format", "yaml"], "'yaml' is not one of"),
        (["claims", "--status", "maybe"], "'maybe' is not one of"),
        (["claims", "--category", "gossip"], "'gossip' is not one of"),
        (["claims", "--limit", "-1"], "-1"),
        (["stats", "--format", "csv"], "'csv' is not one of"),
    ],
)
def test_unknown_option_values_are_usage_errors(
    args: list[str], needle: str, ingested_db: Path
) -> None:
    before = digest(ingested_db)
    result = run_cli([*args, "--db", str(ingested_db)])
    assert result.exit_code == 2
    assert needle in result.stderr
    assert "Traceback" not in result.output
    assert digest(ingested_db) == before
