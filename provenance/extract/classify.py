"""Rule-based classification of one statement: category, certainty, attribution.

The rules are data: ``provenance/extract/rules/*.rules`` (read by
:mod:`provenance.extract.rules_loader`), compiled once at import by
:mod:`provenance.extract.matcher`. A sentence is lower-cased and scanned ONCE by an
alternation of the first part of every rule (no groups): one ``finditer`` that stops only
after a non-word character followed by a letter some rule can start with, and there tries
only the rules that can start with that letter (see ``matcher._scan_patterns``). At each word
where that scan finds something, each rule file's grouped alternation is matched there to tell
which rule fired (the first in file order) and what its cue is. Python never loops over the
lexicons. Every gap in a pattern is bounded (a few words, never across punctuation), so no
pattern backtracks catastrophically and the work stays linear in the sentence.

Speed without changing a result: the rule texts are compiled after two rewrites that keep
every match (and which alternative wins) as it is: large ``(?:a|b|...)`` groups are bucketed
by first character (``regex_factor.factor``), the gap between a rule's parts is possessive where
backtracking could never succeed, and a file's alternation for one first character is a trie
of its rules (``rule_trie``: rules sharing a start share its test, file order kept).
``tests/test_classify.py`` compares 300 recorded classifications exactly, and
``evaluation/classify_identity.py`` does so for every sentence of the evaluation data.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, fields

from provenance.extract.matcher import (
    ATTRIBUTION_RULES,
    CATEGORY_RULES,
    HEDGE_RULES,
    Hit,
    kept_hits,
    scan_hits,
)
from provenance.extract.rules_loader import GAP_MARK
from provenance.models import Attribution, Category, Certainty

_CUE_SPACE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Classification:
    category: Category
    category_cues: list[str] = field(default_factory=list)
    certainty: Certainty = Certainty.asserted
    hedge_cues: list[str] = field(default_factory=list)
    attribution: Attribution = Attribution.none
    attribution_cues: list[str] = field(default_factory=list)


RULESET_VERSION = (
    f"categories-{CATEGORY_RULES.version}"
    f".hedges-{HEDGE_RULES.version}"
    f".attribution-{ATTRIBUTION_RULES.version}"
)


DEFAULT_CATEGORY = Category.definition


DEFAULT_CUE = "definition: default (no category rule fired)"


_GAP_JOIN = f" {GAP_MARK} "


def _cue_text(hit: Hit, text: str) -> str:
    names = hit[5]
    if names is None:  # one part: the whole match
        cue = text[hit[2] : hit[3]]
    else:  # the first part's (empty) group closes where the part ends
        match = hit[4]
        cue = _GAP_JOIN.join(
            [text[hit[2] : match.end(names[0])], *[text[slice(*match.span(n))] for n in names[1:]]]
        )
    # Printable: the only whitespace in it is " " (no other whitespace is printable).
    if cue.isprintable() and "  " not in cue and cue[:1] != " " and cue[-1:] != " ":
        return cue
    return _CUE_SPACE.sub(" ", cue).strip()


def _cue_texts(hits: list[Hit], text: str) -> list[str]:
    if len(hits) == 1:
        return [_cue_text(hits[0], text)]
    cues: dict[str, None] = {}
    for hit in hits:
        cues.setdefault(_cue_text(hit, text))
    return list(cues)


# Per category section: its category and the prefix of its cues.
_SECTION_CATEGORY = tuple(Category(name) for name in CATEGORY_RULES.sections)


_SECTION_PREFIX = tuple(f"{category.value}: " for category in _SECTION_CATEGORY)


def _category(hits: list[Hit], text: str) -> tuple[Category, list[str]]:
    """The first category section (in precedence order) with a cue decides."""
    kept = kept_hits(hits) if hits else hits
    if not kept:
        return DEFAULT_CATEGORY, [DEFAULT_CUE]
    if len(kept) == 1:
        hit = kept[0]
        section = hit[1]
        return _SECTION_CATEGORY[section], [_SECTION_PREFIX[section] + _cue_text(hit, text)]
    section = min(hit[1] for hit in kept)
    prefix = _SECTION_PREFIX[section]
    cues = _cue_texts([hit for hit in kept if hit[1] == section], text)
    return _SECTION_CATEGORY[section], [prefix + cue for cue in cues]


def lower_case(text: str) -> str:
    """``text`` lower-cased with every character kept at its offset (rules match this)."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    # Rare: a character such as "İ" lower-cases to two; keep those as they are.
    return "".join(low if len(low := ch.lower()) == 1 else ch for ch in text)


def hedge_cues(text: str) -> list[str]:
    """The hedge cues in ``text`` (empty: asserted)."""
    return _cue_texts(kept_hits(scan_hits(lower_case(text))[1]), text)


# Classification's slots set through their own descriptors: the same object as its frozen
# dataclass __init__ builds (which sets each field through object.__setattr__), at half the
# cost. They are set in field order: the assert checks that the slots are the fields.
_SETTERS: tuple[Callable[[Classification, object], None], ...] = tuple(
    getattr(Classification, name).__set__ for name in Classification.__slots__
)


assert Classification.__slots__ == tuple(f.name for f in fields(Classification))


_NEW = object.__new__


_HEDGED, _ASSERTED = Certainty.hedged, Certainty.asserted


_CITED, _VAGUE_SOURCE, _NO_SOURCE = Attribution.cited, Attribution.vague, Attribution.none


def classify_sentence(text: str, *, cited: bool = False) -> Classification:
    """Classify one statement. ``cited`` says whether a citation marker was found in it."""
    category_hits, hedge_hits, vague_hits = scan_hits(lower_case(text))
    category, category_cues = _category(category_hits, text)
    hedges = _cue_texts(kept_hits(hedge_hits), text) if hedge_hits else []
    vague = _cue_texts(kept_hits(vague_hits), text) if vague_hits else []
    if cited:
        attribution = _CITED
    elif vague:
        attribution = _VAGUE_SOURCE
    else:
        attribution = _NO_SOURCE
    decided: Classification = _NEW(Classification)
    set_category, set_cues, set_certainty, set_hedges, set_attribution, set_vague = _SETTERS
    set_category(decided, category)
    set_cues(decided, category_cues)
    set_certainty(decided, _HEDGED if hedges else _ASSERTED)
    set_hedges(decided, hedges)
    set_attribution(decided, attribution)
    set_vague(decided, vague)
    return decided
