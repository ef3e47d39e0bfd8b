"""Options shared by several commands."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from provenance.models import Attribution, Category, Certainty, EvidenceStatus
from provenance.output import OUTPUT_FORMATS
from provenance.store.reads import ClaimFilter

F = TypeVar("F", bound=Callable[..., Any])


def db_option(func: F) -> F:
    """``--db``: the claims database, ``./claims.db`` by default."""
    return click.option(
        "db_path",
        "--db",
        type=click.Path(dir_okay=False, path_type=Path),
        default="claims.db",
        show_default=True,
        envvar="PROVENANCE_DB",
        help="Claims database (env PROVENANCE_DB).",
    )(func)


def format_option(
    choices: tuple[str, ...] = OUTPUT_FORMATS, default: str = "table"
) -> Callable[[F], F]:
    def decorator(func: F) -> F:
        return click.option(
            "fmt",
            "--format",
            type=click.Choice(choices, case_sensitive=False),
            default=default,
            show_default=True,
            help="Output format.",
        )(func)

    return decorator


def _split_choices(
    enum: type[Any],
) -> Callable[[click.Context, click.Parameter, tuple[str, ...]], tuple[str, ...]]:
    """Accept repeated options and comma-separated lists, validated against an enum."""
    allowed = [member.value for member in enum]

    def callback(
        ctx: click.Context, param: click.Parameter, value: tuple[str, ...]
    ) -> tuple[str, ...]:
        values = tuple(v.strip() for item in value for v in item.split(",") if v.strip())
        for v in values:
            if v not in allowed:
                raise click.BadParameter(f"{v!r} is not one of {', '.join(allowed)}")
        return values

    return callback


def enum_list_option(flag: str, dest: str, enum: type[Any], help: str) -> Callable[[F], F]:
    """A repeatable option whose values (also comma-separated) must be members of ``enum``."""
    return click.option(flag, dest, multiple=True, callback=_split_choices(enum), help=help)


category_option = enum_list_option(
    "--category", "categories", Category, "Only these categories (repeat or comma-separate)."
)
certainty_option = enum_list_option("--certainty", "certainties", Certainty, "asserted or hedged.")
document_option = click.option(
    "--document",
    "documents",
    multiple=True,
    help="Only this document (source path, name or document id).",
)


def claim_filter_options(func: F) -> F:
    """``--category --status --certainty --attribution --document --search``."""
    options = [
        category_option,
        enum_list_option("--status", "statuses", EvidenceStatus, "Only these evidence statuses."),
        certainty_option,
        enum_list_option(
            "--attribution", "attributions", Attribution, "none, vague, named or cited."
        ),
        document_option,
        click.option("--search", help="Full-text search in claim text."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def claim_filter_from(kwargs: dict[str, Any]) -> ClaimFilter:
    """Pop the filter options out of a command's keyword arguments."""
    return ClaimFilter(
        categories=kwargs.pop("categories"),
        statuses=kwargs.pop("statuses"),
        certainties=kwargs.pop("certainties"),
        attributions=kwargs.pop("attributions"),
        documents=tuple(kwargs.pop("documents")),
        search=kwargs.pop("search"),
    )
