"""The regex optimiser changes no match: the factored pattern matches exactly what the plain
alternation matches, at every position, with the same span (so the same alternative wins)."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from provenance.extract.matcher import (
    ATTRIBUTION_RULES,
    CATEGORY_RULES,
    HEDGE_RULES,
    NON_WORD,
    kept_hits,
    scan_hits,
)
from provenance.extract.regex_factor import factor, first_characters
from provenance.extract.regex_scan import match_any

LETTERS = "abcé"
WORD = st.text(alphabet=LETTERS, min_size=1, max_size=4)


@st.composite
def atoms(draw: st.DrawFn, depth: int = 0) -> str:
    """One piece of a pattern: a word, maybe with an optional letter, a class, or a group."""
    kind = draw(st.sampled_from(["word", "optional", "class", "group"] if depth < 2 else ["word"]))
    word = re.escape(draw(WORD))
    if kind == "optional":
        return word + re.escape(draw(st.sampled_from(LETTERS))) + "?"
    if kind == "class":
        return (
            "[" + "".join(sorted(set(draw(st.text(LETTERS, min_size=1, max_size=3))))) + "]" + word
        )
    if kind == "group":
        return "(?:" + "|".join(draw(st.lists(atoms(depth + 1), min_size=1, max_size=6))) + ")"
    return word


@st.composite
def patterns(draw: st.DrawFn) -> str:
    alternatives = draw(st.lists(st.lists(atoms(), min_size=1, max_size=3).map("".join),
                                 min_size=1, max_size=12))  # fmt: skip
    tail = draw(st.sampled_from(["", r"\b", r"s?\b", r"\s+" + re.escape(draw(WORD))]))
    return "(?:" + "|".join(alternatives) + ")" + tail


def spans(pattern: str, text: str) -> list[tuple[int, int] | None]:
    compiled = re.compile(pattern)
    return [(m.span() if (m := compiled.match(text, i)) else None) for i in range(len(text) + 1)]


@settings(max_examples=300, deadline=None)
@given(patterns(), st.text(alphabet=LETTERS + " ", max_size=24))
def test_factor_matches_what_the_plain_alternation_matches(pattern: str, text: str) -> None:
    assert spans(factor(pattern), text) == spans(pattern, text)


@settings(max_examples=200, deadline=None)
@given(st.lists(patterns(), min_size=1, max_size=5), st.text(alphabet=LETTERS + " ", max_size=24))
def test_match_any_matches_where_one_alternative_does(alternatives: list[str], text: str) -> None:
    merged = re.compile(match_any(alternatives))
    each = [re.compile(a) for a in alternatives]
    for i in range(len(text) + 1):
        assert (merged.match(text, i) is not None) == any(p.match(text, i) for p in each)


RULE_FILES = (CATEGORY_RULES, HEDGE_RULES, ATTRIBUTION_RULES)
RULE_PIECES = sorted(
    {piece for rules in RULE_FILES for rule in rules.rules for piece in rule.pieces}
)
RULE_WORDS = sorted({w for piece in RULE_PIECES for w in re.findall(r"[a-z]{2,}", piece)})


def test_the_rule_files_give_pieces_to_check() -> None:
    assert len(RULE_PIECES) > 100 and len(RULE_WORDS) > 100


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(RULE_PIECES),
    st.lists(st.sampled_from(RULE_WORDS), min_size=1, max_size=8),
    st.sampled_from([" ", "  ", "-", ", "]),
)
def test_factor_keeps_every_match_of_the_real_rules(piece: str, words: list[str], sep: str) -> None:
    text = sep.join(words) + " " + sep.join(reversed(words))
    assert spans(factor(piece), text) == spans(piece, text)


def test_a_rule_behind_a_look_behind_is_bucketed_by_its_first_letter() -> None:
    # The scan tries a rule whose first letter it does not know at every word start (the
    # vague-attribution rule starting `(?<!our\s)…` cost 3.5 µs a sentence that way).
    assert first_characters(r"(?<!our\s)(?<!these\s)(?:data|studies) show") == frozenset("ds")
    assert first_characters(r"(?<=\s)x") == frozenset("x")
    assert first_characters(r"(?<!a)\w") is None


def test_the_look_behind_still_decides_after_bucketing() -> None:
    def vague(text: str) -> list[str]:
        return [text[hit[2] : hit[3]] for hit in kept_hits(scan_hits(text)[2])]

    assert vague("recent data show that it works") == ["data show"]
    assert vague("our data show that it works") == []
    assert vague("in these studies suggest nothing") == []
    assert vague("studies suggest it works") == ["studies suggest"]


def test_the_scan_starts_after_exactly_the_non_word_characters() -> None:
    # Every code point: the scan's cheaper test is \W, character for character.
    scan, non_word = re.compile(NON_WORD), re.compile(r"\W")
    differ = [
        code
        for code in range(0x110000)
        if (scan.fullmatch(chr(code)) is None) != (non_word.fullmatch(chr(code)) is None)
    ]
    assert differ == []
