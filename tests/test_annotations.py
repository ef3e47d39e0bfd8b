"""Annotations: validated records, an append-only log, and the status it decides."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import tempfile
from collections import defaultdict
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from provenance.cli import cli
from provenance.errors import ProvenanceError
from provenance.ingest import ingest
from provenance.models import EvidenceStatus, Verdict
from provenance.review.evidence import normalise_reference
from provenance.review.log import iter_annotations, make_annotation, record_annotations
from provenance.review.reviewer import default_reviewer
from provenance.review.status import effective_status
from provenance.store.connection import open_database
from provenance.timestamps import shifted, utc_timestamp


def claim_ids(db_path: Path) -> list[str]:
    conn = sqlite3.connect(db_path)
    try:
        return [
            r[0] for r in conn.execute("select id from claims where is_current = 1 order by start")
        ]
    finally:
        conn.close()


def status_of(db_path: Path, claim_id: str) -> str:
    conn = sqlite3.connect(db_path)
    try:
        return str(
            conn.execute("select evidence_status from claims where id = ?", [claim_id]).fetchone()[
                0
            ]
        )
    finally:
        conn.close()


def invoke(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), env=env)
    return result.exit_code, result.output


@pytest.mark.parametrize(
    ("given_reference", "stored"),
    [
        ("doi:10.1000/xyz123", "doi:10.1000/xyz123"),
        ("DOI: 10.1038/nature12373", "doi:10.1038/nature12373"),
        ("https://doi.org/10.1000/abc", "doi:10.1000/abc"),
        ("pmid:12345678", "pmid:12345678"),
        ("pmcid:PMC1234567", "pmcid:PMC1234567"),
        ("pmcid:1234567", "pmcid:PMC1234567"),
        ("isbn:978-0-306-40615-7", "isbn:9780306406157"),
        ("isbn:0-306-40615-2", "isbn:0306406152"),
        ("url:https://example.org/trial?id=3", "url:https://example.org/trial?id=3"),
        ("https://example.org/a", "url:https://example.org/a"),
        ("  Personal communication, Dr Smith  ", "Personal communication, Dr Smith"),
    ],
)
def test_references_are_validated_and_normalised(given_reference: str, stored: str) -> None:
    assert normalise_reference(given_reference) == stored


@pytest.mark.parametrize(
    "bad",
    [
        "doi:10.10/x",
        "doi:xyz123",
        "pmid:12ab",
        "pmid:0",
        "pmcid:PMCx",
        "isbn:978-0-306-40615-8",
        "isbn:12345",
        "url:ftp://example.org",
        "url:https://",
        "https://exa mple.org",
    ],
)
def test_malformed_references_are_refused_by_name(bad: str) -> None:
    with pytest.raises(ProvenanceError, match=repr(bad).replace("?", r"\?")):
        normalise_reference(bad)


def test_unknown_verdict_is_refused_by_name() -> None:
    with pytest.raises(ProvenanceError, match="'true-ish' is not a verdict"):
        make_annotation("abc", "alice", "true-ish")
    assert make_annotation("abc", "alice", "Partially-Supported").verdict is (
        Verdict.partially_supported
    )


def test_times_are_stored_in_one_utc_form() -> None:
    annotation = make_annotation(
        "abc", "alice", "supported", created_at="2024-03-01T12:00:00+02:00"
    )
    assert annotation.created_at == "2024-03-01T10:00:00.000000Z"
    with pytest.raises(ProvenanceError, match="'yesterday' is not an ISO 8601 time"):
        make_annotation("abc", "alice", "supported", created_at="yesterday")


def _annotation(claim: str, reviewer: str, verdict: str, at: str) -> object:
    return make_annotation(claim, reviewer, verdict, created_at=at)


@pytest.mark.parametrize(
    ("verdicts", "expected"),
    [
        ([], "unsupported"),
        ([("alice", "supported")], "supported"),
        ([("alice", "supported"), ("bob", "supported")], "supported"),
        ([("alice", "supported"), ("bob", "contradicted")], "disputed"),
        # alice changes her mind: only her latest verdict counts, so they agree again
        ([("alice", "contradicted"), ("bob", "supported"), ("alice", "supported")], "supported"),
        ([("alice", "supported"), ("alice", "not_a_claim")], "not_a_claim"),
    ],
)
def test_status_rule(verdicts: list[tuple[str, str]], expected: str) -> None:
    annotations = [
        make_annotation("c1", who, verdict, created_at=f"2024-01-01T00:00:0{i}Z")
        for i, (who, verdict) in enumerate(verdicts)
    ]
    assert effective_status(EvidenceStatus.unsupported, annotations).value == expected
    # the log order, not the order given, decides which verdict is latest
    assert effective_status(EvidenceStatus.unsupported, annotations[::-1]).value == expected


def test_recording_updates_status_in_the_same_transaction(ingested_db: Path) -> None:
    first = claim_ids(ingested_db)[0]
    db = open_database(ingested_db)
    try:
        record_annotations(db, [make_annotation(first, "alice", "contradicted")])
        assert status_of(ingested_db, first) == "contradicted"
        record_annotations(db, [make_annotation(first, "bob", "supported")])
        assert status_of(ingested_db, first) == "disputed"
        with pytest.raises(ProvenanceError, match="no claim with id 'ffff'"):
            record_annotations(
                db,
                [
                    make_annotation(first, "carol", "supported"),
                    make_annotation("ffff", "x", "supported"),
                ],
            )
        assert [a.reviewer for a in iter_annotations(db)] == ["alice", "bob"]
    finally:
        db.close()


def test_annotations_cannot_be_changed_or_deleted(ingested_db: Path) -> None:
    first = claim_ids(ingested_db)[0]
    db = open_database(ingested_db)
    try:
        record_annotations(db, [make_annotation(first, "alice", "supported")])
    finally:
        db.close()
    conn = sqlite3.connect(ingested_db)
    try:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("update annotations set verdict = 'contradicted'")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("delete from annotations")
        assert conn.execute("select verdict from annotations").fetchall() == [("supported",)]
    finally:
        conn.close()


def test_annotate_command(ingested_db: Path) -> None:
    ids = claim_ids(ingested_db)
    code, output = invoke(
        "annotate", ids[0][:8], ids[1], "--verdict", "contradicted",
        "--evidence", "doi:10.1000/xyz123", "--evidence", "pmid:12345678",
        "--note", "the cited trial measured serum magnesium, not glutamate",
        "--reviewer", "alice", "--db", str(ingested_db),
    )  # fmt: skip
    assert code == 0, output
    assert f"{ids[0]}: contradicted by alice; status contradicted" in output
    db = open_database(ingested_db)
    try:
        recorded = list(iter_annotations(db))
    finally:
        db.close()
    assert {a.claim_id for a in recorded} == {ids[0], ids[1]}
    assert recorded[0].evidence == ["doi:10.1000/xyz123", "pmid:12345678"]
    assert recorded[0].note == "the cited trial measured serum magnesium, not glutamate"


def test_reviewer_comes_from_the_environment(ingested_db: Path) -> None:
    first = claim_ids(ingested_db)[0]
    code, output = invoke(
        "annotate", first, "--verdict", "supported", "--db", str(ingested_db),
        env={"PROVENANCE_REVIEWER": "dana"},
    )  # fmt: skip
    assert code == 0, output
    assert "by dana" in output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--verdict", "maybe"], "'maybe' is not a verdict"),
        (
            ["--verdict", "supported", "--evidence", "doi:nonsense"],
            "'doi:nonsense' is not a valid DOI",
        ),
        (["--verdict", "supported", "--evidence", "pmid:12x"], "'pmid:12x' is not a valid PMID"),
    ],
)
def test_annotate_refuses_bad_values(ingested_db: Path, args: list[str], message: str) -> None:
    first = claim_ids(ingested_db)[0]
    code, output = invoke("annotate", first, *args, "--reviewer", "a", "--db", str(ingested_db))
    assert code == 2
    assert message in output
    assert status_of(ingested_db, first) != "supported"


def test_annotate_unknown_claim_is_an_error(ingested_db: Path) -> None:
    code, output = invoke(
        "annotate", "ffffff", "--verdict", "supported", "--reviewer", "a", "--db", str(ingested_db)
    )
    assert code == 1
    assert "no claim with id 'ffffff'" in output
    assert "Traceback" not in output


def test_history_lists_annotations_in_order(ingested_db: Path) -> None:
    first = claim_ids(ingested_db)[0]
    for who, verdict in (("alice", "contradicted"), ("bob", "supported")):
        assert (
            invoke(
                "annotate", first, "--verdict", verdict, "--reviewer", who, "--db", str(ingested_db)
            )[0]
            == 0
        )
    code, output = invoke("history", first[:7], "--db", str(ingested_db))
    assert code == 0, output
    assert "status disputed" in output
    assert output.index("alice: contradicted") < output.index("bob: supported")
    code, output = invoke("history", first, "--json", "--db", str(ingested_db))
    data = json.loads(output)
    assert [a["reviewer"] for a in data["annotations"]] == ["alice", "bob"]
    assert all(a["in_force"] for a in data["annotations"])


# --- export and import -------------------------------------------------------------


def _export(db_path: Path, fmt: str) -> str:
    code, output = invoke("annotations", "export", "--format", fmt, "--db", str(db_path))
    assert code == 0, output
    return output


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_export_import_round_trip(ingested_db: Path, tmp_path: Path, fmt: str) -> None:
    ids = claim_ids(ingested_db)
    invoke("annotate", ids[0], "--verdict", "contradicted", "--evidence", "doi:10.1000/a;b",
           "--evidence", "free text; with a semicolon", "--note", "n", "--reviewer", "alice",
           "--db", str(ingested_db))  # fmt: skip
    invoke("annotate", ids[1], "--verdict", "supported", "--reviewer", "bob",
           "--db", str(ingested_db))  # fmt: skip
    exported = _export(ingested_db, fmt)
    path = tmp_path / f"review.{fmt}"
    path.write_text(exported, encoding="utf-8")
    code, output = invoke("annotations", "import", str(path), "--db", str(ingested_db))
    assert code == 0, output
    assert "0 annotation(s) recorded" in output and "2 already recorded" in output
    assert _export(ingested_db, fmt) == exported

    # into a fresh database holding the same claims, the log arrives identical
    other = tmp_path / "other.db"
    ingest([Path(_document_source(ingested_db))], other)
    code, output = invoke("annotations", "import", str(path), "--db", str(other))
    assert code == 0, output
    assert _export(other, fmt) == exported
    assert status_of(other, ids[0]) == "contradicted"


def _document_source(db_path: Path) -> str:
    conn = sqlite3.connect(db_path)
    try:
        return str(conn.execute("select source from documents").fetchone()[0])
    finally:
        conn.close()


def test_spreadsheet_edits_come_back_as_new_annotations(ingested_db: Path, tmp_path: Path) -> None:
    ids = claim_ids(ingested_db)
    invoke("annotate", ids[0], "--verdict", "supported", "--reviewer", "alice",
           "--db", str(ingested_db))  # fmt: skip
    rows = list(csv.DictReader(io.StringIO(_export(ingested_db, "csv"))))
    rows[0]["verdict"] = "contradicted"  # alice changed her mind in the spreadsheet
    rows.append({"claim_id": ids[2][:10], "reviewer": "bob", "verdict": "unverifiable",
                 "evidence": "pmid:123; doi:10.1000/x", "note": "", "id": "", "created_at": "",
                 "claim_text": ""})  # fmt: skip
    path = tmp_path / "review.csv"
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    code, output = invoke("annotations", "import", str(path), "--db", str(ingested_db))
    assert code == 0, output
    assert "2 annotation(s) recorded (1 replacing edited rows)" in output
    assert status_of(ingested_db, ids[0]) == "contradicted"
    assert status_of(ingested_db, ids[2]) == "unverifiable"
    db = open_database(ingested_db)
    try:
        log = list(iter_annotations(db))
    finally:
        db.close()
    assert [a.verdict.value for a in log] == ["supported", "contradicted", "unverifiable"]
    assert log[2].evidence == ["pmid:123", "doi:10.1000/x"]


def test_import_with_a_bad_row_changes_nothing(ingested_db: Path, tmp_path: Path) -> None:
    ids = claim_ids(ingested_db)
    path = tmp_path / "review.csv"
    path.write_text(
        "claim_id,reviewer,verdict,evidence,note\n"
        f"{ids[0]},alice,supported,,\n"
        f"{ids[1]},alice,probably,,\n"
        f"{ids[2]},alice,supported,doi:oops,\n"
        f"{ids[3]},alice,supported,,\n",
        encoding="utf-8",
    )
    before = ingested_db.read_bytes()
    code, output = invoke("annotations", "import", str(path), "--db", str(ingested_db))
    assert code == 1
    assert "2 bad row(s), nothing imported" in output
    assert "row 3: 'probably' is not a verdict" in output
    assert "row 4: 'doi:oops' is not a valid DOI" in output
    assert ingested_db.read_bytes() == before
    assert status_of(ingested_db, ids[0]) == "unsupported"


def test_import_jsonl_reports_line_numbers(ingested_db: Path, tmp_path: Path) -> None:
    ids = claim_ids(ingested_db)
    path = tmp_path / "review.jsonl"
    lines = [
        {"claim_id": ids[0], "reviewer": "alice", "verdict": "supported"},
        {"claim_id": "0000000000", "reviewer": "alice", "verdict": "supported"},
    ]
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    code, output = invoke("annotations", "import", str(path), "--db", str(ingested_db))
    assert code == 1
    assert "row 2: no claim with id '0000000000'" in output
    assert status_of(ingested_db, ids[0]) == "unsupported"


# --- the invariant -------------------------------------------------------------------

SMALL_DOCUMENT = [
    "Magnesium blocks the NMDA receptor.",
    "Glutamate is the primary excitatory neurotransmitter.",
    "Magnesium may reduce migraine frequency.",
    "Most adults need around 400 mg per day.",
    "Consult a doctor before taking supplements.",
]
REVIEWERS = ("alice", "bob", "carol")
#: When an imported verdict is dated: as early as allowed (when the document was first
#: ingested, so before any later edit), as late as allowed (a minute ahead), or not at all (now).
TIMES = ("first ingest", "a minute ahead", None)


def dated(when: str, db_path: Path) -> str:
    if when == "a minute ahead":
        return shifted(utc_timestamp(), timedelta(minutes=1))
    conn = sqlite3.connect(db_path)
    try:
        return str(conn.execute("select min(ingested_at) from documents").fetchone()[0])
    finally:
        conn.close()


annotate_op = st.tuples(
    st.just("annotate"),
    st.integers(0, 9),
    st.sampled_from(REVIEWERS),
    st.sampled_from([v.value for v in Verdict]),
)
import_op = st.tuples(
    st.just("import"),
    st.lists(
        st.tuples(
            st.integers(0, 9),
            st.sampled_from(REVIEWERS),
            st.sampled_from([v.value for v in Verdict]),
            st.sampled_from(TIMES),
        ),
        min_size=1,
        max_size=4,
    ),
)
reingest_op = st.tuples(
    st.just("reingest"),
    st.lists(
        st.sampled_from(
            [
                *SMALL_DOCUMENT,
                "Magnesium strongly blocks the NMDA receptor.",
                "Magnesium may reduce the frequency of migraines.",
                "Zinc is also involved.",
            ]
        ),
        min_size=1,
        max_size=6,
    ),
)


def expected_statuses(db_path: Path) -> dict[str, str]:
    """Recompute every claim's status from the log alone, independently of the library."""
    conn = sqlite3.connect(db_path)
    try:
        text_status = dict(conn.execute("select id, text_status from claims").fetchall())
        resets = dict(
            conn.execute(
                "select claim_id, max(at) from claim_changes"
                " where review_reset = 1 group by claim_id"
            ).fetchall()
        )
        latest: dict[str, dict[str, str]] = defaultdict(dict)
        for claim, reviewer, verdict, at in conn.execute(
            "select claim_id, reviewer, verdict, created_at from annotations"
            " order by created_at, rowid"
        ):
            if claim in resets and at <= resets[claim]:
                continue
            latest[claim][reviewer] = verdict
    finally:
        conn.close()
    result = {}
    for claim, status in text_status.items():
        verdicts = set(latest[claim].values())
        result[claim] = (
            status if not verdicts else verdicts.pop() if len(verdicts) == 1 else "disputed"
        )
    return result


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(st.lists(st.one_of(annotate_op, import_op, reingest_op), min_size=1, max_size=7))
def test_status_always_matches_the_log(operations: list[tuple[object, ...]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        document = Path(folder) / "small.txt"
        document.write_text(" ".join(SMALL_DOCUMENT) + "\n", encoding="utf-8")
        db_path = Path(folder) / "claims.db"
        ingest([document], db_path)
        for operation in operations:
            ids = claim_ids(db_path)
            if operation[0] == "annotate":
                _, index, who, verdict = operation
                assert isinstance(index, int)
                db = open_database(db_path)
                try:
                    record_annotations(
                        db, [make_annotation(ids[index % len(ids)], str(who), str(verdict))]
                    )
                finally:
                    db.close()
            elif operation[0] == "import":
                rows = operation[1]
                assert isinstance(rows, list)
                path = Path(folder) / "import.jsonl"
                path.write_text(
                    "".join(
                        json.dumps(
                            {"claim_id": ids[i % len(ids)], "reviewer": who, "verdict": v}
                            | ({"created_at": dated(at, db_path)} if at else {})
                        )
                        + "\n"
                        for i, who, v, at in rows
                    ),
                    encoding="utf-8",
                )
                code, output = invoke("annotations", "import", str(path), "--db", str(db_path))
                assert code == 0, output
            else:
                sentences = operation[1]
                assert isinstance(sentences, list)
                document.write_text(" ".join(sentences) + "\n", encoding="utf-8")
                ingest([document], db_path)
            conn = sqlite3.connect(db_path)
            try:
                stored = dict(conn.execute("select id, evidence_status from claims").fetchall())
            finally:
                conn.close()
            assert stored == expected_statuses(db_path)


def test_reviewer_falls_back_to_git_then_login(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "gitconfig"
    config.write_text("[user]\n\tname = Grace Hopper\n", encoding="utf-8")
    monkeypatch.delenv("PROVENANCE_REVIEWER", raising=False)
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.chdir(tmp_path)
    assert default_reviewer(None) == "Grace Hopper"
    assert default_reviewer("  alice ") == "alice"
    monkeypatch.setenv("PROVENANCE_REVIEWER", "dana")
    assert default_reviewer(None) == "dana"
    monkeypatch.delenv("PROVENANCE_REVIEWER")
    config.write_text("", encoding="utf-8")
    monkeypatch.setenv("LOGNAME", "loginname")
    monkeypatch.setenv("USER", "loginname")
    assert default_reviewer(None) == "loginname"
