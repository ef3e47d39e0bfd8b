"""Commands for reviewers: annotate, review, history, annotations export/import, diff."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import shutil
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
import sqlite_utils

from provenance.annotations import (
    IMPORT_FORMATS,
    default_reviewer,
    export_annotations,
    import_annotations,
    iter_annotations,
    make_annotation,
    parse_verdict,
    read_import_rows,
    record_annotations,
    review_since,
)
from provenance.commands.options import claim_filter_from, claim_filter_options, db_option
from provenance.errors import ProvenanceError
from provenance.evidence_refs import normalise_reference
from provenance.models import Annotation, Claim, Verdict
from provenance.status import in_force, utc_timestamp
from provenance.store import ClaimFilter, get_claim, iter_claims, open_database, resolve_claim_id
from provenance.versions import Change, VersionDiff, diff_versions

VERDICT_KEYS = {
    "s": Verdict.supported,
    "p": Verdict.partially_supported,
    "c": Verdict.contradicted,
    "u": Verdict.unverifiable,
    "n": Verdict.not_a_claim,
}
SKIP_KEYS = ("k", " ", "\r", "\n")
KEY_HELP = (
    "[s]upported  [p]artially supported  [c]ontradicted  [u]nverifiable  [n]ot a claim"
    "   [k] skip  [b] back  [q] quit"
)


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
        provenance annotate 3f9a1c --verdict contradicted \\
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
        provenance history 3f9a1c
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


# --- interactive review ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Context:
    paragraph: str
    start: int
    end: int


def _paragraph(db: sqlite_utils.Database, claim: Claim) -> _Context:
    """The claim's paragraph (the span of its sibling claims) and the claim's place in it."""
    start, end = db.conn.execute(
        "select min(start), max([end]) from claims where document_id = ? and paragraph = ?"
        " and is_current = 1",
        [claim.document_id, claim.paragraph],
    ).fetchone()
    start = min(start if start is not None else claim.start, claim.start)
    end = max(end if end is not None else claim.end, claim.end)
    (text,) = db.conn.execute(
        "select substr(text, ?, ?) from documents where id = ?",
        [start + 1, end - start, claim.document_id],
    ).fetchone()
    return _Context(text or claim.text, claim.start - start, claim.end - start)


def _claim_screen(db: sqlite_utils.Database, claim: Claim, position: str) -> str:
    context = _paragraph(db, claim)
    plain = (
        context.paragraph[: context.start]
        + "»"
        + context.paragraph[context.start : context.end]
        + "«"
        + context.paragraph[context.end :]
    )
    width = max(40, shutil.get_terminal_size((100, 24)).columns - 1)
    wrapped = textwrap.fill(" ".join(plain.split()), width=width, break_on_hyphens=False)
    opening, closing = wrapped.index("»"), wrapped.rindex("«") + 1
    marked = (
        wrapped[:opening] + click.style(wrapped[opening:closing], bold=True) + wrapped[closing:]
    )
    cues = [
        f"category    {claim.category.value}"
        + (f"  (cues: {', '.join(claim.category_cues)})" if claim.category_cues else ""),
        f"certainty   {claim.certainty.value}"
        + (f"  (cues: {', '.join(claim.hedge_cues)})" if claim.hedge_cues else ""),
        f"attribution {claim.attribution.value}"
        + (f"  (cues: {', '.join(claim.attribution_cues)})" if claim.attribution_cues else ""),
        f"status      {claim.evidence_status.value}",
    ]
    citations = [
        f"citation    {c.marker} ({c.kind.value})"
        + (f" → {', '.join(c.reference_ids)}" if c.reference_ids else "")
        for c in claim.citations
    ] or ["citation    none"]
    earlier = [
        f"reviewed    {a.reviewer}: {a.verdict.value} ({a.created_at[:10]})"
        for a in iter_annotations(db, [claim.id])
    ]
    section = f" · {claim.section}" if claim.section else ""
    return "\n".join(
        [
            "",
            f"{position}  claim {claim.id}  {claim.document} v{claim.version}{section}",
            "",
            marked,
            "",
            *cues,
            *citations,
            *earlier,
            "",
            KEY_HELP,
        ]
    )


def _queue_key(claim_filter: ClaimFilter) -> str:
    """Progress is kept per reviewer and per set of filters."""
    return hashlib.sha256(repr(claim_filter).encode("utf-8")).hexdigest()[:16]


def _reviewed_by(db: sqlite_utils.Database, reviewer: str, claim_ids: list[str]) -> set[str]:
    """Claims with a verdict of this reviewer that still counts."""
    by_claim: dict[str, list[Annotation]] = {}
    for annotation in iter_annotations(db, claim_ids):
        if annotation.reviewer == reviewer:
            by_claim.setdefault(annotation.claim_id, []).append(annotation)
    since = review_since(db.conn, sorted(by_claim))
    return {c for c, found in by_claim.items() if in_force(found, since.get(c))}


def _review_queue(
    db: sqlite_utils.Database, claim_filter: ClaimFilter, reviewer: str, include_reviewed: bool
) -> list[str]:
    ids = [c.id for c in iter_claims(db, claim_filter)]
    if include_reviewed:
        return ids
    done = _reviewed_by(db, reviewer, ids)
    return [i for i in ids if i not in done]


def _saved_position(db: sqlite_utils.Database, reviewer: str, queue: str) -> str | None:
    row = db.conn.execute(
        "select claim_id from review_progress where reviewer = ? and queue = ?", [reviewer, queue]
    ).fetchone()
    return row[0] if row else None


def _save_position(db: sqlite_utils.Database, reviewer: str, queue: str, claim_id: str) -> None:
    with db.atomic():
        db.conn.execute(
            "insert or replace into review_progress (reviewer, queue, claim_id, updated_at)"
            " values (?, ?, ?, ?)",
            [reviewer, queue, claim_id, utc_timestamp()],
        )


def _ask_evidence() -> list[str]:
    references: list[str] = []
    while True:
        entered = click.prompt(
            "evidence (doi:, pmid:, url:, … or text; empty line to finish)",
            default="",
            show_default=False,
        )
        if not entered.strip():
            return references
        try:
            references.append(normalise_reference(entered))
        except ProvenanceError as error:
            click.echo(f"  {error}; try again")


def _rotate(queue: list[str], ordered: list[str], saved: str | None) -> list[str]:
    """Start at the saved claim (or the next one still queued); what was before comes last."""
    if saved is None or not queue:
        return queue
    place = {claim_id: i for i, claim_id in enumerate(ordered)}
    if saved not in place:
        return queue
    cut = next((i for i, c in enumerate(queue) if place.get(c, -1) >= place[saved]), len(queue))
    return queue[cut:] + queue[:cut]


@click.command(name="review")
@db_option
@claim_filter_options
@click.option("--reviewer", help="Who reviews (else $PROVENANCE_REVIEWER, git user.name, login).")
@click.option("--all", "include_reviewed", is_flag=True, help="Also claims you already reviewed.")
@click.option("--restart", is_flag=True, help="Start from the first claim, not where you stopped.")
def review_command(
    db_path: Path,
    reviewer: str | None,
    include_reviewed: bool,
    restart: bool,
    **filters: Any,
) -> None:
    """Review claims one at a time in the terminal, with single keys

    Each claim is shown inside its paragraph, with its cues, citations and earlier verdicts.
    A verdict key asks for evidence and a note, records the annotation at once, and moves on.
    Claims you already reviewed are left out (unless --all); quitting remembers where you
    stopped, and the next review with the same filters resumes there.

    \b
    Keys: s supported, p partially supported, c contradicted, u unverifiable,
          n not a claim, k (or space) skip, b back, q quit
    \b
    Example:
        provenance review --document magnesium-glutamate --category efficacy
    """
    claim_filter = claim_filter_from(filters)
    who = default_reviewer(reviewer)
    queue_key = _queue_key(claim_filter)
    db = open_database(db_path, create=False)
    try:
        ordered = [c.id for c in iter_claims(db, claim_filter)]
        queue = _review_queue(db, claim_filter, who, include_reviewed)
        if not restart:
            queue = _rotate(queue, ordered, _saved_position(db, who, queue_key))
        recorded = _review_loop(db, queue, who, queue_key)
    finally:
        db.close()
    click.echo(f"{recorded} verdict(s) recorded by {who}")


def _read_key() -> str:
    """One key press; piped input is read a character at a time. End of input reads as ''."""
    if sys.stdin.isatty():
        return click.getchar().lower()
    return sys.stdin.read(1).lower()


def _review_loop(db: sqlite_utils.Database, queue: list[str], who: str, queue_key: str) -> int:
    if not queue:
        click.echo("nothing to review: no claim matches (or you reviewed them all)")
        return 0
    index = 0
    recorded = 0
    while 0 <= index < len(queue):
        claim = get_claim(db, queue[index])
        click.echo(_claim_screen(db, claim, f"[{index + 1}/{len(queue)}]"))
        key = _read_key()
        if key in ("q", ""):
            _save_position(db, who, queue_key, claim.id)
            click.echo("stopped; the next review resumes here")
            return recorded
        if key == "b":
            index = max(0, index - 1)
            continue
        if key in SKIP_KEYS:
            index += 1
            continue
        verdict = VERDICT_KEYS.get(key)
        if verdict is None:
            click.echo(f"unknown key {key!r}")
            continue
        click.echo(f"verdict: {verdict.value}")
        evidence = _ask_evidence()
        note = click.prompt("note (optional)", default="", show_default=False)
        record_annotations(db, [make_annotation(claim.id, who, verdict, evidence, note or None)])
        recorded += 1
        index += 1
    with db.atomic():
        db.conn.execute(
            "delete from review_progress where reviewer = ? and queue = ?", [who, queue_key]
        )
    click.echo("end of the queue; the next review starts from the beginning")
    return recorded


# --- annotations export / import -------------------------------------------------------


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


# --- diff --------------------------------------------------------------------------------


def _diff_text(diff: VersionDiff, show_unchanged: bool) -> str:
    lines = [f"{diff.document}: version {diff.from_version} → {diff.to_version}: {diff.summary()}"]
    for change in diff.changes:
        if change.change is Change.unchanged and not show_unchanged:
            continue
        label = f"{change.change.value:<9} {change.claim_id}"
        if change.change is Change.edited and change.old and change.new:
            lines.append(f"{label}  - {change.old.text}")
            lines.append(f"{' ' * len(label)}  + {change.new.text}")
        else:
            shown = change.new or change.old
            lines.append(f"{label}  {shown.text if shown else ''}")
    return "\n".join(lines)


@click.command(name="diff")
@click.argument("document")
@db_option
@click.option("from_version", "--from", type=int, help="Older version (default: the one before).")
@click.option("to_version", "--to", type=int, help="Newer version (default: the latest).")
@click.option("--all", "show_unchanged", is_flag=True, help="List unchanged claims too.")
@click.option("json_", "--json", is_flag=True, help="Print the changes as JSON.")
def diff_command(
    document: str,
    db_path: Path,
    from_version: int | None,
    to_version: int | None,
    show_unchanged: bool,
    json_: bool,
) -> None:
    """What happened to each claim between two versions of a document

    Claims are unchanged, moved, edited (re-anchored to changed text: history kept, back to
    review), new, or removed.

    \b
    Examples:
        provenance diff magnesium-glutamate
        provenance diff magnesium-glutamate --from 1 --to 3
    """
    db = open_database(db_path, create=False)
    try:
        diff = diff_versions(db, document, from_version, to_version)
    finally:
        db.close()
    if not json_:
        click.echo(_diff_text(diff, show_unchanged))
        return
    data = {
        "document": diff.document,
        "from_version": diff.from_version,
        "to_version": diff.to_version,
        "counts": diff.counts(),
        "changes": [
            {
                "claim_id": c.claim_id,
                "change": c.change.value,
                "similarity": c.similarity,
                "old": None if c.old is None else {"start": c.old.start, "text": c.old.text},
                "new": None if c.new is None else {"start": c.new.start, "text": c.new.text},
            }
            for c in diff.changes
            if show_unchanged or c.change is not Change.unchanged
        ],
    }
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))
