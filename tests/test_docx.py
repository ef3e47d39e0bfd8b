"""DOCX: headings from styles, lists, tables, foot- and endnotes as references, no comments."""

from __future__ import annotations

import hashlib
import io
import sqlite3
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from provenance.cli import cli
from provenance.errors import ProvenanceError
from provenance.extract.blocks import ParsedDocument
from provenance.extract.parse import parse_source
from provenance.extract.parse_docx import MAX_RATIO, parse_docx
from provenance.extract.pipeline import extract
from provenance.extract.read import read_source
from provenance.models import Attribution, BlockKind
from tests.helpers import DATA

DOCX = DATA / "docx"
PRESS = DOCX / "press_release.docx"


def parsed(path: Path) -> ParsedDocument:
    return parse_source(read_source(path))


def kinds(doc: ParsedDocument) -> list[tuple[str, int, str]]:
    return [(b.kind.value, b.level, doc.text[b.start : b.end]) for b in doc.blocks]


def test_press_release_structure() -> None:
    doc = parsed(PRESS)
    assert doc.title == "Vitamin D and winter colds"
    assert kinds(doc) == [
        ("heading", 1, "Vitamin D and winter colds"),
        ("paragraph", 0, "Embargoed until 10 March, 00:01 GMT"),
        ("heading", 1, "Summary"),
        (
            "paragraph",
            0,
            "Daily vitamin D supplements reduced the risk of acute respiratory infection by 12%"
            " in a meta-analysis of 25 trials.¹ The effect was largest in people with low"
            " baseline levels.",
        ),
        ("paragraph", 0, "Experts say the findings may change winter advice for older adults."),
        ("heading", 2, "Key findings"),
        ("list_item", 1, "Supplements cut infections in people who were deficient."),
        ("list_item", 1, "No serious side effects were reported at daily doses."),
        ("list_item", 1, "Recruit participants with measured vitamin D levels."),
        ("list_item", 1, "Report infections by severity."),
        ("heading", 2, "Results by dose"),
        ("table", 0, "Dose | Trials | Risk reduction\nDaily | 15 | 19%\nMonthly | 10 | 3%"),
        ("paragraph", 0, "Monthly high doses did not protect against infection.²"),
        ("heading", 1, "About the study"),
        ("paragraph", 0, "The analysis pooled individual data from 10,933 participants.³"),
        ("heading", 1, "Notes"),
        ("reference", 0, "1. Martineau AR et al. BMJ 2017;356:i6583. doi:10.1136/bmj.i6583"),
        ("reference", 0, "2. Bolus doses are single large doses given once a month."),
        ("reference", 0, "3. Trials were registered; see the protocol."),
    ]
    assert "which experts" not in doc.text  # the reviewer's comment


def test_note_marks_resolve_to_the_notes_and_tables_are_not_claims() -> None:
    doc = parsed(PRESS)
    extraction = extract(doc, source="press.docx", document_id="d", version=1)
    by_text = {claim.text: claim for claim in extraction.claims}
    cited = by_text[
        "Daily vitamin D supplements reduced the risk of acute respiratory infection by 12%"
        " in a meta-analysis of 25 trials.¹"
    ]
    assert cited.attribution is Attribution.cited
    (citation,) = cited.citations
    (reference,) = [r for r in extraction.references if r.id in citation.reference_ids]
    assert reference.label == "1" and reference.doi == "10.1136/bmj.i6583"
    endnote = by_text["Monthly high doses did not protect against infection.²"].citations[0]
    assert [r.label for r in extraction.references if r.id in endnote.reference_ids] == ["2"]
    assert not any("Risk reduction" in text or "19%" in text for text in by_text)
    assert all(claim.page is None for claim in extraction.claims)


@pytest.mark.parametrize("name", ["mammoth_footnotes.docx", "mammoth_endnotes.docx"])
def test_word_notes_become_references(name: str) -> None:
    doc = parsed(DOCX / name)
    assert kinds(doc) == [
        ("paragraph", 0, "Ouch¹.²"),
        ("heading", 1, "Notes"),
        ("reference", 0, "1. A tachyon walks into a bar."),
        ("reference", 0, "2. Fin."),
    ]


def test_word_comments_tables_and_lists() -> None:
    assert parsed(DOCX / "mammoth_comments.docx").text == "Ouch."
    assert kinds(parsed(DOCX / "mammoth_tables.docx")) == [
        ("paragraph", 0, "Above"),
        ("table", 0, "Top left | Top right\nBottom left | Bottom right"),
        ("paragraph", 0, "Below"),
    ]
    assert [b.kind for b in parsed(DOCX / "mammoth_simple-list.docx").blocks] == [
        BlockKind.list_item,
        BlockKind.list_item,
    ]


def zip_of(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_bad_docx_files_are_refused_in_one_line() -> None:
    with pytest.raises(ProvenanceError, match=r"x\.docx: not a DOCX file \(not a zip archive\)"):
        parse_docx(b"%PDF-1.4 not a zip", "x.docx")
    renamed = zip_of(
        {"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"}
    )
    with pytest.raises(ProvenanceError, match="not a Word document"):
        parse_docx(renamed, "x.docx")
    broken = zip_of({"word/document.xml": b"<w:document><unclosed>"})
    with pytest.raises(ProvenanceError, match="damaged DOCX"):
        parse_docx(broken, "x.docx")


def test_zip_bomb_is_refused_before_it_is_inflated() -> None:
    # 20 MB of one repeated byte: about 20 kB compressed, a ratio far above the limit.
    bomb = zip_of({"word/document.xml": b" " * (20 * 1024 * 1024)})
    assert len(bomb) * MAX_RATIO < 20 * 1024 * 1024
    with pytest.raises(ProvenanceError, match="zip bomb"):
        parse_docx(bomb, "bomb.docx")


def test_bad_docx_leaves_the_database_unchanged(ingested_db: Path, tmp_path: Path) -> None:
    bad = tmp_path / "draft.docx"
    bad.write_bytes(zip_of({"readme.txt": b"a zip, but not of a Word document"}))
    before = hashlib.sha256(ingested_db.read_bytes()).hexdigest()
    result = CliRunner().invoke(cli, ["ingest", str(PRESS), str(bad), "--db", str(ingested_db)])
    assert result.exit_code == 1
    assert result.stderr.strip().count("\n") == 0 and "not a Word document" in result.stderr
    assert hashlib.sha256(ingested_db.read_bytes()).hexdigest() == before


def test_docx_ingest_stores_the_bytes_hash_and_the_text(db_path: Path) -> None:
    result = CliRunner().invoke(cli, ["ingest", str(PRESS), "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    with sqlite3.connect(db_path) as conn:
        fmt, sha, size, text = conn.execute(
            "select format, sha256, size, text from documents"
        ).fetchone()
        claims = conn.execute("select start, [end], text from claims").fetchall()
    assert fmt == "docx" and size == PRESS.stat().st_size
    assert sha == hashlib.sha256(PRESS.read_bytes()).hexdigest()
    assert claims and all(text[start:end] == claim for start, end, claim in claims)


def test_entity_expansion_is_refused() -> None:
    entities = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)).replace(
        "&lol0;", "lol"
    )
    document = (
        f'<?xml version="1.0"?><!DOCTYPE lolz [{entities}]>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        "<w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>"
    )
    with pytest.raises(ProvenanceError, match="declares a DTD"):
        parse_docx(zip_of({"word/document.xml": document.encode()}), "lol.docx")
