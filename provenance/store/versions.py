"""Versions keep annotations: each claim of a new version is matched to the previous version.

The same normalised text keeps the same claim id (and so its annotations). Otherwise a claim is
re-anchored the way a W3C TextQuoteSelector is: by its quote (``exact``) and the text around it
(``prefix``, ``suffix``), fuzzily. Every claim of the new version is then ``unchanged``,
``moved`` (same text, out of its old order), ``edited`` (re-anchored to a changed text: it keeps
its id and history but goes back to review) or ``new``; claims of the old version not found are
``removed`` and kept, with their history, as not current.

Longer than 500 lines because the three uses of anchors (matching a new version at ingest,
recording that match, and diffing any two stored versions) share the anchor model and its
private matching helpers; split, each would import the others' internals.
"""

from __future__ import annotations

import bisect
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from enum import Enum
from functools import lru_cache

import sqlite_utils

from provenance.errors import ProvenanceError
from provenance.ids import claim_id as derive_claim_id
from provenance.ids import normalise_text
from provenance.models import Claim
from provenance.review.log import refresh_statuses
from provenance.timestamps import utc_timestamp

#: Characters of context on each side of a quote.
CONTEXT = 48
#: A re-anchored quote must be at least this similar to the old one…
MIN_QUOTE_SIMILARITY = 0.5
#: …and quote and context together at least this similar.
MIN_SCORE = 0.6
QUOTE_WEIGHT = 0.7
#: Beyond this many leftover pairs, claims are looked for near their old place only.
MAX_FUZZY_PAIRS = 20_000
#: A repeated text's occurrence is paired with one of this many on each side of where it
#: is expected.
REPEAT_WINDOW = 8


class Change(str, Enum):
    unchanged = "unchanged"
    moved = "moved"
    edited = "edited"
    new = "new"
    removed = "removed"


CHANGE_ORDER = tuple(Change)


@dataclass(frozen=True, slots=True)
class Anchor:
    """Where a claim is in one version: its quote and the text around it."""

    claim_id: str
    start: int
    end: int
    text: str
    prefix: str = ""
    suffix: str = ""

    @property
    def normalised(self) -> str:
        return _normalised(self.text)


@dataclass(frozen=True, slots=True)
class ClaimChange:
    claim_id: str
    change: Change
    old: Anchor | None
    new: Anchor | None
    similarity: float | None = None


@dataclass(slots=True)
class VersionDiff:
    """How the claims of one version of a document became those of another."""

    document: str
    from_version: int
    to_version: int
    changes: list[ClaimChange] = field(default_factory=list)
    #: Claims whose text changed: earlier annotations become history, the claim is re-reviewed.
    review_reset: set[str] = field(default_factory=set)

    def counts(self) -> dict[str, int]:
        found = Counter(c.change for c in self.changes)
        return {change.value: found[change] for change in CHANGE_ORDER}

    def summary(self) -> str:
        """``12 unchanged, 1 moved, 2 edited, 1 new, 0 removed``."""
        return ", ".join(f"{count} {name}" for name, count in self.counts().items())


def anchor(claim_id: str, text: str, start: int, end: int) -> Anchor:
    return Anchor(
        claim_id=claim_id,
        start=start,
        end=end,
        text=text[start:end],
        prefix=normalise_text(text[max(0, start - CONTEXT) : start]),
        suffix=normalise_text(text[end : end + CONTEXT]),
    )


@lru_cache(maxsize=1 << 16)
def _normalised(text: str) -> str:
    return normalise_text(text)


@lru_cache(maxsize=1 << 16)
def _words(text: str) -> tuple[str, ...]:
    """Similarity is measured on words: as telling as characters, and far cheaper."""
    return tuple(_normalised(text).split())


def _ratio(a: str, b: str) -> float:
    if a == b:
        return 1.0
    return SequenceMatcher(None, _words(a), _words(b), autojunk=False).ratio()


def _in_order(pairs: Sequence[tuple[int, int]]) -> set[int]:
    """Indices of ``pairs`` (sorted by new position) in a longest run of rising old positions."""
    tails: list[int] = []
    tail_index: list[int] = []
    parent = [-1] * len(pairs)
    for index, (old_position, _) in enumerate(pairs):
        place = bisect.bisect_left(tails, old_position)
        if place == len(tails):
            tails.append(old_position)
            tail_index.append(index)
        else:
            tails[place] = old_position
            tail_index[place] = index
        parent[index] = tail_index[place - 1] if place else -1
    kept: set[int] = set()
    index = tail_index[-1] if tail_index else -1
    while index != -1:
        kept.add(index)
        index = parent[index]
    return kept


def _candidates(i: int, old_count: int, new_count: int) -> range:
    """New leftovers to compare with old leftover ``i``: all, or a window around its place.

    Beyond MAX_FUZZY_PAIRS comparisons (a document largely rewritten), a claim is only looked
    for near the same relative position, which keeps re-ingest linear.
    """
    if old_count * new_count <= MAX_FUZZY_PAIRS:
        return range(new_count)
    half = max(1, MAX_FUZZY_PAIRS // (2 * old_count))
    centre = i * new_count // old_count
    return range(max(0, centre - half), min(new_count, centre + half + 1))


def _fuzzy_pairs(old: Sequence[Anchor], new: Sequence[Anchor]) -> list[tuple[int, int, float]]:
    """One-to-one re-anchoring of leftover claims, best first: (old index, new index, ratio)."""
    new_words = [_words(a.text) for a in new]
    scored: list[tuple[float, int, int, float]] = []
    for i, old_anchor in enumerate(old):
        # SequenceMatcher caches what it learns about its second sequence: keep the old quote
        # there and vary the first.
        matcher = SequenceMatcher(None, autojunk=False)
        matcher.set_seq2(_words(old_anchor.text))
        for j in _candidates(i, len(old), len(new)):
            matcher.set_seq1(new_words[j])
            if matcher.real_quick_ratio() < MIN_QUOTE_SIMILARITY:
                continue
            if matcher.quick_ratio() < MIN_QUOTE_SIMILARITY:
                continue
            quote = matcher.ratio()
            if quote < MIN_QUOTE_SIMILARITY:
                continue
            new_anchor = new[j]
            context = (
                _ratio(old_anchor.prefix, new_anchor.prefix)
                + _ratio(old_anchor.suffix, new_anchor.suffix)
            ) / 2
            score = QUOTE_WEIGHT * quote + (1 - QUOTE_WEIGHT) * context
            if score >= MIN_SCORE:
                scored.append((score, i, j, quote))
    scored.sort(key=lambda item: (-item[0], item[1], item[2]))
    used_old: set[int] = set()
    used_new: set[int] = set()
    pairs = []
    for _, i, j, quote in scored:
        if i in used_old or j in used_new:
            continue
        used_old.add(i)
        used_new.add(j)
        pairs.append((i, j, round(quote, 4)))
    return pairs


def _exact_pairs(old: Sequence[Anchor], new: Sequence[Anchor]) -> dict[int, int]:
    """Pair claims with the same normalised text: new index → old index.

    Texts found once on each side pair at once; those of them still in order are landmarks.
    Repeated texts pair by nearness to where the landmarks say each old claim should now be,
    so editing one of three identical sentences does not shuffle the other two.
    """
    old_groups: dict[str, list[int]] = defaultdict(list)
    new_groups: dict[str, list[int]] = defaultdict(list)
    for i, old_anchor in enumerate(old):
        old_groups[old_anchor.normalised].append(i)
    for j, new_anchor in enumerate(new):
        new_groups[new_anchor.normalised].append(j)
    taken: dict[int, int] = {}
    for key, new_indices in new_groups.items():
        old_indices = old_groups.get(key, [])
        if len(old_indices) == 1 and len(new_indices) == 1:
            taken[new_indices[0]] = old_indices[0]
    unique = sorted(taken.items())
    landmarks = sorted(unique[k] for k in _in_order([(o, n) for n, o in unique]))
    landmark_new = [n for n, _ in landmarks]

    def expected_old(j: int) -> int:
        k = bisect.bisect_right(landmark_new, j) - 1
        return j if k < 0 else landmarks[k][1] + (j - landmarks[k][0])

    for key, new_indices in new_groups.items():
        old_indices = old_groups.get(key, [])
        if not old_indices or (len(old_indices) == 1 and len(new_indices) == 1):
            continue
        candidates: list[tuple[int, int, int]] = []
        for j in new_indices:
            expected = expected_old(j)
            place = bisect.bisect_left(old_indices, expected)
            nearby = old_indices[max(0, place - REPEAT_WINDOW) : place + REPEAT_WINDOW]
            candidates.extend((abs(expected - i), j, i) for i in nearby)
        candidates.sort()
        used_old: set[int] = set()
        for _, j, i in candidates:
            if j not in taken and i not in used_old:
                taken[j] = i
                used_old.add(i)
        # occurrences too far from where they were expected still pair, in order
        spare_old = [i for i in old_indices if i not in used_old]
        spare_new = [j for j in new_indices if j not in taken]
        taken.update(zip(spare_new, spare_old, strict=False))
    return taken


def match_anchors(old: Sequence[Anchor], new: Sequence[Anchor]) -> list[ClaimChange]:
    """Match two versions' claims (each in document order).

    The changes come in new-document order, then the removed claims in old order. A matched
    new claim takes the old claim's id; an unmatched one keeps the id it came with.
    """
    taken = _exact_pairs(old, new)  # new index → old index
    matched = set(taken.values())
    left_old = [i for i in range(len(old)) if i not in matched]
    left_new = [j for j in range(len(new)) if j not in taken]
    similarity: dict[int, float] = {}
    for i, j, quote in _fuzzy_pairs([old[i] for i in left_old], [new[j] for j in left_new]):
        taken[left_new[j]] = left_old[i]
        similarity[left_new[j]] = quote
    ordered = sorted(taken.items())
    in_order = _in_order([(old_index, new_index) for new_index, old_index in ordered])
    kept_in_order = {ordered[k][0] for k in in_order}
    changes: list[ClaimChange] = []
    for j, new_anchor in enumerate(new):
        if j not in taken:
            changes.append(ClaimChange(new_anchor.claim_id, Change.new, None, new_anchor))
            continue
        old_anchor = old[taken[j]]
        moved = Anchor(
            old_anchor.claim_id,
            new_anchor.start,
            new_anchor.end,
            new_anchor.text,
            new_anchor.prefix,
            new_anchor.suffix,
        )
        if old_anchor.normalised != new_anchor.normalised:
            kind = Change.edited
        elif j in kept_in_order:
            kind = Change.unchanged
        else:
            kind = Change.moved
        changes.append(
            ClaimChange(old_anchor.claim_id, kind, old_anchor, moved, similarity.get(j, 1.0))
        )
    matched_old = set(taken.values())
    for i, old_anchor in enumerate(old):
        if i not in matched_old:
            changes.append(ClaimChange(old_anchor.claim_id, Change.removed, old_anchor, None))
    return changes


# --- the hook in store.write_document --------------------------------------------------


def _current_anchors(db: sqlite_utils.Database, source: str, version: int) -> list[Anchor]:
    """The claims of the version before ``version``, anchored in its text."""
    rows = db.conn.execute(
        "select text from documents where source = ? and version < ? order by version desc limit 1",
        [source, version],
    ).fetchall()
    text = rows[0][0] if rows else ""
    return [
        anchor(claim_id, text, start, end)
        for claim_id, start, end in db.conn.execute(
            "select id, start, [end] from claims where document = ? and is_current = 1"
            " order by start",
            [source],
        )
    ]


def _fresh_id(source: str, claim: Claim, version: int, used: set[str]) -> str:
    """An id for a new claim whose text-derived id already belongs to another claim."""
    normalised = normalise_text(claim.text)
    attempt = 0
    while True:
        attempt += 1
        candidate = derive_claim_id(source, f"{normalised}\x1fversion {version}", attempt)
        if candidate not in used:
            return candidate


def reanchor(
    db: sqlite_utils.Database, source: str, text: str, claims: list[Claim], version: int
) -> tuple[list[Claim], VersionDiff]:
    """Match a new version's claims to the current ones; call before the new version is stored.

    Returns the claims with their ids carried over, and the diff against the previous version.
    """
    old = _current_anchors(db, source, version)
    new = [anchor(c.id, text, c.start, c.end) for c in claims]
    changes = match_anchors(old, new)
    carried = {c.new.start: c.claim_id for c in changes if c.new is not None and c.old is not None}
    known = dict(
        db.conn.execute("select id, text from claims where document = ?", [source]).fetchall()
    )
    old_ids = {a.claim_id for a in old}
    used = set(carried.values())
    result: list[Claim] = []
    renamed: dict[str, str] = {}
    for claim in claims:
        new_id = carried.get(claim.start)
        if new_id is None:
            new_id = claim.id
            # A new claim may not take an id that an old claim of this document still answers to
            # under other text, or one already given out in this version.
            if new_id in used or new_id in old_ids:
                new_id = _fresh_id(source, claim, version, used | set(known))
                renamed[claim.id] = new_id
        used.add(new_id)
        result.append(claim if new_id == claim.id else claim.model_copy(update={"id": new_id}))
    if renamed:
        changes = [
            ClaimChange(
                renamed.get(c.claim_id, c.claim_id),
                c.change,
                c.old,
                None
                if c.new is None
                else Anchor(
                    renamed.get(c.claim_id, c.claim_id),
                    c.new.start,
                    c.new.end,
                    c.new.text,
                    c.new.prefix,
                    c.new.suffix,
                ),
                c.similarity,
            )
            if c.change is Change.new
            else c
            for c in changes
        ]
    reset = {
        claim.id
        for claim in result
        if claim.id in known and normalise_text(known[claim.id]) != normalise_text(claim.text)
    }
    return result, VersionDiff(source, version - 1, version, changes, reset)


def record_version_changes(db: sqlite_utils.Database, diff: VersionDiff) -> None:
    """Store the diff, reset review of claims whose text changed, recompute statuses.

    Call inside the transaction that wrote the new version's claims.
    """
    conn = db.conn
    at = utc_timestamp()
    rows = []
    for change in diff.changes:
        reset = change.claim_id in diff.review_reset
        rows.append(
            (
                diff.document,
                diff.from_version,
                diff.to_version,
                change.claim_id,
                change.change.value,
                change.old.start if change.old else None,
                change.old.end if change.old else None,
                change.old.text if change.old else None,
                change.new.start if change.new else None,
                change.new.end if change.new else None,
                change.new.text if change.new else None,
                change.similarity,
                int(reset),
                at,
            )
        )
    conn.executemany(
        "insert into claim_changes (document, from_version, to_version, claim_id, change,"
        " old_start, old_end, old_text, new_start, new_end, new_text, similarity,"
        " review_reset, at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    annotated = [
        row[0]
        for row in conn.execute(
            "select distinct annotations.claim_id from annotations join claims"
            " on claims.id = annotations.claim_id where claims.document = ?",
            [diff.document],
        )
    ]
    refresh_statuses(db, annotated)


# --- diff between any two stored versions ----------------------------------------------


def _membership(db: sqlite_utils.Database, source: str, version: int) -> list[Anchor] | None:
    """The claims of one version as recorded at re-ingest, in document order."""
    conn = db.conn
    rows = conn.execute(
        "select claim_id, new_start, new_end, new_text from claim_changes"
        " where document = ? and to_version = ? and new_text is not null",
        [source, version],
    ).fetchall()
    if not rows:
        rows = conn.execute(
            "select claim_id, old_start, old_end, old_text from claim_changes"
            " where document = ? and from_version = ? and old_text is not null",
            [source, version],
        ).fetchall()
    if not rows:
        count = conn.execute(
            "select count(*) from claim_changes where document = ?"
            " and (to_version = ? or from_version = ?)",
            [source, version, version],
        ).fetchone()[0]
        if not count:
            return None
    return sorted(
        (Anchor(claim_id, start, end, text) for claim_id, start, end, text in rows),
        key=lambda a: a.start,
    )


def diff_anchors(old: Sequence[Anchor], new: Sequence[Anchor]) -> list[ClaimChange]:
    """Changes between two recorded versions, by claim id (ids are already carried)."""
    old_by_id = {a.claim_id: (i, a) for i, a in enumerate(old)}
    both = [(old_by_id[a.claim_id][0], j) for j, a in enumerate(new) if a.claim_id in old_by_id]
    same_text = [(i, j) for i, j in both if old[i].normalised == new[j].normalised]
    in_order = {same_text[k][1] for k in _in_order(same_text)}
    changes: list[ClaimChange] = []
    for j, new_anchor in enumerate(new):
        found = old_by_id.get(new_anchor.claim_id)
        if found is None:
            changes.append(ClaimChange(new_anchor.claim_id, Change.new, None, new_anchor))
            continue
        old_anchor = found[1]
        if old_anchor.normalised != new_anchor.normalised:
            ratio = round(_ratio(old_anchor.normalised, new_anchor.normalised), 4)
            changes.append(
                ClaimChange(new_anchor.claim_id, Change.edited, old_anchor, new_anchor, ratio)
            )
            continue
        kind = Change.unchanged if j in in_order else Change.moved
        changes.append(ClaimChange(new_anchor.claim_id, kind, old_anchor, new_anchor, 1.0))
    new_ids = {a.claim_id for a in new}
    changes.extend(
        ClaimChange(a.claim_id, Change.removed, a, None) for a in old if a.claim_id not in new_ids
    )
    return changes


def document_versions(db: sqlite_utils.Database, document: str) -> tuple[str, list[int]]:
    """The source and stored versions of a document given by source, name or document id."""
    rows = db.conn.execute(
        "select source, version from documents where source = ? or name = ? or id = ?"
        " order by source, version",
        [document, document, document],
    ).fetchall()
    sources = sorted({row[0] for row in rows})
    if not sources:
        raise ProvenanceError(f"no document {document!r}")
    if len(sources) > 1:
        raise ProvenanceError(f"document name {document!r} is ambiguous: {', '.join(sources)}")
    source = sources[0]
    versions = [
        row[0]
        for row in db.conn.execute(
            "select version from documents where source = ? order by version", [source]
        )
    ]
    return source, versions


def diff_versions(
    db: sqlite_utils.Database,
    document: str,
    from_version: int | None = None,
    to_version: int | None = None,
) -> VersionDiff:
    """What changed between two versions of a document (default: the last two)."""
    source, versions = document_versions(db, document)
    if len(versions) < 2 and (from_version is None or to_version is None):
        raise ProvenanceError(f"{source} has only one version; there is nothing to compare")
    to_version = versions[-1] if to_version is None else to_version
    if from_version is None:
        earlier = [v for v in versions if v < to_version]
        if not earlier:
            raise ProvenanceError(f"{source} has no version before {to_version}")
        from_version = earlier[-1]
    for version in (from_version, to_version):
        if version not in versions:
            shown = ", ".join(map(str, versions))
            raise ProvenanceError(f"{source} has no version {version} (it has {shown})")
    old = _membership(db, source, from_version)
    new = _membership(db, source, to_version)
    if old is None or new is None:
        raise ProvenanceError(f"{source}: no claim history recorded for these versions")
    return VersionDiff(source, from_version, to_version, diff_anchors(old, new))
