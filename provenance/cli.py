"""The ``provenance`` command: a thin layer over the library."""

from __future__ import annotations

import importlib
import sqlite3
from typing import Any

import click

from provenance.errors import ProvenanceError
from provenance.version import __version__

#: Command name → "module:attribute". Commands are imported only when run (or listed in
#: help), so ``provenance audit`` does not pay for Datasette and the rule compiler.
COMMANDS = {
    "ingest": "provenance.commands.ledger:ingest_command",
    "claims": "provenance.commands.ledger:claims_command",
    "show": "provenance.commands.ledger:show_command",
    "stats": "provenance.commands.ledger:stats_command",
    "schema": "provenance.commands.ledger:schema_command",
    "serve": "provenance.commands.serve:serve_command",
    "export": "provenance.commands.export:export_command",
    "audit": "provenance.commands.audit:audit_command",
    "annotate": "provenance.commands.annotate:annotate_command",
    "review": "provenance.commands.review:review_command",
    "history": "provenance.commands.annotate:history_command",
    "annotations": "provenance.commands.annotate:annotations_group",
    "diff": "provenance.commands.diff:diff_command",
    "explain": "provenance.commands.explain:explain_command",
}


class UsageFailure(click.ClickException):
    """A library error that is a usage error (it names something that does not exist): exit 2."""

    exit_code = 2


class ProvenanceGroup(click.Group):
    """Loads commands lazily and turns library errors into one-line messages (exit 1)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module, attribute = target.split(":")
        command = getattr(importlib.import_module(module), attribute)
        assert isinstance(command, click.Command)
        return command

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ProvenanceError as error:
            usage = getattr(error, "exit_code", 1) == UsageFailure.exit_code
            raise (UsageFailure if usage else click.ClickException)(str(error)) from None
        except sqlite3.Error as error:  # a damaged or unwritable database the library missed
            raise click.ClickException(f"database error: {error}") from None


@click.group(cls=ProvenanceGroup)
@click.version_option(__version__, prog_name="provenance")
def cli() -> None:
    """Every statement of a document as a typed, traceable claim

    Extract claims into a SQLite ledger, publish it with Datasette, review and audit it.
    """
