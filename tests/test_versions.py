"""Versions keep annotations: re-ingest matches claims, carries history, and diffs versions."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from provenance.cli import cli
from provenance.ingest import ingest
from provenance.review.log import iter_annotations, make_annotation, record_annotations
from provenance.store.connection import open_database
from provenance.store.versions import Anchor, Change, anchor, match_anchors
from tests.dbrows import rows


def anchors_of(text: str, sentences: list[str], prefix: str) -> list[Anchor]:
    found = []
    for n, sentence in enumerate(sentences):
        start = text.index(sentence)
        found.append(anchor(f"{prefix}{n}", text, start, start + len(sentence)))
    return found


def test_matching_classes_each_claim() -> None:
    old_sentences = [
        "Magnesium blocks the NMDA receptor.",
        "Glutamate is the main excitatory neurotransmitter.",
        "Zinc is unrelated to all of this.",
        "Most adults need around 400 mg of magnesium per day.",
        "Consult a doctor first.",
    ]
    new_sentences = [
        "Glutamate is the main excitatory neurotransmitter.",
        "Magnesium blocks the NMDA receptor.",
        "Most adults need around 420 mg of magnesium per day.",
        "Consult a doctor first.",
        "Sleep may improve.",
    ]
    old_text = " ".join(old_sentences)
    new_text = " ".join(new_sentences)
    old = anchors_of(old_text, old_sentences, "old")
    new = anchors_of(new_text, new_sentences, "new")
    changes = {(c.change, c.claim_id) for c in match_anchors(old, new)}
    assert (Change.edited, "old3") in changes  # 400 → 420: same claim, re-anchored
    assert (Change.new, "new4") in changes
    assert (Change.removed, "old2") in changes
    assert (Change.unchanged, "old4") in changes
    # of the two swapped sentences, one is in order and the other moved
    assert {(Change.moved, "old0"), (Change.unchanged, "old1")} <= changes or {
        (Change.moved, "old1"),
        (Change.unchanged, "old0"),
    } <= changes


def test_context_picks_the_right_twin() -> None:
    """Two similar edited quotes: the surrounding text decides which old claim each one is."""
    old_text = (
        "Intro about receptors here. Magnesium reduces glutamate release in rats. Then more. "
        "Different topic entirely now. Magnesium reduces glutamate release in mice. The end."
    )
    new_text = (
        "Intro about receptors here. Magnesium lowers glutamate release in rats. Then more. "
        "Different topic entirely now. Magnesium lowers glutamate release in mice. The end."
    )
    old = anchors_of(old_text, ["Magnesium reduces glutamate release in rats.",
                                "Magnesium reduces glutamate release in mice."], "old")  # fmt: skip
    new = anchors_of(new_text, ["Magnesium lowers glutamate release in rats.",
                                "Magnesium lowers glutamate release in mice."], "new")  # fmt: skip
    edited = {c.new.text: c.claim_id for c in match_anchors(old, new) if c.new is not None}
    assert edited == {
        "Magnesium lowers glutamate release in rats.": "old0",
        "Magnesium lowers glutamate release in mice.": "old1",
    }


def test_unrelated_text_is_not_re_anchored() -> None:
    old_text = "Magnesium blocks the NMDA receptor."
    new_text = "Vitamin D deficiency is common in winter."
    changes = match_anchors(
        [anchor("a", old_text, 0, len(old_text))], [anchor("b", new_text, 0, len(new_text))]
    )
    assert sorted(c.change.value for c in changes) == ["new", "removed"]


def claim_by_text(db_path: Path, fragment: str) -> str:
    found = rows(db_path, "select id from claims where text like ?", (f"%{fragment}%",))
    assert len(found) == 1, found
    return str(found[0][0])


EDITED = "Magnesium is a vital mineral involved in numerous physiological processes"
REMOVED = "Firstly, magnesium competes with calcium for entry into the neuron"
KEPT = "Glutamate is the primary excitatory neurotransmitter in the brain"


def annotate_three(db_path: Path) -> tuple[str, str, str]:
    ids = (
        claim_by_text(db_path, EDITED),
        claim_by_text(db_path, REMOVED),
        claim_by_text(db_path, KEPT),
    )
    db = open_database(db_path)
    try:
        record_annotations(db, [make_annotation(i, "alice", "supported") for i in ids])
    finally:
        db.close()
    return ids


def edit_article(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    text = text.replace("Magnesium is a vital mineral", "Magnesium is a crucial mineral")
    sentence_start = text.index(REMOVED)
    sentence_end = text.index(".", sentence_start) + 2
    text = text[:sentence_start] + text[sentence_end:]
    path.write_text(text + "\nCopper is a cofactor of many enzymes.\n", encoding="utf-8")


def test_reingest_keeps_annotations_and_resets_edited_claims(
    ingested_db: Path, example_copy: Path
) -> None:
    edited, removed, kept = annotate_three(ingested_db)
    edit_article(example_copy)
    result = CliRunner().invoke(cli, ["ingest", str(example_copy), "--db", str(ingested_db)])
    assert result.exit_code == 0, result.output
    assert "version 2" in result.output
    assert "1 edited, 1 new, 1 removed" in result.output

    # the unchanged claim keeps its id and its reviewed status
    assert rows(
        ingested_db, "select evidence_status, is_current from claims where id = ?", (kept,)
    ) == [("supported", 1)]
    # the edited claim keeps its id and history but goes back to review
    assert rows(
        ingested_db, "select text like '%crucial mineral%', evidence_status, is_current"
        " from claims where id = ?", (edited,)
    ) == [(1, "unsupported", 1)]  # fmt: skip
    # the removed claim is kept, not current, with its history
    assert rows(
        ingested_db, "select evidence_status, is_current from claims where id = ?", (removed,)
    ) == [("supported", 0)]
    db = open_database(ingested_db)
    try:
        assert {a.claim_id for a in iter_annotations(db)} == {edited, removed, kept}
        # a verdict given after the edit counts again
        record_annotations(db, [make_annotation(edited, "bob", "contradicted")])
    finally:
        db.close()
    assert rows(ingested_db, "select evidence_status from claims where id = ?", (edited,)) == [
        ("contradicted",)
    ]
    history = CliRunner().invoke(cli, ["history", edited, "--db", str(ingested_db)]).output
    assert "alice: supported" in history and "no longer counts" in history
    assert "version 1 → 2: edited" in history


def test_diff_between_any_two_versions(ingested_db: Path, example_copy: Path) -> None:
    edit_article(example_copy)
    ingest([example_copy], ingested_db)
    text = example_copy.read_text(encoding="utf-8")
    example_copy.write_text(
        text.replace("Copper is a cofactor of many enzymes.", ""), encoding="utf-8"
    )
    ingest([example_copy], ingested_db)

    def diff(*args: str) -> dict[str, int]:
        result = CliRunner().invoke(
            cli, ["diff", "magnesium-glutamate", "--json", *args, "--db", str(ingested_db)]
        )
        assert result.exit_code == 0, result.output
        counts: dict[str, int] = json.loads(result.output)["counts"]
        return counts

    assert diff() == {"unchanged": 98, "moved": 0, "edited": 0, "new": 0, "removed": 1}
    assert diff("--from", "1", "--to", "2")["new"] == 1
    first_to_last = diff("--from", "1", "--to", "3")
    assert (first_to_last["edited"], first_to_last["new"], first_to_last["removed"]) == (1, 0, 1)
    text_output = (
        CliRunner()
        .invoke(cli, ["diff", "magnesium-glutamate", "--from", "1", "--db", str(ingested_db)])
        .output
    )
    assert "- Magnesium is a vital mineral" in text_output
    assert "+ Magnesium is a crucial mineral" in text_output
    bad = CliRunner().invoke(
        cli, ["diff", "magnesium-glutamate", "--from", "7", "--db", str(ingested_db)]
    )
    assert bad.exit_code == 1 and "has no version 7 (it has 1, 2, 3)" in bad.output


def test_diff_needs_two_versions(ingested_db: Path) -> None:
    result = CliRunner().invoke(cli, ["diff", "magnesium-glutamate", "--db", str(ingested_db)])
    assert result.exit_code == 1
    assert "only one version" in result.output


def test_moved_sentence_keeps_its_id(ingested_db: Path, example_copy: Path) -> None:
    text = example_copy.read_text(encoding="utf-8")
    moved = (
        "Excitotoxicity is a pathological process by which neurons are damaged and killed"
        " by the overactivation of their glutamate receptors. "
    )
    assert moved in text
    before = claim_by_text(ingested_db, "Excitotoxicity is a pathological process")
    example_copy.write_text(text.replace(moved, "") + "\n" + moved.strip() + "\n", encoding="utf-8")
    summary = ingest([example_copy], ingested_db)
    changes = summary.outcomes[0].changes
    assert changes is not None
    assert [c.claim_id for c in changes.changes if c.change is Change.moved] == [before]
    assert changes.counts()["edited"] == changes.counts()["new"] == 0


@pytest.mark.parametrize(
    "versions",
    [
        # A edited to A', then A comes back beside A': every claim keeps a distinct id
        ["A cat sat on the mat today. B is here.", "A cat sat on the mat yesterday. B is here.",
         "A cat sat on the mat yesterday. A cat sat on the mat today. B is here."],
        # a removed claim comes back with its old id and history
        ["A cat sat on the mat. B is here.", "B is here.", "A cat sat on the mat. B is here."],
    ],
)  # fmt: skip
def test_ids_stay_unique_across_reverts(tmp_path: Path, versions: list[str]) -> None:
    document = tmp_path / "doc.txt"
    db_path = tmp_path / "claims.db"
    for text in versions:
        document.write_text(text + "\n", encoding="utf-8")
        ingest([document], db_path)
    current = rows(db_path, "select id, text from claims where is_current = 1 order by start")
    assert [t for _, t in current] == [
        s.strip() + "." for s in versions[-1].split(".") if s.strip()
    ]
    assert len({i for i, _ in current}) == len(current)


def test_a_removed_claim_that_returns_has_its_history(tmp_path: Path) -> None:
    document = tmp_path / "doc.txt"
    db_path = tmp_path / "claims.db"
    document.write_text("A cat sat on the mat. B is here.\n", encoding="utf-8")
    ingest([document], db_path)
    cat = claim_by_text(db_path, "cat sat")
    db = open_database(db_path)
    try:
        record_annotations(db, [make_annotation(cat, "alice", "contradicted")])
    finally:
        db.close()
    document.write_text("B is here.\n", encoding="utf-8")
    ingest([document], db_path)
    assert rows(db_path, "select is_current from claims where id = ?", (cat,)) == [(0,)]
    document.write_text("A cat sat on the mat. B is here.\n", encoding="utf-8")
    ingest([document], db_path)
    assert rows(db_path, "select is_current, evidence_status from claims where id = ?", (cat,)) == [
        (1, "contradicted")
    ]


def test_editing_one_of_repeated_sentences_moves_nothing() -> None:
    repeated = "Consult a doctor first."
    old_sentences = [f"Point {n} is made here." for n in range(6)]
    for n in (1, 3, 5):
        old_sentences.insert(n * 2, repeated)
    old_text = " ".join(old_sentences)
    # the first repeat is reworded; the other two stay where they were
    new_text = old_text.replace(repeated, "Consult a doctor before you start.", 1)
    old = [anchor(f"o{n}", old_text, *span) for n, span in enumerate(spans(old_text))]
    new = [anchor(f"n{n}", new_text, *span) for n, span in enumerate(spans(new_text))]
    counts: dict[str, int] = {}
    for change in match_anchors(old, new):
        counts[change.change.value] = counts.get(change.change.value, 0) + 1
    assert counts == {"unchanged": len(old) - 1, "edited": 1}


def spans(text: str) -> list[tuple[int, int]]:
    """Where each sentence of a text of one-line sentences ending in '. ' is."""
    found = []
    position = 0
    for sentence in text.replace(". ", ".\n").split("\n"):
        begin = text.index(sentence, position)
        found.append((begin, begin + len(sentence)))
        position = begin + len(sentence)
    return found


def test_unchanged_bytes_read_with_other_rules_are_reclassified(
    ingested_db: Path, example_copy: Path
) -> None:
    """After an upgrade of the rules, re-ingesting classifies again; ids and reviews stay."""
    _, _, kept = annotate_three(ingested_db)
    query = "select id, category, category_cues from claims where is_current = 1 order by start"
    before = rows(ingested_db, query)
    other = claim_by_text(ingested_db, "It plays a crucial role in learning")
    conn = sqlite3.connect(ingested_db)
    with conn:  # what an older rule set might have said
        conn.execute("update runs set ruleset_version = 'categories-0.hedges-0.attribution-0'")
        conn.execute(
            "update claims set category = 'personal', category_cues = '[]' where id = ?", [other]
        )
    conn.close()
    unchanged = CliRunner().invoke(cli, ["ingest", str(example_copy), "--db", str(ingested_db)])
    assert unchanged.exit_code == 0, unchanged.output
    assert "reclassified, version 2, 99 claims (99 unchanged, 0 moved" in unchanged.output
    assert "1 reclassified (the rules changed)" in unchanged.output
    assert rows(ingested_db, query) == before  # the current rules' categories, same ids
    assert rows(ingested_db, "select evidence_status from claims where id = ?", (kept,)) == [
        ("supported",)
    ]
    again = CliRunner().invoke(cli, ["ingest", str(example_copy), "--db", str(ingested_db)])
    assert "unchanged (version 2)" in again.output
