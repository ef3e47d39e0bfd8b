"""The evidence-status rule: how the annotation log decides a claim's effective status.

Each reviewer's latest verdict counts. If the reviewers' latest verdicts agree, that verdict is
the status; if they differ, the status is ``disputed``; with no verdict it is the status derived
from the text. Only annotations made after the claim's text last changed are in force: an edited
claim keeps its history but goes back to review.
"""

from __future__ import annotations

from collections.abc import Iterable

from provenance.models import Annotation, EvidenceStatus, Verdict


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


def edited_at_sql(claim_id: str) -> str:
    """SQL for when the text of the claim whose id is the expression ``claim_id`` last
    changed ('' if never): only verdicts made after it are in force (see :func:`in_force`)."""
    return (
        "coalesce((select max(edit.at) from claim_changes edit"
        f" where edit.claim_id = {claim_id} and edit.review_reset = 1), '')"
    )
