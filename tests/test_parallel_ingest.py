"""Worker processes change how fast an ingest runs, never what it writes."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from provenance.cli import cli
from provenance.errors import ProvenanceError
from provenance.ingest import auto_jobs, ingest

CLAIM_COLUMNS = (
    "id, claim_key, document, document_id, version, section, paragraph, start, [end], line,"
    " [column], text, category, category_cues, certainty, hedge_cues, attribution,"
    " attribution_cues, citations, evidence_status, first_version, is_current"
)


def dump(db_path: Path) -> dict[str, list[tuple[object, ...]]]:
    with sqlite3.connect(db_path) as conn:
        return {
            "claims": conn.execute(f"select {CLAIM_COLUMNS} from claims order by rowid").fetchall(),
            "documents": conn.execute(
                "select id, source, sha256, text, version from documents order by rowid"
            ).fetchall(),
            "sections": conn.execute("select * from sections order by rowid").fetchall(),
            "references": conn.execute("select * from [references] order by rowid").fetchall(),
            "citations": conn.execute("select * from citations order by rowid").fetchall(),
            "fts": conn.execute("select rowid, text from claims_fts order by rowid").fetchall(),
        }


@pytest.fixture
def corpus(tmp_path: Path, example_copy: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    shutil.copyfile(example_copy, folder / "a.txt")
    (folder / "b.md").write_text(
        "# Zinc\n\nZinc supports immunity [1]. It may shorten colds.\n\n"
        "## References\n\n1. Smith J. Zinc and colds. J Nutr. 2020;1:2.\n",
        encoding="utf-8",
    )
    (folder / "c.html").write_text(
        "<main><h1>Iron</h1><p>Iron carries oxygen. Experts say it helps.</p></main>",
        encoding="utf-8",
    )
    return folder


def test_workers_write_exactly_what_a_serial_run_writes(corpus: Path, tmp_path: Path) -> None:
    ingest([corpus], tmp_path / "serial.db", jobs=1)
    summary = ingest([corpus], tmp_path / "parallel.db", jobs=3)
    assert [o.status for o in summary.outcomes] == ["new", "new", "new"]
    assert dump(tmp_path / "serial.db") == dump(tmp_path / "parallel.db")


def test_a_failing_document_in_a_worker_is_a_clean_error(corpus: Path, tmp_path: Path) -> None:
    (corpus / "d.txt").write_text("x" * 30_000 + "\n", encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["ingest", str(corpus), "--db", str(tmp_path / "p.db"), "--jobs", "2"]
    )
    assert result.exit_code == 1
    assert "without a sentence boundary" in result.stderr
    assert "Traceback" not in result.output
    with pytest.raises(ProvenanceError):
        ingest([corpus / "d.txt", corpus / "a.txt"], tmp_path / "q.db", jobs=2)


def test_small_corpora_stay_in_one_process(corpus: Path) -> None:
    files = sorted(corpus.iterdir())
    assert auto_jobs(files) == 1
    assert auto_jobs(files[:1]) == 1


def test_one_source_named_two_ways_is_ingested_once(corpus: Path, tmp_path: Path) -> None:
    (corpus / "sub").mkdir()
    summary = ingest([corpus / "a.txt", corpus / "sub" / ".." / "a.txt"], tmp_path / "x.db")
    assert len(summary.outcomes) == 1
