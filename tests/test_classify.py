"""Claim classification: category, certainty (hedges) and vague attribution.

The sentence tables are hand-written, not taken from the example article, so they check that
the rules generalise; the article and BioScope bars are checked against their gold files.
"""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluation import categories as category_evaluation
from evaluation import hedges as hedge_evaluation
from provenance.errors import ProvenanceError
from provenance.extract.classify import RULESET_VERSION, classify_sentence
from provenance.extract.rules_loader import RULE_FILES, load_rules, parse_rules
from provenance.models import Attribution, Category, Certainty

CATEGORY_CASES = [
    # definition: what something is, its class, role or property
    ("Magnesium is a mineral found in bones, muscles and soft tissue.", "definition"),
    ("Vitamin D refers to a group of fat-soluble secosteroids.", "definition"),
    ("Melatonin plays a central role in the sleep–wake cycle.", "definition"),
    ("Glycine is an amino acid that also acts as a neurotransmitter.", "definition"),
    ("The hippocampus is part of the limbic system.", "definition"),
    # mechanism: an agent acting on a molecular or physiological target
    ("Lithium inhibits the enzyme glycogen synthase kinase-3.", "mechanism"),
    ("Ketamine acts as an antagonist at NMDA receptors.", "mechanism"),
    ("Caffeine blocks adenosine receptors in the brain.", "mechanism"),
    ("SSRIs increase the amount of serotonin available in the synapse.", "mechanism"),
    ("Statins lower cholesterol by inhibiting HMG-CoA reductase.", "mechanism"),
    # causal: a condition or exposure leads to an outcome
    ("Chronic sleep deprivation can lead to impaired memory.", "causal"),
    ("Iron deficiency causes anaemia in many young women.", "causal"),
    ("Smoking has been linked to lung cancer.", "causal"),
    ("Excess sugar intake raises the risk of type 2 diabetes.", "causal"),
    ("Low vitamin D levels are associated with depression.", "causal"),
    ("High blood pressure damages the arteries over time.", "causal"),
    # efficacy: an intervention helps symptoms, disease or risk
    ("Melatonin supplements can improve sleep in shift workers.", "efficacy"),
    ("Regular exercise reduces the risk of heart disease.", "efficacy"),
    ("Ibuprofen relieves headache pain within an hour.", "efficacy"),
    ("Omega-3 supplements may help prevent depression.", "efficacy"),
    ("Cognitive behavioural therapy is an effective treatment for insomnia.", "efficacy"),
    # quantitative: the core is a number, dose, rate or proportion
    ("Adults should not exceed 350 mg of supplemental magnesium a day.", "quantitative"),
    ("About 48% of Americans consume less magnesium than they need.", "quantitative"),
    ("Blood levels rose by 20 percent within a week.", "quantitative"),
    ("One in four adults has high blood pressure.", "quantitative"),
    ("The trial enrolled 1,200 participants.", "quantitative"),
    # recommendation: what the reader should do
    ("Talk to your doctor before taking any new supplement.", "recommendation"),
    ("You should avoid taking magnesium with antibiotics.", "recommendation"),
    ("Pregnant women are advised to limit caffeine.", "recommendation"),
    ("Always read the label before use.", "recommendation"),
    ("It is wise to start with a low dose.", "recommendation"),
    ("Getting enough sleep is essential for recovery.", "recommendation"),
    # evidence: the state of research itself
    ("More research is needed before firm conclusions can be drawn.", "evidence"),
    ("There is limited evidence that zinc shortens colds.", "evidence"),
    ("No randomised trials have tested this combination.", "evidence"),
    ("The evidence remains inconclusive.", "evidence"),
    ("Zinc has been studied as a treatment for the common cold.", "evidence"),
    ("Large clinical trials are underway to answer this question.", "evidence"),
    # evaluative: a judgement of importance, complexity or promise
    ("The link between diet and mood is complicated.", "evaluative"),
    ("These findings are remarkable.", "evaluative"),
    ("Sleep is crucial for overall health.", "evaluative"),
    ("This approach holds great promise.", "evaluative"),
    ("Gut bacteria are an important factor in immunity.", "evaluative"),
    # meta: the text about itself
    ("In this article, we look at the evidence on magnesium and sleep.", "meta"),
    ("This guide explains how to choose a supplement.", "meta"),
    ("Read on to learn more.", "meta"),
    ("Below, we summarise the main studies.", "meta"),
    # personal: first-person experience
    ("I started taking magnesium last year and my cramps disappeared.", "personal"),
    ("In my experience, the glycinate form is gentler on the stomach.", "personal"),
    ("My doctor told me to cut back on coffee.", "personal"),
    ("I’ve never slept better.", "personal"),
]

HEDGE_CASES = [
    ("Magnesium may improve sleep.", True),
    ("These results suggest a role for zinc in immunity.", True),
    ("It is thought to act on GABA receptors.", True),
    ("A direct effect could not be excluded.", True),
    ("Zinc is unlikely to help.", True),
    ("Vitamin D might not prevent colds.", True),
    ("The drug appears to reduce pain.", True),
    ("This is a promising treatment.", True),
    ("Glutamate has been implicated in epilepsy.", True),
    ("Magnesium can potentially lower blood pressure.", True),
    ("Its role remains to be determined.", True),
    # non-hedge uses of hedge words
    ("No evidence suggests that magnesium cures migraine.", False),
    ("The protein could not be detected in serum.", False),
    ("The suggested dose is 200 mg.", False),
    ("The membrane potential was recorded in each cell.", False),
    ("The paper appeared in May 2020.", False),
    ("As indicated by the arrows, the cells divide.", False),
    ("Magnesium can relax muscles.", False),
    ("Magnesium blocks the NMDA receptor.", False),
]

ATTRIBUTION_CASES = [
    ("Research has indicated that magnesium lowers blood pressure.", "vague"),
    ("Magnesium has been shown to reduce cramps.", "vague"),
    ("Studies suggest that zinc shortens colds.", "vague"),
    ("Experts say most people get enough magnesium.", "vague"),
    ("Low magnesium has been linked to migraine.", "vague"),
    ("It is believed that stress depletes magnesium.", "vague"),
    ("Magnesium is thought to calm the nervous system.", "vague"),
    ("Evidence suggests a benefit for older adults.", "vague"),
    ("Glutamate dysregulation has been implicated in epilepsy.", "vague"),
    ("Magnesium lowers blood pressure.", "none"),
    ("No studies have examined this combination.", "none"),
    ("Take magnesium with food.", "none"),
]


@pytest.mark.parametrize(("text", "category"), CATEGORY_CASES)
def test_category(text: str, category: str) -> None:
    decided = classify_sentence(text)
    assert decided.category is Category(category), decided.category_cues
    assert decided.category_cues, "every decision records the cue that fired"


@pytest.mark.parametrize(("text", "hedged"), HEDGE_CASES)
def test_certainty(text: str, hedged: bool) -> None:
    decided = classify_sentence(text)
    assert (decided.certainty is Certainty.hedged) == hedged, decided.hedge_cues
    assert bool(decided.hedge_cues) == hedged


@pytest.mark.parametrize(("text", "attribution"), ATTRIBUTION_CASES)
def test_attribution(text: str, attribution: str) -> None:
    decided = classify_sentence(text)
    assert decided.attribution is Attribution(attribution), decided.attribution_cues
    assert bool(decided.attribution_cues) == (attribution == "vague")


def test_cited_wins_over_vague_but_keeps_the_cues() -> None:
    decided = classify_sentence("Studies suggest that zinc shortens colds [3].", cited=True)
    assert decided.attribution is Attribution.cited
    assert decided.attribution_cues == ["Studies suggest"]


def test_cues_show_the_words_that_fired_as_written() -> None:
    decided = classify_sentence("Magnesium Blocks the NMDA receptor, reducing calcium influx.")
    assert decided.category is Category.mechanism
    assert "mechanism: Blocks … receptor" in decided.category_cues
    hedged = classify_sentence("These data SUGGEST a role for zinc.")
    assert hedged.hedge_cues == ["SUGGEST"]


def test_precedence_evidence_over_evaluative() -> None:
    decided = classify_sentence("While the evidence is promising, further research is needed.")
    assert decided.category is Category.evidence


def test_no_cue_falls_back_to_definition_and_says_so() -> None:
    decided = classify_sentence("The sky over the harbour was grey.")
    assert decided.category is Category.definition
    assert decided.category_cues == ["definition: default (no category rule fired)"]


def test_sentence_spanning_lines_still_matches() -> None:
    decided = classify_sentence("Further\nresearch is\n  needed.")
    assert decided.category is Category.evidence


def test_every_rule_file_loads_and_has_a_version() -> None:
    versions = []
    for name in RULE_FILES:
        text = (
            resources.files("provenance.extract")
            .joinpath("rules")
            .joinpath(name)
            .read_text("utf-8")
        )
        header = next(
            line for line in text.splitlines() if line.strip() and not line.startswith("#")
        )
        assert re.fullmatch(r"version: \d+", header.strip()), name
        rules = load_rules(name)
        assert rules.rules and rules.version >= 1
        versions.append(f"{name.removesuffix('.rules')}-{rules.version}")
    assert ".".join(versions) == RULESET_VERSION


def test_category_sections_are_categories() -> None:
    sections = set(load_rules("categories.rules").sections)
    assert sections <= {c.value for c in Category}
    assert {c.value for c in Category} - sections == set(), "every category has a rule"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[hedge]\nmay\n", "expected 'version: N' first"),
        ("version: 1\nmay\n", "a rule before any [section]"),
        ("version: 1\n[hedge]\n(?:may\n", "bad pattern"),
        ("version: 1\n[hedge]\n(may)\n", "capturing groups"),
        ("version: 1\n[hedge]\n!may\n", "has no rules"),
        ("# only a comment\n", "no 'version: N' line"),
    ],
)
def test_bad_rule_files_are_refused_clearly(text: str, message: str) -> None:
    with pytest.raises(ProvenanceError, match=re.escape(message)):
        parse_rules(text, "rules/test.rules")


def test_huge_adversarial_sentence_is_classified() -> None:
    # Gapped rules ("blocks … receptor") and stems ("suggest…") repeated without the word
    # that would complete them: a backtracking blow-up would never finish.
    chunk = "magnesium blocks the the the the the reduces excessive may suggestsuggest "
    text = chunk * 4_000 + "x" * 100_000
    decided = classify_sentence(text)
    assert decided.certainty is Certainty.hedged
    assert decided.category is not None


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_text_classifies_consistently(text: str) -> None:
    decided = classify_sentence(text)
    assert (decided.certainty is Certainty.hedged) == bool(decided.hedge_cues)
    assert (decided.attribution is Attribution.vague) == bool(decided.attribution_cues)
    assert decided.category_cues
    squeezed = " ".join(text.split())
    for cue in decided.hedge_cues:
        assert cue in squeezed


def test_article_category_accuracy_bar() -> None:
    gold = category_evaluation.load_gold()
    assert len(gold) >= 90
    claims = category_evaluation.pipeline_claims()
    result = category_evaluation.score(gold, category_evaluation.match(gold, claims))
    assert len(result.unmatched) <= len(gold) // 10
    assert result.accuracy >= 0.9, [(g.category, p.category, g.text) for g, p in result.misses]


def test_bioscope_hedge_f1_bar() -> None:
    sentences = hedge_evaluation.load()
    assert len(sentences) == 1303
    assert hedge_evaluation.evaluate(sentences).f1 >= 0.85
    _, held_out = hedge_evaluation.halves(sentences)
    assert hedge_evaluation.evaluate(held_out).f1 >= 0.85


EXPECTED = Path(__file__).parent / "snapshots" / "classify_expected.jsonl"


def test_classifications_match_the_recorded_ones() -> None:
    # 300 sentences (BioScope, the example article, the PLOS citation files, upper-cased
    # copies and random slices) classified by the classifier before its speed work, covering
    # every cue it recorded there: the matching machinery may change, its output may not.
    # Regenerate only after an intended rule change (and bump the rule file's version).
    rows = [json.loads(line) for line in EXPECTED.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 300
    for row in rows:
        decided = classify_sentence(row["text"], cited=row["cited"])
        assert [
            decided.category.value,
            decided.category_cues,
            decided.certainty.value,
            decided.hedge_cues,
            decided.attribution.value,
            decided.attribution_cues,
        ] == [
            row["category"],
            row["category_cues"],
            row["certainty"],
            row["hedge_cues"],
            row["attribution"],
            row["attribution_cues"],
        ], row["text"]
