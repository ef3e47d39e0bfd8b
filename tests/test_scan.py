"""The scan only saves work: the rule hits are those of trying every rule at every word.

The scan's own alternation may match at a few more words than the rules do (it leaves out
look-arounds and word boundaries, ``regex_scan.py``): the rules, tried there, then find
nothing. What it must never do is miss a word where a rule matches.
"""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from provenance.extract.features import lower_case
from provenance.extract.matcher import (
    _FAMILIES,
    ATTRIBUTION_RULES,
    CATEGORY_RULES,
    HEDGE_RULES,
    Hit,
    scan_hits,
)
from provenance.extract.regex_scan import relaxed, scan_alternation
from provenance.extract.sentences import split_sentences

REPO = Path(__file__).resolve().parent.parent


def every_word_hits(lowered: str) -> tuple[list[Hit], ...]:
    """The hits without the scan: every rule file's alternation tried at every word start."""
    hits: tuple[list[Hit], ...] = ([], [], [])
    starts = [0] + [i + 1 for i, char in enumerate(lowered) if re.match(r"\W", char)]
    for start in starts:
        if start >= len(lowered):
            continue
        for index, family in enumerate(_FAMILIES):
            grouped = family.by_first.get(lowered[start], family.other)
            match = grouped.match(lowered, start) if grouped is not None else None
            if match is not None:
                exclusion, section, names = family.hit_of[str(match.lastgroup)]
                hits[index].append((exclusion, section, start, match.end(), match, names))
    return hits


def comparable(hits: tuple[list[Hit], ...]) -> list[list[tuple[object, ...]]]:
    return [[(*hit[:4], hit[4].regs, hit[5]) for hit in family] for family in hits]


def real_sentences() -> list[str]:
    texts = [
        REPO / "corpus" / "magnesium-glutamate.txt",
        *(REPO / "data" / "citations").glob("*.md"),
    ]
    out: list[str] = []
    for path in texts:
        for line in path.read_text(encoding="utf-8").splitlines():
            out.extend(line[s:e] for s, e in split_sentences(line, 0, len(line)))
    return out


def test_the_scan_misses_no_hit_in_real_text() -> None:
    sentences = [lower_case(text) for text in real_sentences()]
    assert len(sentences) > 500
    for lowered in sentences:
        assert comparable(scan_hits(lowered)) == comparable(every_word_hits(lowered)), lowered


RULE_FILES = (CATEGORY_RULES, HEDGE_RULES, ATTRIBUTION_RULES)
RULE_WORDS = sorted(
    {
        word
        for rules in RULE_FILES
        for rule in rules.rules
        for piece in rule.pieces
        for word in re.findall(r"[a-z]{2,}", piece)
    }
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(RULE_WORDS), min_size=1, max_size=12),
    st.lists(st.sampled_from([" ", "  ", ", ", " (", ") ", "-", " 12 ", "’s ", ". "]), min_size=1),
)
def test_the_scan_misses_no_hit_in_texts_of_rule_words(words: list[str], seps: list[str]) -> None:
    text = "".join(word + seps[i % len(seps)] for i, word in enumerate(words))
    assert comparable(scan_hits(text)) == comparable(every_word_hits(text))


ALTERNATIVES = st.lists(
    st.sampled_from(
        [
            r"ab\s+c",
            r"(?<!x\s)ab",
            r"a(?!b)\w+",
            r"(?:ab|a\s+b)\b",
            r"b(?=,)",
            r"(?:\w+\s+){0,2}?c",
            r"a(?:b|c)?\s*d",
            r"\bcab",
            r"[ab]+(?<=b)c",
        ]
    ),
    min_size=1,
    max_size=5,
)


@settings(max_examples=300, deadline=None)
@given(ALTERNATIVES, st.text(alphabet="abcx ,", max_size=14))
def test_the_scan_alternation_matches_wherever_an_alternative_does(
    alternatives: list[str], text: str
) -> None:
    merged = re.compile(scan_alternation(alternatives))
    each = [re.compile(alternative) for alternative in alternatives]
    for start in range(len(text) + 1):
        if any(pattern.match(text, start) for pattern in each):
            assert merged.match(text, start) is not None


def test_relaxed_leaves_out_look_arounds_and_word_boundaries() -> None:
    assert relaxed(r"(?<!our\s)(?<!these\s)(?:data|studies)\s+show\b") == r"(?:data|studies)\s+show"
    assert relaxed(r"x(?:a(?=b)|c)") == r"x(?:a|c)"
    assert relaxed(r"\x41+") == r"\x41+"  # not understood: kept as it is


def test_the_scan_has_no_anchor_and_reads_what_it_cannot_parse_as_anything() -> None:
    # The scan runs after a space put before the sentence: a rule part starting a sentence
    # ("^pulsars?" inside a group) must still be found at the sentence's first word.
    merged = re.compile(scan_alternation([r"(?:^pulsars?|magnetar)", r"zz\x41+"]))
    assert merged.match(" pulsars spin", 1) is not None
    assert merged.match("anything", 3) is not None  # "\x41" is not understood: matches anywhere
    assert re.compile(scan_alternation([r"(?:^pulsars?|magnetar)"])).match("x", 0) is None
