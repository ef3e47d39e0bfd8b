"""Score the classifier against hand-written gold labels for the example article.

Usage: python evaluation/categories.py [--gold evaluation/magnesium_categories.jsonl]
                                       [--article corpus/magnesium-glutamate.txt] [--misses]

Two figures:
- pipeline: the article is ingested (a temporary database) and each gold sentence is matched
  to the stored claim with the same text. The sentence splitter changes independently, so
  matching is by normalised text (case, quotes, whitespace), then by containment (a claim
  that merged or split gold sentences), then by a close fuzzy match; gold sentences with no
  claim are counted as unmatched, not as errors.
- classifier: ``classify_sentence`` on each gold sentence's own text (no splitter involved).

The gold categories are the 10 the article was labelled with before the taxonomy grew to 14:
the article reports no study, so finding, method, event and prediction do not apply to it.
Each gold sentence also has its certainty and attribution (labelled later, by the guide in
``docs/design.md``); the pipeline's accuracy on those is printed too.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path

from provenance.extract.classify import RULESET_VERSION, classify_sentence
from provenance.ids import normalise_text
from provenance.ingest import ingest

REPO = Path(__file__).resolve().parent.parent
GOLD = REPO / "evaluation" / "magnesium_categories.jsonl"
ARTICLE = REPO / "corpus" / "magnesium-glutamate.txt"
FUZZY_MATCH = 0.8


@dataclass(frozen=True, slots=True)
class GoldLabel:
    text: str
    category: str
    certainty: str
    attribution: str


@dataclass(frozen=True, slots=True)
class Predicted:
    text: str
    category: str
    cues: list[str]
    certainty: str = ""
    attribution: str = ""


@dataclass(slots=True)
class Score:
    total: int = 0
    correct: int = 0
    unmatched: list[str] = field(default_factory=list)
    misses: list[tuple[GoldLabel, Predicted]] = field(default_factory=list)
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0


def load_gold(path: Path = GOLD) -> list[GoldLabel]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return [
        GoldLabel(row["text"], row["category"], row["certainty"], row["attribution"])
        for row in rows
    ]


def pipeline_claims(article: Path = ARTICLE) -> list[Predicted]:
    """The article's claims as ingest stores them, in document order."""
    with tempfile.TemporaryDirectory() as folder:
        db_path = Path(folder) / "claims.db"
        ingest([article], db_path)
        conn = sqlite3.connect(db_path)
        try:
            rows = conn.execute(
                "select text, category, category_cues, certainty, attribution from claims"
                " order by start"
            ).fetchall()
        finally:
            conn.close()
    return [
        Predicted(text, category, json.loads(cues or "[]"), certainty, attribution)
        for text, category, cues, certainty, attribution in rows
    ]


def classifier_predictions(gold: list[GoldLabel]) -> list[Predicted]:
    predictions = []
    for label in gold:
        decided = classify_sentence(label.text)
        predictions.append(Predicted(label.text, decided.category.value, decided.category_cues))
    return predictions


def match(gold: list[GoldLabel], claims: list[Predicted]) -> list[Predicted | None]:
    """For each gold sentence, the claim that holds it (or None)."""
    normalised = [normalise_text(c.text) for c in claims]
    by_text: dict[str, list[int]] = {}
    for index, text in enumerate(normalised):
        by_text.setdefault(text, []).append(index)
    used: set[int] = set()
    matched: list[Predicted | None] = []
    for label in gold:
        key = normalise_text(label.text)
        exact = [i for i in by_text.get(key, []) if i not in used]
        if exact:
            used.add(exact[0])
            matched.append(claims[exact[0]])
            continue
        matched.append(_closest(key, normalised, claims))
    return matched


def _closest(key: str, normalised: list[str], claims: list[Predicted]) -> Predicted | None:
    containing = [i for i, text in enumerate(normalised) if key in text or text in key]
    if containing:
        best = max(containing, key=lambda i: min(len(key), len(normalised[i])))
        return claims[best]
    ratios = [(SequenceMatcher(None, key, text).ratio(), i) for i, text in enumerate(normalised)]
    ratio, best = max(ratios, default=(0.0, -1))
    return claims[best] if ratio >= FUZZY_MATCH else None


def agreement(gold: list[GoldLabel], predictions: list[Predicted | None], field: str) -> float:
    """The share of matched gold sentences whose ``field`` (certainty, attribution) is right."""
    pairs = [(g, p) for g, p in zip(gold, predictions, strict=True) if p is not None]
    right: int = sum(getattr(g, field) == getattr(p, field) for g, p in pairs)
    return right / len(pairs)


def score(gold: list[GoldLabel], predictions: list[Predicted | None]) -> Score:
    result = Score()
    for label, predicted in zip(gold, predictions, strict=True):
        if predicted is None:
            result.unmatched.append(label.text)
            continue
        result.total += 1
        result.confusion[(label.category, predicted.category)] += 1
        if predicted.category == label.category:
            result.correct += 1
        else:
            result.misses.append((label, predicted))
    return result


def _report(name: str, result: Score, *, show_misses: bool) -> None:
    print(
        f"{name}: {result.correct}/{result.total} = {result.accuracy:.3f}"
        + (f" ({len(result.unmatched)} gold sentences unmatched)" if result.unmatched else "")
    )
    if show_misses:
        for label, predicted in result.misses:
            print(f"  gold {label.category:14} got {predicted.category:14} {label.text[:90]}")
            print(f"  {'':19}cues: {'; '.join(predicted.cues)}")


def _confusion(result: Score) -> None:
    categories = sorted({c for pair in result.confusion for c in pair})
    width = max(len(c) for c in categories)
    corner = "gold/predicted"
    width = max(width, len(corner))
    print(f"{corner:>{width}} " + " ".join(c[:5].rjust(5) for c in categories))
    for gold_category in categories:
        counts = [result.confusion[(gold_category, p)] for p in categories]
        print(f"{gold_category:>{width}} " + " ".join(str(n or ".").rjust(5) for n in counts))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path, default=GOLD)
    parser.add_argument("--article", type=Path, default=ARTICLE)
    parser.add_argument("--misses", action="store_true", help="list every wrong sentence")
    args = parser.parse_args()
    gold = load_gold(args.gold)
    print(f"rule set {RULESET_VERSION}; {len(gold)} gold sentences")
    matched = match(gold, pipeline_claims(args.article))
    pipeline = score(gold, matched)
    _report("pipeline", pipeline, show_misses=args.misses)
    print(
        f"pipeline certainty {agreement(gold, matched, 'certainty'):.3f},"
        f" attribution {agreement(gold, matched, 'attribution'):.3f}"
    )
    classifier = score(gold, list[Predicted | None](classifier_predictions(gold)))
    _report("classifier", classifier, show_misses=False)
    _confusion(pipeline)


if __name__ == "__main__":
    main()
