"""Possessive repeats change no match: every position, every group's span, the same."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from provenance.extract import regex_possessive
from provenance.extract.matcher import ATTRIBUTION_RULES, CATEGORY_RULES, HEDGE_RULES
from provenance.extract.regex_factor import factor
from provenance.extract.regex_possessive import possessive

ALPHABET = "abé1 -,’"

REPEATS = ["+", "*", "?", "{0,2}?", "{1,3}", ""]


@st.composite
def atoms(draw: st.DrawFn, depth: int = 0) -> str:
    """A piece of a pattern: letters, a repeated escape or class, a group, a look-around."""
    kinds = ["word", "repeat", "class"] + (["group", "look"] if depth < 2 else [])
    kind = draw(st.sampled_from(kinds))
    if kind == "word":
        return re.escape(draw(st.text(alphabet="abé,’ -", min_size=1, max_size=3)))
    if kind == "repeat":
        escape = draw(st.sampled_from([r"\w", r"\s", r"\d", r"\W", r"\S", ".", "a", "-"]))
        return escape + draw(st.sampled_from(["+", "*", "+?", "?"]))
    if kind == "class":
        body = draw(
            st.sampled_from([r"\w-", r"a-c", r"^\s,", r"\w’'-", "é ", r"\s\d", r"\(-\~", " -b"])
        )
        return f"[{body}]" + draw(st.sampled_from(["+", "*", ""]))
    inner = "|".join(draw(st.lists(sequences(depth + 1), min_size=1, max_size=3)))
    if kind == "look":  # a look-behind needs a fixed width
        behind = draw(st.sampled_from(["(?<!a)", "(?<=\\s)", "(?<![\\w-])"]))
        return draw(st.sampled_from([f"(?={inner})", f"(?!{inner})", behind]))
    head = draw(st.sampled_from(["(?:", f"(?P<g{depth}x{draw(st.integers(0, 999))}>"]))
    return head + inner + ")" + draw(st.sampled_from(REPEATS))


@st.composite
def sequences(draw: st.DrawFn, depth: int = 0) -> str:
    return "".join(draw(st.lists(atoms(depth), min_size=1, max_size=4)))


def everything(pattern: str, text: str) -> list[object]:
    """At every position: the match's span and each group's span (or None)."""
    compiled = re.compile(pattern)
    found: list[object] = []
    for start in range(len(text) + 1):
        match = compiled.match(text, start)
        found.append(None if match is None else match.regs)
    return found


def compiles(pattern: str) -> bool:
    try:
        re.compile(pattern)
    except re.error:
        return False
    return True


@settings(max_examples=400, deadline=None)
@given(sequences(), st.text(alphabet=ALPHABET, max_size=16))
def test_possessive_matches_what_the_pattern_matches(pattern: str, text: str) -> None:
    if not compiles(pattern):  # a look-behind of no fixed width, a repeated group name
        return
    assert everything(possessive(pattern), text) == everything(pattern, text)


@settings(max_examples=400, deadline=None)
@given(
    st.lists(atoms(depth=2), min_size=2, max_size=3).map("".join),
    st.text(alphabet=ALPHABET, max_size=12),
)
def test_possessive_matches_what_a_run_of_repeats_matches(pattern: str, text: str) -> None:
    # Repeats next to each other, where a wrong judgement of what follows would show.
    assert everything(possessive(pattern), text) == everything(pattern, text)


# (what a round of a repeated group starts with, what ends it, what follows the group)
ROUNDS = {
    "space": ([r"\s", r"\ ", r"[\s,]"], [r"\s+", r"\s*", r"[\s,]+"], ["a", "-", r"\w"]),
    "word": ([r"\w", "a", r"[\w-]"], [r"\w+", r"[\w-]+", "a*"], [" ", ",", r"\s"]),
}


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(sorted(ROUNDS)),
    st.sampled_from(["+", "*", "{1,3}", "{2}", "+?"]),
    st.data(),
)
def test_possessive_matches_what_a_repeated_group_matches(
    kind: str, repeat: str, data: st.DataObject
) -> None:
    # Inside a repeated group, what follows its end may be the group again: "(?:\sa\s+)+-"
    # must keep giving back spaces for the next round's "\s". The text holds a match.
    starts, ends, follows = ROUNDS[kind]
    middle = data.draw(st.sampled_from(["a", "-", ",", "b"]))
    body = data.draw(st.sampled_from(starts)) + middle + data.draw(st.sampled_from(ends))
    pattern = f"(?:{body}){repeat}{data.draw(st.sampled_from(follows))}"
    text = data.draw(st.from_regex(pattern, alphabet="ab -,").filter(lambda t: len(t) < 20))
    assert everything(possessive(pattern), text) == everything(pattern, text)


RULE_PIECES = sorted(
    {
        piece
        for rules in (CATEGORY_RULES, HEDGE_RULES, ATTRIBUTION_RULES)
        for rule in rules.rules
        for piece in rule.pieces
    }
)
RULE_WORDS = sorted({w for piece in RULE_PIECES for w in re.findall(r"[a-z]{2,}", piece)})


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(RULE_PIECES),
    st.lists(st.sampled_from(RULE_WORDS), min_size=1, max_size=8),
    st.sampled_from([" ", "  ", "-", ", ", " 12 "]),
)
def test_possessive_keeps_every_match_of_the_real_rules(
    piece: str, words: list[str], sep: str
) -> None:
    text = sep.join(words) + " " + sep.join(reversed(words))
    assert everything(possessive(factor(piece)), text) == everything(piece, text)


@pytest.mark.skipif(not regex_possessive.SUPPORTED, reason="possessive repeats need Python 3.11")
def test_repeats_that_cannot_give_back_usefully_become_possessive() -> None:
    assert possessive(r"(?:\w+\s+){0,3}?studies") == r"(?:\w++\s++){0,3}?studies"
    assert possessive(r"[\w’'-]+\s+is") == r"[\w’'-]++\s++is"
    # What follows may begin with what the repeat takes: left as it is.
    assert possessive(r"\d+(?:[.,]\d+)?\s*(?:mg|%)") == r"\d+(?:[.,]\d+)?\s*+(?:mg|%)"
    assert possessive(r"(?:sen\w*)") == r"(?:sen\w*)"  # anything may follow the pattern
    assert possessive(r"\s+(?=,)x") == r"\s++(?=,)x"  # a look-ahead consumes nothing


def test_a_pattern_it_does_not_understand_is_unchanged() -> None:
    assert possessive(r"\x20+\s") == r"\x20+\s"  # \x20 is a space: not understood, kept
    assert possessive(r"(?i)a+b") == r"(?i)a+b"
    assert possessive(r"(a)\1+b") == r"(a)\1+b"
    assert possessive(r"[\(-\~]+\w") == r"[\(-\~]+\w"  # a range from an escape


def test_where_re_has_no_possessive_repeats_nothing_is_rewritten(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Python 3.10's ``re`` rejects ``a++``: there the patterns are compiled as written."""
    monkeypatch.setattr(regex_possessive, "SUPPORTED", False)
    for pattern in (r"(?:\w+\s+){0,3}?studies", r"[\w’'-]+\s+is", r"\s+(?=,)x"):
        assert possessive(pattern) == pattern
