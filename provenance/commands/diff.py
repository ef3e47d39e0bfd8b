"""What changed between two versions of a document."""

from __future__ import annotations

import json
from pathlib import Path

import click

from provenance.commands.options import db_option
from provenance.store.connection import open_database
from provenance.store.versions import Change, VersionDiff, diff_versions


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
