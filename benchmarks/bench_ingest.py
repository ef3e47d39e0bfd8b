"""Ingest benchmark: MB/s, claims/s and peak memory, next to the floor on the same run.

Generates a deterministic corpus of realistic health-science prose (headings, paragraphs,
hedges, vague attributions, numeric and author-year citations, doses, statistics, FAQ
questions, reference lists) as many plain-text and Markdown files, ingests it with provenance
(one core, FTS included), and measures in child processes so that each figure's peak RSS is
its own:

- ingest: ``provenance.ingest.ingest(folder, db, jobs=1)`` end to end on one core;
- the same with worker processes (``--jobs``, default one per CPU), with the writer's own CPU
  time per claim: the writer does not scale with cores, so it bounds ingest (MB/s) however
  many workers feed it;
- floor: read + sha256 of every file, plus a raw ``executemany`` of the same claim rows into an
  empty copy of the claims table (what any tool storing these rows must at least pay);
- storage: the same claim rows, read back from the ingested database, written into a fresh
  database made by ``provenance.store.connection.open_database`` (the production schema: every
  index, and FTS5 filled per document) the way ingest writes them (one transaction per document
  with its ``documents`` row, the indexes built once at the end as in a bulk load, the writer's page
  cache and checkpoint interval): what SQLite alone costs per claim with that schema
  (sections, references and citations rows are left out; reading the rows back is not timed;
  the report splits claim inserts, FTS, commits, the index build and the final close);
- ingest at a quarter of the corpus, to show that peak memory does not grow with its size.

The report also gives the corpus's claim lengths (mean, quartiles), bytes per claim and the
share of distinct claim texts, so that MB/s figures from different corpora can be compared.

Since the goal is stated in MB/s, the corpus's bytes per claim matter as much as its size: the
sentences are built (short reports, plain claims, trials with doses and confidence intervals,
compound sentences with subordinate clauses, lists of outcomes) in proportions calibrated on
the real prose in this repository. Each text ingested alone (``provenance ingest FILE``), then
``length(text)`` of its claims and its bytes over its claim count; the generated figures are
from this script's ``bench.db`` (the same query), distinct = distinct claim texts / claims:

=====================================  ======  =================  ===========  ========
text                                   claims  chars/claim mean   bytes/claim  distinct
                                               (quartiles)
=====================================  ======  =================  ===========  ========
corpus/magnesium-glutamate.txt             99  146 (124/145/165)          158     100 %
data/citations/*.md (3 PLOS articles)     446  174 (116/166/222)          216     100 %
data/hedges/bioscope_abstracts.jsonl     1257  158 (109/148/193)          159     100 %
generated, generator 1 (4 MB)           46751  85 (73/84/96)               88      30 %
generated, generator 2 (100 MB)        585072  158 (108/159/200)          177    98.6 %
=====================================  ======  =================  ===========  ========

(BioScope: the abstracts' sentences joined into one paragraph per abstract; its raw sentences
average 152 characters, quartiles 106/145/187.) Headings are 1.4 % of the generated text
(real: 1.4 % PLOS, 6.4 % the magnesium article), reference lists 8 % (real: 16.5 % PLOS,
none in the others); 28 % of claims are cited, 8 % vaguely attributed, a third hedged.

Usage: ``python benchmarks/bench_ingest.py [--mb 100] [--documents 400]``
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import os
import random
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent / "out"

# Bump when the generated text changes: it is part of the cached corpus's key.
GENERATOR_VERSION = 2


@dataclass(frozen=True, slots=True)
class _Subject:
    name: str  # as at the start of a sentence
    lower: str  # inside a sentence
    plural: bool
    dose: tuple[float, float, float, str] | None  # low, high, step, unit; None: a regimen
    regimens: tuple[str, ...] = ()

    def verb(self, singular: str, plural: str) -> str:
        return plural if self.plural else singular


def _s(
    name: str,
    dose: tuple[float, float, float, str] | None,
    *regimens: str,
    plural: bool = False,
) -> _Subject:
    keep = len(name) > 1 and (name[1].isupper() or name[1] == "-")
    return _Subject(name, name if keep else name[0].lower() + name[1:], plural, dose, regimens)


SUBJECTS = [
    _s("Magnesium", (200, 600, 50, "mg/day")),
    _s("Magnesium citrate", (150, 450, 50, "mg/day")),
    _s("Zinc", (10, 50, 5, "mg/day")),
    _s("Vitamin D", (400, 4000, 200, "IU/day")),
    _s("Omega-3 fatty acids", (1, 4, 0.5, "g/day"), plural=True),
    _s("Creatine", (3, 20, 1, "g/day")),
    _s("Melatonin", (0.5, 10, 0.5, "mg at bedtime")),
    _s("Curcumin", (500, 2000, 250, "mg/day")),
    _s("Caffeine", (1, 6, 0.5, "mg/kg")),
    _s("Dietary fibre", (10, 40, 5, "g/day")),
    _s("Vitamin B12", (250, 2000, 250, "µg/day")),
    _s("Iron", (30, 120, 15, "mg every other day")),
    _s("Folate", (400, 5000, 200, "µg/day")),
    _s("Selenium", (50, 300, 25, "µg/day")),
    _s("Vitamin C", (250, 2000, 250, "mg/day")),
    _s("L-theanine", (100, 400, 50, "mg/day")),
    _s("Coenzyme Q10", (100, 600, 50, "mg/day")),
    _s("N-acetylcysteine", (600, 2400, 600, "mg/day")),
    _s("Berberine", (500, 1500, 250, "mg/day")),
    _s("Potassium", (1000, 3500, 500, "mg/day")),
    _s("Vitamin K2", (45, 360, 45, "µg/day")),
    _s("Probiotic supplementation", (1, 50, 1, "billion CFU/day")),
    _s("Intermittent fasting", None, "a 16:8 schedule", "alternate-day fasting", "the 5:2 diet"),
    _s(
        "Aerobic exercise",
        None,
        "three 40-minute sessions per week",
        "150 minutes per week",
        "brisk walking five days a week",
    ),
    _s("Resistance training", None, "two sessions per week", "three supervised sessions weekly"),
    _s("Time-restricted eating", None, "an 8-hour eating window", "a 10-hour eating window"),
    _s("Mindfulness meditation", None, "20 minutes daily", "an 8-week MBSR course"),
    _s("The Mediterranean diet", None, "extra olive oil", "extra nuts"),
    _s("Sleep deprivation", None, "one night without sleep", "5 hours in bed per night"),
    _s("Chronic stress", None, "shift work", "caregiving"),
]
TARGETS = [
    "the NMDA receptor",
    "glutamate transporters",
    "insulin signalling",
    "the gut microbiome",
    "mitochondrial function",
    "cortisol release",
    "calcium influx",
    "oxidative stress",
    "inflammatory cytokines such as IL-6 and TNF-α",
    "serotonin synthesis",
    "endothelial function",
    "bone remodelling",
    "the hypothalamic–pituitary–adrenal axis",
    "AMP-activated protein kinase",
    "GABA-A receptors",
    "the renin–angiotensin system",
    "hepatic glucose output",
    "short-chain fatty acid production",
    "NF-κB activation",
    "brain-derived neurotrophic factor",
    "circadian clock genes",
    "lipid peroxidation",
    "vascular smooth muscle tone",
    "intestinal barrier integrity",
]
OUTCOMES = [
    "migraine frequency",
    "depressive symptoms",
    "insulin resistance",
    "cognitive decline",
    "the risk of cardiovascular disease",
    "muscle cramps",
    "anxiety scores",
    "sleep quality",
    "seizure frequency",
    "fatigue",
    "the risk of type 2 diabetes",
    "neuropathic pain",
    "systolic blood pressure",
    "HbA1c",
    "LDL cholesterol",
    "fasting glucose",
    "C-reactive protein",
    "all-cause mortality",
    "the risk of hip fracture",
    "grip strength",
    "sleep onset latency",
    "waist circumference",
    "body weight",
    "the incidence of upper respiratory infections",
    "exercise performance",
    "working memory",
    "reaction time",
    "self-reported stress",
    "bone mineral density",
    "the risk of preterm birth",
    "symptoms of irritable bowel syndrome",
    "headache days per month",
    "triglycerides",
    "resting heart rate",
    "the risk of atrial fibrillation",
    "hot flushes",
]
POPULATIONS = [
    "older adults",
    "postmenopausal women",
    "adults with type 2 diabetes",
    "children aged 6–12 years",
    "patients undergoing haemodialysis",
    "healthy volunteers",
    "competitive athletes",
    "pregnant women",
    "night-shift workers",
    "people with episodic migraine",
    "adults with obesity",
    "patients with heart failure",
    "adolescents",
    "nursing-home residents",
    "people with chronic kidney disease",
    "university students",
    "adults with mild cognitive impairment",
    "women with polycystic ovary syndrome",
    "stroke survivors",
    "current smokers",
    "adults with hypertension",
    "patients with major depressive disorder",
]
DESIGNS = [
    "a randomised, double-blind, placebo-controlled trial",
    "a randomised crossover trial",
    "an open-label pilot study",
    "a prospective cohort study",
    "a nested case-control study",
    "a cross-sectional survey",
    "a retrospective analysis of registry data",
    "a multicentre randomised trial",
    "a secondary analysis of the {cohort} data",
    "a pooled analysis of {k} cohorts",
]
COHORTS = ["UK Biobank", "NHANES", "Framingham", "ARIC", "EPIC", "MESA", "Whitehall II", "HUNT"]
NAMES = [
    "Smith",
    "Lee",
    "Nguyen",
    "Okafor",
    "Lindqvist",
    "García",
    "Rossi",
    "Tanaka",
    "Kowalski",
    "Müller",
    "Haddad",
    "Patel",
    "Chen",
    "O'Brien",
    "Johansson",
    "Silva",
    "Novak",
    "Ivanova",
    "Khan",
    "Dubois",
    "Andersen",
    "Kim",
    "Moreau",
    "Schmidt",
    "Costa",
    "Yamamoto",
    "Fischer",
    "Walsh",
    "Mensah",
    "Jensen",
    "Bauer",
    "Santos",
    "Hoffmann",
    "Wang",
    "Park",
    "Becker",
    "Adeyemi",
    "Petrov",
    "Larsen",
    "Fernández",
]
JOURNALS = [
    "J Nutr",
    "Am J Clin Nutr",
    "Nutrients",
    "BMJ",
    "Lancet",
    "JAMA",
    "N Engl J Med",
    "Eur J Clin Nutr",
    "Neurology",
    "Sleep",
    "Diabetes Care",
    "Br J Nutr",
    "PLoS Med",
    "Clin Nutr",
    "J Clin Endocrinol Metab",
    "Headache",
    "Psychopharmacology (Berl)",
    "Hypertension",
]
DRUGS = [
    "anticoagulants such as warfarin",
    "levothyroxine",
    "proton-pump inhibitors",
    "tetracycline antibiotics",
    "SSRIs",
    "metformin",
    "bisphosphonates",
    "diuretics",
    "immunosuppressants",
    "antiepileptic drugs",
]
ADVERSE = [
    "diarrhoea",
    "nausea",
    "abdominal discomfort",
    "headache",
    "insomnia",
    "dizziness",
    "a metallic taste",
    "constipation",
    "skin rash",
    "palpitations",
]
ATTRIBUTIONS = [
    "Studies suggest that",
    "Some researchers believe that",
    "Experts say that",
    "Observational data indicate that",
    "It has been proposed that",
    "Many clinicians think that",
    "There is some evidence that",
    "Proponents argue that",
    "Several reviews have concluded that",
    "It is widely reported that",
]
MECHANISM_VERBS = [
    ("inhibits", "inhibit"),
    ("modulates", "modulate"),
    ("up-regulates", "up-regulate"),
    ("acts on", "act on"),
    ("dampens", "dampen"),
    ("enhances", "enhance"),
    ("interferes with", "interfere with"),
]
CONFOUNDERS = [
    "age",
    "sex",
    "body mass index",
    "smoking status",
    "physical activity",
    "alcohol intake",
    "education",
    "total energy intake",
    "baseline blood pressure",
    "use of statins",
]
REFERENCE_DESIGNS = [
    "a randomized controlled trial",
    "a prospective cohort study",
    "a systematic review and meta-analysis",
    "a pilot study",
]
HEADINGS = [
    "Background",
    "Introduction",
    "Mechanisms of action",
    "Clinical evidence",
    "Dosage and timing",
    "Safety and interactions",
    "Study design",
    "Participants",
    "Statistical analysis",
    "Results",
    "Discussion",
    "Strengths and limitations",
    "Conclusion",
    "Practical recommendations",
    "Effects of {s} on {o}",
    "{S} and {t}",
    "Who might benefit from {s}",
    "Evidence from trials in {p}",
]


def _pick(rng: random.Random, values: list[str], count: int) -> str:
    """``count`` distinct values as an English list: "a, b and c"."""
    chosen = rng.sample(values, count)
    return ", ".join(chosen[:-1]) + " and " + chosen[-1] if count > 1 else chosen[0]


def _dose(rng: random.Random, subject: _Subject) -> str:
    if subject.dose is None:
        return rng.choice(subject.regimens)
    low, high, step, unit = subject.dose
    value = low + step * rng.randint(0, int((high - low) / step))
    return f"{value:g} {unit}" if value < 10_000 else f"{value:,.0f} {unit}"


def _ratio(rng: random.Random) -> tuple[float, float, float]:
    value = rng.uniform(0.45, 1.6)
    return value, value * rng.uniform(0.6, 0.93), value * rng.uniform(1.07, 1.5)


def _p(rng: random.Random) -> str:
    return rng.choice(
        [
            "p < 0.001",
            "p < 0.01",
            f"p = 0.0{rng.randint(1, 4)}",
            f"p = {rng.randint(5, 49) / 1000:.3f}",
        ]
    )


def _stat(rng: random.Random) -> str:
    """A parenthesised estimate: "(HR 0.74, 95% CI 0.61–0.89)" and its variants."""
    kind = rng.random()
    if kind < 0.55:
        value, low, high = _ratio(rng)
        name = rng.choice(["HR", "OR", "RR", "hazard ratio", "odds ratio", "relative risk"])
        text = f"{name} {value:.2f}, 95% CI {low:.2f}–{high:.2f}"
        if rng.random() < 0.3:
            text += f"; {_p(rng)}"
    elif kind < 0.8:
        value = rng.uniform(0.3, 12)
        unit = rng.choice(["mmHg", "mg/dL", "points", "minutes", "kg", "%", "mmol/L"])
        low, high = value * rng.uniform(1.3, 1.9), value * rng.uniform(0.1, 0.7)
        text = f"mean difference −{value:.1f} {unit}, 95% CI −{low:.1f} to −{high:.1f}"
    elif kind < 0.9:
        value, low, high = _ratio(rng)
        text = f"pooled RR {value:.2f}, 95% CI {low:.2f}–{high:.2f}, I² = {rng.randint(0, 85)}%"
    else:
        text = _p(rng)
    return f"({text})"


def _numeric_cite(rng: random.Random, references: int) -> str:
    first = rng.randint(1, references)
    kind = rng.random()
    if kind < 0.55 or first + 3 > references:
        return f"[{first}]"
    if kind < 0.8:
        return f"[{first},{rng.randint(first + 1, references)}]"
    return f"[{first}–{first + rng.randint(2, 3)}]"


def _author_year(rng: random.Random) -> str:
    def one() -> str:
        name, year = rng.choice(NAMES), rng.randint(1995, 2024)
        kind = rng.random()
        if kind < 0.6:
            return f"{name} et al., {year}"
        if kind < 0.85:
            return f"{name} and {rng.choice(NAMES)}, {year}"
        return f"{name}, {year}"

    return f"({one()}; {one()})" if rng.random() < 0.25 else f"({one()})"


def _cite(rng: random.Random, references: int) -> str:
    """A citation before the final period, or (three times in four) nothing."""
    kind = rng.random()
    if kind < 0.15:
        return " " + _numeric_cite(rng, references)
    if kind < 0.25:
        return " " + _author_year(rng)
    return ""


def _end(rng: random.Random, references: int) -> str:
    """The end of a sentence: its citation and period (sometimes "…disease.[12]")."""
    if rng.random() < 0.04:
        return "." + _numeric_cite(rng, references)
    return _cite(rng, references) + "."


class _Draw:
    """Random parts of one sentence: its subject, outcomes, numbers and ending."""

    def __init__(self, rng: random.Random, references: int) -> None:
        self.rng = rng
        self.references = references
        self.subject = rng.choice(SUBJECTS)
        self.S, self.s = self.subject.name, self.subject.lower
        self.t, self.t2 = rng.sample(TARGETS, 2)
        self.o, self.o2, self.o3 = rng.sample(OUTCOMES, 3)
        self.pop = rng.choice(POPULATIONS)
        self.n = rng.randint(24, 12_000)
        self.weeks = rng.choice([4, 6, 8, 10, 12, 16, 24, 26, 52])

    def pick(self, *values: str) -> str:
        return self.rng.choice(values)

    def name(self) -> str:
        return self.rng.choice(NAMES)

    def verb(self, singular: str, plural: str) -> str:
        return self.subject.verb(singular, plural)

    def dose(self) -> str:
        return _dose(self.rng, self.subject)

    def stat(self) -> str:
        return _stat(self.rng)

    def cite(self) -> str:
        return _cite(self.rng, self.references)

    def end(self) -> str:
        return _end(self.rng, self.references)

    def percent(self) -> int:
        return self.rng.randint(2, 95)


# Sentence builders, each with its weight: short reporting sentences (60–110 characters),
# plain claims, and long compound sentences, in proportions that give the claim lengths of
# the real texts (see the module docstring).
def _essential(d: _Draw) -> str:
    return (
        f"{d.S} {d.verb('is', 'are')} involved in more than {d.rng.randint(100, 600)}"
        f" enzymatic reactions, including several that regulate {d.t} and {d.t2}{d.end()}"
    )


def _mechanism(d: _Draw) -> str:
    tail = d.pick(
        f", which in turn {d.pick('reduces', 'limits', 'stabilises')} {d.t2}",
        f", thereby limiting {d.t2}",
        f", an effect first described in animal models by {d.name()} et al."
        f" ({d.rng.randint(1995, 2024)})",
        "",
    )
    more = f", and this may partly explain its effect on {d.o}" if d.rng.random() < 0.4 else ""
    return f"{d.S} {d.verb(*d.rng.choice(MECHANISM_VERBS))} {d.t}{tail}{more}{d.end()}"


def _trial(d: _Draw) -> str:
    design = d.rng.choice(DESIGNS).format(cohort=d.rng.choice(COHORTS), k=d.rng.randint(3, 12))
    return (
        f"In {design} of {d.n:,} {d.pop}, {d.s} ({d.dose()})"
        f" {d.pick('reduced', 'lowered', 'improved', 'did not change')} {d.o}"
        f" {d.pick('compared with placebo', 'relative to usual care', 'versus control')}"
        f" over {d.weeks} weeks {d.stat()}{d.end()}"
    )


def _cohort(d: _Draw) -> str:
    return (
        f"{d.name()} et al. followed {d.n:,} {d.pop} for {d.rng.uniform(2, 20):.1f} years and"
        f" found that the highest {d.pick('quintile', 'quartile', 'tertile')} of {d.s} intake"
        f" had a {d.rng.randint(5, 45)}% lower risk of {d.o} than the lowest {d.stat()},"
        f" after adjustment for {_pick(d.rng, CONFOUNDERS, d.rng.randint(2, 3))}{d.end()}"
    )


def _attributed(d: _Draw) -> str:
    caveat = d.pick(
        "",
        "",
        f", although most of the evidence comes from small trials in {d.rng.choice(POPULATIONS)}",
        f", particularly at doses of {d.dose()} or more"
        if d.subject.dose
        else f", particularly with {d.dose()}",
        f" when taken for at least {d.weeks} weeks",
    )
    verb = d.pick("lower", "improve", "reduce", "help with", "protect against")
    return f"{d.rng.choice(ATTRIBUTIONS)} {d.s} may {verb} {d.o} in {d.pop}{caveat}{d.end()}"


def _mixed(d: _Draw) -> str:
    return (
        f"Although {d.s} improved {d.o} in an early trial of {d.rng.randint(20, 120)} {d.pop}"
        f" {d.cite().strip() or _author_year(d.rng)},"
        f" {d.pick('a larger trial', 'a later meta-analysis', 'later studies')} found no"
        f" significant effect {d.stat()}, which may reflect differences in"
        f" {d.pick('dose', 'baseline status', 'adherence', 'the populations studied')}{d.end()}"
    )


def _outcome_list(d: _Draw) -> str:
    return (
        f"{d.pick('Secondary outcomes included', 'The trial also assessed', 'Outcomes were')}"
        f" {_pick(d.rng, OUTCOMES, d.rng.randint(3, 5))}, each measured at baseline and at"
        f" {d.weeks} weeks by assessors blinded to allocation{d.end()}"
    )


def _guideline(d: _Draw) -> str:
    if d.subject.dose is None:
        return (
            f"In trials, {d.rng.choice(d.subject.regimens)} was enough to change {d.o} in"
            f" {d.pop} within {d.rng.randint(2, 9)} weeks{d.end()}"
        )
    low, high, step, unit = d.subject.dose
    source = d.pick("dietary guidelines", "EFSA", "the Institute of Medicine", "the NHS")
    who = d.pick("adults", "older adults", "women", "men", "adolescents")
    return (
        f"Most {who} need around {low:g}–{low + step * d.rng.randint(1, 3):g} {unit},"
        f" according to {source}, and intakes above {high:g} {unit} may cause"
        f" {_pick(d.rng, ADVERSE, 2)} in {d.pop}{d.end()}"
    )


def _adverse(d: _Draw) -> str:
    return (
        f"Adverse events occurred in {d.rng.randint(2, 30)}% of participants taking {d.s} and"
        f" {d.rng.randint(2, 30)}% of those on placebo, and most were mild"
        f" {_pick(d.rng, ADVERSE, d.rng.randint(1, 3))}{d.end()}"
    )


def _consult(d: _Draw) -> str:
    condition = d.pick("kidney disease", "a bleeding disorder", "liver disease", d.o)
    return (
        f"Consult a healthcare provider before starting {d.s} ({d.dose()}) if you take"
        f" {d.rng.choice(DRUGS)} or have {condition}, as {d.pop} may respond differently."
    )


def _further(d: _Draw) -> str:
    return (
        f"Further research is needed to establish the optimal"
        f" {d.pick('dose', 'duration', 'formulation', 'timing')} of {d.s} for {d.o}, and to"
        f" identify which {d.pop} are most likely to benefit{d.end()}"
    )


def _complex(d: _Draw) -> str:
    studies = d.pick("most studies measured", "few trials reported", "cohorts recorded")
    return (
        f"The relationship between {d.s} and {d.t} is complex and not fully understood in"
        f" {d.pop}, in part because {studies}"
        f" {d.pick('serum levels', 'dietary intake', 'adherence', 'baseline status')}"
        f" {d.pick('only once', 'at baseline only', 'by self-report', 'inconsistently')}{d.end()}"
    )


def _quote(d: _Draw) -> str:
    return (
        f"Dr. {d.name()}, who led the {d.weeks}-week trial in {d.n:,} {d.pop}, said the results"
        f" were {d.pick('encouraging', 'modest', 'surprising', 'promising')} but cautioned that"
        f" {d.o} {d.pick('fluctuates', 'varies')} widely"
        f" {d.pick('from week to week', 'with the seasons', 'between individuals')}."
    )


def _eg_ie(d: _Draw) -> str:
    how = d.pick("receptor density", "gene expression", "membrane permeability", "enzyme activity")
    return (
        f"{d.S} {d.verb('appears', 'appear')} to act on {d.t}, e.g. by changing {how}, i.e."
        f" over weeks rather than hours, so trials shorter than {d.weeks} weeks may miss an"
        f" effect on {d.o}{d.end()}"
    )


def _tolerated(d: _Draw) -> str:
    return (
        f"{d.name()} et al. reported that {d.s} at {d.dose()} was well tolerated in"
        f" {d.n:,} {d.pop} ({_p(d.rng)}), with {d.rng.choice(ADVERSE)} the only adverse event"
        f" more frequent than with placebo{d.end()}"
    )


def _meta(d: _Draw) -> str:
    return (
        f"A meta-analysis of {d.rng.randint(4, 40)} randomised trials ({d.n * 3:,} participants)"
        f" found that {d.s} reduced {d.o} {d.stat()}, but the certainty of the evidence was"
        f" {d.pick('low', 'moderate', 'very low')} owing to"
        f" {d.pick('risk of bias', 'imprecision', 'inconsistency', 'publication bias')}{d.end()}"
    )


def _because(d: _Draw) -> str:
    return (
        f"Because {d.s} {d.verb('modulates', 'modulate')} {d.t}, which is itself implicated in"
        f" {d.o}, several authors have proposed that it could help {d.pop}, although this has"
        f" not been tested directly{d.end()}"
    )


def _consistent(d: _Draw) -> str:
    return (
        f"These findings agree with earlier work by {d.name()} et al. in {d.pop}, who reported"
        f" a {d.rng.randint(5, 60)}% reduction in {d.o}{d.end()}"
    )


def _no_effect(d: _Draw) -> str:
    return f"{d.S} had no effect on {d.o} {d.stat()}{d.end()}"


def _small_effect(d: _Draw) -> str:
    return (
        f"The effect on {d.o} was small {d.stat()} and did not persist beyond {d.weeks}"
        f" weeks{d.end()}"
    )


def _explores(d: _Draw) -> str:
    return f"This section explores whether {d.s} influences {d.o} or {d.o2} in {d.pop}."


def _excess(d: _Draw) -> str:
    return f"Excess {d.s} has been linked to {d.o} and {d.o3} in {d.pop}{d.end()}"


def _claim(d: _Draw) -> str:
    verb = d.pick("lowers", "reduces", "improves", "worsens", "does not affect")
    if d.subject.plural:
        verb = {"does not affect": "do not affect"}.get(verb, verb[:-1])
    return f"{d.S} {verb} {d.o} in {d.pop}{d.end()}"


def _baseline(d: _Draw) -> str:
    return (
        f"Mean age was {d.rng.uniform(18, 80):.1f} years, and {d.percent()}% of the"
        f" {d.n:,} participants were women."
    )


def _adherence(d: _Draw) -> str:
    return (
        f"Adherence, assessed by {d.pick('pill counts', 'diaries', 'serum levels')}, was"
        f" {d.rng.randint(60, 99)}% in the {d.s} group ({d.dose()}) and"
        f" {d.rng.randint(60, 99)}% with placebo."
    )


def _follow_up(d: _Draw) -> str:
    done = d.rng.randint(d.n * 3 // 4, d.n)
    return f"Follow-up was complete for {done:,} of {d.n:,} participants ({100 * done // d.n}%)."


def _dropout(d: _Draw) -> str:
    return (
        f"Dropout was similar between groups ({d.rng.randint(3, 25)}% vs."
        f" {d.rng.randint(3, 25)}%), and {d.rng.randint(0, 40)} withdrawals were due to"
        f" {d.rng.choice(ADVERSE)}."
    )


def _subgroup(d: _Draw) -> str:
    return (
        f"The effect of {d.s} on {d.o} was similar in"
        f" {d.pick('women and men', 'younger and older participants', 'each centre')}"
        f" (p for interaction = {d.rng.randint(10, 99) / 100:.2f})."
    )


def _deficiency(d: _Draw) -> str:
    return f"Low {d.s} status was found in {d.percent()}% of {d.pop}{d.end()}"


SENTENCES: list[tuple[Callable[[_Draw], str], int]] = [
    (_essential, 2),
    (_mechanism, 7),
    (_trial, 6),
    (_cohort, 2),
    (_attributed, 3),
    (_mixed, 3),
    (_outcome_list, 2),
    (_guideline, 3),
    (_adverse, 2),
    (_consult, 2),
    (_further, 2),
    (_complex, 2),
    (_quote, 2),
    (_eg_ie, 3),
    (_tolerated, 2),
    (_meta, 2),
    (_because, 2),
    (_consistent, 2),
    (_no_effect, 3),
    (_small_effect, 2),
    (_explores, 2),
    (_excess, 3),
    (_claim, 3),
    (_baseline, 2),
    (_adherence, 1),
    (_follow_up, 1),
    (_dropout, 1),
    (_subgroup, 1),
    (_deficiency, 1),
]
_BUILDERS = [builder for builder, _ in SENTENCES]
_CUMULATIVE = list(itertools.accumulate(weight for _, weight in SENTENCES))


def _sentence(rng: random.Random, references: int) -> str:
    draw = _Draw(rng, references)
    return rng.choices(_BUILDERS, cum_weights=_CUMULATIVE)[0](draw)


def _heading(rng: random.Random) -> str:
    subject = rng.choice(SUBJECTS)
    return rng.choice(HEADINGS).format(
        S=subject.name,
        s=subject.lower,
        o=rng.choice(OUTCOMES),
        t=rng.choice(TARGETS),
        p=rng.choice(POPULATIONS),
    )


def _question(rng: random.Random) -> str:
    subject = rng.choice(SUBJECTS)
    s, o = subject.lower, rng.choice(OUTCOMES)
    return rng.choice(
        [
            f"Can {s} help with {o}?",
            f"How much {s} is needed to see an effect on {o}?",
            f"Is it safe to combine {s} with {rng.choice(DRUGS)}?",
            f"Does {s} work better for {o} in {rng.choice(POPULATIONS)}?",
        ]
    )


def _reference(rng: random.Random, number: int) -> str:
    """A Vancouver- or PLOS-style entry with a title made of the same vocabulary."""
    authors = [
        f"{rng.choice(NAMES)} {rng.choice('ABCDEFGHJKLMNPRSTW')}{rng.choice(['', 'A', 'J', 'M'])}"
        for _ in range(rng.randint(1, 6))
    ]
    subject = rng.choice(SUBJECTS)
    title = (
        f"{rng.choice(['Effect of', 'Influence of', 'Long-term effects of', 'Effects of'])}"
        f" {subject.lower} on {rng.choice(OUTCOMES)} in {rng.choice(POPULATIONS)}:"
        f" {rng.choice(REFERENCE_DESIGNS)}"
    )
    year, volume, page = rng.randint(1990, 2024), rng.randint(1, 160), rng.randint(1, 2400)
    last = page + rng.randint(3, 14)
    journal = rng.choice(JOURNALS)
    if rng.random() < 0.5:
        entry = f"{', '.join(authors)} ({year}) {title}. {journal} {volume}: {page}-{last}."
    else:
        prefix, suffix = rng.randint(1000, 9999), rng.randint(10, 99999)
        doi = f"10.{prefix}/{journal.split()[0].lower()}.{year}.{suffix}"
        entry = (
            f"{', '.join(authors)}. {title}. {journal}. {year};{volume}({rng.randint(1, 12)}):"
            f"{page}–{last}. doi:{doi}"
        )
    return f"{number}. {entry}"


def _document(rng: random.Random, size: int, markdown: bool) -> str:
    """One article: title, sections of paragraphs (FAQ questions in text files), references.

    About one byte in twelve is the reference list, as in a review article; citations point
    into it.
    """
    references = max(10, size // 2300)
    body = size - references * 175
    subject = rng.choice(SUBJECTS)
    title = (
        f"{subject.name} and {rng.choice(OUTCOMES)}:"
        f" {rng.choice(['what the evidence says', 'a review', 'mechanisms and clinical trials'])}"
    )
    end = "\n\n" if markdown else "\n"
    parts = [f"# {title}\n" if markdown else f"{title}\n"]
    total = 0
    while total < body:
        level = "##" if not markdown or rng.random() < 0.6 else "###"
        heading = _heading(rng)
        parts.append(f"\n{level} {heading}\n\n" if markdown else f"{heading}\n")
        if not markdown and rng.random() < 0.15:
            question = _question(rng)
            parts.append(question + end)
            total += len(question)
        for _ in range(rng.randint(1, 4)):
            paragraph = " ".join(_sentence(rng, references) for _ in range(rng.randint(2, 7)))
            parts.append(paragraph + end)
            total += len(paragraph)
    parts.append("\n## References\n\n" if markdown else "References\n")
    parts.extend(_reference(rng, number) + "\n" for number in range(1, references + 1))
    return "".join(parts)


def generate_corpus(folder: Path, megabytes: int, documents: int, seed: int = 20261124) -> int:
    """Write the corpus (cached by its parameters); returns its size in bytes."""
    stamp = folder / ".params.json"
    params = {
        "mb": megabytes,
        "documents": documents,
        "seed": seed,
        "generator": GENERATOR_VERSION,
    }
    if stamp.exists() and json.loads(stamp.read_text()) == params:
        return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and p != stamp)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    rng = random.Random(seed)
    per_document = megabytes * 1_000_000 // documents
    for index in range(documents):
        markdown = index % 2 == 1
        subfolder = folder / f"batch{index // 100:02d}"
        subfolder.mkdir(exist_ok=True)
        name = f"doc{index:05d}.{'md' if markdown else 'txt'}"
        (subfolder / name).write_text(_document(rng, per_document, markdown), encoding="utf-8")
    stamp.write_text(json.dumps(params))
    return generate_corpus(folder, megabytes, documents, seed)


def _child(args: list[str]) -> tuple[float, float, int, str]:
    """Run this script's phase in a child: wall and CPU seconds, peak RSS in KiB, stdout."""
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, __file__, *args], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"phase {args[0]} failed with status {status}")
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, output


def phase_ingest(corpus: Path, db: Path, limit: int | None, jobs: int) -> None:
    from provenance.extract.read import find_sources
    from provenance.ingest import ingest

    files = find_sources([corpus])
    if limit is not None:
        files = files[:limit]
    db.unlink(missing_ok=True)
    summary = ingest(files, db, jobs=jobs)
    # This process alone: with worker processes, the writer's own CPU time.
    own = resource.getrusage(resource.RUSAGE_SELF)
    print(
        json.dumps(
            {
                "claims": summary.claims,
                "documents": len(summary.outcomes),
                "own_cpu_s": own.ru_utime + own.ru_stime,
            }
        )
    )


def phase_floor(corpus: Path, db: Path, floor_db: Path) -> None:
    started = time.perf_counter()
    for path in sorted(p for p in corpus.rglob("*") if p.suffix in {".txt", ".md"}):
        hashlib.sha256(path.read_bytes()).hexdigest()
    read_seconds = time.perf_counter() - started
    floor_db.unlink(missing_ok=True)
    source = sqlite3.connect(db)
    target = sqlite3.connect(floor_db)
    create = source.execute("select sql from sqlite_master where name = 'claims'").fetchone()[0]
    target.execute(create)
    columns = [row[1] for row in source.execute("pragma table_info(claims)")]
    insert = (
        f"insert into claims ({', '.join(f'[{c}]' for c in columns)})"
        f" values ({', '.join('?' for _ in columns)})"
    )
    rows = source.execute(f"select {', '.join(f'[{c}]' for c in columns)} from claims")
    started = time.perf_counter()
    with target:
        target.executemany(insert, rows)
    insert_seconds = time.perf_counter() - started
    print(json.dumps({"read_sha256_s": read_seconds, "executemany_s": insert_seconds}))


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in conn.execute(f"pragma table_info([{table}])")]


def _select(
    source: sqlite3.Connection, target: sqlite3.Connection, table: str, where: str, key: Any
) -> tuple[str, list[Any]]:
    """The insert into target of ``table``'s rows matching ``where`` in source, and the rows.

    Only the columns both schemas have, so that the benchmark survives schema changes.
    """
    wanted = set(_columns(target, table))
    columns = [f"[{c}]" for c in _columns(source, table) if c in wanted]
    rows = source.execute(f"select {', '.join(columns)} from [{table}] where {where}", [key])
    insert = (
        f"insert into [{table}] ({', '.join(columns)}) values ({', '.join('?' * len(columns))})"
    )
    return insert, rows.fetchall()


def phase_storage(db: Path, storage_db: Path) -> None:
    """The claim rows of ``db`` into a fresh production database, one transaction a document,
    written the way ingest writes them: the secondary indexes built once at the end (a bulk
    load, :mod:`provenance.store.bulk`), the writer's page cache and checkpoint interval.

    Only the transactions, the index build and the final close are timed (rows are read from
    ``db`` before each transaction).
    """
    from provenance.ingest import INGEST_CACHE_KIB, INGEST_WAL_CHECKPOINT_PAGES
    from provenance.store import bulk
    from provenance.store.connection import open_database

    for path in (storage_db, Path(f"{storage_db}-wal"), Path(f"{storage_db}-shm")):
        path.unlink(missing_ok=True)
    database = open_database(storage_db)
    target = database.conn
    target.execute(f"PRAGMA cache_size = -{INGEST_CACHE_KIB}")
    target.execute(f"PRAGMA wal_autocheckpoint = {INGEST_WAL_CHECKPOINT_PAGES}")
    source = sqlite3.connect(db)
    with target:
        for (run_id,) in source.execute("select id from runs").fetchall():
            target.executemany(*_select(source, target, "runs", "id = ?", run_id))
    # As ingest fills it for a first version: the rows just inserted (their rowids follow the
    # largest before them; during a bulk load no index on document exists).
    fts = "insert into claims_fts(rowid, text) select rowid, text from claims where rowid > ?"
    wall = claims_seconds = fts_seconds = commit_seconds = 0.0
    deferred: bool | None = None
    for (document_id,) in source.execute("select id from documents order by rowid").fetchall():
        document = _select(source, target, "documents", "id = ?", document_id)
        claims = _select(source, target, "claims", "document_id = ?", document_id)
        started = time.perf_counter()
        target.execute("BEGIN IMMEDIATE")
        if deferred is None:
            deferred = bulk.defer_indexes(database)
        target.executemany(*document)
        claims_started = time.perf_counter()
        last_rowid = target.execute("select max(rowid) from claims").fetchone()[0] or 0
        target.executemany(*claims)
        fts_started = time.perf_counter()
        target.execute(fts, [last_rowid])
        fts_ended = time.perf_counter()
        target.execute("COMMIT")
        ended = time.perf_counter()
        wall += ended - started
        claims_seconds += fts_started - claims_started
        fts_seconds += fts_ended - fts_started
        commit_seconds += ended - fts_ended
    count = target.execute("select count(*) from claims").fetchone()[0]
    started = time.perf_counter()
    bulk.restore_indexes(database)
    index_seconds = time.perf_counter() - started
    wall += index_seconds
    started = time.perf_counter()
    target.close()  # folds the write-ahead log back into the file, as the ingest's close does
    close_seconds = time.perf_counter() - started
    wall += close_seconds
    print(
        json.dumps(
            {
                "claims": count,
                "wall_s": wall,
                "claims_s": claims_seconds,
                "fts_s": fts_seconds,
                "commit_s": commit_seconds,
                "index_s": index_seconds,
                "close_s": close_seconds,
            }
        )
    )


def claim_statistics(db: Path) -> dict[str, Any]:
    """Claim lengths in characters (mean, quartiles) and the share of distinct claim texts."""
    conn = sqlite3.connect(db)
    lengths = [row[0] for row in conn.execute("select length(text) from claims")]
    distinct = conn.execute("select count(distinct text) from claims").fetchone()[0]
    conn.close()
    return {
        "mean": statistics.fmean(lengths),
        "quartiles": [round(q) for q in statistics.quantiles(lengths, n=4)],
        "distinct": distinct / len(lengths),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=100, help="corpus size in MB (default 100)")
    parser.add_argument("--documents", type=int, default=400)
    parser.add_argument("--phase", choices=["ingest", "floor", "storage"], help=argparse.SUPPRESS)
    parser.add_argument("--limit", type=int, help=argparse.SUPPRESS)
    parser.add_argument(
        "--jobs", type=int, default=0, help="workers for the parallel run (0: one per CPU)"
    )
    args = parser.parse_args()
    corpus = OUT / "corpus"
    db = OUT / "bench.db"
    if args.phase == "ingest":
        target = db if args.limit is None else OUT / "quarter.db"
        phase_ingest(corpus, target, args.limit, args.jobs)
        return
    if args.phase == "floor":
        phase_floor(corpus, db, OUT / "floor.db")
        return
    if args.phase == "storage":
        phase_storage(db, OUT / "storage.db")
        return

    size = generate_corpus(corpus, args.mb, args.documents)
    megabytes = size / 1e6
    quarter = args.documents // 4
    one_core = ["--phase", "ingest", "--jobs", "1"]
    q_seconds, _, q_rss, _ = _child([*one_core, "--limit", str(quarter)])
    p_seconds, _, p_rss, p_output = _child(["--phase", "ingest", "--jobs", str(args.jobs)])
    writer_cpu = json.loads(p_output)["own_cpu_s"]
    seconds, cpu, rss, output = _child(one_core)
    counts = json.loads(output)
    _, _, floor_rss, floor_output = _child(["--phase", "floor"])
    floor = json.loads(floor_output)
    floor_seconds = floor["read_sha256_s"] + floor["executemany_s"]
    _, _, storage_rss, storage_output = _child(["--phase", "storage"])
    storage = json.loads(storage_output)
    lengths = claim_statistics(db)
    claims = counts["claims"]
    report = {
        "python": sys.version.split()[0],
        "corpus_mb": round(megabytes, 1),
        "documents": counts["documents"],
        "claims": claims,
        "claim_chars_mean": round(lengths["mean"], 1),
        "claim_chars_quartiles": lengths["quartiles"],
        "bytes_per_claim": round(size / claims, 1),
        "distinct_claims_share": round(lengths["distinct"], 4),
        "ingest_s": round(seconds, 2),
        "ingest_mb_per_s": round(megabytes / seconds, 2),
        "ingest_cpu_s": round(cpu, 2),
        "ingest_mb_per_cpu_s": round(megabytes / cpu, 2),
        "ingest_claims_per_s": round(claims / seconds),
        "ingest_us_per_claim": round(seconds / claims * 1e6, 1),
        "ingest_peak_rss_mb": round(rss / 1024, 1),
        "quarter_corpus_peak_rss_mb": round(q_rss / 1024, 1),
        "parallel_jobs": args.jobs or os.cpu_count(),
        "parallel_ingest_s": round(p_seconds, 2),
        "parallel_mb_per_s": round(megabytes / p_seconds, 2),
        "parallel_writer_peak_rss_mb": round(p_rss / 1024, 1),
        # The writer (the parent of the workers) is the one part that does not scale with
        # cores: its CPU per claim bounds ingest however many workers feed it.
        "parallel_writer_cpu_us_per_claim": round(writer_cpu / counts["claims"] * 1e6, 1),
        "writer_bound_mb_per_s": round(megabytes / writer_cpu, 2),
        "quarter_corpus_mb_per_s": round(megabytes / 4 / q_seconds, 2),
        "floor_read_sha256_s": round(floor["read_sha256_s"], 2),
        "floor_executemany_s": round(floor["executemany_s"], 2),
        "floor_mb_per_s": round(megabytes / floor_seconds, 2),
        "floor_peak_rss_mb": round(floor_rss / 1024, 1),
        "floor_us_per_claim": round(floor_seconds / claims * 1e6, 1),
        "storage_claims": storage["claims"],
        "storage_s": round(storage["wall_s"], 2),
        "storage_claims_insert_s": round(storage["claims_s"], 2),
        "storage_fts_s": round(storage["fts_s"], 2),
        "storage_commit_s": round(storage["commit_s"], 2),
        "storage_index_s": round(storage["index_s"], 2),
        "storage_close_s": round(storage["close_s"], 2),
        "storage_us_per_claim": round(storage["wall_s"] / storage["claims"] * 1e6, 1),
        "storage_mb_per_s": round(megabytes / storage["wall_s"], 2),
        "storage_peak_rss_mb": round(storage_rss / 1024, 1),
        "db_mb": round((OUT / "bench.db").stat().st_size / 1e6, 1),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
