"""Commands that build and read the ledger: ingest, claims, show, stats, schema."""

from __future__ import annotations

import contextlib
import json
import sys
from pathlib import Path
from typing import Any, TextIO

import click

from provenance.commands.options import (
    claim_filter_from,
    claim_filter_options,
    db_option,
    format_option,
)
from provenance.extract.read import MAX_DOCUMENT_CHARS, MEMORY_PER_CHAR
from provenance.ingest import (
    BadSources,
    DocumentOutcome,
    check_sources,
    ingest_files,
)
from provenance.output import model_rows, write_rows
from provenance.review.agreement import agreement_text, reviewer_agreement
from provenance.schemas import generate_schemas, schema_text, write_schemas
from provenance.store.connection import open_database
from provenance.store.reads import check_documents, get_claim, iter_claims, resolve_claim_id
from provenance.store.schema import CLAIM_FIELDS
from provenance.store.stats import STAT_COLUMNS, claim_stats

TABLE_COLUMNS = ["id", "category", "evidence_status", "certainty", "text"]
LISTED_OUTCOMES = 20


def _outcome_line(outcome: DocumentOutcome) -> str:
    if outcome.status == "unchanged":
        return f"{outcome.source}: unchanged (version {outcome.version})"
    line = f"{outcome.source}: {outcome.status}, version {outcome.version}, {outcome.claims} claims"
    if outcome.changes is not None:
        line += f" ({outcome.changes.summary()})"
    elif outcome.claims == 0:
        # Headings only, or an HTML page whose text a script would fill in.
        line += " (no statements found: is the text in the file?)"
    return line


@click.command(name="ingest")
@click.argument("paths", nargs=-1)
@click.option(
    "--from-file",
    "from_file",
    type=click.File("r", encoding="utf-8"),
    help="Read more paths and web addresses from this file, one a line ('-': standard input;"
    " blank lines and lines starting with # are skipped).",
)
@db_option
@click.option(
    "--jobs",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Worker processes for parsing and extraction (0: one per CPU for large corpora).",
)
@click.option(
    "--max-document-mb",
    type=click.FloatRange(min=0, min_open=True),
    default=MAX_DOCUMENT_CHARS / 1e6,
    show_default=True,
    help="Refuse a document with more text than this (million characters): extracting one"
    f" takes about {MEMORY_PER_CHAR} times its text in memory.",
)
@click.option("--quiet", is_flag=True, help="Print nothing but errors.")
@click.option(
    "--keep-going",
    is_flag=True,
    help="Ingest the sources that can be read, skipping (and listing) the others; exit 1.",
)
def ingest_command(
    paths: tuple[str, ...],
    from_file: TextIO | None,
    db_path: Path,
    jobs: int,
    max_document_mb: float,
    quiet: bool,
    keep_going: bool,
) -> None:
    """Extract the claims of files, folders or web addresses into the database

    Files: .txt, .md, .html, .pdf (its text layer) and .docx. Folders are read recursively.
    An http:// or https:// address is fetched, and read as the format its content type says.
    Every source is checked (every address fetched) before anything is written, and every
    one that cannot be read is listed; with --keep-going the others are ingested. Each
    document is written in one transaction. An unchanged source is skipped; a changed one
    becomes a new version, and so does an unchanged one read with older rules (reclassified).

    \b
    Examples:
        provenance ingest corpus/magnesium-glutamate.txt
        provenance ingest docs/ --db review.db
        provenance ingest report.pdf https://example.org/press-release.html
        provenance ingest --from-file urls.txt
    """
    if from_file is not None:
        listed = [line.strip() for line in from_file]
        paths = (*paths, *(line for line in listed if line and not line.startswith("#")))
    if not paths:
        raise click.UsageError("give at least one path or address (or --from-file)")
    checked = check_sources(paths, max_document_chars=int(max_document_mb * 1e6))
    if checked.problems and not keep_going:
        raise BadSources(checked.problems)
    for problem in checked.problems:
        click.echo(f"skipped: {problem}", err=True)
    files = checked.files
    show_bar = len(files) > 1 and not quiet
    bar_context: Any = (
        click.progressbar(length=len(files), label="Ingesting", file=sys.stderr)
        if show_bar
        else contextlib.nullcontext()
    )
    outcomes: list[DocumentOutcome] = []
    with bar_context as bar:

        def on_document(outcome: DocumentOutcome) -> None:
            outcomes.append(outcome)
            if bar is not None:
                bar.update(1)

        summary = ingest_files(
            files,
            db_path,
            arguments=[str(p) for p in paths],
            on_document=on_document,
            jobs=jobs,
        )
    if quiet:
        if checked.problems:
            sys.exit(1)
        return
    if len(outcomes) <= LISTED_OUTCOMES:
        for outcome in outcomes:
            click.echo(_outcome_line(outcome))
    reclassified = summary.count("reclassified")
    click.echo(
        f"{len(outcomes)} document(s): {summary.count('new')} new,"
        f" {summary.count('updated')} updated,"
        + (f" {reclassified} reclassified (the rules changed)," if reclassified else "")
        + f" {summary.count('unchanged')} unchanged; {summary.claims} claims written to {db_path}"
    )
    if checked.problems:
        click.echo(
            f"{len(checked.problems)} file(s) or folder(s) not ingested (listed above)", err=True
        )
        sys.exit(1)


@click.command(name="claims")
@db_option
@claim_filter_options
@format_option()
@click.option("--limit", type=click.IntRange(min=0), help="At most this many claims.")
def claims_command(db_path: Path, fmt: str, limit: int | None, **filters: Any) -> None:
    """List claims in document order, filtered

    \b
    Examples:
        provenance claims --status unsupported --category efficacy
        provenance claims --format jsonl | jq .
        provenance claims --search "NMDA receptor" --format csv
    """
    claim_filter = claim_filter_from(filters)
    db = open_database(db_path, create=False)
    try:
        check_documents(db, claim_filter.documents)
        rows = model_rows(iter_claims(db, claim_filter, limit))
        write_rows(rows, sys.stdout, fmt, fields=list(CLAIM_FIELDS), table_columns=TABLE_COLUMNS)
    finally:
        db.close()


def _show_text(claim: dict[str, Any]) -> str:
    cues = [
        ("category", claim["category"], claim["category_cues"]),
        ("certainty", claim["certainty"], claim["hedge_cues"]),
        ("attribution", claim["attribution"], claim["attribution_cues"]),
    ]
    lines = [
        f"claim {claim['id']}  (key {claim['claim_key']})",
        f"  {claim['text']}",
        "",
        f"document   {claim['document']}  version {claim['version']}  ({claim['document_id']})",
        f"section    {claim['section'] or '—'}",
        f"position   line {claim['line']}, column {claim['column']};"
        f" characters {claim['start']}–{claim['end']}; paragraph {claim['paragraph']}",
    ]
    for label, value, found in cues:
        because = f"  (cues: {', '.join(found)})" if found else ""
        lines.append(f"{label:<10} {value}{because}")
    lines.append(f"status     {claim['evidence_status']}")
    for citation in claim["citations"]:
        resolved = f" → {', '.join(citation['reference_ids'])}" if citation["reference_ids"] else ""
        lines.append(f"citation   {citation['marker']} ({citation['kind']}){resolved}")
    return "\n".join(lines)


@click.command(name="show")
@click.argument("claim_id")
@db_option
@click.option("json_", "--json", is_flag=True, help="Print the claim as JSON.")
def show_command(claim_id: str, db_path: Path, json_: bool) -> None:
    """Show one claim; a unique prefix of its id is enough

    \b
    Example:
        provenance show da5ed3
    """
    db = open_database(db_path, create=False)
    try:
        claim = get_claim(db, resolve_claim_id(db, claim_id)).model_dump(mode="json")
    finally:
        db.close()
    click.echo(json.dumps(claim, indent=2, ensure_ascii=False) if json_ else _show_text(claim))


@click.command(name="stats")
@db_option
@format_option(("table", "json"))
@click.option(
    "--agreement",
    is_flag=True,
    help="Reviewer agreement instead: Cohen's kappa per reviewer pair, overall and per category.",
)
def stats_command(db_path: Path, fmt: str, agreement: bool) -> None:
    """Counts of current claims by document, category, status, certainty and attribution

    \b
    Examples:
        provenance stats
        provenance stats --agreement
    """
    db = open_database(db_path, create=False)
    try:
        stats = claim_stats(db)
        pairs = reviewer_agreement(db) if agreement else []
    finally:
        db.close()
    if agreement:
        if fmt == "json":
            click.echo(json.dumps([p.as_dict() for p in pairs], indent=2, ensure_ascii=False))
        else:
            click.echo(agreement_text(pairs))
        return
    if fmt == "json":
        click.echo(json.dumps(stats, indent=2, ensure_ascii=False))
        return
    click.echo(
        f"{stats['claims']} claims in {stats['documents']} document(s)"
        f" ({stats['versions']} version(s))"
    )
    for column in STAT_COLUMNS:
        click.echo(f"\n{column}")
        for value, count in stats[column].items():
            click.echo(f"  {count:>7}  {value}")
    if stats["kept_blocks"]:
        click.echo("\nkept blocks (not claims)")
        for kind, count in stats["kept_blocks"].items():
            click.echo(f"  {count:>7}  {kind}")


@click.command(name="schema")
@click.argument("name", required=False, type=click.Choice(sorted(generate_schemas())))
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write every schema into this folder instead of printing.",
)
def schema_command(name: str | None, out: Path | None) -> None:
    """Print or write the JSON Schemas generated from the models

    \b
    Examples:
        provenance schema claim
        provenance schema --out schemas/
    """
    if out is not None:
        for path in write_schemas(out):
            click.echo(str(path))
        return
    schemas = generate_schemas()
    click.echo(schema_text(schemas[name] if name else schemas).rstrip("\n"))
