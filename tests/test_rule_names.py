"""Category rules are named by their section and pattern, not their position: the model's
weights stay with their rule when other rules or comments are added, deleted or moved, its
explanations quote the pattern, and the shipped model records the rules it was trained on."""

from __future__ import annotations

import json
import re
from importlib import resources

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluation.train import RULES_CHANGED, serialise
from provenance.errors import ProvenanceError
from provenance.extract.classify import MODEL
from provenance.extract.features import (
    DESCRIBED_PATTERN,
    SOURCE_WORDS,
    describe,
    prepare,
    rule_feature,
    rules_digest,
    sentence_features,
)
from provenance.extract.matcher import ATTRIBUTION_RULES, CATEGORY_RULES, HEDGE_RULES, RuleSet
from provenance.extract.model import MODEL_FILE, parse_model
from provenance.extract.rules_loader import Rule, RuleFile, parse_rules

WHERE = "rules/categories.rules"
TEXT = (
    resources.files("provenance.extract").joinpath("rules").joinpath("categories.rules").read_text()
)
LINES = TEXT.splitlines()
# Lines may be inserted anywhere after the first section header (before it a rule is refused).
FIRST_SECTION = next(i for i, line in enumerate(LINES) if line.startswith("["))
RULE_TEXTS = sorted({r.text for r in CATEGORY_RULES.rules})


def names(rules: RuleFile) -> dict[tuple[str, str], str]:
    """Each rule's name, by its section's name and its pattern."""
    return {(rules.sections[r.section], r.text): r.name for r in rules.rules}


def the_rule(text: str) -> Rule:
    return next(rule for rule in CATEGORY_RULES.rules if rule.text == text)


# An edit of the file: insert a comment, a blank line or a new rule at a line, delete a rule,
# or move a rule elsewhere.
inserted = st.one_of(
    st.just("# a new comment"),
    st.just(""),
    st.from_regex(r"zq[a-z]{1,8}( [a-z]{1,8})?", fullmatch=True),
)
edits = st.one_of(
    st.tuples(st.just("insert"), inserted, st.integers(0, 10**6)),
    st.tuples(st.just("delete"), st.sampled_from(RULE_TEXTS), st.just(0)),
    st.tuples(st.just("move"), st.sampled_from(RULE_TEXTS), st.integers(0, 10**6)),
)


def edited(lines: list[str], edit: tuple[str, str, int]) -> list[str]:
    """``lines`` edited; a line is inserted after the first section header (before it a rule
    is refused), at ``to`` modulo the lines there are."""
    kind, text, to = edit
    lines = list(lines)
    if kind != "insert":
        at = next((i for i, line in enumerate(lines) if line.strip() == text), None)
        if at is None:  # deleted already
            return lines
        text = lines.pop(at)
    if kind != "delete":
        lines.insert(FIRST_SECTION + 1 + to % (len(lines) - FIRST_SECTION), text)
    return lines


@settings(max_examples=60, deadline=None)
@given(st.lists(edits, min_size=1, max_size=4))
def test_editing_other_rules_and_comments_renames_no_rule(
    changes: list[tuple[str, str, int]],
) -> None:
    lines = LINES
    for change in changes:
        lines = edited(lines, change)
    try:
        after = parse_rules("\n".join(lines) + "\n", WHERE)
    except ProvenanceError as error:
        # A deletion or move that left a section with no rules, or a rule twice in a section.
        assert "has no rules" in str(error) or "the same rule as line" in str(error)
        return
    before = names(CATEGORY_RULES)
    now = names(after)
    # Every rule still in the file under its section keeps its name, whatever moved around it.
    common = before.keys() & now.keys()
    assert {key: now[key] for key in common} == {key: before[key] for key in common}
    # The rules that were not deleted or moved are all there (a move into another section
    # renames only the rule moved: its section is part of what it says).
    touched = {text for kind, text, _ in changes if kind != "insert"}
    assert {key for key in before if key[1] not in touched} <= now.keys()
    # And names stay unique: the loader refuses the same rule twice in a section.
    assert len(set(now.values())) == len(after.rules)


SMALL = [
    "version: 1",
    "[meta]",
    "in this (?:article|post)",
    "read on",
    "[recommendation]",
    "!it is (?:also )?important to (?:note|remember) that",
    "must",
    "should",
    "ought to",
]


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.tuples(st.integers(2, len(SMALL)), inserted), max_size=4, unique_by=lambda i: i[1])
)
def test_a_hit_names_its_rule_after_insertions_before_it(
    insertions: list[tuple[int, str]],
) -> None:
    # The matcher's groups are numbered by position; the rule a hit's group names must follow
    # the edit (a small file: compiling the whole one for each example would take seconds).
    lines = list(SMALL)
    for at, line in sorted(insertions, reverse=True):
        lines.insert(at, line)
    rules = RuleSet(parse_rules("\n".join(lines) + "\n", WHERE))
    sentence = "so you should rest"
    at = sentence.index("should")
    alternation = rules.by_first.get(sentence[at], rules.other)
    assert alternation is not None
    match = alternation.match(sentence, at)
    assert match is not None and match.lastgroup is not None
    rule = rules.rule_of[match.lastgroup]
    assert rule.text == "should"
    assert rule_feature(rule) == rule_feature(the_rule("should"))


def test_the_feature_of_a_rule_that_fired_is_its_stable_name() -> None:
    should = the_rule("should")
    assert re.fullmatch(r"#rr:recommendation:[0-9a-f]{8}", rule_feature(should))
    features = sentence_features(prepare("You should rest."), None, None)
    assert rule_feature(should) in features
    assert not [f for f in features if f.startswith("#rr:g")]


def test_describe_quotes_the_rule_s_section_and_pattern() -> None:
    assert describe(rule_feature(the_rule("should"))) == 'rule [recommendation] "should"'
    long = next(r for r in CATEGORY_RULES.rules if len(r.text) > DESCRIBED_PATTERN)
    section = CATEGORY_RULES.sections[long.section]
    said = describe(rule_feature(long))
    assert said == f'rule [{section}] "{long.text[:DESCRIBED_PATTERN]}"…'
    # A feature of a model older than the rules is still explained, never as another rule.
    assert describe("#rr:efficacy:0123abcd") == "rule [efficacy] 0123abcd, no longer in the rules"
    assert describe("#rr:g12") == "rule g12, no longer in the rules"  # the names before


def test_every_rule_feature_of_the_shipped_model_names_a_current_rule() -> None:
    spec = json.loads(
        resources.files("provenance.extract").joinpath("rules").joinpath(MODEL_FILE).read_text()
    )
    rule_features = [f for f in spec["features"] if f.startswith("#rr:")]
    assert rule_features
    assert [f for f in rule_features if "no longer in the rules" in describe(f)] == []


def test_the_same_rule_twice_in_a_section_is_refused() -> None:
    with pytest.raises(ProvenanceError, match=re.escape("line 5: the same rule as line 3")):
        parse_rules("version: 1\n[hedge]\nmay\nmight\nmay\n", "rules/test.rules")
    # In another section it is another rule, with another name.
    rules = parse_rules("version: 1\n[hedge]\nmay\n[firm]\nmay\n", "rules/test.rules")
    assert rules.rules[0].name != rules.rules[1].name


def test_the_shipped_model_was_trained_on_the_current_rules() -> None:
    assert MODEL.rules == rules_digest(), RULES_CHANGED


def test_the_model_version_changes_with_the_weights_and_the_rules() -> None:
    data = resources.files("provenance.extract").joinpath("rules").joinpath(MODEL_FILE).read_bytes()
    spec = json.loads(data)
    assert parse_model(data).version == MODEL.version
    feature = next(f for f in spec["features"] if f.startswith("#rr:"))
    spec["features"][feature][0] += 1
    assert parse_model(serialise(spec)).version != MODEL.version
    spec["features"][feature][0] -= 1
    assert parse_model(serialise(spec)).version == MODEL.version  # the same file again
    spec["rules"] = "0" * 16
    retrained = parse_model(serialise(spec))
    assert retrained.rules == "0" * 16 and retrained.version != MODEL.version
    del spec["rules"]
    with pytest.raises(ProvenanceError, match="not a classifier model"):
        parse_model(serialise(spec))


def _digest_of_categories(text: str) -> str:
    return rules_digest((parse_rules(text, WHERE), HEDGE_RULES, ATTRIBUTION_RULES))


def test_the_rules_digest_changes_with_the_rules_not_their_comments() -> None:
    assert _digest_of_categories(TEXT) == rules_digest()
    commented = TEXT.replace("\nshould\n", "\n# why: a comment\n\nshould\n")
    assert commented != TEXT
    assert _digest_of_categories(commented) == rules_digest()
    bumped = re.sub(r"(?m)^version: \d+$", "version: 99", TEXT)
    assert bumped != TEXT and _digest_of_categories(bumped) == rules_digest()
    assert _digest_of_categories(TEXT.replace("\nshould\n", "\nshould\nshall\n")) != rules_digest()
    assert _digest_of_categories(TEXT.replace("\nshould\n", "\nshoulds?\n")) != rules_digest()
    more_words = {**SOURCE_WORDS, "source": SOURCE_WORDS["source"] | {"zqx"}}
    digest = rules_digest((CATEGORY_RULES, HEDGE_RULES, ATTRIBUTION_RULES), more_words)
    assert digest != rules_digest()
