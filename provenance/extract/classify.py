"""Classification of one statement: category, certainty, attribution, and what decided each.

Rules and a learned model work together (see ``docs/design.md``, "Classification"):

- The rules (``rules/*.rules``, syntax at the top of ``categories.rules``) are scanned ONCE
  over the lower-cased sentence (``matcher.scan_hits``). Their hits are features of the model,
  and the precise ones decide on their own: a ``[meta]`` or ``[personal]`` rule sets the
  category (the text speaking about itself or the writer), a citation marker makes the
  attribution ``cited``.
- Otherwise a linear model over the sentence's words, word pairs, rule hits and its
  neighbours' attribution cues (``features.py``, weights in ``rules/classifier.json``,
  ``model.py``) chooses the category and the attribution (none, vague, named).
- Certainty is decided cue by cue: every hedge-rule hit is weighed in its context by the
  hedge-cue model ("may" is a hedge; "predicted proteins", "all possible combinations" are
  not); the sentence is hedged when one cue is.

Each decision records what decided it: ``category_cues`` holds the rule and its cue
("meta: in this article") or the model's probability and the present features that weigh most
for the category ('finding: model 0.91', '"we found"', 'rule [recommendation] "should"': a
rule is named by its section and pattern, ``features.describe``); ``attribution_cues`` the cue
words (and the neighbour that named a quote's speaker); ``hedge_cues`` the hedge words kept.
:func:`explain` prints the whole decision. Deterministic: integer weights, fixed order.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields

from provenance.extract.features import (
    SOURCE_WORDS_VERSION,
    Prepared,
    describe,
    hedge_features,
    prepare,
    rule_section,
    sentence_features,
)
from provenance.extract.matcher import (
    ATTRIBUTION_RULES,
    CATEGORY_RULES,
    HEDGE_RULES,
    Hit,
)
from provenance.extract.model import load_model
from provenance.extract.rules_loader import GAP_MARK
from provenance.models import Attribution, Category, Certainty

_CUE_SPACE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Classification:
    category: Category
    category_cues: list[str] = field(default_factory=list)
    certainty: Certainty = Certainty.asserted
    hedge_cues: list[str] = field(default_factory=list)
    attribution: Attribution = Attribution.none
    attribution_cues: list[str] = field(default_factory=list)


MODEL = load_model()


RULESET_VERSION = (
    f"categories-{CATEGORY_RULES.version}"
    f".hedges-{HEDGE_RULES.version}"
    f".attribution-{ATTRIBUTION_RULES.version}"
    f".sources-{SOURCE_WORDS_VERSION}"
    f".model-{MODEL.version}"
)


_GAP_JOIN = f" {GAP_MARK} "


def _cue_text(hit: Hit, text: str) -> str:
    names = hit[5]
    if names is None:  # one part: the whole match
        cue = text[hit[2] : hit[3]]
    else:  # the first part's (empty) group closes where the part ends
        match = hit[4]
        cue = _GAP_JOIN.join(
            [text[hit[2] : match.end(names[0])], *[text[slice(*match.span(n))] for n in names[1:]]]
        )
    # Printable: the only whitespace in it is " " (no other whitespace is printable).
    if cue.isprintable() and "  " not in cue and cue[:1] != " " and cue[-1:] != " ":
        return cue
    return _CUE_SPACE.sub(" ", cue).strip()


def _cue_texts(hits: list[Hit], text: str) -> list[str]:
    if len(hits) == 1:
        return [_cue_text(hits[0], text)]
    cues: dict[str, None] = {}
    for hit in hits:
        cues.setdefault(_cue_text(hit, text))
    return list(cues)


# Per category section: its category and the prefix of its cues.
_SECTION_CATEGORY = tuple(Category(name) for name in CATEGORY_RULES.sections)


_SECTION_PREFIX = tuple(f"{category.value}: " for category in _SECTION_CATEGORY)


#: Categories whose rules are precise enough to decide without the model (measured on the
#: development split: ``evaluation/train.py`` reports both ways).
RULE_DECIDES = frozenset({Category.meta, Category.personal})


_DECIDING_SECTIONS = frozenset(
    index for index, category in enumerate(_SECTION_CATEGORY) if category in RULE_DECIDES
)


def _rule_category(kept: list[Hit], text: str) -> tuple[Category, list[str]] | None:
    """The category a precise rule decides (the first such section in precedence order)."""
    sections = [hit[1] for hit in kept if hit[1] in _DECIDING_SECTIONS]
    if not sections:
        return None
    section = min(sections)
    cues = _cue_texts([hit for hit in kept if hit[1] == section], text)
    return _SECTION_CATEGORY[section], [_SECTION_PREFIX[section] + cue for cue in cues]


def hedge_cues(text: str) -> list[str]:
    """The hedge cues of ``text`` that the hedge-cue model keeps (empty: asserted)."""
    return classify_sentence(text).hedge_cues


# Classification's slots set through their own descriptors: the same object as its frozen
# dataclass __init__ builds (which sets each field through object.__setattr__), at half the
# cost. They are set in field order: the assert checks that the slots are the fields.
_SETTERS: tuple[Callable[[Classification, object], None], ...] = tuple(
    getattr(Classification, name).__set__ for name in Classification.__slots__
)


assert Classification.__slots__ == tuple(f.name for f in fields(Classification))


_NEW = object.__new__


_HEDGED, _ASSERTED = Certainty.hedged, Certainty.asserted


_CITED, _NAMED, _VAGUE, _NONE = (
    Attribution.cited,
    Attribution.named,
    Attribution.vague,
    Attribution.none,
)


_SENTENCE = MODEL.sentence


_CATEGORY_COUNT = len(_SENTENCE.categories)


_CATEGORY_RANGE = range(_CATEGORY_COUNT)


_ATTRIBUTION_OF = {_CATEGORY_COUNT + k: a for k, a in enumerate(_SENTENCE.attributions)}


#: Per category index: the features that weigh most for it, their sort keys (unique,
#: model.py), and how an expert reads them, so the strongest present features are found by
#: one set intersection and sorting a few integers. Indexed by position, not by category: an
#: enum member hashes through Python code.
_INDICATIVE = tuple(
    frozenset(feature for feature, key in _SENTENCE.indicative[c].items() if key)
    for c in _SENTENCE.categories
)


_INDICATIVE_KEY = tuple(_SENTENCE.indicative[c].__getitem__ for c in _SENTENCE.categories)


_DESCRIBED = tuple(
    {key: describe(feature) for feature, key in _SENTENCE.indicative[category].items()}
    for category in _SENTENCE.categories
)


#: The head of each category's model cue ("finding: model 0.91").
_MODEL_CUE = tuple(f"{category.value}: model " for category in _SENTENCE.categories)


#: Below this probability the model defers to the category rules when one fired (their
#: precedence order decides, as before the model), unless the rules' choice is one of
#: ``MODEL_DECIDES``. Chosen on the development split (README "Measured"): the distilled model
#: is right more often than every rule section there, so the rules keep only the sections
#: and the margin where deferring to them costs dev almost nothing (0.754 against 0.756 with
#: no deferring at all) and keeps the example article, which the rules were written for,
#: closer to its labels (83 of 99 against 67).
RULES_BELOW = 0.8


#: The rule sections the unsure model is not overruled by: where, on the development split,
#: deferring to them lost most (recommendation: 35 sentences changed, the rule right on 7, the
#: model on 25; efficacy 20: 3 against 14; causal and quantitative, as before).
MODEL_DECIDES = frozenset(
    {Category.causal, Category.quantitative, Category.efficacy, Category.recommendation}
)


_FALLBACK_SECTIONS = frozenset(
    index for index, category in enumerate(_SECTION_CATEGORY) if category not in MODEL_DECIDES
)


#: The sections of hedges.rules whose cues the hedge-cue model does not weigh.
_FIRM = frozenset(i for i, name in enumerate(HEDGE_RULES.sections) if name == "firm")


#: A [hedge] cue is kept unless the hedge-cue model scores it below this (it must be rather
#: sure the use is technical). Chosen on the development split and BioScope abstracts
#: (README "Measured").
HEDGE_BELOW = -0.25


_HEDGE_BELOW = round(HEDGE_BELOW * MODEL.hedge.scale)


#: How many of the present features that weigh most for a category its cues show.
TOP_FEATURES = 3


def _model_category(
    sentence: Prepared, scores: tuple[int, ...], present: list[str]
) -> tuple[Category, list[str]]:
    # The first best: what max over the range would choose, in C.
    index = scores.index(max(scores[:_CATEGORY_COUNT]))
    probability = _SENTENCE.probability(scores, index)
    if probability < RULES_BELOW:
        section = rule_section(sentence)
        if section in _FALLBACK_SECTIONS:
            prefix = _SECTION_PREFIX[section]
            hits = [hit for hit in sentence.category_hits if hit[1] == section]
            cues = [prefix + cue for cue in _cue_texts(hits, sentence.text)]
            model = _SENTENCE.categories[index].value
            cues.append(f"model unsure ({model} {probability:.2f}): the rule decides")
            return _SECTION_CATEGORY[section], cues
    # The sort keys are unique (model.py): one order whatever the string hashes of the process.
    strongest = sorted(map(_INDICATIVE_KEY[index], _INDICATIVE[index].intersection(present)))
    cues = [_MODEL_CUE[index] + format(probability, ".2f")]
    cues.extend(map(_DESCRIBED[index].__getitem__, reversed(strongest[-TOP_FEATURES:])))
    return _SENTENCE.categories[index], cues


def _speaks(neighbour: Prepared | None) -> bool:
    return neighbour is not None and "say" in neighbour.flags and "src" in neighbour.flags


def _neighbour_cues(
    sentence: Prepared, before: Prepared | None, after: Prepared | None
) -> list[str]:
    if "quote" not in sentence.flags:
        return []
    cues = []
    if _speaks(before):
        cues.append("quote: speaker named in the sentence before")
    if _speaks(after):
        cues.append("quote: speaker named in the sentence after")
    return cues


def decide(sentence: Prepared, before: Prepared | None, after: Prepared | None) -> Classification:
    """Classify one prepared sentence among its neighbours (None: none on that side)."""
    text = sentence.text
    present = sentence_features(sentence, before, after)
    scores = _SENTENCE.scores(present)
    kept = sentence.category_hits
    ruled = _rule_category(kept, text) if kept else None
    category, category_cues = ruled or _model_category(sentence, scores, present)
    hedges: list[str] = []
    if sentence.hedge_hits:
        lowered = sentence.lowered
        score = MODEL.hedge.score
        accepted = [
            hit
            for hit in sentence.hedge_hits
            if hit[1] in _FIRM or score(hedge_features(lowered, hit)) > _HEDGE_BELOW
        ]
        if accepted:
            hedges = _cue_texts(accepted, text)
    attribution_hits = sentence.attribution_hits
    if sentence.cited:
        attribution = _CITED
        attribution_cues = _cue_texts(attribution_hits, text) if attribution_hits else []
    else:
        best = max(scores[_CATEGORY_COUNT:])
        attribution = _ATTRIBUTION_OF[scores.index(best, _CATEGORY_COUNT)]
        flags = sentence.flags
        if attribution is _NAMED and attribution_hits and "src" not in flags:
            # A named source needs a word that names one: an appeal to unnamed sources
            # ("according to new data") with none is vague, whatever the model heard.
            attribution = _VAGUE
        elif attribution is _NONE:
            # The rules that decide when the model does not see a source (it learned from
            # few vague and named sentences): an appeal to unnamed sources is vague; a verb of
            # saying with a word that names a source is named.
            # A quotation whose neighbour names a source with a verb of saying is named too.
            if attribution_hits:
                attribution = _VAGUE
            elif ("src" in flags and "say" in flags) or (
                "quote" in flags and (_speaks(before) or _speaks(after))
            ):
                attribution = _NAMED
        if attribution is _NAMED:
            attribution_cues = list(dict.fromkeys(sentence.source_words()))
            attribution_cues.extend(_neighbour_cues(sentence, before, after))
        elif attribution is _VAGUE and attribution_hits:
            attribution_cues = _cue_texts(attribution_hits, text)
        else:
            attribution_cues = []
    decided: Classification = _NEW(Classification)
    set_category, set_cues, set_certainty, set_hedges, set_attribution, set_attribution_cues = (
        _SETTERS
    )
    set_category(decided, category)
    set_cues(decided, category_cues)
    set_certainty(decided, _HEDGED if hedges else _ASSERTED)
    set_hedges(decided, hedges)
    set_attribution(decided, attribution)
    set_attribution_cues(decided, attribution_cues)
    return decided


def classify_sentence(text: str, *, cited: bool = False) -> Classification:
    """Classify one statement on its own. ``cited``: a citation marker was found in it."""
    return decide(prepare(text, cited), None, None)


def classify_sentences(texts: Sequence[str], cited: Sequence[bool]) -> list[Classification]:
    """Classify a document's statements in reading order: each sees its neighbours' cues."""
    # A window of three prepared sentences, not the whole document's: a prepared sentence
    # (tokens, rule hits, features) weighs far more than its decision, and a document may hold
    # hundreds of thousands of statements.
    decided: list[Classification] = []
    previous: Prepared | None = None
    current: Prepared | None = None
    for text, flag in zip(texts, cited, strict=True):
        following = prepare(text, flag)
        if current is not None:
            decided.append(decide(current, previous, following))
        previous, current = current, following
    if current is not None:
        decided.append(decide(current, previous, None))
    return decided


def _softmax(scores: Sequence[int], scale: float) -> list[float]:
    best = max(scores)
    exps = [math.exp((s - best) / scale) for s in scores]
    total = sum(exps)
    return [e / total for e in exps]


def _contributions(present: list[str], index: int) -> list[tuple[float, str]]:
    counts = Counter(present)
    weighed = [(_SENTENCE.weight(f, index) * n, f) for f, n in counts.items()]
    return sorted((w, f) for w, f in weighed if w)


def explain(
    text: str, *, before: str | None = None, after: str | None = None, cited: bool = False
) -> str:
    """The whole decision on ``text`` (with its neighbouring sentences, if given), as text."""
    sentence = prepare(text, cited)
    previous = prepare(before) if before is not None else None
    following = prepare(after) if after is not None else None
    decided = decide(sentence, previous, following)
    present = sentence_features(sentence, previous, following)
    scores = _SENTENCE.scores(present)
    scale = _SENTENCE.scale
    lines = [f"sentence: {text}", ""]
    lines.append(f"category: {decided.category.value}")
    lines.extend(f"  decided by: {cue}" for cue in decided.category_cues[:1])
    section = rule_section(sentence)
    if section is not None:
        hits = [hit for hit in sentence.category_hits if hit[1] == section]
        lines.append(
            f"  the rules alone: {_SECTION_CATEGORY[section].value}"
            f" ({'; '.join(_cue_texts(hits, text))})"
        )
    else:
        lines.append("  the rules alone: no category rule fired")
    probabilities = _softmax(scores[:_CATEGORY_COUNT], scale)
    ranked = sorted(_CATEGORY_RANGE, key=lambda k: (-probabilities[k], k))
    lines.append(
        "  model: "
        + ", ".join(f"{_SENTENCE.categories[k].value} {probabilities[k]:.2f}" for k in ranked[:4])
    )
    chosen = _SENTENCE.categories.index(decided.category)
    weighed = _contributions(present, chosen)
    lines.append(f"  weighed most for {decided.category.value}:")
    lines.extend(f"    {w:+.2f}  {describe(f)}" for w, f in reversed(weighed[-6:]) if w > 0)
    lines.append("  weighed most against:")
    lines.extend(f"    {w:+.2f}  {describe(f)}" for w, f in weighed[:3] if w < 0)
    lines.append("")
    lines.append(f"certainty: {decided.certainty.value}")
    if not sentence.hedge_hits:
        lines.append("  no hedge word")
    for hit in sentence.hedge_hits:
        cue = _cue_text(hit, text)
        if hit[1] in _FIRM:
            lines.append(f'  "{cue}": hedge (a firm hedge word, not weighed)')
            continue
        score = MODEL.hedge.score(hedge_features(sentence.lowered, hit))
        verdict = "hedge" if score > _HEDGE_BELOW else "not a hedge here"
        context = text[max(0, hit[2] - 30) : hit[3] + 30].replace("\n", " ")
        lines.append(
            f'  "{cue}": {verdict} (model {score / MODEL.hedge.scale:+.2f},'
            f' kept above {HEDGE_BELOW:+.2f}) in "…{context}…"'
        )
    lines.append("")
    lines.append(f"attribution: {decided.attribution.value}")
    if sentence.cited:
        lines.append("  a citation marker decides")
    else:
        attribution = _softmax(scores[_CATEGORY_COUNT:], scale)
        lines.append(
            "  model: "
            + ", ".join(
                f"{a.value} {p:.2f}"
                for a, p in zip(_SENTENCE.attributions, attribution, strict=True)
            )
        )
    if decided.attribution_cues:
        lines.append("  cues: " + "; ".join(decided.attribution_cues))
    return "\n".join(lines) + "\n"
