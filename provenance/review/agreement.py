"""Reviewer agreement: Cohen's kappa for each pair of reviewers on the claims both reviewed.

Each reviewer's latest verdict in force on a claim counts (as for the evidence status).
Kappa is undefined when chance agreement is total (both reviewers gave one and the same verdict
to every shared claim); it is then reported as ``None``, with the counts it would rest on.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import sqlite_utils

from provenance.models import Annotation, Verdict
from provenance.review.log import iter_annotations, review_since
from provenance.review.status import in_force, latest_verdicts


@dataclass(frozen=True, slots=True)
class Kappa:
    items: int
    agreed: int
    observed: float
    expected: float
    kappa: float | None


@dataclass(slots=True)
class PairAgreement:
    """Agreement of two reviewers on one set of claims (all, or one category)."""

    reviewers: tuple[str, str]
    category: str | None
    result: Kappa
    #: (verdict of the first reviewer, verdict of the second) → claims.
    table: dict[tuple[str, str], int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "reviewers": list(self.reviewers),
            "category": self.category,
            "items": self.result.items,
            "agreed": self.result.agreed,
            "observed": self.result.observed,
            "expected": self.result.expected,
            "kappa": self.result.kappa,
            "table": [
                {"first": first, "second": second, "claims": count}
                for (first, second), count in sorted(self.table.items())
            ],
        }


def cohen_kappa(pairs: list[tuple[str, str]]) -> Kappa:
    """Kappa of two raters' labels on the same items; ``pairs`` is (label a, label b) per item."""
    items = len(pairs)
    if not items:
        return Kappa(0, 0, 0.0, 0.0, None)
    agreed = sum(1 for a, b in pairs if a == b)
    first = Counter(a for a, _ in pairs)
    second = Counter(b for _, b in pairs)
    observed = agreed / items
    expected = sum(first[label] * second[label] for label in first) / (items * items)
    kappa = None if expected >= 1.0 else (observed - expected) / (1.0 - expected)
    return Kappa(items, agreed, round(observed, 4), round(expected, 4), _round(kappa))


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def reviewer_verdicts(db: sqlite_utils.Database) -> dict[str, dict[str, Verdict]]:
    """Claim id → reviewer → that reviewer's latest verdict in force."""
    by_claim: dict[str, list[Annotation]] = defaultdict(list)
    for annotation in iter_annotations(db):
        by_claim[annotation.claim_id].append(annotation)
    since = review_since(db.conn, sorted(by_claim))
    return {
        claim_id: latest_verdicts(in_force(annotations, since.get(claim_id)))
        for claim_id, annotations in by_claim.items()
    }


def reviewer_agreement(db: sqlite_utils.Database) -> list[PairAgreement]:
    """For each pair of reviewers with shared claims: overall, then per category."""
    verdicts = reviewer_verdicts(db)
    categories = dict(db.conn.execute("select id, category from claims").fetchall())
    reviewers = sorted({r for found in verdicts.values() for r in found})
    results: list[PairAgreement] = []
    for first, second in combinations(reviewers, 2):
        shared = [
            (claim_id, found[first].value, found[second].value)
            for claim_id, found in sorted(verdicts.items())
            if first in found and second in found
        ]
        if not shared:
            continue
        groups: dict[str | None, list[tuple[str, str]]] = defaultdict(list)
        for claim_id, a, b in shared:
            groups[None].append((a, b))
            groups[categories.get(claim_id)].append((a, b))
        for category in [None, *sorted(c for c in groups if c is not None)]:
            pairs = groups[category]
            results.append(
                PairAgreement((first, second), category, cohen_kappa(pairs), dict(Counter(pairs)))
            )
    return results


#: Fewer claims reviewed by both reviewers than this, and kappa is mostly noise (its 95 %
#: confidence interval is wider than ±0.3 for moderate agreement): the report says so.
SMALL_SAMPLE = 30


def agreement_text(results: list[PairAgreement]) -> str:
    """A plain-text report: one block per reviewer pair, overall then per category."""
    if not results:
        return "no claim has been reviewed by two reviewers"
    lines: list[str] = []
    for result in results:
        first, second = result.reviewers
        scope = result.category or "all categories"
        kappa = "undefined" if result.result.kappa is None else f"{result.result.kappa:.3f}"
        if result.category is None:
            if lines:
                lines.append("")
            lines.append(f"{first} × {second}")
        lines.append(
            f"  {scope:<16} kappa {kappa:>9}  on {result.result.items} claims,"
            f" {result.result.agreed} agreed (observed {result.result.observed:.3f},"
            f" chance {result.result.expected:.3f})"
        )
        if result.category is None and result.result.items < SMALL_SAMPLE:
            lines.append(
                f"      warning: only {result.result.items} claim(s) reviewed by both;"
                f" kappa means little on fewer than {SMALL_SAMPLE}"
            )
        if result.category is None:
            for (a, b), count in sorted(result.table.items()):
                lines.append(f"      {count:>5}  {a} / {b}")
    return "\n".join(lines)
