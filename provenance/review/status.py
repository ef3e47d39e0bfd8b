"""The evidence-status rule: how the annotation log decides a claim's effective status.

Each reviewer's latest verdict counts. If the reviewers' latest verdicts agree, that verdict is
the status; if they differ, the status is ``disputed``; with no verdict it is the status derived
from the text. Only annotations made after the claim's text last changed are in force: an edited
claim keeps its history but goes back to review.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timezone

from provenance.errors import ProvenanceError
from provenance.models import Annotation, EvidenceStatus, Verdict

TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def utc_timestamp() -> str:
    """Now, in the one timestamp form annotations and changes are stored with."""
    return datetime.now(timezone.utc).strftime(TIMESTAMP_FORMAT)


def normalise_timestamp(value: str) -> str:
    """An ISO 8601 time as stored (UTC, microseconds, ``Z``); naive times are taken as UTC.

    One fixed form makes timestamps compare correctly as strings.
    """
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text)
    except ValueError:
        raise ProvenanceError(f"{value!r} is not an ISO 8601 time") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc).strftime(TIMESTAMP_FORMAT)


def latest_verdicts(annotations: Iterable[Annotation]) -> dict[str, Verdict]:
    """Reviewer → their latest verdict. Ties on created_at go to the later one in the log."""
    ordered = sorted(enumerate(annotations), key=lambda item: (item[1].created_at, item[0]))
    return {annotation.reviewer: annotation.verdict for _, annotation in ordered}


def in_force(annotations: Iterable[Annotation], review_since: str | None) -> list[Annotation]:
    """The annotations made after ``review_since`` (the claim's last edit), or all of them."""
    if review_since is None:
        return list(annotations)
    return [a for a in annotations if a.created_at > review_since]


def effective_status(
    text_status: EvidenceStatus | str, annotations: Iterable[Annotation]
) -> EvidenceStatus:
    """The evidence status of a claim with this text-derived status and these annotations."""
    verdicts = set(latest_verdicts(annotations).values())
    if not verdicts:
        return EvidenceStatus(text_status)
    if len(verdicts) > 1:
        return EvidenceStatus.disputed
    return EvidenceStatus(verdicts.pop().value)
