"""The serve command: publish the claims database through Datasette, read-only or for review."""

from __future__ import annotations

import socket
import threading
import time
import urllib.request
import webbrowser
from pathlib import Path

import click

from provenance.commands.options import db_option
from provenance.errors import ProvenanceError
from provenance.publish.auth import (
    ReviewSite,
    add_reviewer,
    check_reviewer_name,
    is_loopback,
    new_token,
    read_reviewers,
    token_digest,
)
from provenance.publish.pages import LOGIN_PATH
from provenance.publish.serve import (
    DEFAULT_HOST,
    DEFAULT_PORT,
    check_port,
    make_datasette,
    run,
    warm_up_path,
)
from provenance.review.reviewer import default_reviewer

WARM_UP_WAIT_SECONDS = 60


def _local_address(host: str) -> str:
    return "127.0.0.1" if host in ("0.0.0.0", "", "::") else host


def warm_up_when_listening(host: str, port: int, path: str, open_url: str | None) -> None:
    """Once the server answers, request the claims page once so its facets are remembered."""
    address = _local_address(host)
    deadline = time.monotonic() + WARM_UP_WAIT_SECONDS
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((address, port), timeout=1):
                break
        except OSError:
            time.sleep(0.2)
    else:
        return
    if open_url:
        webbrowser.open(open_url)
    url = f"http://{address}:{port}{path}"
    try:
        with urllib.request.urlopen(url, timeout=WARM_UP_WAIT_SECONDS) as response:
            response.read()
    except OSError:
        return


def _site_url(host: str, port: int) -> str:
    shown = _local_address(host)
    return f"http://[{shown}]:{port}" if ":" in shown else f"http://{shown}:{port}"


def _reviewers(
    host: str, named: tuple[str, ...], reviewers_file: Path | None
) -> tuple[dict[str, str], dict[str, str]]:
    """Reviewer → token digest for the site, and the fresh tokens of this run to print."""
    configured = read_reviewers(reviewers_file) if reviewers_file else {}
    if not is_loopback(host):
        if named:
            raise click.UsageError(
                f"--reviewer prints a sign-in link for this run only, which is for 127.0.0.1;"
                f" on {host} give each reviewer a token in --reviewers FILE (--add-reviewer)"
            )
        if not configured:
            raise click.UsageError(
                f"--review on {host} (reachable from the network) needs a token for every"
                " reviewer: --reviewers FILE (make one with --add-reviewer NAME)"
            )
        return configured, {}
    fresh: dict[str, str] = {}
    if not named and not configured:
        named = (default_reviewer(None),)
    for name in named:
        fresh[check_reviewer_name(name)] = new_token()
    return {**configured, **{n: token_digest(t) for n, t in fresh.items()}}, fresh


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
@click.option("--review", is_flag=True, help="Let signed-in reviewers record verdicts.")
@click.option(
    "reviewer_names",
    "--reviewer",
    multiple=True,
    help="With --review: print a sign-in link for this reviewer, valid while this server runs"
    " (repeatable; default: $PROVENANCE_REVIEWER, git user.name, login).",
)
@click.option(
    "reviewers_file",
    "--reviewers",
    type=click.Path(dir_okay=False, path_type=Path),
    help="With --review: a reviewers file, one 'NAME sha256:DIGEST' line per reviewer.",
)
@click.option(
    "--add-reviewer",
    metavar="NAME",
    help="Add NAME with a new token to the --reviewers file, print the token, and exit.",
)
def serve_command(
    db_path: Path,
    host: str,
    port: int,
    open_browser: bool,
    review: bool,
    reviewer_names: tuple[str, ...],
    reviewers_file: Path | None,
    add_reviewer: str | None,
) -> None:
    """Browse, facet and search the claims in Datasette; with --review, record verdicts

    The database is served read-only and may change while it is served: ingests and
    annotations commit as usual (the database is in WAL mode) and show on the next page
    load. Nothing can be written through the site, except that with --review a signed-in
    reviewer records verdicts from the claim and document pages. A database written by an
    earlier version of provenance is brought up to date first.

    Bound to 127.0.0.1 by default; another --host makes the ledger visible to the network,
    and then --review needs a reviewers file (printed sign-in links are refused).

    \b
    Examples:
        provenance serve
        provenance serve --db review.db --port 9000 --open
        provenance serve --review --reviewer alice
        provenance serve --reviewers team.txt --add-reviewer bob
        provenance serve --review --reviewers team.txt --host 0.0.0.0
    """
    if add_reviewer is not None:
        if reviewers_file is None:
            raise click.UsageError("--add-reviewer needs --reviewers FILE")
        token = add_reviewer_to(reviewers_file, add_reviewer)
        click.echo(f"token for {add_reviewer.strip()}: {token}")
        click.echo(f"(added to {reviewers_file}; only its digest is kept: give it to them now)")
        return
    if (reviewer_names or reviewers_file) and not review:
        raise click.UsageError("--reviewer and --reviewers need --review")
    if not is_loopback(host):
        click.echo(
            f"warning: serving on {host}: the ledger becomes visible to the network"
            " (anyone who can reach this address can read every claim and note)",
            err=True,
        )
    site = None
    fresh: dict[str, str] = {}
    if review:
        reviewers, fresh = _reviewers(host, reviewer_names, reviewers_file)
        site = ReviewSite(Path(db_path), reviewers)
    ds = make_datasette(db_path, review=site)
    check_port(host, port)
    base = _site_url(host, port)
    for name, token in fresh.items():
        click.echo(f"review as {name}: {base}{LOGIN_PATH}?token={token}")
    if site is not None and not fresh:
        click.echo(f"review: reviewers sign in at {base}{LOGIN_PATH}")
    threading.Thread(
        target=warm_up_when_listening,
        args=(host, port, warm_up_path(db_path), base + "/" if open_browser else None),
        daemon=True,
    ).start()
    run(ds, host=host, port=port)


def add_reviewer_to(path: Path, name: str) -> str:
    try:
        return add_reviewer(path, name)
    except ProvenanceError as error:
        raise click.UsageError(str(error)) from None
