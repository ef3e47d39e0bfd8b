"""The database: schema, migrations, versions, full-text index, determinism."""

from __future__ import annotations

import json
import sqlite3
import tempfile
import typing
from pathlib import Path

import sqlite_utils
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from provenance.extract.parse import parse_document
from provenance.extract.pipeline import extract
from provenance.extract.read import read_source
from provenance.ingest import ingest
from provenance.models import Attribution, Category, Claim, ClaimDraft, DocumentFormat
from provenance.store.connection import open_database
from provenance.store.reads import ClaimFilter, iter_claims
from provenance.store.schema import FACET_COLUMNS, MODEL_TABLES, migrations
from provenance.store.writes import CLAIM_ROW_COLUMNS, claim_row
from tests.dbrows import rows


def test_schema_has_every_table_fts_and_facet_indexes(ingested_db: Path) -> None:
    db = sqlite_utils.Database(ingested_db)
    tables = set(db.table_names())
    expected = {"documents", "claims", "sections", "references", "citations", "runs"}
    assert expected <= tables
    assert db.table("claims").detect_fts() == "claims_fts"
    leading = {index.columns[0] for index in db.table("claims").indexes}
    for column in (*FACET_COLUMNS, "claim_key"):
        assert column in leading
    foreign = {(fk.column, fk.other_table) for fk in db.table("claims").foreign_keys}
    assert ("document_id", "documents") in foreign
    db.close()


def test_migrations_are_recorded_and_reopening_applies_nothing(ingested_db: Path) -> None:
    db = open_database(ingested_db)
    assert migrations.pending(db) == []
    applied = [m.name for m in migrations.applied(db)]
    assert applied and applied[0] == "m001_initial"
    db.close()


def test_foreign_keys_are_enforced(ingested_db: Path) -> None:
    db = open_database(ingested_db)
    try:
        db.execute(
            "insert into sections (id, document_id, kind, level, text, start, [end], line,"
            " [column]) values ('x', 'no-such-document', 'heading', 1, 'T', 0, 1, 1, 1)"
        )
    except sqlite3.IntegrityError:
        pass
    else:
        raise AssertionError("a section of a missing document was accepted")
    finally:
        db.close()


def test_run_records_tool_and_ruleset_versions(ingested_db: Path) -> None:
    (run,) = rows(ingested_db, "select tool_version, ruleset_version, arguments from runs")
    assert all(run)
    claim_runs = rows(ingested_db, "select distinct run_id from claims")
    assert claim_runs == rows(ingested_db, "select id from runs")


def test_fts_index_matches_claims_across_versions(db_path: Path, example_copy: Path) -> None:
    ingest([example_copy], db_path)
    text = example_copy.read_text(encoding="utf-8")
    edited = text.replace("Magnesium is a vital mineral", "Magnesium is a quintessential mineral")
    example_copy.write_text(edited + "\nCopper is a cofactor of many enzymes.\n", encoding="utf-8")
    ingest([example_copy], db_path)
    indexed = rows(
        db_path,
        "select rowid, text from claims_fts where rowid in (select rowid from claims)"
        " order by rowid",
    )
    stored = rows(db_path, "select rowid, text from claims order by rowid")
    assert indexed == stored
    assert rows(db_path, "select count(*) from claims_fts")[0][0] == len(stored)
    # FTS integrity check raises if the index disagrees with its content table.
    rows(db_path, "insert into claims_fts(claims_fts) values ('integrity-check')")
    db = open_database(db_path)
    found = list(iter_claims(db, ClaimFilter(search="copper cofactor")))
    gone = list(iter_claims(db, ClaimFilter(search="vital mineral")))
    crucial = list(iter_claims(db, ClaimFilter(search="quintessential")))
    db.close()
    assert [c.text for c in found] == ["Copper is a cofactor of many enzymes."]
    assert gone == [] and len(crucial) == 1


def test_new_version_keeps_ids_of_unchanged_statements(db_path: Path, example_copy: Path) -> None:
    ingest([example_copy], db_path)
    first = rows(db_path, "select id, text from claims order by start")
    text = example_copy.read_text(encoding="utf-8")
    example_copy.write_text("Preface line that is a statement.\n" + text, encoding="utf-8")
    ingest([example_copy], db_path)
    current = rows(db_path, "select id, text, version, first_version from claims order by start")
    assert [(i, t) for i, t, _, _ in current[1:]] == first
    assert all(v == 2 for _, _, v, _ in current)
    assert [fv for _, _, _, fv in current] == [2] + [1] * len(first)
    versions = rows(db_path, "select version, is_latest from documents order by version")
    assert versions == [(1, 0), (2, 1)]


def test_removed_statements_are_kept_but_not_current(db_path: Path, example_copy: Path) -> None:
    ingest([example_copy], db_path)
    text = example_copy.read_text(encoding="utf-8")
    first_line = text.splitlines()[0]
    example_copy.write_text(text.replace(first_line, "Zinc is a metal."), encoding="utf-8")
    ingest([example_copy], db_path)
    removed = rows(db_path, "select text, version from claims where is_current = 0")
    assert removed and all(version == 1 for _, version in removed)
    # A removed claim still points at the version whose text holds it.
    for start, end, claim_text, doc_text in rows(
        db_path,
        "select c.start, c.[end], c.text, d.text from claims c join documents d"
        " on d.id = c.document_id where c.is_current = 0",
    ):
        assert isinstance(doc_text, str) and isinstance(start, int) and isinstance(end, int)
        assert doc_text[start:end] == claim_text


def test_the_same_statement_twice_gets_two_ids_and_one_key(db_path: Path, tmp_path: Path) -> None:
    doc = tmp_path / "twice.txt"
    doc.write_text("Zinc is a metal. Iron is a metal. Zinc is a metal.\n", encoding="utf-8")
    other = tmp_path / "other.txt"
    other.write_text("Zinc   is a METAL.\n", encoding="utf-8")
    ingest([doc, other], db_path)
    found = rows(db_path, "select id, claim_key, document from claims where text like 'zinc%'")
    assert len(found) == 3
    assert len({i for i, _, _ in found}) == 3
    assert len({k for _, k, _ in found}) == 1


prose_sentence = st.from_regex(r"[A-Z][a-z]{2,9}( [a-z]{1,9}){1,8}[.!]", fullmatch=True)
documents = st.lists(
    st.lists(prose_sentence, min_size=1, max_size=4).map(" ".join), min_size=1, max_size=6
).map(lambda paragraphs: "\n".join(paragraphs) + "\n")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=documents)
def test_ingest_is_deterministic_and_idempotent(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        doc = root / "doc.txt"
        doc.write_text(text, encoding="utf-8")
        listings = []
        for name in ("a.db", "b.db"):
            ingest([doc], root / name)
            listings.append(
                rows(
                    root / name,
                    "select id, claim_key, start, [end], text, category, evidence_status"
                    " from claims order by start",
                )
            )
        assert listings[0] == listings[1]
        before = (root / "a.db").read_bytes()
        summary = ingest([doc], root / "a.db")
        assert [o.status for o in summary.outcomes] == ["unchanged"]
        assert (root / "a.db").read_bytes() == before
        for start, end, claim_text in [(r[2], r[3], r[4]) for r in listings[0]]:
            assert isinstance(start, int) and isinstance(end, int)
            assert text[start:end] == claim_text


def test_every_model_field_has_a_column(ingested_db: Path) -> None:
    """Migrations are frozen snapshots written out by hand; the models must still fit them."""
    db = sqlite_utils.Database(ingested_db)
    assert set(MODEL_TABLES) == {
        "claims",
        "documents",
        "sections",
        "references",
        "blocks",
        "runs",
        "annotations",
    }
    for table, model in MODEL_TABLES.items():
        columns = set(db.table(table).columns_dict)
        assert set(model.model_fields) <= columns, table
    db.close()


@given(st.lists(st.text(max_size=12), max_size=5))
def test_cue_lists_are_stored_exactly_as_json_dumps_would(values: list[str]) -> None:
    from provenance.store.writes import _json_strings

    assert _json_strings(values) == json.dumps(values, ensure_ascii=False)


def test_claim_drafts_mirror_the_claim_model_and_rows_fill_every_column(
    ingested_db: Path,
) -> None:
    assert ClaimDraft._fields == tuple(Claim.model_fields)
    hints = typing.get_type_hints(ClaimDraft)
    assert hints == {name: field.annotation for name, field in Claim.model_fields.items()}
    columns = [row[1] for row in rows(ingested_db, "pragma table_info(claims)")]
    assert sorted(CLAIM_ROW_COLUMNS) == sorted(columns)


def test_a_draft_and_its_validated_claim_make_the_same_row(example_copy: Path) -> None:
    source = read_source(example_copy)
    cited = (
        "# Zinc\n\nStudies suggest zinc may help [1]. Smith et al. (2020) disagree.\n\n"
        "## References\n\n1. Smith J. Zinc and colds. 2020. doi:10.1000/x\n"
    )
    drafts = with_citations = 0
    for text, kind in ((source.text, source.format), (cited, DocumentFormat.markdown)):
        extraction = extract(parse_document(text, kind), source="a", document_id="d", version=1)
        for draft, claim in zip(extraction.drafts, extraction.claims, strict=True):
            drafts += 1
            row = claim_row(draft, first_version=1, run_id="r")
            assert row == claim_row(claim, first_version=1, run_id="r")
            # The hand-built JSON is what the models' serializer and json.dumps give.
            values = dict(zip(CLAIM_ROW_COLUMNS, row, strict=True))
            dumped = claim.model_dump(mode="json")
            for column in ("category_cues", "hedge_cues", "attribution_cues", "citations"):
                assert values[column] == json.dumps(dumped[column], ensure_ascii=False)
                with_citations += column == "citations" and bool(dumped[column])
    assert drafts == 101
    assert with_citations == 2


def test_ingest_leaves_statistics_for_the_query_planner(ingested_db: Path) -> None:
    # Without them SQLite guessed an index that made the audit read every row.
    analysed = rows(ingested_db, "select count(*) from sqlite_stat1 where tbl = 'claims'")
    assert analysed[0][0] > 0


def test_an_unchanged_re_ingest_adds_statistics_a_database_lacks(
    ingested_db: Path, example_copy: Path
) -> None:
    conn = sqlite3.connect(ingested_db)
    with conn:
        conn.execute("drop table sqlite_stat1")  # as a database from an earlier version
    conn.close()
    summary = ingest([example_copy], ingested_db)
    assert summary.claims == 0  # unchanged
    analysed = rows(ingested_db, "select count(*) from sqlite_stat1 where tbl = 'claims'")
    assert analysed[0][0] > 0


def test_taxonomy_table_says_what_every_category_and_attribution_means(
    ingested_db: Path,
) -> None:
    conn = sqlite3.connect(ingested_db)
    try:
        rows = conn.execute("select kind, name, meaning from taxonomy").fetchall()
        used = conn.execute("select distinct category, attribution from claims").fetchall()
    finally:
        conn.close()
    names = {(kind, name) for kind, name, _ in rows}
    assert {("category", c.value) for c in Category} <= names
    assert {("attribution", a.value) for a in Attribution} <= names
    assert len(rows) == len(Category) + len(Attribution)
    assert all(meaning for _, _, meaning in rows)
    for category, attribution in used:
        assert ("category", category) in names and ("attribution", attribution) in names
