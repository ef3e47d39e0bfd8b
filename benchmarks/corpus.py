"""The generated corpus of the ingest benchmark: documents of prose calibrated on real texts.

Sentences are built from shapes (short reports, plain claims, trials with doses and confidence
intervals, compound sentences, lists of outcomes) in proportions calibrated on the real prose
in this repository; ``bench_ingest.py`` documents the calibration. Deterministic for a seed.

Longer than 500 lines because most of it is data: the vocabulary (subjects, targets, outcomes,
designs, names, journals) and one small function per sentence shape, read as one table.
"""

from __future__ import annotations

import itertools
import json
import random
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

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
