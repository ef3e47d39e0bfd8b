"""The scan's alternations, where only whether some rule may start at a word counts.

The scan (``matcher.py``) looks ahead at each word start for the first part of any rule; the
rule files' own alternations are tried only where it finds one. Which alternative matched,
and where it ends, do not matter to the scan, which allows rewrites that the rule
alternations themselves could not take (:func:`scan_alternation`):

- look-arounds, anchors and word boundaries are left out (``relaxed``), so the scan matches
  wherever a first part does, and perhaps at a few more words; there the rule alternations,
  which keep them, find nothing. No hit changes, and the engine no longer checks
  ``(?<!our\\s)(?<!these\\s)…`` before every "data" or "studies". With no anchor and
  nothing looked at behind it, the scan finds a sentence's first word when run after a space
  put before it (``matcher.py``);
- the alternatives become one trie of their atoms (``match_any``: a leading group's
  alternatives each followed by what follows the group), so the engine tries what they share
  once, whatever their order; where one has matched entirely, the search stops;
- repeats are possessive where they can be (``regex_possessive.py``).
"""

from __future__ import annotations

from provenance.extract.regex_parse import Atom, emit, parse
from provenance.extract.regex_possessive import make_possessive


def relaxed(pattern: str) -> str:
    """``pattern`` without look-arounds, anchors and word boundaries: it matches wherever
    ``pattern`` does (and perhaps elsewhere too)."""
    try:
        return emit(_without_assertions(parse(pattern)))
    except (ValueError, IndexError):
        return pattern


def _without_assertions(alternatives: list[list[Atom]]) -> list[list[Atom]]:
    kept: list[list[Atom]] = []
    for atoms in alternatives:
        sequence = []
        for atom in atoms:
            if atom.zero_width():  # a look-around, ^, \A, \b or \B
                continue
            if atom.alternatives is not None:
                inside = _without_assertions(atom.alternatives)
                atom = Atom(atom.text, atom.quantifier, atom.head, inside)
            sequence.append(atom)
        kept.append(sequence)
    return kept


# A trie node: each next atom's text to the node after it; the key "" (no atom is written
# so) marks that an alternative has matched entirely there.
_Node = dict[str, "_Node"]


class _Trie:
    """Alternatives merged atom by atom (an atom's text is written once, however often a
    leading group copies it)."""

    def __init__(self) -> None:
        self.root: _Node = {}
        self.written: dict[int, str] = {}

    def add(self, node: _Node, atoms: list[Atom]) -> None:
        for index, atom in enumerate(atoms):
            if atom.head == "(?:" and atom.quantifier == "" and atom.alternatives is not None:
                rest = atoms[index + 1 :]
                for alternative in atom.alternatives:  # each followed by what follows it
                    self.add(node, [*alternative, *rest])
                return
            key = self.written.get(id(atom))
            if key is None:
                key = self.written[id(atom)] = atom.written()
            child = node.get(key)
            if child is None:
                child = node[key] = {}
            node = child
        node[""] = {}

    def pattern(self, node: _Node) -> str:
        if "" in node:
            return ""  # matched: what more would follow does not matter
        branches = [key + self.pattern(child) for key, child in node.items()]
        if len(branches) == 1:
            return branches[0]
        return "(?:" + "|".join(branches) + ")" if branches else "(?!)"


def match_any(alternatives: list[str]) -> str:
    """One alternation that matches at a position exactly where one of ``alternatives``
    does (which one, and where it ends, may differ)."""
    try:
        return _merged([parse(alternative) for alternative in alternatives], alternatives)
    except (ValueError, IndexError):
        return "(?:" + "|".join(alternatives) + ")"


def scan_alternation(alternatives: list[str]) -> str:
    """One alternation that matches wherever one of ``alternatives`` does, and perhaps at a
    few more places (each parsed once: relaxed, possessive, merged). It holds no anchor and
    looks at nothing before where it starts: an alternative this cannot read becomes one
    that matches everywhere (the rules are then tried at every word)."""
    parsed: list[list[list[Atom]]] = []
    for alternative in alternatives:
        try:
            parsed.append(make_possessive(_without_assertions(parse(alternative))))
        except (ValueError, IndexError):
            parsed.append([[]])
    return _merged(parsed, alternatives)


def _merged(parsed: list[list[list[Atom]]], alternatives: list[str]) -> str:
    trie = _Trie()
    for tree in parsed:
        for atoms in tree:
            trie.add(trie.root, atoms)
    merged = "(?:" + trie.pattern(trie.root) + ")"
    plain = "(?:" + "|".join(alternatives) + ")"
    # What follows a leading group is copied once per alternative of it (3.5 times the plain
    # alternation at most in the rule files): a bound against pathological growth.
    return merged if len(merged) <= 5 * len(plain) else plain
