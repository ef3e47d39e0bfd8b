"""The interactive review: one claim at a time in its paragraph, a verdict per key."""

from __future__ import annotations

import hashlib
import shutil
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
import sqlite_utils

from provenance.commands.options import claim_filter_from, claim_filter_options, db_option
from provenance.errors import ProvenanceError
from provenance.models import Claim
from provenance.review.evidence import normalise_reference
from provenance.review.log import (
    iter_annotations,
    make_annotation,
    record_annotations,
)
from provenance.review.queue import VERDICT_KEYS, review_queue
from provenance.review.reviewer import default_reviewer
from provenance.store.connection import open_database
from provenance.store.reads import (
    DOCUMENT_SLICE_SQL,
    PARAGRAPH_SPAN_SQL,
    ClaimFilter,
    check_documents,
    get_claim,
    iter_claims,
)
from provenance.timestamps import utc_timestamp

SKIP_KEYS = ("k", " ", "\r", "\n")
KEY_HELP = (
    "[s]upported  [p]artially supported  [c]ontradicted  [u]nverifiable  [n]ot a claim"
    "   [k] skip  [b] back  [q] quit"
)


class _InputEnded(Exception):
    """Standard input ran out (a pipe or here-doc ended, or Ctrl-D): the review stops as on q."""


@dataclass(frozen=True, slots=True)
class _Context:
    paragraph: str
    start: int
    end: int


def _paragraph(db: sqlite_utils.Database, claim: Claim) -> _Context:
    """The claim's paragraph (the span of its sibling claims) and the claim's place in it."""
    start, end = db.conn.execute(
        PARAGRAPH_SPAN_SQL, [claim.document_id, claim.paragraph]
    ).fetchone()
    start = min(start if start is not None else claim.start, claim.start)
    end = max(end if end is not None else claim.end, claim.end)
    (text,) = db.conn.execute(
        DOCUMENT_SLICE_SQL, [start + 1, end - start, claim.document_id]
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


def _ask(text: str) -> str:
    """One line of input, '' for an empty one; the end of input raises _InputEnded."""
    try:
        line: str = click.prompt(text, default="", show_default=False)
    except click.Abort as abort:
        # click.prompt turns both EOFError and KeyboardInterrupt into Abort; the original
        # stays its __context__. Only the end of input is a quit; Ctrl-C stays an Abort.
        if isinstance(abort.__context__, EOFError):
            click.echo()  # end the prompt's line
            raise _InputEnded from None
        raise
    return line


def _ask_evidence() -> list[str]:
    references: list[str] = []
    while True:
        entered = _ask("evidence (doi:, pmid:, url:, … or text; empty line to finish)")
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
    Claims you already reviewed are left out (unless --all); quitting (q, or the end of the
    input) remembers where you stopped, and the next review with the same filters resumes
    there. Ctrl-C stops at once (exit status 130), keeping the verdicts already recorded.

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
        check_documents(db, claim_filter.documents)
        ordered = [c.id for c in iter_claims(db, claim_filter)]
        queue = ordered if include_reviewed else review_queue(db, claim_filter, who)
        if not restart:
            queue = _rotate(queue, ordered, _saved_position(db, who, queue_key))
        recorded = _review_loop(db, queue, who, queue_key)
    finally:
        db.close()
    click.echo(f"{recorded} verdict(s) recorded by {who}")


def _read_key() -> str:
    """One key press; piped input is read a character at a time. End of input raises _InputEnded."""
    try:
        key = click.getchar() if sys.stdin.isatty() else sys.stdin.read(1)
    except EOFError:  # Ctrl-D at the terminal
        key = ""
    if not key:
        raise _InputEnded
    return key.lower()


def _review_loop(db: sqlite_utils.Database, queue: list[str], who: str, queue_key: str) -> int:
    if not queue:
        click.echo("nothing to review: no claim matches (or you reviewed them all)")
        return 0
    index = 0
    recorded = 0
    try:
        while 0 <= index < len(queue):
            claim = get_claim(db, queue[index])
            click.echo(_claim_screen(db, claim, f"[{index + 1}/{len(queue)}]"))
            key = _read_key()
            if key == "q":
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
            note = _ask("note (optional)")
            annotation = make_annotation(claim.id, who, verdict, evidence, note or None)
            record_annotations(db, [annotation])  # its own transaction: kept whatever follows
            recorded += 1
            index += 1
    except _InputEnded:
        # Like q: the half-entered verdict is dropped and the next review resumes at its claim.
        _save_position(db, who, queue_key, queue[index])
        click.echo("input ended; the next review resumes here")
        return recorded
    except (KeyboardInterrupt, click.Abort):
        # Ctrl-C stops at once and writes nothing more (no saved position); verdicts recorded
        # so far stay, and leave the queue. Exit 130 like a shell's interrupted command.
        click.echo(f"\ninterrupted; {recorded} verdict(s) recorded by {who}", err=True)
        raise click.exceptions.Exit(130) from None
    with db.atomic():
        db.conn.execute(
            "delete from review_progress where reviewer = ? and queue = ?", [who, queue_key]
        )
    click.echo("end of the queue; the next review starts from the beginning")
    return recorded
