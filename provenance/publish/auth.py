"""Who may record verdicts through the site: reviewers, their tokens, and the sign-in cookie.

``provenance serve --review`` knows each reviewer by the SHA-256 digest of a secret token,
never the token itself. ``--reviewer NAME`` makes a fresh token for this run and prints the
sign-in link; a team keeps one line per reviewer in a reviewers file (``--reviewers FILE``):

    # name   digest of the token
    alice    sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08

which ``provenance serve --reviewers FILE --add-reviewer NAME`` writes, printing the token
once. Opening ``/-/provenance/login?token=TOKEN`` signs the reviewer in: Datasette's signed
``ds_actor`` cookie then carries ``{"id": NAME, "provenance": "reviewer"}``. Tokens are
random (192 bits), so one round of SHA-256 is enough to keep a stolen file useless.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import os
import re
import secrets
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from provenance.errors import ProvenanceError

DIGEST_PREFIX = "sha256:"

#: What a reviewer's actor carries, so that actors of other plugins are never taken for one.
ACTOR_KIND = "reviewer"

#: As on the CLI, a name may hold spaces ("Jane Doe", as git's user.name usually does).
_NAME = re.compile(r"^[\w.@+-](?:[\w .@+-]{0,62}[\w.@+-])?$")
_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")


def new_token() -> str:
    return secrets.token_urlsafe(24)


def token_digest(token: str) -> str:
    return DIGEST_PREFIX + hashlib.sha256(token.encode("utf-8")).hexdigest()


def check_reviewer_name(name: str) -> str:
    name = name.strip()
    if not _NAME.match(name):
        raise ProvenanceError(
            f"{name!r} is not a reviewer name (letters, digits, spaces and . _ @ + -, at most 64)"
        )
    return name


def read_reviewers(path: Path) -> dict[str, str]:
    """Reviewer name → token digest, from a reviewers file; errors name the line."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise ProvenanceError(f"{path}: no such reviewers file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ProvenanceError(f"{path}: cannot read reviewers file ({error})") from None
    reviewers: dict[str, str] = {}
    for number, line in enumerate(lines, start=1):
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        parts = text.rsplit(None, 1)  # the name may hold spaces; the digest is the last field
        if len(parts) != 2 or not _DIGEST.match(parts[1]):
            raise ProvenanceError(
                f"{path}:{number}: expected 'NAME sha256:<64 hex digits>'"
                " (make one with --add-reviewer NAME)"
            )
        try:
            name = check_reviewer_name(parts[0])
        except ProvenanceError as error:
            raise ProvenanceError(f"{path}:{number}: {error}") from None
        if name in reviewers:
            raise ProvenanceError(f"{path}:{number}: reviewer {name!r} is listed twice")
        reviewers[name] = parts[1]
    return reviewers


def add_reviewer(path: Path, name: str) -> str:
    """Append a reviewer with a new token to the reviewers file; returns the token."""
    name = check_reviewer_name(name)
    path = Path(path)
    if path.exists() and name in read_reviewers(path):
        raise ProvenanceError(f"{path}: reviewer {name!r} is already listed")
    token = new_token()
    flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND
    try:
        descriptor = os.open(path, flags, 0o600)
    except OSError as error:
        raise ProvenanceError(f"{path}: cannot write reviewers file ({error.strerror})") from None
    with os.fdopen(descriptor, "a", encoding="utf-8") as handle:
        handle.write(f"{name} {token_digest(token)}\n")
    return token


def is_loopback(host: str) -> bool:
    """True for an address only this machine can reach (``localhost`` included)."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True, slots=True)
class ReviewSite:
    """What ``--review`` turns on for one served ledger."""

    db_path: Path
    #: Reviewer name → digest of their token.
    reviewers: dict[str, str] = field(default_factory=dict)

    def reviewer_for(self, token: str) -> str | None:
        """The reviewer this token signs in, compared in constant time."""
        if not token:
            return None
        digest = token_digest(token)
        found = None
        for name, expected in self.reviewers.items():
            if hmac.compare_digest(digest, expected):
                found = name
        return found

    def reviewer_of(self, actor: Any) -> str | None:
        """The signed-in reviewer, if the actor is one of ours and still listed."""
        if not isinstance(actor, dict) or actor.get("provenance") != ACTOR_KIND:
            return None
        name = actor.get("id")
        return name if isinstance(name, str) and name in self.reviewers else None


_sites: weakref.WeakKeyDictionary[Any, ReviewSite] = weakref.WeakKeyDictionary()


def enable_review(datasette: Any, site: ReviewSite) -> None:
    _sites[datasette] = site


def review_site(datasette: Any) -> ReviewSite | None:
    """The review settings of this Datasette, or None when it is read-only."""
    return _sites.get(datasette)


def actor_cookie(datasette: Any, reviewer: str) -> str:
    """The value of Datasette's ``ds_actor`` cookie for a signed-in reviewer."""
    return str(datasette.sign({"a": {"id": reviewer, "provenance": ACTOR_KIND}}, "actor"))
