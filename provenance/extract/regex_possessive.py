"""Possessive repeats where giving characters back can never help: same matches, less work.

``\\w+\\s+`` tries, when what follows the spaces fails, every shorter run of letters, each time
failing at once because a letter is not a space. ``\\w++\\s+`` does not: a possessive repeat
keeps everything it took. The two match exactly the same text, with the same groups, in the
same order of alternatives, whenever what follows the repeat can never begin with a character
the repeat takes: then a shorter run would leave one of its characters for the rest to begin
with, and the rest fails there. :func:`possessive` makes every such repeat of one character,
escape or class possessive, judging "what follows" by three kinds of character (whitespace,
word characters, the rest) and assuming anything may follow the pattern itself. A pattern it
does not understand is returned unchanged. (Possessive repeats need Python 3.11.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_SPACE, _WORD, _OTHER = frozenset({"space"}), frozenset({"word"}), frozenset({"other"})

_ANY = _SPACE | _WORD | _OTHER

Kinds = frozenset[str]

_ESCAPES = {"w": _WORD, "d": _WORD, "s": _SPACE, "W": _SPACE | _OTHER, "S": _WORD | _OTHER}

_ZERO_WIDTH_ESCAPES = frozenset("bBA")

_QUANTIFIER = re.compile(r"(?:[?*+]|\{\d+\}|\{\d*,\d*\})[?+]?")

# Group openings whose inside is a plain sub-pattern; look-arounds are kept as written.
_GROUP_HEAD = re.compile(r"\((?:\?:|\?P<\w+>)?")

_LOOK_AROUND = ("(?=", "(?!", "(?<=", "(?<!")


def _kind(char: str) -> Kinds:
    """A character's kind as ``re`` sees it: its ``\\s`` and ``\\w`` are ``str.isspace`` and
    ``str.isalnum`` or "_" (the same Unicode tables)."""
    if char.isspace():
        return _SPACE
    return _WORD if char.isalnum() or char == "_" else _OTHER


@dataclass(eq=False)
class _Atom:
    """One atom of a pattern and its quantifier. ``kinds``: what its first character can be
    (None: it consumes none); ``alternatives``: a group's parsed inside (else None)."""

    text: str
    quantifier: str = ""
    kinds: Kinds | None = _ANY
    head: str = ""
    alternatives: list[list[_Atom]] | None = None
    _first: dict[Kinds, Kinds] = field(default_factory=dict)

    def skippable(self) -> bool:
        return self.quantifier[:1] in ("?", "*") or self.quantifier.startswith(("{0", "{,"))

    def repeats(self) -> bool:
        if self.quantifier[:1] in ("*", "+"):
            return True
        if self.quantifier[:1] != "{":
            return False
        low, comma, high = self.quantifier[1 : self.quantifier.index("}")].partition(",")
        upper = high if comma else low
        return upper == "" or int(upper) > 1

    def first(self, after: Kinds) -> Kinds:
        """The kinds of the first character consumed from this atom on, ``after`` it."""
        if after not in self._first:
            if self.alternatives is not None:
                kinds = frozenset().union(*(_first(a, after) for a in self.alternatives))
            else:
                kinds = after if self.kinds is None else self.kinds
            self._first[after] = kinds | after if self.skippable() else kinds
        return self._first[after]


class _Parser:
    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self.index = 0

    def alternation(self) -> list[list[_Atom]]:
        alternatives = [self.sequence()]
        while self.pattern[self.index : self.index + 1] == "|":
            self.index += 1
            alternatives.append(self.sequence())
        return alternatives

    def sequence(self) -> list[_Atom]:
        atoms = []
        while self.index < len(self.pattern) and self.pattern[self.index] not in "|)":
            atom = self.atom()
            found = _QUANTIFIER.match(self.pattern, self.index)
            if found is not None:
                atom.quantifier = found.group()
                self.index = found.end()
            atoms.append(atom)
        return atoms

    def atom(self) -> _Atom:
        pattern, start = self.pattern, self.index
        char = pattern[start]
        if char == "(":
            look = next((h for h in _LOOK_AROUND if pattern.startswith(h, start)), None)
            if look is not None:  # kept as written: it consumes nothing
                self.index = start + len(look)
                self.alternation()
                self.expect(")")
                return _Atom(pattern[start : self.index], kinds=None)
            head = _GROUP_HEAD.match(pattern, start)
            if head is None or pattern[head.end() : head.end() + 1] == "?":
                raise ValueError(pattern[start:])  # flags, conditionals, back references
            self.index = head.end()
            alternatives = self.alternation()
            self.expect(")")
            return _Atom(pattern[start : self.index], head=head.group(), alternatives=alternatives)
        if char == "[":
            return self.character_class()
        if char == "\\":
            escaped = pattern[start + 1]
            self.index = start + 2
            if escaped in _ZERO_WIDTH_ESCAPES:
                return _Atom(pattern[start : self.index], kinds=None)
            if escaped in _ESCAPES:
                return _Atom(pattern[start : self.index], kinds=_ESCAPES[escaped])
            if escaped.isalnum():  # \n, \x41, \1, \Z, ...: not understood
                raise ValueError(pattern[start:])
            return _Atom(pattern[start : self.index], kinds=_kind(escaped))
        self.index = start + 1
        if char == "^":
            return _Atom(char, kinds=None)
        return _Atom(char, kinds=_ANY if char in ".$" else _kind(char))

    def character_class(self) -> _Atom:
        pattern, start = self.pattern, self.index
        index = start + 1
        negated = pattern[index : index + 1] == "^"
        index += negated
        kinds: Kinds = frozenset()
        first = True
        while pattern[index] != "]" or first:
            first = False
            char = pattern[index]
            if char == "\\":
                escaped = pattern[index + 1]
                ranged = pattern[index + 2] == "-" and pattern[index + 3] != "]"
                if escaped.isalnum() and escaped not in _ESCAPES or ranged:
                    raise ValueError(pattern[start:])  # \b, \x41, a range from an escape
                kinds |= _ESCAPES.get(escaped) or _kind(escaped)
                index += 2
            elif pattern[index + 1] == "-" and pattern[index + 2] != "]":
                low, high = ord(char), ord(pattern[index + 2])
                if pattern[index + 2] == "\\" or high - low > 1000:
                    raise ValueError(pattern[start:])
                kinds = kinds.union(*(_kind(chr(code)) for code in range(low, high + 1)))
                index += 3
            else:
                kinds |= _kind(char)
                index += 1
        self.index = index + 1
        return _Atom(pattern[start : self.index], kinds=_ANY if negated else kinds)

    def expect(self, char: str) -> None:
        if self.pattern[self.index : self.index + 1] != char:
            raise ValueError(self.pattern)
        self.index += 1


def _first(atoms: list[_Atom], after: Kinds) -> Kinds:
    for atom in reversed(atoms):
        after = atom.first(after)
    return after


def _sequence(atoms: list[_Atom], following: Kinds) -> str:
    afters = []  # per atom, what the characters after it can be
    after = following
    for atom in reversed(atoms):
        afters.append(after)
        after = atom.first(after)
    out: list[str] = []
    for atom, after in zip(atoms, reversed(afters), strict=True):
        if atom.alternatives is not None:
            inner = after | atom.first(after) if atom.repeats() else after
            out.append(atom.head + _alternation(atom.alternatives, inner) + ")" + atom.quantifier)
        elif atom.quantifier in ("+", "*") and atom.kinds is not None and not atom.kinds & after:
            out.append(atom.text + atom.quantifier + "+")
        else:
            out.append(atom.text + atom.quantifier)
    return "".join(out)


def _alternation(alternatives: list[list[_Atom]], following: Kinds) -> str:
    return "|".join(_sequence(atoms, following) for atoms in alternatives)


def possessive(pattern: str) -> str:
    """``pattern`` with every repeat that cannot usefully give characters back possessive."""
    parser = _Parser(pattern)
    try:
        alternatives = parser.alternation()
        if parser.index != len(pattern):
            raise ValueError(pattern)
        return _alternation(alternatives, _ANY)
    except (ValueError, IndexError):
        return pattern
