"""The audit command: report failing claims and gate on them with the exit status."""

from __future__ import annotations

import contextlib
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path

import click

from provenance.audit.formats import AUDIT_FORMATS, ReportContext, write_audit
from provenance.audit.query import DEFAULT_FAIL_ON, AuditQuery, temporary_database
from provenance.commands.options import (
    category_option,
    certainty_option,
    db_option,
    document_option,
    enum_list_option,
)
from provenance.errors import ProvenanceError
from provenance.models import EvidenceStatus
from provenance.store.connection import open_database
from provenance.store.reads import check_documents
from provenance.timestamps import REPORT_FORMAT, utc_timestamp

#: Exit statuses: 1 is reserved for "findings over --max", so a CI job never mistakes an
#: error for findings or findings for an error.
EXIT_FINDINGS = 1
EXIT_USAGE = 2


class AuditError(click.ClickException):
    """Any error of the audit command: exit status 2, never 1 (which means findings)."""

    exit_code = EXIT_USAGE


@contextlib.contextmanager
def _audited_database(paths: tuple[Path, ...], db_path: Path) -> Iterator[Path]:
    if paths:
        with temporary_database(paths) as temporary:
            yield temporary
    else:
        yield db_path


@click.command(name="audit")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@db_option
@click.option(
    "fmt",
    "--format",
    type=click.Choice(AUDIT_FORMATS, case_sensitive=False),
    default="text",
    show_default=True,
    help="text (linter style), json, csv, markdown (a report) or sarif (2.1.0).",
)
@enum_list_option(
    "--fail-on",
    "fail_on",
    EvidenceStatus,
    f"Statuses that fail, comma-separated [default: {', '.join(DEFAULT_FAIL_ON)}].",
)
@category_option
@certainty_option
@document_option
@click.option(
    "--new-only", is_flag=True, help="Only claims that are new in their document's latest version."
)
@click.option(
    "--since",
    type=click.IntRange(min=0),
    metavar="VERSION",
    help="Only claims introduced in a version after VERSION.",
)
@click.option(
    "--max",
    "max_findings",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Exit 1 only when there are more findings than this.",
)
@click.pass_context
def audit_command(
    ctx: click.Context,
    paths: tuple[Path, ...],
    db_path: Path,
    fmt: str,
    fail_on: tuple[str, ...],
    categories: tuple[str, ...],
    certainties: tuple[str, ...],
    documents: tuple[str, ...],
    new_only: bool,
    since: int | None,
    max_findings: int,
) -> None:
    """Report claims that still fail review; exit 1 if there are findings

    A finding is a current claim whose evidence status is in the failing set. In each
    document, findings are ranked worst first by a priority score: efficacy and causal
    claims first, asserted above hedged, repeated statements higher (the score is documented
    in provenance.audit). Given PATHS, the files are ingested into a temporary database and
    audited; --db is not used.

    Exit status: 0 when findings are within --max, 1 when there are more, 2 on a usage
    error or any other error (bad option, missing or unreadable database, unreadable file).

    SARIF positions are lines and columns (Unicode code points) in the source file for text
    and Markdown; for HTML they refer to the extracted text.

    \b
    Examples:
        provenance audit
        provenance audit --format markdown > audit.md
        provenance audit --format sarif > audit.sarif
        provenance audit --fail-on unsupported,contradicted --category efficacy,causal
        provenance audit --new-only
        provenance audit corpus/*.md
    """
    if new_only and since is not None:
        raise click.UsageError("--new-only and --since cannot be combined.")
    if paths and ctx.get_parameter_source("db_path") is click.core.ParameterSource.COMMANDLINE:
        raise click.UsageError("give either PATHS or --db, not both.")
    query = AuditQuery(
        fail_on=fail_on or DEFAULT_FAIL_ON,
        categories=categories,
        certainties=certainties,
        documents=documents,
        new_only=new_only,
        since=since,
    )
    try:
        with _audited_database(paths, db_path) as audited:
            db = open_database(audited, create=False)
            try:
                check_documents(db, query.documents)
                context = ReportContext(
                    audited=", ".join(map(str, paths)) if paths else str(db_path),
                    query=query,
                    max_findings=max_findings,
                    generated_at=utc_timestamp(REPORT_FORMAT),
                )
                findings = write_audit(db, sys.stdout, fmt.lower(), context)
            finally:
                db.close()
    except ProvenanceError as error:
        raise AuditError(str(error)) from None
    except sqlite3.Error as error:
        raise AuditError(f"{db_path}: cannot read database ({error})") from None
    if findings > max_findings:
        ctx.exit(EXIT_FINDINGS)
