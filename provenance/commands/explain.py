"""``provenance explain``: the whole classification of one sentence, for a domain expert."""

from __future__ import annotations

import click

from provenance.extract.classify import explain


@click.command("explain")
@click.argument("sentence")
@click.option("--before", help="The sentence before it (a quote's speaker may be named there).")
@click.option("--after", help="The sentence after it.")
@click.option("--cited", is_flag=True, help="Treat it as holding a citation marker.")
def explain_command(sentence: str, before: str | None, after: str | None, cited: bool) -> None:
    """Show how one sentence is classified, and why

    Prints the category with the rule or the features that decided it, each hedge word with
    the verdict of the hedge-cue model in its context, and the attribution with its cues.

    Example:
        provenance explain "Magnesium may lower blood pressure, researchers said."
    """
    click.echo(explain(sentence, before=before, after=after, cited=cited), nl=False)
