"""Commands that record and show verdicts: annotate, history, annotations export/import."""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path
from typing import Any

import click
import sqlite_utils

from provenance.commands.options import claim_filter_from, claim_filter_options, db_option
from provenance.errors import ProvenanceError
from provenance.models import Annotation, Verdict
from provenance.review.evidence import normalise_reference
from provenance.review.log import (
    iter_annotations,
    make_annotation,
    parse_verdict,
    record_annotations,
    review_since,
)
from provenance.review.reviewer import default_reviewer
from provenance.review.status import in_force
from provenance.review.transfer import (
    IMPORT_FORMATS,
    export_annotations,
    import_annotations,
    read_import_rows,
)
from provenance.store.connection import open_database
from provenance.store.reads import (
    ClaimFilter,
    check_documents,
    get_claim,
    iter_claims,
    resolve_claim_id,
)
from provenance.store.versions import Change
from provenance.timestamps import utc_timestamp


def _verdict_callback(ctx: click.Context, param: click.Parameter, value: str) -> Verdict:
    try:
        return parse_verdict(value)
    except ProvenanceError as error:
        raise click.BadParameter(str(error)) from None


def _evidence_callback(
    ctx: click.Context, param: click.Parameter, value: tuple[str, ...]
) -> list[str]:
    try:
        return [normalise_reference(v) for v in value]
    except ProvenanceError as error:
        raise click.BadParameter(str(error)) from None


@click.command(name="annotate")
@click.argument("claim_ids", nargs=-1, required=True)
@click.option(
    "--verdict",
    required=True,
    callback=_verdict_callback,
    help="supported, partially_supported, contradicted, unverifiable or not_a_claim.",
)
@click.option(
    "--evidence",
    multiple=True,
    callback=_evidence_callback,
    help="doi:, pmid:, pmcid:, isbn:, url: reference or free text (repeatable).",
)
@click.option("--note", help="Why: what the evidence shows.")
@click.option("--reviewer", help="Who reviews (else $PROVENANCE_REVIEWER, git user.name, login).")
@db_option
def annotate_command(
    claim_ids: tuple[str, ...],
    verdict: Verdict,
    evidence: list[str],
    note: str | None,
    reviewer: str | None,
    db_path: Path,
) -> None:
    """Record a reviewer's verdict on one or more claims (ids or unique prefixes)

    Annotations are never changed or deleted; a later verdict by the same reviewer replaces
    the earlier one in the claim's status, and reviewers who disagree make it 'disputed'.

    \b
    Example:
        provenance annotate da5ed3 --verdict contradicted \\
            --evidence doi:10.1000/xyz123 --evidence pmid:12345678 \\
            --note "the cited trial measured serum magnesium, not glutamate" --reviewer alice
    """
    who = default_reviewer(reviewer)
    db = open_database(db_path, create=False)
    try:
        ids = list(dict.fromkeys(resolve_claim_id(db, c) for c in claim_ids))
        at = utc_timestamp()
        batch = [make_annotation(i, who, verdict, evidence, note, at) for i in ids]
        record_annotations(db, batch)
        statuses = {i: get_claim(db, i).evidence_status.value for i in ids}
    finally:
        db.close()
    for claim_id in ids:
        click.echo(f"{claim_id}: {verdict.value} by {who}; status {statuses[claim_id]}")


def _history_rows(
    db: sqlite_utils.Database, claim_id: str
) -> tuple[list[Annotation], str | None, list[dict[str, Any]]]:
    annotations = list(iter_annotations(db, [claim_id]))
    since = review_since(db.conn, [claim_id]).get(claim_id)
    cursor = db.conn.execute(
        "select from_version, to_version, change, old_text, new_text, similarity, at"
        " from claim_changes where claim_id = ? order by to_version",
        [claim_id],
    )
    names = [d[0] for d in cursor.description]
    changes = [dict(zip(names, values, strict=True)) for values in cursor]
    return annotations, since, changes


@click.command(name="history")
@click.argument("claim_id")
@db_option
@click.option("json_", "--json", is_flag=True, help="Print the history as JSON.")
def history_command(claim_id: str, db_path: Path, json_: bool) -> None:
    """A claim's annotations and version changes, oldest first

    Annotations made before the claim's text was last edited are history: they no longer
    count towards its status.

    \b
    Example:
        provenance history da5ed3
    """
    db = open_database(db_path, create=False)
    try:
        claim = get_claim(db, resolve_claim_id(db, claim_id))
        annotations, since, changes = _history_rows(db, claim.id)
    finally:
        db.close()
    counting = {a.id for a in in_force(annotations, since)}
    if json_:
        data = {
            "claim": claim.model_dump(mode="json"),
            "annotations": [
                {**a.model_dump(mode="json"), "in_force": a.id in counting} for a in annotations
            ],
            "versions": changes,
        }
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    click.echo(f"claim {claim.id}  ({claim.document}, version {claim.version})")
    click.echo(f"  {claim.text}")
    click.echo(f"status {claim.evidence_status.value}")
    events: list[tuple[str, str]] = []
    for annotation in annotations:
        line = f"{annotation.created_at}  {annotation.reviewer}: {annotation.verdict.value}"
        if annotation.evidence:
            line += f"  [{'; '.join(annotation.evidence)}]"
        if annotation.note:
            line += f"  “{annotation.note}”"
        if annotation.id not in counting:
            line += "  (before the text was edited; no longer counts)"
        events.append((annotation.created_at, line))
    for change in changes:
        line = f"{change['at']}  version {change['from_version']} → {change['to_version']}:"
        line += f" {change['change']}"
        if change["change"] == Change.edited.value:
            line += f"  (was: {change['old_text']})"
        events.append((change["at"], line))
    if not events:
        click.echo("no annotations yet")
    for _, line in sorted(events, key=lambda event: event[0]):
        click.echo(line)


@click.group(name="annotations")
def annotations_group() -> None:
    """Export the annotation log, or import annotations from a file"""


@annotations_group.command(name="export")
@db_option
@click.option(
    "fmt",
    "--format",
    type=click.Choice(IMPORT_FORMATS, case_sensitive=False),
    default="csv",
    show_default=True,
    help="Output format.",
)
@claim_filter_options
def export_command(db_path: Path, fmt: str, **filters: Any) -> None:
    """Write every annotation, oldest first, as CSV or JSON lines

    With claim filters, only the annotations of the matching claims (removed claims
    included). The CSV has the claim's text as a last column, for reading; import ignores it.

    \b
    Example:
        provenance annotations export --format csv > review.csv
    """
    claim_filter = claim_filter_from(filters)
    db = open_database(db_path, create=False)
    try:
        check_documents(db, claim_filter.documents)
        claim_ids = None
        if claim_filter != ClaimFilter():
            with_removed = dataclasses.replace(claim_filter, include_removed=True)
            claim_ids = [c.id for c in iter_claims(db, with_removed)]
        export_annotations(db, sys.stdout, fmt.lower(), claim_ids)
    finally:
        db.close()


@annotations_group.command(name="import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@db_option
@click.option(
    "fmt",
    "--format",
    type=click.Choice(IMPORT_FORMATS, case_sensitive=False),
    help="csv or jsonl (default: from the file's extension).",
)
@click.option("--reviewer", help="Reviewer for rows that name none.")
def import_command(path: Path, db_path: Path, fmt: str | None, reviewer: str | None) -> None:
    """Record annotations from a CSV or JSON-lines file, all or nothing

    Every row is checked first; if any is bad, nothing is recorded and the bad rows are
    listed (CSV rows are numbered as in a spreadsheet, the header being row 1). Rows already
    recorded are skipped, so an exported file can be imported again; an exported row whose
    verdict, evidence or note was edited becomes a new annotation.

    \b
    Example:
        provenance annotations import review.csv
    """
    rows = read_import_rows(path, fmt.lower() if fmt else None)
    db = open_database(db_path, create=False)
    try:
        result = import_annotations(db, rows, reviewer=reviewer)
    finally:
        db.close()
    click.echo(
        f"{result.added} annotation(s) recorded ({result.superseding} replacing edited rows),"
        f" {result.already_recorded} already recorded"
    )
