"""The serve command: publish the claims database read-only through Datasette."""

from __future__ import annotations

import tempfile
from pathlib import Path

import click
from datasette.cli import cli as datasette_cli

from provenance.commands.options import db_option
from provenance.publish import (
    DEFAULT_HOST,
    DEFAULT_PORT,
    check_database,
    datasette_arguments,
    write_serve_files,
)


@click.command(name="serve")
@db_option
@click.option("--host", default=DEFAULT_HOST, show_default=True, help="Address to bind to.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=DEFAULT_PORT,
    show_default=True,
    help="Port to listen on (0 picks a free one).",
)
@click.option("open_browser", "--open", is_flag=True, help="Open the site in a web browser.")
def serve_command(db_path: Path, host: str, port: int, open_browser: bool) -> None:
    """Browse, facet and search the claims in Datasette, read-only

    The database is opened immutable: nothing can write to it while it is served, and
    row counts are computed once at start. Restart after ingesting or annotating.

    \b
    Examples:
        provenance serve
        provenance serve --db review.db --port 9000 --open
    """
    check_database(db_path)
    with tempfile.TemporaryDirectory(prefix="provenance-serve-") as folder:
        files = write_serve_files(db_path, Path(folder))
        arguments = datasette_arguments(
            db_path, files, host=host, port=port, open_browser=open_browser
        )
        datasette_cli.main(args=arguments, prog_name="datasette", standalone_mode=False)


COMMANDS = [serve_command]
