"""The scan of every rule file over one lower-cased sentence, and which rules fired where.

The rules are compiled once at import into one alternation per file and first character
(:class:`RuleSet`) and one scan of every rule's first part (``_scan_patterns``); a sentence is
scanned once and the grouped alternations are tried only where the scan found something.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from provenance.extract.regex_factor import (
    after_first,
    exact_firsts,
    factor,
    first_characters,
    rule_trie,
    split_top,
)
from provenance.extract.regex_possessive import POSSESSIVE, possessive
from provenance.extract.regex_scan import scan_alternation
from provenance.extract.rules_loader import Rule, RuleFile, checked_sections, load_rules
from provenance.models import Category

_GAP_WORDS = 8


# Up to _GAP_WORDS words between two parts of a pattern, never across clause punctuation.
# Possessive inside the repeat: giving back a space or a letter there could never let what
# follows (a word, a space) match, so it only saves the engine hopeless backtracking.
_GAP = rf"(?:\s+{POSSESSIVE}[^\s,;:.!?()\[\]]+{POSSESSIVE}){{0,{_GAP_WORDS}}}?\s+"


# What a hit records of its rule: whether it is an exclusion, its section, and the names of
# its parts' groups (None for a rule of one part: its cue is the whole match).
_HitOf = tuple[bool, int, tuple[str, ...] | None]


# Where one rule matched: exclusion, section, start, end, the match and the group names
# (a plain tuple: this is the hot path).
Hit = tuple[bool, int, int, int, "re.Match[str]", tuple[str, ...] | None]


class RuleSet:
    """The rules of one file, compiled into alternations with a named group per rule part.

    There is one alternation per first character (the rules that can start with it, plus
    those whose first character is not simply known, in file order), matched only at the
    positions the shared scan (see ``scan_hits``) found: at a word starting with "m" only
    the rules that can start with "m" are tried.
    """

    def __init__(self, rules: RuleFile) -> None:
        self.file = rules
        named_rules = []
        firsts: list[frozenset[str] | None] = []
        for number, rule in enumerate(rules.rules):
            # The first part's group is empty and closes where the part ends (it starts where
            # the match does): so the rule begins with the part itself, which lets rules be
            # bucketed by their first characters (``rule_trie``).
            head, *tail = (possessive(factor(piece)) for piece in rule.pieces)
            groups = _group_names(number, rule)
            named = [f"(?:{head})(?P<{groups[0]}>)"]
            named.extend(
                f"(?P<{group}>{piece})" for group, piece in zip(groups[1:], tail, strict=True)
            )
            named_rules.append(_GAP.join(named))
            firsts.append(first_characters(rule.pieces[0]))
        characters = sorted({c for chars in firsts if chars is not None for c in chars})

        def alternation(character: str | None) -> re.Pattern[str] | None:
            # In file order: runs of rules that start with ``character`` (as its literal
            # followed by a trie of what follows it), and rules whose start is not simply known.
            chosen: list[str] = []
            run: list[str] = []
            for named, chars in zip(named_rules, firsts, strict=True):
                if chars is not None and (character is None or character not in chars):
                    continue
                rest = None
                if chars is not None and character is not None:
                    try:
                        rest = after_first(named, character, exact_firsts)
                    except ValueError:
                        pass
                    else:
                        if rest is None:  # it cannot start with this very character
                            continue
                if rest is not None:
                    run.append(rest)
                    continue
                if run:
                    chosen.append(re.escape(str(character)) + f"(?:{rule_trie(run)})")
                    run = []
                chosen.append(named)
            if run:
                chosen.append(re.escape(str(character)) + f"(?:{rule_trie(run)})")
            return re.compile("(?:" + "|".join(chosen) + r")(?!\w)") if chosen else None

        self.by_first: dict[str, re.Pattern[str] | None] = {c: alternation(c) for c in characters}
        self.other = alternation(None)
        # The last group a rule's match closes names the rule.
        self.hit_of: dict[str, _HitOf] = {}
        #: The rule of each such last group (``match.lastgroup`` of a hit).
        self.rule_of: dict[str, Rule] = {}
        for number, rule in enumerate(rules.rules):
            names = _group_names(number, rule)
            self.hit_of[names[-1]] = (
                rule.exclusion,
                rule.section,
                names if len(names) > 1 else None,
            )
            self.rule_of[names[-1]] = rule


def _group_names(number: int, rule: Rule) -> tuple[str, ...]:
    """The names of the groups of the rule at ``number`` in its file, one per part."""
    return tuple(f"g{number}p{k}" for k in range(len(rule.pieces)))


def _scan_patterns(alternatives: list[str]) -> tuple[str, str]:
    """The scan: one alternation of every rule's first part that finds each word where one of
    them matches, and one of the first parts that can only match at the very start (``^``).

    A match of the scan is one character: a word's first letter (a literal, so the engine
    skips by itself to the next letter that some rule can start with, and tries only that
    letter's branch), the check that it starts a word, then a lookahead for the rest of any
    rule that can start with that letter (``after_first``). Each match consumes exactly one
    character, so ``finditer`` finds overlapping starts too. A first part that this does not
    understand is tried whole at every word start, as before. The scan may find a few more
    words than the rules match at (there they find nothing): ``scan_alternation`` leaves out
    its look-arounds and merges each letter's rests (``regex_scan.py``).
    """
    buckets: dict[str, list[str]] = {}
    start: list[str] = []
    whole: list[str] = []
    for alternative in alternatives:
        chars = first_characters(alternative)
        try:
            if len(split_top(alternative)) > 1 or chars is None:
                raise ValueError(alternative)
            rests = {char: after_first(alternative, char) for char in sorted(chars)}
        except ValueError:
            (start if alternative.startswith("^") else whole).append(alternative)
            continue
        # Not factored: scan_alternation merges them into one trie itself.
        for char, rest in rests.items():
            if rest is not None:
                buckets.setdefault(char, []).append(rest)
    # A word character is consumed (the next word starts after a non-word character anyway);
    # any other is only looked at.
    # Word characters whose rest is the same (the digits) share one branch, a class.
    sharing: dict[str, list[str]] = {}
    branches = []
    for char, bucket in sorted(buckets.items()):
        if re.match(r"\w", char):
            sharing.setdefault(scan_alternation(bucket), []).append(re.escape(char))
        else:
            branches.append(f"(?={re.escape(char)}{scan_alternation(bucket)})")
    for union, heads in sharing.items():
        head = heads[0] if len(heads) == 1 else "[" + "".join(heads) + "]"
        branches.append(f"{head}(?={union})")
    branches.extend(f"(?={scan_alternation([alternative])})" for alternative in whole)
    return "|".join(branches), scan_alternation(start) if start else "(?!)"


CATEGORY_RULES = load_rules("categories.rules")


HEDGE_RULES = load_rules("hedges.rules")


ATTRIBUTION_RULES = load_rules("attribution.rules")


checked_sections(CATEGORY_RULES, {c.value for c in Category})


checked_sections(HEDGE_RULES, {"hedge", "firm"})


checked_sections(ATTRIBUTION_RULES, {"vague"})


_CATEGORIES = RuleSet(CATEGORY_RULES)


_HEDGES = RuleSet(HEDGE_RULES)


_VAGUE = RuleSet(ATTRIBUTION_RULES)


#: The category rule of a category hit's ``match.lastgroup`` (``hit[4].lastgroup``).
CATEGORY_RULE_OF = _CATEGORIES.rule_of


_FAMILIES = (_CATEGORIES, _HEDGES, _VAGUE)


# The first part of every rule of every file in one alternation without groups: one pass
# finds each word where some rule may start; only there are the grouped alternations tried.
_SCAN_SOURCE, _START_SOURCE = _scan_patterns([r.pieces[0] for f in _FAMILIES for r in f.file.rules])


#: Exactly ``\W`` (one character), written so that the engine's skip to the next candidate
#: tests a character against three ranges, and asks the Unicode tables only about the few
#: non-ASCII characters that pass (a letter or digit of another script is a word character).
NON_WORD = r"[^a-zA-Z0-9_](?<=[\x00-\x7f]|\W)"


# After a non-word character (one character is consumed: overlapping starts are all found).
_SCAN = re.compile(rf"{NON_WORD}(?:{_SCAN_SOURCE})")


# At the start of the sentence, the first parts that only match there (the others are found
# by the scan itself, run over the sentence after a space: not compiled a second time).
_START = re.compile(_START_SOURCE)


# Per first character: for each rule file that has rules which can start with it, the index
# of the file in _FAMILIES, the ``match`` of its alternation for that character
# (``RuleSet.by_first``, or ``other`` when none of its rules starts with it) and, per closing
# group, what a hit records of its rule (``RuleSet.hit_of``).
_Tried = tuple[tuple[int, Callable[[str, int], "re.Match[str] | None"], dict[str, _HitOf]], ...]


def _match_table() -> tuple[dict[str, _Tried], _Tried]:
    def tried(character: str | None) -> _Tried:
        chosen = []
        for index, family in enumerate(_FAMILIES):
            grouped = family.by_first.get(character or "", family.other)
            if grouped is not None:
                chosen.append((index, grouped.match, family.hit_of))
        return tuple(chosen)

    characters = sorted({c for family in _FAMILIES for c in family.by_first})
    return {c: tried(c) for c in characters}, tried(None)


_TRIED, _TRIED_OTHER = _match_table()


def scan_hits(lowered: str) -> tuple[list[Hit], list[Hit], list[Hit]]:
    """Category, hedge and attribution hits: at each word where the scan finds a rule, the
    first rule of each file that matches there (through ``_TRIED``: the rules that can start
    with the word's first character, per file)."""
    hits: tuple[list[Hit], list[Hit], list[Hit]] = ([], [], [])
    # After a space put before it, a word at index i of the sentence starts at i + 1: there
    # the scan's match starts at i, and its first word is found like any other.
    starts = [match.start() for match in _SCAN.finditer(" " + lowered)]
    if (not starts or starts[0]) and _START.match(lowered) is not None:
        starts.insert(0, 0)
    table, other = _TRIED, _TRIED_OTHER
    for start in starts:
        for index, match_at, hit_of in table.get(lowered[start], other):
            match = match_at(lowered, start)
            if match is not None:
                exclusion, section, names = hit_of[match.lastgroup]  # type: ignore[index]
                hits[index].append((exclusion, section, start, match.end(), match, names))
    return hits


def kept_hits(hits: list[Hit]) -> list[Hit]:
    """Cue hits that no exclusion of the same file covers, nor a longer cue of their section.

    Hits come in text order, so a hit can only be covered by an earlier one: it is enough to
    remember how far the exclusions, and each section's cues, reach (linear, not quadratic).
    """
    if len(hits) == 1:  # the common case: nothing can cover it
        return [] if hits[0][0] else hits
    excluded_to = -1
    section_to: dict[int, int] = {}
    kept: list[Hit] = []
    for hit in hits:
        exclusion, section, _, end = hit[:4]
        if exclusion:
            if end > excluded_to:
                excluded_to = end
            continue
        if end <= excluded_to or end <= section_to.get(section, -1):
            continue
        kept.append(hit)
        section_to[section] = end
    return kept
