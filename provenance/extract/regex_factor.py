"""The regex optimiser: rewrites of rule patterns that keep every match as it is.

Large ``(?:a|b|...)`` groups are bucketed by first character (:func:`factor`), alternations
of rules sharing a start become a trie (``rule_trie``); ``first_characters`` and
``after_first`` read a pattern's possible first characters and what follows them. Nothing here
knows about categories: it only reads and rewrites regular-expression text.
"""

from __future__ import annotations

import re
from collections.abc import Callable


def rule_trie(alternatives: list[str]) -> str:
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
            body = rests[0] if len(rests) == 1 else f"(?:{rule_trie(rests)})"
            out.append(re.escape(char) + body)
        buckets.clear()

    for alternative in alternatives:
        chars = _known_chars(alternative)
        rest = None
        if chars is not None and len(chars) == 1:
            (char,) = chars
            try:
                rest = after_first(alternative, char, exact_firsts)
            except ValueError:
                rest = None
        if rest is None:
            flush()
            out.append(alternative)
        else:
            buckets.setdefault(char, []).append(rest)
    flush()
    return "|".join(out)


def class_end(pattern: str, start: int) -> int:
    """Index just past the ``[...]`` that opens at ``pattern[start]``."""
    index = start + 1
    if pattern[index : index + 1] == "^":
        index += 1
    if pattern[index : index + 1] == "]":
        index += 1
    while pattern[index] != "]":
        index += 2 if pattern[index] == "\\" else 1
    return index + 1


def group_end(pattern: str, start: int) -> int:
    """Index just past the group that opens at ``pattern[start]``."""
    depth = 0
    index = start
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            index += 2
            continue
        if char == "[":
            index = class_end(pattern, index) - 1
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return index + 1
        index += 1
    return len(pattern)


def split_top(body: str) -> list[str]:
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
            index = class_end(body, index) - 1
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
    simple ``[...]`` of letters, and ``(?:a|b)`` groups of those, each perhaps after look
    behinds; anything else is None.
    """
    if not pattern:
        return None
    head = pattern[0]
    if head.isalpha() or head in "'’":
        optional = pattern[1:2] in ("?", "*") or pattern[1:3] == "{0"
        return None if optional else frozenset({head.lower()})
    if pattern.startswith(("(?<!", "(?<=")):
        # A look behind matches no character: the first is the next part's.
        return first_characters(pattern[group_end(pattern, 0) :])
    if pattern.startswith("\\d"):
        return None if pattern[2:3] in ("?", "*") else frozenset("0123456789")
    if head == "[" and "]" in pattern[1:]:
        body = pattern[1 : pattern.index("]", 1)]
        if not body.isalpha() or pattern[len(body) + 2 : len(body) + 3] in ("?", "*"):
            return None
        return frozenset(body.lower())
    if pattern.startswith("(?:"):
        end = group_end(pattern, 0)
        if pattern[end : end + 1] in ("?", "*") or pattern[end : end + 2] == "{0":
            return None
        chars: set[str] = set()
        for alternative in split_top(pattern[3 : end - 1]):
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
        return class_end(pattern, 0)
    if pattern.startswith(("(?:", "(?<!", "(?<=")):
        return group_end(pattern, 0)
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
        alternatives = [after_first(a, char, firsts) for a in split_top(atom[3:-1])]
        found = [a for a in alternatives if a is not None]
        return "(?:" + "|".join(found) + ")" + tail if found else None
    chars = firsts(atom)
    if chars is None:
        raise ValueError(pattern)
    return tail if char in chars else None


_SPECIAL = frozenset("\\.^$*+?{}[]|()")


def exact_firsts(atom: str) -> frozenset[str] | None:
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
                rest = after_first(alternative, char, exact_firsts)
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
        return exact_firsts(pattern[:end])
    chars: set[str] = set()
    for alternative in split_top(pattern[3 : end - 1]):
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
            end = class_end(pattern, index)
            out.append(pattern[index:end])
            index = end
        elif char == "(":
            end = group_end(pattern, index)
            group = pattern[index:end]
            if group.startswith("(?:"):
                out.append(_factored_group([factor(a) for a in split_top(group[3:-1])]))
            else:
                opening = _OPENING.match(group)
                if opening is None or opening.group() == "(?":
                    out.append(group)
                else:
                    body = group[opening.end() : -1]
                    alternatives = [factor(a) for a in split_top(body)]
                    out.append(opening.group() + "|".join(alternatives) + ")")
            index = end
        else:
            out.append(char)
            index += 1
    return "".join(out)
