"""Rule files (``provenance/extract/rules/*.rules``): their syntax, parsed and checked.

The syntax is described at the top of ``categories.rules``: a ``version: N`` line, then
``[section]`` lines, each followed by one pattern a line; ``!`` starts an exclusion and
``…`` a bounded gap of a few words between two parts of a pattern. A part "a|b" means
"(?:a|b)", and a space before a closing look-ahead ("to (?!be)") is looked at, not matched
(a match must end where a word ends): ``_as_part``.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from importlib import resources

from provenance.errors import ProvenanceError
from provenance.extract.regex_factor import split_top
from provenance.extract.regex_parse import LOOK_AROUNDS, parse

RULE_FILES = ("categories.rules", "hedges.rules", "attribution.rules")


GAP_MARK = "…"


_VERSION = re.compile(r"version:\s*(\d+)\s*$")


_SECTION = re.compile(r"\[([a-z_]+)\]\s*$")


def rule_name(section: str, text: str) -> str:
    """A rule's stable name: its section and a digest of its pattern as written
    (``efficacy:1b2c3d4e``). It names the rule's feature in the learned model, so it must not
    depend on anything but the rule itself: inserting, deleting or moving other rules or
    comment lines changes no other rule's name (its line number and index would)."""
    return f"{section}:{hashlib.sha256(text.encode('utf-8')).hexdigest()[:8]}"


@dataclass(frozen=True, slots=True)
class Rule:
    """One line of a rule file."""

    section: int  # index of its section: the precedence among categories
    pieces: tuple[str, ...]  # the regex parts between gaps, as ``_as_part`` makes them
    exclusion: bool
    line: int
    text: str  # the pattern as written ("!" included), for people to read
    name: str  # ``rule_name``: unique in its file


@dataclass(frozen=True, slots=True)
class RuleFile:
    name: str
    version: int
    sections: tuple[str, ...]
    rules: tuple[Rule, ...]


def _spaces_to_whitespace(fragment: str) -> str:
    """A literal space in a pattern matches any run of whitespace (sentences span lines); an
    optional space (" ?", " *") matches any run or none: "can ?not" finds "cannot"."""
    out: list[str] = []
    in_class = escaped = False
    optional = False
    for index, char in enumerate(fragment):
        if optional:  # the "?" or "*" that made the space before it optional
            optional = False
            continue
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
            optional = fragment[index + 1 : index + 2] in ("?", "*")
            out.append(r"\s*" if optional else r"\s+")
        else:
            out.append(char)
    return "".join(out)


def _atoms(sequence: str) -> list[str] | None:
    """The top-level atoms of a sequence, each with its quantifier (``to\\s+(?!be)`` is
    ``t``, ``o``, ``\\s+``, ``(?!be)``); None for a pattern the parser does not read."""
    try:
        alternatives = parse(sequence)
    except ValueError:
        return None
    return [atom.written() for atom in alternatives[0]] if len(alternatives) == 1 else None


def _space_into_look_ahead(sequence: str) -> str:
    """A sequence whose match would end on whitespace, perhaps followed by look-arounds
    ("to (?!be)", read as ``to\\s+(?!be)``), ends before it instead, the whitespace looked
    at: ``to(?=\\s+(?!be))``. A match is accepted only where a word ends, and a gap begins
    with whitespace: a match ending on whitespace was never accepted (before a word) or left
    the gap none. A last ``(?:...)`` group is read the same way, each alternative of it.
    """
    parts = _atoms(sequence)
    if parts is None:
        return sequence
    end = len(parts)
    while end and parts[end - 1].startswith(LOOK_AROUNDS) and parts[end - 1].endswith(")"):
        end -= 1
    if end and parts[end - 1] in (r"\s+", r"\s"):
        return "".join(parts[: end - 1]) + "(?=" + "".join(parts[end - 1 :]) + ")"
    last = parts[-1] if parts and end == len(parts) else ""
    if last.startswith("(?:") and last.endswith(")"):
        inner = "|".join(_space_into_look_ahead(a) for a in split_top(last[3:-1]))
        return "".join(parts[:-1]) + "(?:" + inner + ")"
    return sequence


def _as_part(piece: str) -> str:
    """A valid pattern as one part of a rule: its top-level alternatives each ending where
    their match's last word ends (``_space_into_look_ahead``), and grouped when there are
    several: "a|b" is "(?:a|b)", so that the scan, which reads a part's first characters
    from its start, tries it at words starting with "b" too."""
    alternatives = [_space_into_look_ahead(a) for a in split_top(piece)]
    return alternatives[0] if len(alternatives) == 1 else "(?:" + "|".join(alternatives) + ")"


def _parse_piece(text: str, where: str, number: int) -> str:
    piece = _spaces_to_whitespace(text.strip())
    try:
        compiled = re.compile(piece)
    except re.error as error:
        raise ProvenanceError(f"{where}, line {number}: bad pattern ({error})") from None
    if compiled.groups or not piece:
        raise ProvenanceError(
            f"{where}, line {number}: use (?:...), not capturing groups; no empty parts"
        )
    return _as_part(piece)


def _parse_rule(line: str, section: int, section_name: str, where: str, number: int) -> Rule:
    exclusion = line.startswith("!")
    fragment = line[1:] if exclusion else line
    pieces = tuple(_parse_piece(p, where, number) for p in fragment.split(GAP_MARK))
    return Rule(
        section=section,
        pieces=pieces,
        exclusion=exclusion,
        line=number,
        text=line,
        name=rule_name(section_name, line),
    )


def parse_rules(text: str, where: str) -> RuleFile:
    """Parse one rule file; ``where`` names it in error messages."""
    version: int | None = None
    sections: list[str] = []
    rules: list[Rule] = []
    named: dict[str, Rule] = {}
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
            rule = _parse_rule(line, len(sections) - 1, sections[-1], where, number)
            same = named.setdefault(rule.name, rule)
            if same is not rule:
                raise ProvenanceError(
                    f"{where}, line {number}: the same rule as line {same.line} in"
                    f" [{sections[-1]}] (a rule's name, {rule.name}, must be unique)"
                )
            rules.append(rule)
    if version is None:
        raise ProvenanceError(f"{where}: no 'version: N' line")
    for index, name in enumerate(sections):
        if not any(rule.section == index and not rule.exclusion for rule in rules):
            raise ProvenanceError(f"{where}: section [{name}] has no rules")
    return RuleFile(name=where, version=version, sections=tuple(sections), rules=tuple(rules))


def load_rules(name: str) -> RuleFile:
    """Load one of the package's rule files (``RULE_FILES``)."""
    text = (
        resources.files("provenance.extract")
        .joinpath("rules")
        .joinpath(name)
        .read_text(encoding="utf-8")
    )
    return parse_rules(text, f"rules/{name}")


def checked_sections(rules: RuleFile, allowed: set[str]) -> None:
    for name in rules.sections:
        if name not in allowed:
            raise ProvenanceError(f"{rules.name}: [{name}] is not one of {sorted(allowed)}")
