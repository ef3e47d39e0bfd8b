"""Who is reviewing: the name an annotation is recorded under."""

from __future__ import annotations

import getpass
import os
import subprocess

from provenance.errors import ProvenanceError


def default_reviewer(given: str | None = None) -> str:
    """``given``, else $PROVENANCE_REVIEWER, else ``git config user.name``, else the login."""
    if given and given.strip():
        return given.strip()
    from_env = os.environ.get("PROVENANCE_REVIEWER", "").strip()
    if from_env:
        return from_env
    try:
        found = subprocess.run(
            ["git", "config", "user.name"], capture_output=True, text=True, timeout=5, check=False
        )
        if found.returncode == 0 and found.stdout.strip():
            return found.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        pass
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        raise ProvenanceError("cannot tell who is reviewing: pass --reviewer") from None
