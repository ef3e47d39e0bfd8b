"""Writing records as a table, JSON, JSON lines or CSV, streamed."""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TextIO

from pydantic import BaseModel

OUTPUT_FORMATS = ("table", "json", "jsonl", "csv")


def _plain(value: Any) -> Any:
    """CSV cells: lists and objects as JSON, everything else as is."""
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return value


#: A cell starting with one of these is read as a formula by spreadsheets (OWASP, "CSV
#: injection"); claim text comes from untrusted documents, and reviewers open exports there.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _formula_like(text: str) -> bool:
    # Quotes already in front count too, so that :func:`from_spreadsheet_cell` undoes exactly
    # what :func:`spreadsheet_cell` did: "'=x" is written "''=x" and read back as "'=x".
    return text.lstrip("'").startswith(FORMULA_STARTS)


def spreadsheet_cell(value: Any) -> Any:
    """A CSV cell a spreadsheet shows as text: a formula-like string gets a leading ``'``."""
    if isinstance(value, str) and _formula_like(value):
        return "'" + value
    return value


def from_spreadsheet_cell(cell: str) -> str:
    """The string :func:`spreadsheet_cell` was given (for importing a file written here)."""
    return cell[1:] if cell.startswith("'") and _formula_like(cell) else cell


class CsvWriter:
    """THE way provenance writes CSV: a header, then rows whose cells are spreadsheet-safe."""

    def __init__(self, out: TextIO, header: Sequence[str]) -> None:
        self._writer = csv.writer(out, lineterminator="\n")
        self._writer.writerow(header)

    def writerow(self, values: Iterable[Any]) -> None:
        self._writer.writerow([spreadsheet_cell(value) for value in values])


def write_json(rows: Iterable[dict[str, Any]], out: TextIO) -> int:
    """A JSON array written one element at a time, so memory stays flat."""
    count = 0
    out.write("[")
    for row in rows:
        out.write(",\n " if count else "\n ")
        out.write(json.dumps(row, ensure_ascii=False))
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count


def write_jsonl(rows: Iterable[dict[str, Any]], out: TextIO) -> int:
    count = 0
    for row in rows:
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
        count += 1
    return count


def write_csv(rows: Iterable[dict[str, Any]], out: TextIO, fields: list[str]) -> int:
    writer = CsvWriter(out, fields)
    count = 0
    for row in rows:
        writer.writerow(_plain(row[k]) for k in fields)
        count += 1
    return count


def _cell(value: Any, width: int) -> str:
    text = ", ".join(map(str, value)) if isinstance(value, list) else str(value or "")
    text = " ".join(text.split())
    return text if len(text) <= width else text[: max(0, width - 1)] + "…"


def write_table(rows: Iterable[dict[str, Any]], out: TextIO, columns: list[str]) -> int:
    """Aligned columns; the last column takes what is left of the terminal width."""
    materialised = list(rows)
    if not materialised:
        return 0
    total = shutil.get_terminal_size((120, 24)).columns
    widths = [min(24, max(len(c), *(len(_cell(r[c], 200)) for r in materialised))) for c in columns]
    widths[-1] = max(20, total - sum(widths[:-1]) - 2 * (len(columns) - 1))
    out.write("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip() + "\n")
    out.write("  ".join("-" * w for w in widths).rstrip() + "\n")
    for row in materialised:
        cells = [_cell(row[c], w).ljust(w) for c, w in zip(columns, widths, strict=True)]
        out.write("  ".join(cells).rstrip() + "\n")
    return len(materialised)


def model_rows(models: Iterable[BaseModel]) -> Iterator[dict[str, Any]]:
    for model in models:
        yield model.model_dump(mode="json")


def write_rows(
    rows: Iterable[dict[str, Any]],
    out: TextIO,
    fmt: str,
    *,
    fields: list[str],
    table_columns: list[str],
) -> int:
    """Write rows in ``fmt``; returns how many were written."""
    if fmt == "json":
        return write_json(rows, out)
    if fmt == "jsonl":
        return write_jsonl(rows, out)
    if fmt == "csv":
        return write_csv(rows, out, fields)
    return write_table(rows, out, table_columns)
