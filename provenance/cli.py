"""The ``provenance`` command: a thin layer over the library."""

from __future__ import annotations

from typing import Any

import click

from provenance import __version__
from provenance.commands import audit, export, ledger, review, serve
from provenance.errors import ProvenanceError


class ProvenanceGroup(click.Group):
    """Turns library errors into one-line messages with exit status 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ProvenanceError as error:
            raise click.ClickException(str(error)) from None


@click.group(cls=ProvenanceGroup)
@click.version_option(__version__, prog_name="provenance")
def cli() -> None:
    """Every statement of a document as a typed, traceable claim

    Extract claims into a SQLite ledger, publish it with Datasette, review and audit it.
    """


for command in (
    *ledger.COMMANDS,
    *serve.COMMANDS,
    *export.COMMANDS,
    *audit.COMMANDS,
    *review.COMMANDS,
):
    cli.add_command(command)
