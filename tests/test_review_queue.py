"""The one "needs review" rule, seen through the web review queue and ``provenance review``.

Both come from the same scenario: ingest, a verdict on two claims, one of their sentences
edited, ingest again. The edited claim's old verdict no longer counts, so both queues offer it
again; the untouched claim's verdict still counts, so neither does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from provenance.cli import cli
from provenance.ingest import ingest
from provenance.publish.metadata import database_name
from provenance.publish.serve import make_datasette
from provenance.review.log import make_annotation, record_annotations
from provenance.store.connection import open_database
from tests.dbrows import rows

EDITED = "Magnesium is a vital mineral involved in numerous physiological processes"
KEPT = "Glutamate is the primary excitatory neurotransmitter in the brain"
SCREEN = re.compile(r"^\[\d+/\d+\]\s+claim ([0-9a-f]+)", re.MULTILINE)


@dataclass(frozen=True)
class Scenario:
    db_path: Path
    edited: str
    kept: str


def claim_by_text(db_path: Path, fragment: str) -> str:
    found = rows(db_path, "select id from claims where text like ?", (f"%{fragment}%",))
    assert len(found) == 1, found
    return str(found[0][0])


@pytest.fixture
def edited_after_review(db_path: Path, example_copy: Path) -> Scenario:
    ingest([example_copy], db_path)
    edited, kept = claim_by_text(db_path, EDITED), claim_by_text(db_path, KEPT)
    db = open_database(db_path)
    try:
        record_annotations(db, [make_annotation(i, "alice", "supported") for i in (edited, kept)])
    finally:
        db.close()
    text = example_copy.read_text(encoding="utf-8")
    example_copy.write_text(
        text.replace("Magnesium is a vital mineral", "Magnesium is a crucial mineral"),
        encoding="utf-8",
    )
    ingest([example_copy], db_path)
    # the edit kept the claim's id and reset its review; the other claim is as it was
    assert rows(db_path, "select evidence_status from claims where id in (?, ?) order by id = ?",
                (edited, kept, edited)) == [("supported",), ("unsupported",)]  # fmt: skip
    return Scenario(db_path, edited, kept)


def unreviewed(db_path: Path) -> list[str]:
    """Every current claim without an annotation in force, in document order, computed here."""
    found = rows(
        db_path,
        "select c.id from claims c where c.is_current = 1 and c.id not in"
        " (select a.claim_id from annotations a where a.created_at > coalesce("
        "(select max(at) from claim_changes r where r.claim_id = a.claim_id"
        " and r.review_reset = 1), ''))"
        " order by c.document, c.version, c.start",
    )
    return [r[0] for r in found]


@pytest.mark.asyncio
async def test_canned_review_queue_offers_an_edited_claim_again(
    edited_after_review: Scenario,
) -> None:
    scenario = edited_after_review
    ds = make_datasette(scenario.db_path)
    name = database_name(scenario.db_path)
    response = await ds.client.get(f"/{name}/review_queue.json?_shape=objects&_size=max")
    assert response.status_code == 200
    listed = [row["id"] for row in response.json()["rows"]]
    assert scenario.edited in listed
    assert scenario.kept not in listed
    assert listed == unreviewed(scenario.db_path)


def test_cli_review_offers_an_edited_claim_again(edited_after_review: Scenario) -> None:
    scenario = edited_after_review
    result = CliRunner().invoke(
        cli,
        ["review", "--reviewer", "alice", "--db", str(scenario.db_path)],
        input="k" * 1000,
    )
    assert result.exit_code == 0, result.output
    offered = SCREEN.findall(result.output)
    assert scenario.edited in offered
    assert scenario.kept not in offered
    assert offered == unreviewed(scenario.db_path)
