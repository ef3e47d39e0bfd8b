"""Rule files as written are rules as matched: a part "a|b" is tried at words starting with
"b" too, and a look-ahead after a space ("to (?!be)") decides, at the end of a rule and
before a gap alike (both were silently never matched)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from provenance.extract.matcher import RuleSet
from provenance.extract.rules_loader import parse_rules


def found(rule: str, sentence: str, at: int = 0) -> str | None:
    """What the one rule of a test file matches at ``at`` in ``sentence``, through the
    alternation the matcher builds for the word's first character."""
    grouped = RuleSet(parse_rules(f"version: 1\n[firm]\n{rule}\n", "rules/test.rules"))
    alternation = grouped.by_first.get(sentence[at], grouped.other)
    match = None if alternation is None else alternation.match(sentence, at)
    return None if match is None else match.group()


@pytest.mark.parametrize(
    ("rule", "sentence", "at", "expected"),
    [
        ("alpha|beta", "see beta here", 4, "beta"),
        ("alpha|beta", "see alpha here", 4, "alpha"),
        ("alpha|beta … gamma", "see beta and gamma", 4, "beta and gamma"),
        ("alpha|beta … gamma", "see alpha gamma", 4, "alpha gamma"),
        ("^alpha|beta", "see beta here", 4, "beta"),
        ("^alpha|beta", "alpha here", 0, "alpha"),
        ("delta … alpha|beta", "delta to beta", 0, "delta to beta"),
        ("^alpha|beta", "see alpha here", 4, None),
        ("alpha|beta", "see gamma here", 4, None),
    ],
)
def test_every_top_level_alternative_of_a_part_is_tried(
    rule: str, sentence: str, at: int, expected: str | None
) -> None:
    assert found(rule, sentence, at) == expected


@pytest.mark.parametrize(
    ("rule", "sentence", "expected"),
    [
        ("likely to (?!be)", "likely to rise", "likely to"),
        ("likely to (?!be)", "likely to be", None),
        ("likely to (?!be)", "likely to\n  rise", "likely to"),
        ("likely to (?=rise)", "likely to rise", "likely to"),
        ("likely to (?=rise)", "likely to fall", None),
        ("likely to (?!be)(?!stay)", "likely to stay", None),
        ("likely to (?!be) … rise", "likely to go on to rise", "likely to go on to rise"),
        ("likely to (?!be) … rise", "likely to be on the rise", None),
        ("likely (?:so|to (?!be))", "likely to rise", "likely to"),
        ("likely (?:so|to (?!be))", "likely to be", None),
        ("likely to (?!be)|unlikely", "likely to rise", "likely to"),
        ("likely to (?!be)|unlikely", "unlikely", "unlikely"),
        # A space that may be none is not this case: it already matched before the word.
        ("likely to ?(?!be)", "likely to be", "likely to"),
    ],
)
def test_a_look_around_after_a_space_decides(
    rule: str, sentence: str, expected: str | None
) -> None:
    assert found(rule, sentence) == expected


def test_both_reach_the_cues_of_a_sentence() -> None:
    # Through the whole classifier (the scan of every rule's first part first): the package's
    # hedge rules replaced by rules of both kinds, [firm] so that no model weighs them.
    script = (
        "import json, sys\n"
        "from provenance.extract import rules_loader\n"
        "real = rules_loader.load_rules\n"
        "test = rules_loader.parse_rules(sys.stdin.read(), 'rules/hedges.rules')\n"
        "rules_loader.load_rules = lambda name: test if name == 'hedges.rules' else real(name)\n"
        "from provenance.extract.classify import hedge_cues\n"
        "print(json.dumps([hedge_cues(t) for t in sys.argv[1:]]))\n"
    )
    rules = (
        "version: 1\n[hedge]\nzzyzx\n[firm]\nquasar|blazar\n^pulsars?|magnetar\nbound to (?!fail)\n"
    )
    sentences = [
        "The source is a blazar.",
        "The source is a quasar.",
        "The source is a magnetar.",
        "Pulsars spin.",
        "It is bound to recur.",
        "It is bound to fail.",
    ]
    output = subprocess.run(
        [sys.executable, "-c", script, *sentences],
        input=rules,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert json.loads(output) == [
        ["blazar"],
        ["quasar"],
        ["magnetar"],
        ["Pulsars"],
        ["bound to"],
        [],
    ]
