"""Rule files (``provenance/extract/rules/*.rules``): their syntax, parsed and checked.

The syntax is described at the top of ``categories.rules``: a ``version: N`` line, then
``[section]`` lines, each followed by one pattern a line; ``!`` starts an exclusion and
``…`` a bounded gap of a few words between two parts of a pattern.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources

from provenance.errors import ProvenanceError

RULE_FILES = ("categories.rules", "hedges.rules", "attribution.rules")


GAP_MARK = "…"


_VERSION = re.compile(r"version:\s*(\d+)\s*$")


_SECTION = re.compile(r"\[([a-z_]+)\]\s*$")


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


def _parse_rule(line: str, section: int, where: str, number: int) -> Rule:
    exclusion = line.startswith("!")
    fragment = line[1:] if exclusion else line
    pieces = tuple(_spaces_to_whitespace(p.strip()) for p in fragment.split(GAP_MARK))
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
