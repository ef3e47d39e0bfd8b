"""The serve command: publish the claims database read-only through Datasette."""

from __future__ import annotations

import socket
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import click
from datasette.cli import cli as datasette_cli

from provenance.commands.options import db_option
from provenance.publish.serve import (
    DEFAULT_HOST,
    DEFAULT_PORT,
    check_database,
    check_port,
    datasette_arguments,
    warm_up_path,
    write_serve_files,
)

WARM_UP_WAIT_SECONDS = 60


def warm_up_when_listening(host: str, port: int, path: str) -> None:
    """Once the server answers, request the claims page once so its facets are remembered."""
    address = "127.0.0.1" if host in ("0.0.0.0", "") else host
    deadline = time.monotonic() + WARM_UP_WAIT_SECONDS
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((address, port), timeout=1):
                break
        except OSError:
            time.sleep(0.2)
    else:
        return
    url = f"http://{address}:{port}{path}"
    try:
        with urllib.request.urlopen(url, timeout=WARM_UP_WAIT_SECONDS) as response:
            response.read()
    except OSError:
        return


@click.command(name="serve")
@db_option
@click.option("--host", default=DEFAULT_HOST, show_default=True, help="Address to bind to.")
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    default=DEFAULT_PORT,
    show_default=True,
    help="Port to listen on.",
)
@click.option("open_browser", "--open", is_flag=True, help="Open the site in a web browser.")
def serve_command(db_path: Path, host: str, port: int, open_browser: bool) -> None:
    """Browse, facet and search the claims in Datasette, read-only

    The database is opened immutable: nothing can write to it while it is served, and
    row and facet counts are computed once. Restart after ingesting or annotating. A
    database written by an earlier version of provenance is brought up to date first.

    \b
    Examples:
        provenance serve
        provenance serve --db review.db --port 9000 --open
    """
    check_database(db_path)
    check_port(host, port)
    with tempfile.TemporaryDirectory(prefix="provenance-serve-") as folder:
        files = write_serve_files(db_path, Path(folder))
        arguments = datasette_arguments(
            db_path, files, host=host, port=port, open_browser=open_browser
        )
        threading.Thread(
            target=warm_up_when_listening,
            args=(host, port, warm_up_path(db_path)),
            daemon=True,
        ).start()
        datasette_cli.main(args=arguments, prog_name="datasette", standalone_mode=False)
