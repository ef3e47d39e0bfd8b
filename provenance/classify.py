"""Rule-based classification of one statement: category, certainty, attribution.

The rules are data: ``provenance/rules/*.rules`` (syntax described at the top of
``categories.rules``), compiled once at import. A sentence is lower-cased and scanned ONCE by
an alternation of the first part of every rule (no groups): one ``finditer`` that stops only
after a non-word character followed by a letter some rule can start with, and there tries
only the rules that can start with that letter (see ``_scan_patterns``). At each word where
that scan finds something, each rule file's grouped alternation is matched there to tell
which rule fired (the first in file order) and what its cue is. Python never loops over the
lexicons. Every gap in a pattern is bounded (a few words, never across punctuation), so no
pattern backtracks catastrophically and the work stays linear in the sentence.

Speed without changing a result: the rule texts are compiled after two rewrites that keep
every match (and which alternative wins) as it is: large ``(?:a|b|...)`` groups are bucketed
by first character (``factor``), the gap between a rule's parts is possessive where
backtracking could never succeed, and a file's alternation for one first character is a trie
of its rules (``_rule_trie``: rules sharing a start share its test, file order kept).
``tests/test_classify.py`` compares 300 recorded classifications exactly, and
``evaluation/classify_identity.py`` does so for every sentence of the evaluation data.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from importlib import resources

from provenance.errors import ProvenanceError
from provenance.models import Attribution, Category, Certainty

RULE_FILES = ("categories.rules", "hedges.rules", "attribution.rules")

_GAP_WORDS = 8
# Up to _GAP_WORDS words between two parts of a pattern, never across clause punctuation.
# Possessive inside the repeat: giving back a space or a letter there could never let what
# follows (a word, a space) match, so it only saves the engine hopeless backtracking.
_GAP = rf"(?:\s++[^\s,;:.!?()\[\]]++){{0,{_GAP_WORDS}}}?\s+"
_GAP_MARK = "…"
_VERSION = re.compile(r"version:\s*(\d+)\s*$")
_SECTION = re.compile(r"\[([a-z_]+)\]\s*$")
_CUE_SPACE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Classification:
    category: Category
    category_cues: list[str] = field(default_factory=list)
    certainty: Certainty = Certainty.asserted
    hedge_cues: list[str] = field(default_factory=list)
    attribution: Attribution = Attribution.none
    attribution_cues: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Rule:
    """One line of a rule file."""

    section: int  # index of its section: the precedence among categories
    pieces: tuple[str, ...]  # the regex parts between gaps
    exclusion: bool
    line: int


@dataclass(frozen=True, slots=True)
class RuleFile:
    name: str
    version: int
    sections: tuple[str, ...]
    rules: tuple[Rule, ...]


# What a hit records of its rule: whether it is an exclusion, its section, and the names of
# its parts' groups (None for a rule of one part: its cue is the whole match).
_HitOf = tuple[bool, int, tuple[str, ...] | None]
# Where one rule matched: exclusion, section, start, end, the match and the group names
# (a plain tuple: this is the hot path).
Hit = tuple[bool, int, int, int, "re.Match[str]", tuple[str, ...] | None]


def _rule_trie(alternatives: list[str]) -> str:
    """The alternation of ``alternatives`` (rules, with their named groups) as a trie.

    Runs of alternatives that start with one exactly known character are bucketed by it,
    file order kept within a bucket, so what matches (and which rule wins) is unchanged (as in
    ``_factored_group``); an alternative that may start with several characters, or whose
    start is not understood, stays where it is, so that no named group is ever copied.
    """
    out: list[str] = []
    buckets: dict[str, list[str]] = {}

    def flush() -> None:
        for char, rests in buckets.items():
            body = rests[0] if len(rests) == 1 else f"(?:{_rule_trie(rests)})"
            out.append(re.escape(char) + body)
        buckets.clear()

    for alternative in alternatives:
        chars = _known_chars(alternative)
        rest = None
        if chars is not None and len(chars) == 1:
            (char,) = chars
            try:
                rest = after_first(alternative, char, _exact_firsts)
            except ValueError:
                rest = None
        if rest is None:
            flush()
            out.append(alternative)
        else:
            buckets.setdefault(char, []).append(rest)
    flush()
    return "|".join(out)


class RuleSet:
    """The rules of one file, compiled into alternations with a named group per rule part.

    There is one alternation per first character (the rules that can start with it, plus
    those whose first character is not simply known, in file order), matched only at the
    positions the shared scan (see ``_scan_hits``) found: at a word starting with "m" only
    the rules that can start with "m" are tried.
    """

    def __init__(self, rules: RuleFile) -> None:
        self.file = rules
        named_rules = []
        firsts: list[frozenset[str] | None] = []
        for number, rule in enumerate(rules.rules):
            # The first part's group is empty and closes where the part ends (it starts where
            # the match does): so the rule begins with the part itself, which lets rules be
            # bucketed by their first characters (``_rule_trie``).
            head, *tail = (factor(piece) for piece in rule.pieces)
            named = [f"(?:{head})(?P<g{number}p0>)"]
            named.extend(f"(?P<g{number}p{k}>{piece})" for k, piece in enumerate(tail, start=1))
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
                        rest = after_first(named, character, _exact_firsts)
                    except ValueError:
                        pass
                    else:
                        if rest is None:  # it cannot start with this very character
                            continue
                if rest is not None:
                    run.append(rest)
                    continue
                if run:
                    chosen.append(re.escape(str(character)) + f"(?:{_rule_trie(run)})")
                    run = []
                chosen.append(named)
            if run:
                chosen.append(re.escape(str(character)) + f"(?:{_rule_trie(run)})")
            return re.compile("(?:" + "|".join(chosen) + r")(?!\w)") if chosen else None

        self.by_first: dict[str, re.Pattern[str] | None] = {c: alternation(c) for c in characters}
        self.other = alternation(None)
        # The last group a rule's match closes names the rule.
        self.hit_of: dict[str, _HitOf] = {}
        for number, rule in enumerate(rules.rules):
            names = tuple(f"g{number}p{k}" for k in range(len(rule.pieces)))
            self.hit_of[names[-1]] = (
                rule.exclusion,
                rule.section,
                names if len(names) > 1 else None,
            )

    def at(self, lowered: str, position: int) -> Hit | None:
        """The first rule (in file order) that matches at ``position``."""
        grouped = self.by_first.get(lowered[position], self.other)
        match = None if grouped is None else grouped.match(lowered, position)
        if match is None or match.lastgroup is None:
            return None
        exclusion, section, names = self.hit_of[match.lastgroup]
        return (exclusion, section, position, match.end(), match, names)


def _spaces_to_whitespace(fragment: str) -> str:
    """A literal space in a pattern matches any run of whitespace (sentences span lines)."""
    out: list[str] = []
    in_class = escaped = False
    for char in fragment:
        if escaped:
            out.append(char)
            escaped = False
        elif char == "\\":
            out.append(char)
            escaped = True
        elif in_class:
            out.append(char)
            in_class = char != "]"
        elif char == "[":
            out.append(char)
            in_class = True
        elif char == " ":
            out.append(r"\s+")
        else:
            out.append(char)
    return "".join(out)


def _class_end(pattern: str, start: int) -> int:
    """Index just past the ``[...]`` that opens at ``pattern[start]``."""
    index = start + 1
    if pattern[index : index + 1] == "^":
        index += 1
    if pattern[index : index + 1] == "]":
        index += 1
    while pattern[index] != "]":
        index += 2 if pattern[index] == "\\" else 1
    return index + 1


def _group_end(pattern: str, start: int) -> int:
    """Index just past the group that opens at ``pattern[start]``."""
    depth = 0
    index = start
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            index += 2
            continue
        if char == "[":
            index = _class_end(pattern, index) - 1
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return index + 1
        index += 1
    return len(pattern)


def _split_top(body: str) -> list[str]:
    """The top-level alternatives of a group's body."""
    pieces: list[str] = []
    depth = 0
    current = 0
    index = 0
    while index < len(body):
        char = body[index]
        if char == "\\":
            index += 2
            continue
        if char == "[":
            index = _class_end(body, index) - 1
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            pieces.append(body[current:index])
            current = index + 1
        index += 1
    pieces.append(body[current:])
    return pieces


def first_characters(pattern: str) -> frozenset[str] | None:
    """The characters a match of ``pattern`` can start with, or None if not simply known.

    Understands what the rule files use at a pattern's start: literal letters, ``\\d``, a
    simple ``[...]`` of letters, and ``(?:a|b)`` groups of those; anything else is None.
    """
    if not pattern:
        return None
    head = pattern[0]
    if head.isalpha() or head in "'’":
        optional = pattern[1:2] in ("?", "*") or pattern[1:3] == "{0"
        return None if optional else frozenset({head.lower()})
    if pattern.startswith("\\d"):
        return None if pattern[2:3] in ("?", "*") else frozenset("0123456789")
    if head == "[" and "]" in pattern[1:]:
        body = pattern[1 : pattern.index("]", 1)]
        if not body.isalpha() or pattern[len(body) + 2 : len(body) + 3] in ("?", "*"):
            return None
        return frozenset(body.lower())
    if pattern.startswith("(?:"):
        end = _group_end(pattern, 0)
        if pattern[end : end + 1] in ("?", "*") or pattern[end : end + 2] == "{0":
            return None
        chars: set[str] = set()
        for alternative in _split_top(pattern[3 : end - 1]):
            found = first_characters(alternative)
            if found is None:
                return None
            chars |= found
        return frozenset(chars)
    return None


def _atom_end(pattern: str) -> int:
    """Length of the first atom of ``pattern``: a literal, ``\\d``, ``[...]`` or ``(?:...)``."""
    if pattern.startswith("\\d"):
        return 2
    if pattern[0] == "[":
        return _class_end(pattern, 0)
    if pattern.startswith(("(?:", "(?<!", "(?<=")):
        return _group_end(pattern, 0)
    return 1


def after_first(
    pattern: str,
    char: str,
    firsts: Callable[[str], frozenset[str] | None] = first_characters,
) -> str | None:
    """A pattern matching what follows ``char`` in a match of ``pattern`` that starts with it.

    ``firsts`` tells the characters a single literal, ``\\d`` or ``[...]`` can match. None
    when no match starts with ``char``; ValueError for a start this does not understand.
    """
    if not pattern:
        raise ValueError(pattern)
    end = _atom_end(pattern)
    atom, tail = pattern[:end], pattern[end:]
    if atom.startswith(("(?<!", "(?<=")):
        # Looking behind the first character is looking behind it and the character.
        rest = after_first(tail, char, firsts)
        return None if rest is None else atom[:-1] + re.escape(char) + ")" + rest
    if tail[:1] == "+":  # x+ is x x*, x+? is x x*?
        rest = after_first(atom, char, firsts)
        return None if rest is None else rest + atom + "*" + tail[1:]
    if tail[:1] in ("?", "*", "{"):
        raise ValueError(pattern)
    if atom.startswith("(?:"):
        alternatives = [after_first(a, char, firsts) for a in _split_top(atom[3:-1])]
        found = [a for a in alternatives if a is not None]
        return "(?:" + "|".join(found) + ")" + tail if found else None
    chars = firsts(atom)
    if chars is None:
        raise ValueError(pattern)
    return tail if char in chars else None


_SPECIAL = frozenset("\\.^$*+?{}[]|()")


def _exact_firsts(atom: str) -> frozenset[str] | None:
    """The characters one literal or ``[letters]`` matches, exactly (no case folding)."""
    if len(atom) == 1 and atom not in _SPECIAL:
        return frozenset(atom)
    if atom[:1] == "[" and atom[1:-1].isalpha():
        return frozenset(atom[1:-1])
    return None


def _factored_group(alternatives: list[str], *, minimum: int = 3) -> str:
    """``(?:a|b|...)`` with the alternatives bucketed by their first character.

    ``(?:cause|risk|calcium)`` becomes ``(?:c(?:ause|alcium)|risk)``: the engine tests one
    literal per bucket instead of every alternative. Only alternatives starting with the same
    character can match at one place, and within a bucket the file's order is kept, so what
    matches (and which alternative wins) is unchanged. An alternative whose first character
    is not exactly known stays where it is, between the runs bucketed before and after it.
    """
    plain = "(?:" + "|".join(alternatives) + ")"
    if len(alternatives) < minimum:
        return plain
    out: list[str] = []
    run: list[str] = []
    for alternative in alternatives:
        if _known_chars(alternative) is not None:
            run.append(alternative)
            continue
        out.extend(_bucketed(run))
        run = []
        out.append(alternative)
    out.extend(_bucketed(run))
    return "(?:" + "|".join(out) + ")"


def _bucketed(alternatives: list[str]) -> list[str]:
    """Alternatives with exactly known first characters, one per first character."""
    if len(alternatives) < 2:
        return alternatives
    buckets: dict[str, list[str]] = {}
    try:
        for alternative in alternatives:
            for char in sorted(_known_chars(alternative) or ()):
                rest = after_first(alternative, char, _exact_firsts)
                if rest is not None:
                    buckets.setdefault(char, []).append(rest)
    except ValueError:
        return alternatives
    return [
        re.escape(char) + (rests[0] if len(rests) == 1 else _factored_group(rests))
        for char, rests in buckets.items()
    ]


def _known_chars(pattern: str) -> frozenset[str] | None:
    """Exactly the characters a match of ``pattern`` can start with (None: not known)."""
    if not pattern:
        return None
    end = _atom_end(pattern)
    if pattern.startswith(("(?<!", "(?<=")):
        return _known_chars(pattern[end:])
    if pattern[end : end + 1] in ("?", "*", "{"):
        return None
    if not pattern.startswith("(?:"):
        return _exact_firsts(pattern[:end])
    chars: set[str] = set()
    for alternative in _split_top(pattern[3 : end - 1]):
        found = _known_chars(alternative)
        if found is None:
            return None
        chars |= found
    return frozenset(chars)


_OPENING = re.compile(r"\((?:\?(?:[=!]|<[=!]|P<\w+>))?")


def factor(pattern: str) -> str:
    """``pattern`` with every ``(?:...)`` group bucketed by first character (same matches)."""
    out: list[str] = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            out.append(pattern[index : index + 2])
            index += 2
        elif char == "[":
            end = _class_end(pattern, index)
            out.append(pattern[index:end])
            index = end
        elif char == "(":
            end = _group_end(pattern, index)
            group = pattern[index:end]
            if group.startswith("(?:"):
                out.append(_factored_group([factor(a) for a in _split_top(group[3:-1])]))
            else:
                opening = _OPENING.match(group)
                if opening is None or opening.group() == "(?":
                    out.append(group)
                else:
                    body = group[opening.end() : -1]
                    alternatives = [factor(a) for a in _split_top(body)]
                    out.append(opening.group() + "|".join(alternatives) + ")")
            index = end
        else:
            out.append(char)
            index += 1
    return "".join(out)


def _union(alternatives: list[str]) -> str:
    """An alternation where only whether it matches counts (not which alternative): those
    with an exactly known first character are bucketed (``_factored_group``), the rest after.
    """
    known = [a for a in alternatives if _known_chars(a) is not None]
    rest = [a for a in alternatives if _known_chars(a) is None]
    if not known:
        return "(?:" + "|".join(rest) + ")"
    return "(?:" + "|".join([_factored_group(known), *rest]) + ")"


def _scan_patterns(alternatives: list[str]) -> tuple[str, str]:
    """The scan: one alternation of every rule's first part that finds each word where one of
    them matches, and one of the first parts that can only match at the very start (``^``).

    A match of the scan is one character: a word's first letter (a literal, so the engine
    skips by itself to the next letter that some rule can start with, and tries only that
    letter's branch), the check that it starts a word, then a lookahead for the rest of any
    rule that can start with that letter (``after_first``). Each match consumes exactly one
    character, so ``finditer`` finds overlapping starts too. A first part that this does not
    understand is tried whole at every word start, as before.
    """
    buckets: dict[str, list[str]] = {}
    start: list[str] = []
    whole: list[str] = []
    for alternative in alternatives:
        chars = first_characters(alternative)
        try:
            if len(_split_top(alternative)) > 1 or chars is None:
                raise ValueError(alternative)
            rests = {char: after_first(alternative, char) for char in sorted(chars)}
        except ValueError:
            (start if alternative.startswith("^") else whole).append(factor(alternative))
            continue
        for char, rest in rests.items():
            if rest is not None:
                buckets.setdefault(char, []).append(factor(rest))
    # A word character is consumed (the next word starts after a non-word character anyway);
    # any other is only looked at.
    # Word characters whose rest is the same (the digits) share one branch, a class.
    sharing: dict[str, list[str]] = {}
    branches = []
    for char, bucket in sorted(buckets.items()):
        if re.match(r"\w", char):
            sharing.setdefault(_union(bucket), []).append(re.escape(char))
        else:
            branches.append(f"(?={re.escape(char)}{_union(bucket)})")
    for union, heads in sharing.items():
        head = heads[0] if len(heads) == 1 else "[" + "".join(heads) + "]"
        branches.append(f"{head}(?={union})")
    branches.extend(f"(?={alternative})" for alternative in whole)
    return "|".join(branches), "|".join(start) or "(?!)"


def _parse_rule(line: str, section: int, where: str, number: int) -> Rule:
    exclusion = line.startswith("!")
    fragment = line[1:] if exclusion else line
    pieces = tuple(_spaces_to_whitespace(p.strip()) for p in fragment.split(_GAP_MARK))
    for piece in pieces:
        try:
            compiled = re.compile(piece)
        except re.error as error:
            raise ProvenanceError(f"{where}, line {number}: bad pattern ({error})") from None
        if compiled.groups or not piece:
            raise ProvenanceError(
                f"{where}, line {number}: use (?:...), not capturing groups; no empty parts"
            )
    return Rule(section=section, pieces=pieces, exclusion=exclusion, line=number)


def parse_rules(text: str, where: str) -> RuleFile:
    """Parse one rule file; ``where`` names it in error messages."""
    version: int | None = None
    sections: list[str] = []
    rules: list[Rule] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if version is None:
            found = _VERSION.match(line)
            if found is None:
                raise ProvenanceError(f"{where}, line {number}: expected 'version: N' first")
            version = int(found.group(1))
            continue
        section = _SECTION.match(line)
        if section is not None:
            sections.append(section.group(1))
        elif not sections:
            raise ProvenanceError(f"{where}, line {number}: a rule before any [section]")
        else:
            rules.append(_parse_rule(line, len(sections) - 1, where, number))
    if version is None:
        raise ProvenanceError(f"{where}: no 'version: N' line")
    for index, name in enumerate(sections):
        if not any(rule.section == index and not rule.exclusion for rule in rules):
            raise ProvenanceError(f"{where}: section [{name}] has no rules")
    return RuleFile(name=where, version=version, sections=tuple(sections), rules=tuple(rules))


def load_rules(name: str) -> RuleFile:
    """Load one of the package's rule files (``RULE_FILES``)."""
    text = (
        resources.files("provenance").joinpath("rules").joinpath(name).read_text(encoding="utf-8")
    )
    return parse_rules(text, f"rules/{name}")


def _checked_sections(rules: RuleFile, allowed: set[str]) -> None:
    for name in rules.sections:
        if name not in allowed:
            raise ProvenanceError(f"{rules.name}: [{name}] is not one of {sorted(allowed)}")


_CATEGORY_RULES = load_rules("categories.rules")
_HEDGE_RULES = load_rules("hedges.rules")
_ATTRIBUTION_RULES = load_rules("attribution.rules")
_checked_sections(_CATEGORY_RULES, {c.value for c in Category})
_checked_sections(_HEDGE_RULES, {"hedge"})
_checked_sections(_ATTRIBUTION_RULES, {"vague"})
_CATEGORIES = RuleSet(_CATEGORY_RULES)
_HEDGES = RuleSet(_HEDGE_RULES)
_VAGUE = RuleSet(_ATTRIBUTION_RULES)
_FAMILIES = (_CATEGORIES, _HEDGES, _VAGUE)
# The first part of every rule of every file in one alternation without groups: one pass
# finds each word where some rule may start; only there are the grouped alternations tried.
_SCAN_SOURCE, _START_SOURCE = _scan_patterns([r.pieces[0] for f in _FAMILIES for r in f.file.rules])
# After a non-word character (one character is consumed: overlapping starts are all found).
# The class is exactly \W, written so that the engine's skip to the next candidate rejects a
# lower-case letter or digit by its bitmap before asking the Unicode tables.
_SCAN = re.compile(rf"[^a-z0-9_\w](?:{_SCAN_SOURCE})")
# At the start of the sentence.
_START = re.compile(f"(?:{_SCAN_SOURCE}|{_START_SOURCE})")

RULESET_VERSION = (
    f"categories-{_CATEGORY_RULES.version}"
    f".hedges-{_HEDGE_RULES.version}"
    f".attribution-{_ATTRIBUTION_RULES.version}"
)
DEFAULT_CATEGORY = Category.definition
DEFAULT_CUE = "definition: default (no category rule fired)"


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


def _scan_hits(lowered: str) -> tuple[list[Hit], list[Hit], list[Hit]]:
    """Category, hedge and attribution hits: at each word where the scan finds a rule, the
    first rule of each file that matches there (``RuleSet.at``, inlined: this is the hot
    path)."""
    hits: tuple[list[Hit], list[Hit], list[Hit]] = ([], [], [])
    starts = [match.start() + 1 for match in _SCAN.finditer(lowered)]
    if _START.match(lowered) is not None:
        starts.insert(0, 0)
    table, other = _TRIED, _TRIED_OTHER
    for start in starts:
        for index, match_at, hit_of in table.get(lowered[start], other):
            match = match_at(lowered, start)
            if match is not None:
                exclusion, section, names = hit_of[match.lastgroup]  # type: ignore[index]
                hits[index].append((exclusion, section, start, match.end(), match, names))
    return hits


def _kept(hits: list[Hit]) -> list[Hit]:
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


_GAP_JOIN = f" {_GAP_MARK} "


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
_SECTION_CATEGORY = tuple(Category(name) for name in _CATEGORY_RULES.sections)
_SECTION_PREFIX = tuple(f"{category.value}: " for category in _SECTION_CATEGORY)


def _category(hits: list[Hit], text: str) -> tuple[Category, list[str]]:
    """The first category section (in precedence order) with a cue decides."""
    kept = _kept(hits) if hits else hits
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
    return _cue_texts(_kept(_scan_hits(lower_case(text))[1]), text)


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
    category_hits, hedge_hits, vague_hits = _scan_hits(lower_case(text))
    category, category_cues = _category(category_hits, text)
    hedges = _cue_texts(_kept(hedge_hits), text) if hedge_hits else []
    vague = _cue_texts(_kept(vague_hits), text) if vague_hits else []
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
