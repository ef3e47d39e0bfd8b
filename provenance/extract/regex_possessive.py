"""Possessive repeats where giving characters back can never help: same matches, less work.

``\\w+\\s+`` tries, when what follows the spaces fails, every shorter run of letters, each time
failing at once because a letter is not a space. ``\\w++\\s+`` does not: a possessive repeat
keeps everything it took. The two match exactly the same text, with the same groups, in the
same order of alternatives, whenever what follows the repeat can never begin with a character
the repeat takes: then a shorter run would leave one of its characters for the rest to begin
with, and the rest fails there. :func:`possessive` makes every such repeat of one character,
escape or class possessive, judging "what follows" by three kinds of character (whitespace,
word characters, the rest) and assuming anything may follow the pattern itself. A pattern it
does not understand is returned unchanged.

Possessive repeats need Python 3.11. On 3.10 nothing is rewritten and :data:`POSSESSIVE` is
empty: since a rewritten pattern matches exactly what the plain one does, only speed differs.
"""

from __future__ import annotations

import sys

from provenance.extract.regex_parse import Atom, emit, parse

#: Whether this Python's ``re`` has possessive repeats (``a++``, 3.11 and later).
SUPPORTED = sys.version_info >= (3, 11)

#: What makes a repeat possessive where ``re`` can: write ``\s+`` + POSSESSIVE.
POSSESSIVE = "+" if SUPPORTED else ""

#: The kinds of a character, as bits: whitespace, a word character, any other.
_SPACE, _WORD, _OTHER = 1, 2, 4

_ANY = _SPACE | _WORD | _OTHER

Kinds = int

_ESCAPES = {"w": _WORD, "d": _WORD, "s": _SPACE, "W": _SPACE | _OTHER, "S": _WORD | _OTHER}


def _kind(char: str) -> Kinds:
    """A character's kind as ``re`` sees it: its ``\\s`` and ``\\w`` are ``str.isspace`` and
    ``str.isalnum`` or "_" (the same Unicode tables)."""
    if char.isspace():
        return _SPACE
    return _WORD if char.isalnum() or char == "_" else _OTHER


def _escape_kinds(escaped: str) -> Kinds:
    if escaped in _ESCAPES:
        return _ESCAPES[escaped]
    if escaped.isalnum():  # \D, \b inside a class (a backspace), ...: not understood
        raise ValueError(escaped)
    return _kind(escaped)


def _class_kinds(body: str) -> Kinds:
    """The kinds of the characters a class ``[body]`` matches."""
    if body.startswith("^"):
        return _ANY
    kinds: Kinds = 0
    index = 0
    while index < len(body):
        ranged = body[index + 1 : index + 2] == "-" and index + 2 < len(body)
        if body[index] == "\\":
            if body[index + 2 : index + 3] == "-" and index + 3 < len(body):
                raise ValueError(body)  # a range from an escape: not understood
            kinds |= _escape_kinds(body[index + 1])
            index += 2
        elif ranged:
            low, high = ord(body[index]), ord(body[index + 2])
            if body[index + 2] == "\\" or high - low > 1000:
                raise ValueError(body)
            for code in range(low, high + 1):
                kinds |= _kind(chr(code))
            index += 3
        else:
            kinds |= _kind(body[index])
            index += 1
    return kinds


def _own_kinds(atom: Atom) -> Kinds | None:
    """The kinds of the one character an atom other than a group takes (None: it takes none)."""
    text = atom.text
    if atom.zero_width():
        return None
    if text in (".", "$"):  # "$" takes none, but what may follow it is not simply known
        return _ANY
    if text[0] == "\\":
        return _escape_kinds(text[1])
    if text[0] == "[":
        return _class_kinds(text[1:-1])
    return _kind(text)


def _skippable(quantifier: str) -> bool:
    return quantifier[:1] in ("?", "*") or quantifier.startswith(("{0", "{,"))


def _repeats(quantifier: str) -> bool:
    """Whether the atom may match more than once (so what follows it may be itself)."""
    if quantifier[:1] in ("*", "+"):
        return True
    if quantifier[:1] != "{":
        return False
    low, comma, high = quantifier[1 : quantifier.index("}")].partition(",")
    upper = high if comma else low
    return upper == "" or int(upper) > 1


class _Rewriter:
    """One pattern's rewrite, remembering what each atom can begin with."""

    def __init__(self) -> None:
        self.first_of: dict[tuple[int, Kinds], Kinds] = {}

    def first(self, atom: Atom, after: Kinds) -> Kinds:
        """The kinds of the first character consumed from ``atom`` on, ``after`` it."""
        key = (id(atom), after)
        if key not in self.first_of:
            if atom.alternatives is not None:
                kinds = 0
                for alternative in atom.alternatives:
                    kinds |= self.start(alternative, after)
            else:
                own = _own_kinds(atom)
                kinds = after if own is None else own
            self.first_of[key] = kinds | after if _skippable(atom.quantifier) else kinds
        return self.first_of[key]

    def start(self, atoms: list[Atom], after: Kinds) -> Kinds:
        for atom in reversed(atoms):
            after = self.first(atom, after)
        return after

    def sequence(self, atoms: list[Atom], following: Kinds) -> None:
        afters = []  # per atom, what the characters after it can be
        after = following
        for atom in reversed(atoms):
            afters.append(after)
            after = self.first(atom, after)
        for atom, after in zip(atoms, reversed(afters), strict=True):
            if atom.alternatives is not None:
                inner = after | self.first(atom, after) if _repeats(atom.quantifier) else after
                self.alternation(atom.alternatives, inner)
            elif atom.quantifier in ("+", "*"):
                own = _own_kinds(atom)
                if own is not None and not own & after:
                    atom.quantifier += "+"

    def alternation(self, alternatives: list[list[Atom]], following: Kinds) -> None:
        for atoms in alternatives:
            self.sequence(atoms, following)


def make_possessive(alternatives: list[list[Atom]]) -> list[list[Atom]]:
    """A parsed pattern's repeats made possessive where they can (in place); ValueError if
    it holds what this does not understand. Unchanged where ``re`` has no possessive repeats."""
    if SUPPORTED:
        _Rewriter().alternation(alternatives, _ANY)
    return alternatives


def possessive(pattern: str) -> str:
    """``pattern`` with every repeat that cannot usefully give characters back possessive."""
    try:
        return emit(make_possessive(parse(pattern)))
    except (ValueError, IndexError):
        return pattern
