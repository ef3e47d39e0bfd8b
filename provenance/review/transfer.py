"""Annotations to and from files: CSV and JSONL export, and import through the same checks.

An import is appended to the log like any other annotation (see :mod:`provenance.review.log`).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import sqlite_utils

from provenance.errors import ProvenanceError
from provenance.models import Annotation
from provenance.output import CsvWriter, from_spreadsheet_cell
from provenance.review.log import (
    ANNOTATION_FIELDS,
    annotation_from_row,
    existing_annotations,
    iter_annotations,
    make_annotation,
    record_annotations,
)
from provenance.timestamps import utc_timestamp

#: CSV columns: the annotation, plus the claim's text for whoever edits the file.
CSV_COLUMNS = (*ANNOTATION_FIELDS, "claim_text")


IMPORT_FORMATS = ("csv", "jsonl")


#: The csv module's own limit on a field's length (131,072 characters).
CSV_FIELD_LIMIT = csv.field_size_limit()


def evidence_cell(evidence: list[str]) -> str:
    """Evidence in one spreadsheet cell: ``a; b``, or a JSON list if an item holds ``;``."""
    if any(";" in item for item in evidence) or any(item.startswith("[") for item in evidence):
        return json.dumps(evidence, ensure_ascii=False)
    return "; ".join(evidence)


def parse_evidence_cell(cell: str) -> list[str]:
    text = cell.strip()
    if text.startswith("["):
        try:
            items = json.loads(text)
        except (json.JSONDecodeError, RecursionError):
            raise ProvenanceError(f"evidence {cell[:40]!r} is not a JSON list") from None
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            raise ProvenanceError(f"evidence {cell!r} is not a list of strings")
        return items
    return [item.strip() for item in text.split(";") if item.strip()]


def export_annotations(
    db: sqlite_utils.Database, out: TextIO, fmt: str, claim_ids: Iterable[str] | None = None
) -> int:
    """Write annotations (log order) as CSV or JSON lines; returns how many."""
    count = 0
    if fmt == "jsonl":
        for annotation in iter_annotations(db, claim_ids):
            out.write(json.dumps(annotation.model_dump(mode="json"), ensure_ascii=False) + "\n")
            count += 1
        return count
    texts = dict(db.conn.execute("select id, text from claims").fetchall())
    writer = CsvWriter(out, CSV_COLUMNS)
    for annotation in iter_annotations(db, claim_ids):
        row = annotation.model_dump(mode="json")
        row["evidence"] = evidence_cell(annotation.evidence)
        row["note"] = annotation.note or ""
        row["claim_text"] = texts.get(annotation.claim_id, "")
        writer.writerow(row[name] for name in CSV_COLUMNS)
        count += 1
    return count


@dataclass(frozen=True, slots=True)
class ImportRow:
    """One row of an import file; ``line`` is where it is (CSV: the header is row 1)."""

    line: int
    values: dict[str, Any]


@dataclass(slots=True)
class ImportResult:
    added: int = 0
    already_recorded: int = 0
    #: Rows that changed an exported annotation: recorded as new annotations, made now.
    superseding: int = 0


def read_import_rows(path: Path, fmt: str | None = None) -> list[ImportRow]:
    """The rows of a CSV or JSON-lines file (format from ``fmt`` or the file's extension)."""
    fmt = fmt or ("jsonl" if path.suffix.lower() in (".jsonl", ".ndjson", ".json") else "csv")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise ProvenanceError(f"{path}: cannot read ({error})") from None
    rows: list[ImportRow] = []
    if fmt == "jsonl":
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                values = json.loads(line)
            except json.JSONDecodeError as error:
                raise ProvenanceError(f"{path}: line {number} is not JSON ({error.msg})") from None
            except RecursionError:
                raise ProvenanceError(f"{path}: line {number} is nested too deeply") from None
            if not isinstance(values, dict):
                raise ProvenanceError(f"{path}: line {number} is not a JSON object")
            rows.append(ImportRow(number, values))
        return rows
    # No field can be longer than the file: a long note exported here comes back in.
    default_limit = csv.field_size_limit(max(CSV_FIELD_LIMIT, min(len(text), 2**31 - 1)))
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        missing = {"claim_id", "verdict"} - set(reader.fieldnames or ())
        if missing:
            raise ProvenanceError(f"{path}: no {' or '.join(sorted(missing))} column")
        for values in reader:
            cells = {
                name: from_spreadsheet_cell(value) if isinstance(value, str) else value
                for name, value in values.items()
            }
            rows.append(ImportRow(reader.line_num, cells))
    except csv.Error as error:
        raise ProvenanceError(f"{path}: not a CSV file ({error})") from None
    finally:
        csv.field_size_limit(default_limit)
    return rows


def _text(values: dict[str, Any], name: str) -> str:
    value = values.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ProvenanceError(f"{name} must be text")
    return value.strip()


def _row_annotation(
    db: sqlite_utils.Database, values: dict[str, Any], reviewer: str | None, now: str
) -> tuple[Annotation, str | None]:
    """The annotation a row asks for, and the id of the exported annotation it changes."""
    from provenance.store.reads import resolve_claim_id

    unknown = set(values) - set(CSV_COLUMNS)
    if unknown:
        raise ProvenanceError(f"unknown column {sorted(unknown)[0]!r}")
    evidence = values.get("evidence") or []
    if isinstance(evidence, str):
        evidence = parse_evidence_cell(evidence)
    if not isinstance(evidence, list) or not all(isinstance(i, str) for i in evidence):
        raise ProvenanceError("evidence must be a list of references")
    given_id = _text(values, "id") or None
    candidate = make_annotation(
        claim_id=resolve_claim_id(db, _text(values, "claim_id")),
        reviewer=_text(values, "reviewer") or reviewer or "",
        verdict=_text(values, "verdict"),
        evidence=evidence,
        note=_text(values, "note") or None,
        created_at=_text(values, "created_at") or now,
        id=given_id,
    )
    if given_id is None:
        return candidate, None
    stored = existing_annotations(db.conn, [given_id]).get(given_id)
    if stored is None or annotation_from_row(stored) == candidate:
        return candidate, None
    # An exported annotation edited in a spreadsheet: the log is never changed, so the edit
    # becomes a new annotation, made now, that supersedes the old one.
    fresh = make_annotation(
        claim_id=candidate.claim_id,
        reviewer=candidate.reviewer,
        verdict=candidate.verdict,
        evidence=candidate.evidence,
        note=candidate.note,
        created_at=now,
    )
    return fresh, given_id


def import_annotations(
    db: sqlite_utils.Database, rows: list[ImportRow], *, reviewer: str | None = None
) -> ImportResult:
    """Validate every row, then record them all in one transaction, or nothing.

    Rows without a reviewer take ``reviewer``; rows without created_at are made now. A row with
    the id of a recorded annotation and the same content is already recorded; with changed
    content it becomes a new annotation. Bad rows are reported together by row number.
    """
    now = utc_timestamp()
    errors: list[str] = []
    batch: list[Annotation] = []
    result = ImportResult()
    for row in rows:
        try:
            annotation, supersedes = _row_annotation(db, row.values, reviewer, now)
        except ProvenanceError as error:
            errors.append(f"row {row.line}: {error}")
            continue
        batch.append(annotation)
        result.superseding += supersedes is not None
    if errors:
        shown = "; ".join(errors[:10]) + ("; …" if len(errors) > 10 else "")
        raise ProvenanceError(f"{len(errors)} bad row(s), nothing imported: {shown}")
    result.added = record_annotations(db, batch)
    result.already_recorded = len(batch) - result.added
    return result
