"""The features the learned classifier weighs: one definition, used at run time and in training.

A sentence's features are strings: its lower-cased words (digits as ``0``, punctuation as
spaces) and word pairs, its first word and first pair (``^``), its length and how many of its
words are capitalised (``#n``, ``#caps``), the rules that fired in it (``#r:<section>`` for a
category section, ``#rr:<section>:<digest>`` for the rule itself, named by its section and
pattern (``rule_feature``), never its position, ``#v:<section>`` for an attribution
section), the category the rules alone would give (``#k:``, the first category section in
precedence order with a cue), whether it holds a citation (``#cited``), and the source words
of it and its neighbours (``rules/sources.words``: ``#o:`` its own, ``#p:`` the sentence
before, ``#a:`` the one after; ``#qp:``/``#qa:`` the same when the sentence holds a quotation
mark: "…," she said." names the speaker of the quote before it). Words hold no punctuation,
so they never collide with the marked features.

A hedge cue's features are its words and its context: the cue with the word before and after
it, so that "predicted proteins" and "all possible combinations" can weigh against "may".
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from functools import lru_cache
from importlib import resources
from typing import NamedTuple

from provenance.errors import ProvenanceError
from provenance.extract.matcher import (
    ATTRIBUTION_RULES,
    CATEGORY_RULE_OF,
    CATEGORY_RULES,
    HEDGE_RULES,
    Hit,
    kept_hits,
    scan_hits,
)
from provenance.extract.rules_loader import Rule, RuleFile

# Punctuation becomes a space, a digit becomes 0: "p<0.05" -> "p 0 00", "48%" -> "00%".
_PUNCTUATION = "!\"#&'()*+,-./:;<=>?@[\\]^_`{|}~«»…“”‘’„‚–—―•·′″§¶†‡" + "".join(
    chr(c) for c in range(0x2000, 0x2010)
)
_TOKENS = str.maketrans({**{c: " " for c in _PUNCTUATION}, **{d: "0" for d in "123456789"}})
# The same for ASCII text, as bytes: about ten times faster than str.translate with a dict.
_ASCII_TOKENS = bytes(ord(_TOKENS.get(b, chr(b))) for b in range(128)) + bytes(range(128, 256))
# Other text: its non-ASCII punctuation becomes a space by one regex, then its ASCII characters
# are mapped in its UTF-8 bytes (a multi-byte character's bytes are all non-ASCII, which the
# table keeps): character for character what ``_TOKENS`` does, a quarter of the time.
_WIDE_PUNCTUATION = re.compile(
    "[" + "".join(re.escape(c) for c in _PUNCTUATION if not c.isascii()) + "]"
)

_CATEGORY_SECTIONS = tuple("#r:" + name for name in CATEGORY_RULES.sections)

_RULE_CATEGORY = tuple("#k:" + name for name in CATEGORY_RULES.sections)


def rule_feature(rule: Rule) -> str:
    """The feature of a category rule that fired: by its stable name (``rules_loader.rule_name``),
    so that the model's weights stay with their rule when other rules are added or moved."""
    return "#rr:" + rule.name


# Per ``match.lastgroup`` of a category hit: its rule's feature.
_RULE_FEATURE = {group: rule_feature(rule) for group, rule in CATEGORY_RULE_OF.items()}

# Per rule feature: its rule (``describe``).
_FEATURE_RULE = {rule_feature(rule): rule for rule in CATEGORY_RULES.rules}

_JOIN = " ".join

# Length and capitalisation features by count (fewer than 8 words short, 20 medium, 40 long).
_LENGTH = ("#ns",) * 8 + ("#nm",) * 12 + ("#nl",) * 20

_CAPS = ("#caps0", "#caps1", "#caps2", "#caps3")

_SECTION = re.compile(r"\[([a-z]+)\]$")

# A capital after whitespace: as many as "\s[A-Z]" finds, but the engine skips to the next
# capital by itself instead of trying every character.
_CAPITALISED = re.compile(r"[A-Z](?<=\s[A-Z])")

# The same count for ASCII text: its bytes with whitespace (what re's \s is there) as " "
# and capitals as "A", then the pairs " A" counted (they cannot overlap).
_SPACE_CAPITAL = bytes(32 if chr(b).isspace() else 65 if 65 <= b <= 90 else 120 for b in range(256))


def capitalised(text: str) -> int:
    """How many capitals follow whitespace in ``text``."""
    if text.isascii():
        return text.encode("ascii").translate(_SPACE_CAPITAL).count(b" A")
    return len(_CAPITALISED.findall(text))


def load_words(name: str) -> tuple[int, dict[str, frozenset[str]]]:
    """A word-list file of ``rules/``: its version (``version: N``, first), and its
    ``[section]`` headers with one word or phrase a line (``#`` comments)."""
    text = resources.files("provenance.extract").joinpath("rules").joinpath(name).read_text("utf-8")
    sections: dict[str, set[str]] = {}
    current: set[str] | None = None
    version: int | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if version is None:
            found = re.fullmatch(r"version:\s*(\d+)", line)
            if found is None:
                raise ProvenanceError(f"rules/{name}, line {number}: expected 'version: N' first")
            version = int(found.group(1))
            continue
        header = _SECTION.match(line)
        if header is not None:
            current = sections.setdefault(header.group(1), set())
        elif current is None:
            raise ProvenanceError(f"rules/{name}, line {number}: a word before any [section]")
        else:
            current.add(" ".join(line.lower().split()))
    if version is None:
        raise ProvenanceError(f"rules/{name}: expected 'version: N' first")
    return version, {section: frozenset(words) for section, words in sections.items()}


#: The words change decisions, so their version is part of the rule set's (a changed list
#: reclassifies unchanged documents on the next ingest).
SOURCE_WORDS_VERSION, SOURCE_WORDS = load_words("sources.words")
_SPEECH = SOURCE_WORDS["speech"]
_SOURCE = SOURCE_WORDS["source"]
# Most sentences hold neither: one set test for both first.
_SPEECH_OR_SOURCE = _SPEECH | _SOURCE


#: What a sentence shows its neighbours (``Prepared.flags``, a subsequence of these).
FLAGS = ("say", "src", "quote")

# Per mark, per flags a sentence can hold: their features ("#p:" + "say", ...).
_MARKED = {
    mark: {
        flags: tuple(mark + flag for flag in flags)
        for flags in itertools.chain.from_iterable(
            itertools.combinations(FLAGS, size) for size in range(len(FLAGS) + 1)
        )
    }
    for mark in ("#o:", "#p:", "#a:", "#qp:", "#qa:")
}


class Prepared(NamedTuple):
    """What one sentence's own scan yields, before its neighbours are known (a named tuple:
    built for every sentence, it must be cheap)."""

    text: str
    lowered: str
    words: list[str]
    terms: list[str]  # the words, then the word pairs
    category_hits: list[Hit]
    hedge_hits: list[Hit]
    attribution_hits: list[Hit]
    cited: bool
    flags: tuple[str, ...]  # what a neighbour sees: "say", "src", "quote"

    def source_words(self) -> list[str]:
        """Its words and phrases that say or name a source, in order."""
        return [t for t in self.terms if t in _SPEECH or t in _SOURCE]


def lower_case(text: str) -> str:
    """``text`` lower-cased with every character kept at its offset (rules match this)."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    # Rare: a character such as "İ" lower-cases to two; keep those as they are.
    return "".join(low if len(low := ch.lower()) == 1 else ch for ch in text)


def words_of(lowered: str) -> list[str]:
    """The sentence's words as the model sees them."""
    if lowered.isascii():
        return lowered.encode("ascii").translate(_ASCII_TOKENS).decode("ascii").split()
    spaced = _WIDE_PUNCTUATION.sub(" ", lowered).encode("utf-8", "surrogatepass")
    return spaced.translate(_ASCII_TOKENS).decode("utf-8", "surrogatepass").split()


def prepare(text: str, cited: bool = False) -> Prepared:
    """A sentence scanned once by the rules: what it and its neighbours' decisions need."""
    lowered = lower_case(text)
    category_hits, hedge_hits, attribution_hits = scan_hits(lowered)
    words = words_of(lowered)
    terms = [*words, *map(_JOIN, itertools.pairwise(words))]
    flags: tuple[str, ...] = ()
    if not _SPEECH_OR_SOURCE.isdisjoint(terms):
        if not _SPEECH.isdisjoint(terms):
            flags += ("say",)
        if not _SOURCE.isdisjoint(terms):
            flags += ("src",)
    if '"' in text or "“" in text or "”" in text:
        flags += ("quote",)
    # tuple.__new__: a named tuple's own __new__ is a Python function, built for every sentence.
    return _NEW_PREPARED(
        Prepared,
        (
            text,
            lowered,
            words,
            terms,
            kept_hits(category_hits) if category_hits else category_hits,
            kept_hits(hedge_hits) if hedge_hits else hedge_hits,
            kept_hits(attribution_hits) if attribution_hits else attribution_hits,
            cited,
            flags,
        ),
    )


_NEW_PREPARED = tuple.__new__


def rule_section(sentence: Prepared) -> int | None:
    """The category section the rules alone would choose (the first with a cue), if any."""
    hits = sentence.category_hits
    if not hits:
        return None
    return min(hit[1] for hit in hits) if len(hits) > 1 else hits[0][1]


def sentence_features(
    sentence: Prepared, before: Prepared | None, after: Prepared | None
) -> list[str]:
    """The features of one sentence among its neighbours (None: none on that side)."""
    words = sentence.words
    features = sentence.terms.copy()
    count = len(words)
    if count:
        features.append("^" + words[0])
        if count > 1:
            features.append("^" + words[0] + " " + words[1])
    features.append(_LENGTH[count] if count < 40 else "#nx")
    features.append(_CAPS[min(capitalised(sentence.text), 3)])
    hits = sentence.category_hits
    if hits:
        for hit in hits:
            features.append(_CATEGORY_SECTIONS[hit[1]])
            features.append(_RULE_FEATURE[hit[4].lastgroup])  # type: ignore[index]
        section = rule_section(sentence)
        assert section is not None
        features.append(_RULE_CATEGORY[section])
    else:
        features.append("#k:-")
    for hit in sentence.attribution_hits:
        features.append("#v:" + str(hit[1]))
    if sentence.cited:
        features.append("#cited")
    own = sentence.flags
    if own:
        features.extend(_MARKED["#o:"][own])
    if before is None:
        features.append("#p:none")
    elif before.flags:
        features.extend(_MARKED["#p:"][before.flags])
    if after is not None and after.flags:
        features.extend(_MARKED["#a:"][after.flags])
    if "quote" in own:
        if before is not None:
            features.extend(_MARKED["#qp:"][before.flags])
        if after is not None:
            features.extend(_MARKED["#qa:"][after.flags])
    return features


def hedge_features(lowered: str, hit: Hit) -> list[str]:
    """The features of one hedge cue (a hit of hedges.rules) in its sentence."""
    start, end = hit[2], hit[3]
    cue = " ".join(words_of(lowered[start:end]))
    before = words_of(lowered[max(0, start - 40) : start])[-2:]
    after = words_of(lowered[end : end + 40])[:2]
    previous = before[-1] if before else "^"
    earlier = before[-2] if len(before) > 1 else "^"
    following = after[0] if after else "$"
    later = after[1] if len(after) > 1 else "$"
    return [
        "cue:" + cue,
        f"cn:{cue} {following}",
        f"pc:{previous} {cue}",
        f"cnn:{cue} {following} {later}",
        f"ppc:{earlier} {previous} {cue}",
        "n1:" + following,
        "p1:" + previous,
    ]


def rules_digest(
    rule_files: tuple[RuleFile, ...] = (CATEGORY_RULES, HEDGE_RULES, ATTRIBUTION_RULES),
    words: dict[str, frozenset[str]] = SOURCE_WORDS,
) -> str:
    """A digest of what the files whose hits are features say (by default the package's:
    ``categories.rules``, ``hedges.rules``, ``attribution.rules`` and ``sources.words``):
    their sections and rules in order, and the word lists; not their comments, line numbers
    or versions. The model records the digest of the rules it was trained against
    (``evaluation/train.py``), and a test fails when the shipped model's is not the current
    one."""
    said: dict[str, object] = {
        rules.name: [rules.sections, [[rule.section, rule.text] for rule in rules.rules]]
        for rules in rule_files
    }
    said["sources.words"] = {name: sorted(listed) for name, listed in words.items()}
    canonical = json.dumps(said, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


#: How much of a long rule's pattern an explanation quotes.
DESCRIBED_PATTERN = 60


@lru_cache(maxsize=4096)
def describe(feature: str) -> str:
    """A feature as a domain expert reads it."""
    if feature.startswith("#r:"):
        return f"rule [{feature[3:]}]"
    if feature.startswith("#rr:"):
        rule = _FEATURE_RULE.get(feature)
        section, _, digest = feature[4:].partition(":")
        if rule is None:  # a model older than the rules (a test checks the shipped one)
            named = f"[{section}] {digest}" if digest else section
            return f"rule {named}, no longer in the rules"
        pattern = rule.text
        if len(pattern) > DESCRIBED_PATTERN:
            return f'rule [{section}] "{pattern[:DESCRIBED_PATTERN]}"…'
        return f'rule [{section}] "{pattern}"'
    if feature.startswith("#k:"):
        return f"rules alone: {feature[3:]}" if feature != "#k:-" else "no category rule"
    if feature.startswith("#v:"):
        return "vague attribution cue"
    if feature.startswith("#caps"):
        return f"capitalised words: {feature[5:]}"
    if feature.startswith("#n"):
        size = {"s": "short", "m": "medium", "l": "long", "x": "very long"}[feature[2:]]
        return f"length: {size}"
    marks = {
        "#o:": "this sentence: ",
        "#p:": "sentence before: ",
        "#a:": "sentence after: ",
        "#qp:": "quote, sentence before: ",
        "#qa:": "quote, sentence after: ",
    }
    for mark, said in marks.items():
        if feature.startswith(mark):
            return said + {"say": "speech verb", "src": "named source"}.get(
                feature[len(mark) :], feature[len(mark) :]
            )
    if feature == "#cited":
        return "citation"
    if feature.startswith("^"):
        return f'starts "{feature[1:]}"'
    return f'"{feature}"'
