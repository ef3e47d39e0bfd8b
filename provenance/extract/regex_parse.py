"""The rule patterns parsed into atoms, for the rewrites that need their structure.

Understands what the rule files use: literal characters, escapes of one character (``\\w``,
``\\s``, ``\\.``), classes, groups (``(?:``, ``(?P<name>``), look-arounds, anchors and
quantifiers (greedy, lazy, possessive). Anything else (flags, back references, ``\\x41``)
raises ValueError, and the rewrites leave such a pattern as it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from provenance.extract.regex_factor import class_end

_QUANTIFIER = re.compile(r"(?:[?*+]|\{\d+\}|\{\d*,\d*\})[?+]?")

# Group openings whose inside is a plain sub-pattern.
_GROUP_HEAD = re.compile(r"\((?:\?:|\?P<\w+>)?")

LOOK_AROUNDS = ("(?=", "(?!", "(?<=", "(?<!")

#: Escapes of one character that match none: a word boundary, the start of the text.
ZERO_WIDTH_ESCAPES = frozenset("bBA")


@dataclass(eq=False)
class Atom:
    """One atom of a pattern, as written, and its quantifier. A group (``head`` "(?:" or
    "(?P<name>") has its inside parsed in ``alternatives``; a look-around is kept whole."""

    text: str
    quantifier: str = ""
    head: str = ""
    alternatives: list[list[Atom]] | None = None

    def zero_width(self) -> bool:
        """A look-around, ``^``, ``\\b``, ``\\B`` or ``\\A``: it matches no character."""
        return (
            self.text.startswith(LOOK_AROUNDS)
            or self.text == "^"
            or (self.text[:1] == "\\" and self.text[1:] in ZERO_WIDTH_ESCAPES)
        )

    def written(self) -> str:
        """The atom as a pattern again (a group from its parsed inside)."""
        if self.alternatives is None:
            return self.text + self.quantifier
        return self.head + emit(self.alternatives) + ")" + self.quantifier


def emit(alternatives: list[list[Atom]]) -> str:
    return "|".join("".join(atom.written() for atom in atoms) for atoms in alternatives)


def parse(pattern: str) -> list[list[Atom]]:
    """``pattern``'s top-level alternatives, each a list of atoms."""
    parser = _Parser(pattern)
    alternatives = parser.alternation()
    if parser.index != len(pattern):
        raise ValueError(pattern)
    return alternatives


class _Parser:
    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self.index = 0

    def alternation(self) -> list[list[Atom]]:
        alternatives = [self.sequence()]
        while self.pattern[self.index : self.index + 1] == "|":
            self.index += 1
            alternatives.append(self.sequence())
        return alternatives

    def sequence(self) -> list[Atom]:
        atoms = []
        while self.index < len(self.pattern) and self.pattern[self.index] not in "|)":
            atom = self.atom()
            found = _QUANTIFIER.match(self.pattern, self.index)
            if found is not None:
                atom.quantifier = found.group()
                self.index = found.end()
            atoms.append(atom)
        return atoms

    def atom(self) -> Atom:
        pattern, start = self.pattern, self.index
        char = pattern[start]
        if char == "(":
            look = next((h for h in LOOK_AROUNDS if pattern.startswith(h, start)), None)
            if look is not None:
                self.index = start + len(look)
                self.alternation()
                self.expect(")")
                return Atom(pattern[start : self.index])
            head = _GROUP_HEAD.match(pattern, start)
            if head is None or pattern[head.end() : head.end() + 1] == "?":
                raise ValueError(pattern[start:])  # flags, conditionals, back references
            self.index = head.end()
            alternatives = self.alternation()
            self.expect(")")
            return Atom(pattern[start : self.index], head=head.group(), alternatives=alternatives)
        if char == "[":
            self.index = class_end(pattern, start)
        elif char == "{":
            raise ValueError(pattern[start:])  # a "{" that is not a repeat: not understood
        elif char == "\\":
            if pattern[start + 1].isalnum() and pattern[start + 1] not in "wsdWSDbBA":
                raise ValueError(pattern[start:])  # \n, \x41, \1, \Z, ...
            self.index = start + 2
        else:
            self.index = start + 1
        return Atom(pattern[start : self.index])

    def expect(self, char: str) -> None:
        if self.pattern[self.index : self.index + 1] != char:
            raise ValueError(self.pattern)
        self.index += 1
