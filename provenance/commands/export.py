"""The export command: the ledger in standard formats, for other tools."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from provenance.commands.options import (
    claim_filter_from,
    claim_filter_options,
    db_option,
    enum_list_option,
)
from provenance.export import EXPORT_FORMATS, ExportOptions, export
from provenance.models import Verdict
from provenance.store.connection import open_database
from provenance.store.reads import check_documents


@click.command(name="export")
@db_option
@claim_filter_options
@click.option(
    "fmt",
    "--format",
    type=click.Choice(EXPORT_FORMATS, case_sensitive=False),
    default="jsonl",
    show_default=True,
    help="jsonl, csv, webannotation (W3C Web Annotation JSON-LD), claimreview"
    " (schema.org ClaimReview JSON-LD) or prov (W3C PROV-JSON).",
)
@enum_list_option(
    "--verdict",
    "verdicts",
    Verdict,
    "Only claims whose reviewers' latest verdicts include this (repeat or comma-separate).",
)
@click.option(
    "--base-url",
    help="Where the ledger is published (e.g. https://example.org/claims for Datasette's"
    " claims database); records' IRIs become BASE/claims/ID. Without it they are"
    " urn:provenance: URNs. ClaimReview for Google needs it.",
)
def export_command(
    db_path: Path, fmt: str, verdicts: tuple[str, ...], base_url: str | None, **filters: Any
) -> None:
    """Export claims as JSON lines, CSV, W3C Web Annotation, ClaimReview or PROV-JSON

    Takes the same filters as 'provenance claims'. Output goes to standard output and is
    streamed, so memory stays flat however large the database.

    \b
    Examples:
        provenance export --format jsonl > claims.jsonl
        provenance export --format csv --status unsupported > unsupported.csv
        provenance export --format webannotation > annotations.jsonld
        provenance export --format claimreview --verdict contradicted > claimreview.jsonld
        provenance export --format prov > provenance.json
    """
    if base_url is not None and not base_url.startswith(("http://", "https://")):
        raise click.BadParameter("must start with http:// or https://", param_hint="--base-url")
    options = ExportOptions(
        claim_filter=claim_filter_from(filters), verdicts=verdicts, base_url=base_url
    )
    db = open_database(db_path, create=False)
    try:
        check_documents(db, options.claim_filter.documents)
        export(db, fmt.lower(), sys.stdout, options)
    finally:
        db.close()
