"""Writing audit findings: linter-style text, JSON, CSV, a Markdown report and SARIF 2.1.0.

Every writer streams: it holds one finding at a time plus counts per document and status,
so memory does not grow with the number of findings.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import TextIO
from urllib.parse import quote

import sqlite_utils

from provenance.audit.query import (
    FINDING_FIELDS,
    JSON_SEPARATOR,
    AuditQuery,
    Finding,
    FindingCounts,
    count_findings,
    html_documents,
    iter_finding_json,
    iter_findings,
    write_json_in_workers,
)
from provenance.output import CsvWriter
from provenance.version import __version__

AUDIT_FORMATS = ("text", "json", "csv", "markdown", "sarif")
SARIF_SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
#: SARIF level for each failing status: a contradicted claim is wrong, the others unproven.
SARIF_LEVELS = {
    "contradicted": "error",
    "disputed": "error",
    "unsupported": "warning",
    "unverifiable": "warning",
    "attributed": "note",
}


@dataclass(frozen=True, slots=True)
class ReportContext:
    """What a report says about the audit itself."""

    audited: str
    query: AuditQuery = field(default_factory=AuditQuery)
    max_findings: int = 0
    generated_at: str | None = None


def one_line(text: str) -> str:
    return " ".join(text.split())


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


# --- text ------------------------------------------------------------------------------


def _summary_table(counts: FindingCounts) -> list[str]:
    statuses = counts.statuses
    header = ["document", *statuses, "total"]
    rows = [
        [
            document,
            *(str(counts.by_document_status[(document, s)]) for s in statuses),
            str(sum(counts.by_document_status[(document, s)] for s in statuses)),
        ]
        for document in counts.documents
    ]
    totals = [sum(counts.by_document_status[(d, s)] for d in counts.documents) for s in statuses]
    rows.append(["total", *map(str, totals), str(counts.total)])
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    return [
        "  ".join(
            [
                row[0].ljust(widths[0]),
                *(c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)),
            ]
        )
        for row in [header, *rows]
    ]


def write_text(findings: Iterable[Finding], out: TextIO, context: ReportContext) -> int:
    """``path:line:col: status category: text`` lines, then a document × status table."""
    counts = FindingCounts.empty()
    for finding in findings:
        out.write(
            f"{finding.document}:{finding.line}:{finding.column}: {finding.evidence_status}"
            f" {finding.category}: {one_line(finding.text)}\n"
        )
        counts.add(finding.document, finding.evidence_status, finding.category)
    if not counts.total:
        out.write(f"No findings ({', '.join(context.query.fail_on)} fail).\n")
        return 0
    out.write("\n" + "\n".join(_summary_table(counts)) + "\n\n")
    out.write(
        f"{_plural(counts.total, 'finding')} in {_plural(len(counts.documents), 'document')}"
        f" (at most {context.max_findings} allowed).\n"
    )
    return counts.total


# --- CSV and JSON ----------------------------------------------------------------------


def write_csv_findings(findings: Iterable[Finding], out: TextIO) -> int:
    writer = CsvWriter(out, FINDING_FIELDS)
    count = 0
    for finding in findings:
        writer.writerow([getattr(finding, name) for name in FINDING_FIELDS])
        count += 1
    return count


def write_json_findings(batches: Iterable[tuple[int, str]], out: TextIO) -> int:
    """A JSON array of already-encoded objects, given as ``(count, joined objects)`` batches."""
    count = 0
    out.write("[")
    for size, text in batches:
        out.write(JSON_SEPARATOR if count else "\n ")
        out.write(text)
        count += size
    out.write("\n]\n" if count else "]\n")
    return count


# --- Markdown --------------------------------------------------------------------------

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|#~])")


def markdown_escape(text: str) -> str:
    """Document text shown literally: no emphasis, links, HTML or table breaks."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", one_line(text))


def _code(text: str) -> str:
    return f"`{text.replace('`', '')}`"


def write_markdown(
    findings: Iterable[Finding], out: TextIO, context: ReportContext, counts: FindingCounts
) -> int:
    """A report to read: summary, then each document's findings, worst first, quoted."""
    query = context.query
    out.write("# Provenance audit\n\n")
    if counts.total:
        out.write(
            f"**{_plural(counts.total, 'finding')}** in"
            f" {_plural(len(counts.documents), 'document')}"
            f" (at most {context.max_findings} allowed).\n\n"
        )
    else:
        out.write("**No findings.**\n\n")
    scope = [f"failing statuses: {', '.join(query.fail_on)}"]
    if query.categories:
        scope.append(f"categories: {', '.join(query.categories)}")
    if query.certainties:
        scope.append(f"certainty: {', '.join(query.certainties)}")
    if query.documents:
        scope.append(f"documents: {', '.join(query.documents)}")
    if query.new_only:
        scope.append("only claims new in the latest version")
    if query.since is not None:
        scope.append(f"only claims introduced after version {query.since}")
    out.write(f"Audited {_code(context.audited)}; {'; '.join(scope)}.")
    if context.generated_at:
        out.write(f" Generated {context.generated_at}.")
    out.write("\n")
    if not counts.total:
        return 0
    statuses = counts.statuses
    out.write("\n## Summary\n\n")
    out.write("| Document | " + " | ".join(statuses) + " | Total |\n")
    out.write("|---|" + "---:|" * (len(statuses) + 1) + "\n")
    for document in counts.documents:
        cells = [counts.by_document_status[(document, s)] for s in statuses]
        out.write(f"| {_code(document)} | " + " | ".join(map(str, cells)) + f" | {sum(cells)} |\n")
    totals = [sum(counts.by_document_status[(d, s)] for d in counts.documents) for s in statuses]
    out.write("| **Total** | " + " | ".join(map(str, totals)) + f" | **{counts.total}** |\n")
    out.write("\nIn each document the worst findings come first (see the priority score in")
    out.write(" `provenance.audit`).\n")
    current: str | None = None
    number = 0
    written = 0
    for finding in findings:
        if finding.document != current:
            current = finding.document
            number = 0
            out.write(f"\n## {_code(current)}\n")
        number += 1
        written += 1
        section = markdown_escape(finding.section) if finding.section else "(no section)"
        out.write(
            f"\n{number}. **{finding.evidence_status}** · {finding.category} ·"
            f" {finding.certainty} · line {finding.line} · priority {finding.priority}\n\n"
            f"   > {markdown_escape(finding.text)}\n\n"
            f"   Section: {section} · claim {_code(finding.id)}"
        )
        if finding.repeats > 1:
            out.write(f" · appears {finding.repeats} times")
        out.write("\n")
    return written


# --- SARIF -----------------------------------------------------------------------------


def rule_id(status: str, category: str) -> str:
    return f"{status}/{category}"


def _article(word: str) -> str:
    """'An' before a vowel sound (every category name that starts with a vowel has one)."""
    return "An" if word[:1].lower() in "aeiou" else "A"


def _rule(status: str, category: str) -> dict[str, object]:
    label = status.replace("_", " ")
    return {
        "id": rule_id(status, category),
        "name": "".join(part.capitalize() for part in f"{status}_{category}_claim".split("_")),
        "shortDescription": {"text": f"{label.capitalize()} {category} claim"},
        "fullDescription": {
            "text": f"{_article(category)} {category} statement whose evidence status is"
            f" {label}: it needs a"
            " citation or a reviewer's verdict that the evidence supports it."
        },
        "defaultConfiguration": {"level": SARIF_LEVELS.get(status, "note")},
        "properties": {"tags": ["provenance", status, category]},
    }


def artifact_uri(source: str) -> str:
    """A URI reference for a document source: relative paths stay relative."""
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", source):
        return source
    path = PurePosixPath(source)
    if path.is_absolute():
        return "file://" + quote(str(path))
    return quote(str(path))


def _result(finding: Finding, rule_index: int, positions_in_extracted_text: bool) -> str:
    properties: dict[str, object] = {
        "claimId": finding.id,
        "claimKey": finding.claim_key,
        "section": finding.section,
        "certainty": finding.certainty,
        "attribution": finding.attribution,
        "priority": finding.priority,
        "repeats": finding.repeats,
        "version": finding.version,
        "firstVersion": finding.first_version,
    }
    if positions_in_extracted_text:
        properties["positions"] = "extracted-text"
    result = {
        "ruleId": rule_id(finding.evidence_status, finding.category),
        "ruleIndex": rule_index,
        "level": SARIF_LEVELS.get(finding.evidence_status, "note"),
        "message": {
            "text": f"{finding.evidence_status.replace('_', ' ').capitalize()}"
            f" {finding.category} claim ({finding.certainty}): {one_line(finding.text)}"
        },
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": artifact_uri(finding.document)},
                    "region": {
                        "startLine": finding.line,
                        "startColumn": finding.column,
                        "endLine": finding.end_line,
                        "endColumn": finding.end_column,
                        "charOffset": finding.start,
                        "charLength": finding.end - finding.start,
                        "snippet": {"text": finding.text},
                    },
                }
            }
        ],
        "partialFingerprints": {"provenanceClaimId/v1": finding.id},
        "properties": properties,
    }
    return json.dumps(result, ensure_ascii=False)


def write_sarif(
    findings: Iterable[Finding],
    out: TextIO,
    context: ReportContext,
    counts: FindingCounts,
    html_sources: set[str],
) -> int:
    """SARIF 2.1.0: one rule per status/category pair found, one result per finding.

    Columns count Unicode code points (``columnKind``). Positions of an HTML document refer
    to its extracted text, not to the HTML file; those results say so in their properties.
    """
    pairs = sorted(counts.by_status_category)
    rules = [_rule(status, category) for status, category in pairs]
    index = {rule_id(status, category): i for i, (status, category) in enumerate(pairs)}
    driver = {
        "name": "provenance",
        "version": __version__,
        "rules": rules,
    }
    # Written piecewise so that results stream: everything before them is small.
    out.write(f'{{"$schema": {json.dumps(SARIF_SCHEMA_URI)}, "version": "2.1.0",')
    out.write(' "runs": [{"tool": ')
    out.write(json.dumps({"driver": driver}, ensure_ascii=False))
    out.write(', "columnKind": "unicodeCodePoints", "results": [')
    written = 0
    for finding in findings:
        out.write(",\n" if written else "\n")
        out.write(
            _result(
                finding,
                index[rule_id(finding.evidence_status, finding.category)],
                finding.document in html_sources,
            )
        )
        written += 1
    out.write("\n]}]}\n")
    return written


def write_audit(db: sqlite_utils.Database, out: TextIO, fmt: str, context: ReportContext) -> int:
    """Write the audit in ``fmt``; returns the number of findings."""
    query = context.query
    if fmt == "json":
        written = write_json_in_workers(db, query, out)
        if written is not None:
            return written
        return write_json_findings(((1, text) for text in iter_finding_json(db, query)), out)
    if fmt == "csv":
        return write_csv_findings(iter_findings(db, query), out)
    if fmt == "markdown":
        return write_markdown(iter_findings(db, query), out, context, count_findings(db, query))
    if fmt == "sarif":
        return write_sarif(
            iter_findings(db, query), out, context, count_findings(db, query), html_documents(db)
        )
    return write_text(iter_findings(db, query), out, context)


__all__ = ["AUDIT_FORMATS", "ReportContext", "write_audit"]
