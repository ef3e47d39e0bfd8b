"""``provenance serve``'s review options and network warnings, without starting a server."""

from __future__ import annotations

import re
import socket
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from provenance.cli import cli
from provenance.errors import ProvenanceError
from provenance.publish.auth import ReviewSite, is_loopback, read_reviewers, token_digest


def serve(*args: str) -> Result:
    return CliRunner().invoke(cli, ["serve", *args])


@pytest.fixture
def taken_port() -> Iterator[int]:
    """A port something already listens on: serve stops there, after its checks and warnings."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        yield int(server.getsockname()[1])


def test_add_reviewer_keeps_only_a_digest_and_prints_the_token_once(tmp_path: Path) -> None:
    team = tmp_path / "team.txt"
    result = serve("--reviewers", str(team), "--add-reviewer", "alice")
    assert result.exit_code == 0, result.output
    token = re.search(r"token for alice: (\S+)", result.output)
    assert token is not None
    assert token.group(1) not in team.read_text()
    assert read_reviewers(team) == {"alice": token_digest(token.group(1))}
    assert stat.S_IMODE(team.stat().st_mode) == 0o600
    assert ReviewSite(tmp_path, read_reviewers(team)).reviewer_for(token.group(1)) == "alice"
    again = serve("--reviewers", str(team), "--add-reviewer", "alice")
    assert again.exit_code == 2 and "already listed" in again.output


def test_a_reviewer_name_may_hold_spaces_as_on_the_cli(tmp_path: Path) -> None:
    # git's user.name, the default reviewer, usually does ("Jane Doe").
    team = tmp_path / "team.txt"
    result = serve("--reviewers", str(team), "--add-reviewer", "Jane Doe")
    assert result.exit_code == 0, result.output
    token = re.search(r"token for Jane Doe: (\S+)", result.output)
    assert token is not None
    assert read_reviewers(team) == {"Jane Doe": token_digest(token.group(1))}
    refused = serve("--reviewers", str(team), "--add-reviewer", " bob\tx")
    assert refused.exit_code != 0 and "is not a reviewer name" in refused.output


def test_a_malformed_reviewers_file_names_the_line(tmp_path: Path) -> None:
    team = tmp_path / "team.txt"
    team.write_text("# reviewers\nalice sha256:" + "0" * 64 + "\nbob hunter2\n")
    with pytest.raises(ProvenanceError, match=r"team.txt:3: expected 'NAME sha256:"):
        read_reviewers(team)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--reviewer", "alice"], "--reviewer and --reviewers need --review"),
        (["--add-reviewer", "alice"], "--add-reviewer needs --reviewers FILE"),
        (["--review", "--host", "0.0.0.0"], "needs a token for every reviewer"),
        (["--review", "--host", "0.0.0.0", "--reviewer", "bob"], "which is for 127.0.0.1"),
    ],
)
def test_review_options_that_cannot_work_are_refused(
    ingested_db: Path, arguments: list[str], message: str
) -> None:
    result = serve("--db", str(ingested_db), *arguments)
    assert result.exit_code == 2, result.output
    assert message in result.output


def test_a_network_address_is_warned_about(ingested_db: Path, taken_port: int) -> None:
    result = serve("--db", str(ingested_db), "--host", "0.0.0.0", "--port", str(taken_port))
    assert "warning: serving on 0.0.0.0: the ledger becomes visible to the network" in result.stderr
    quiet = serve("--db", str(ingested_db), "--port", str(taken_port))
    assert "warning" not in quiet.stderr


def test_with_reviewers_configured_a_network_review_site_may_start(
    ingested_db: Path, tmp_path: Path, taken_port: int
) -> None:
    team = tmp_path / "team.txt"
    assert serve("--reviewers", str(team), "--add-reviewer", "alice").exit_code == 0
    result = serve(
        "--db", str(ingested_db), "--review", "--reviewers", str(team),
        "--host", "0.0.0.0", "--port", str(taken_port),
    )  # fmt: skip
    # It got past every check and stopped only at the taken port.
    assert result.exit_code == 1 and "cannot listen on 0.0.0.0" in result.output


def test_loopback_addresses() -> None:
    assert all(is_loopback(h) for h in ("127.0.0.1", "localhost", "::1", "127.1.2.3"))
    assert not any(is_loopback(h) for h in ("0.0.0.0", "192.168.1.4", "::", "example.org"))
