"""Score the shipped classifier on the labelled sentences: per category, certainty, attribution.

Usage: python -m evaluation.classify [--split test|dev|train] [--misses N] [--genres]

For the chosen split (default ``test``, the split nothing was tuned on) it prints: the
category accuracy (a prediction counts when it is the gold category or one of the gold
alternatives), precision and recall per category, the confusion table (gold rows, predicted
columns, counting only wrong predictions off the diagonal), certainty accuracy and hedge
precision/recall, attribution accuracy with per-class precision/recall; with ``--genres``
the accuracies per genre. Each sentence is classified as ingest classifies it: among its
document's neighbours, with ``cited`` from the citation finder.
"""

from __future__ import annotations

import argparse
from collections import Counter
from dataclasses import dataclass, field

from evaluation.labelled import Labelled, load, of_split
from provenance.extract.classify import RULESET_VERSION, Classification, decide
from provenance.models import Attribution, Category


@dataclass(slots=True)
class Scores:
    total: int = 0
    category: int = 0
    certainty: int = 0
    attribution: int = 0
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)
    hedge: Counter[str] = field(default_factory=Counter)  # tp / fp / fn
    attributions: Counter[tuple[str, str]] = field(default_factory=Counter)
    misses: list[tuple[Labelled, Classification]] = field(default_factory=list)

    def add(self, row: Labelled, decided: Classification) -> None:
        self.total += 1
        predicted = decided.category.value
        right = row.category_ok(predicted)
        self.category += right
        self.confusion[(row.category, row.category if right else predicted)] += 1
        if not right:
            self.misses.append((row, decided))
        hedged, gold_hedged = decided.certainty.value == "hedged", row.certainty == "hedged"
        self.certainty += hedged == gold_hedged
        if hedged or gold_hedged:
            self.hedge["tp" if hedged and gold_hedged else "fp" if hedged else "fn"] += 1
        self.attribution += decided.attribution.value == row.attribution
        self.attributions[(row.attribution, decided.attribution.value)] += 1

    def accuracy(self, name: str) -> float:
        return float(getattr(self, name)) / self.total if self.total else 0.0


def classify_rows(rows: list[Labelled]) -> list[Classification]:
    return [decide(row.prepared, row.before, row.after) for row in rows]


def score(rows: list[Labelled]) -> Scores:
    result = Scores()
    for row, decided in zip(rows, classify_rows(rows), strict=True):
        result.add(row, decided)
    return result


def _ratio(a: int, b: int) -> str:
    return f"{a / b:.2f}" if b else "  - "


def report(name: str, result: Scores) -> None:
    print(
        f"{name}: {result.total} sentences; category {result.accuracy('category'):.3f},"
        f" certainty {result.accuracy('certainty'):.3f},"
        f" attribution {result.accuracy('attribution'):.3f}"
    )


def per_category(result: Scores) -> None:
    names = [c.value for c in Category]
    print(f"\n{'category':>14} {'gold':>5} {'P':>5} {'R':>5}")
    for c in names:
        gold = sum(n for (g, _), n in result.confusion.items() if g == c)
        predicted = sum(n for (_, p), n in result.confusion.items() if p == c)
        right = result.confusion[(c, c)]
        print(f"{c:>14} {gold:>5} {_ratio(right, predicted):>5} {_ratio(right, gold):>5}")
    print("\nconfusion (rows gold, columns predicted; alternatives count as right):")
    print(f"{'':>14} " + " ".join(c[:5].rjust(5) for c in names))
    for g in names:
        cells = [result.confusion[(g, p)] for p in names]
        print(f"{g:>14} " + " ".join(str(n or ".").rjust(5) for n in cells))


def certainty_and_attribution(result: Scores) -> None:
    tp, fp, fn = result.hedge["tp"], result.hedge["fp"], result.hedge["fn"]
    print(
        f"\nhedged: precision {_ratio(tp, tp + fp)}, recall {_ratio(tp, tp + fn)} ({tp + fn} gold)"
    )
    print(f"\n{'attribution':>14} {'gold':>5} {'P':>5} {'R':>5}")
    for a in (x.value for x in Attribution):
        gold = sum(n for (g, _), n in result.attributions.items() if g == a)
        predicted = sum(n for (_, p), n in result.attributions.items() if p == a)
        right = result.attributions[(a, a)]
        print(f"{a:>14} {gold:>5} {_ratio(right, predicted):>5} {_ratio(right, gold):>5}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="test", choices=("train", "dev", "test"))
    parser.add_argument("--misses", type=int, default=0, help="list this many wrong categories")
    parser.add_argument("--genres", action="store_true", help="accuracies per genre")
    args = parser.parse_args()
    rows = load()
    print(f"classifier {RULESET_VERSION}")
    for split in ("dev", args.split) if args.split != "dev" else ("dev",):
        report(split, score(list(of_split(rows, split))))
    chosen = list(of_split(rows, args.split))
    result = score(chosen)
    per_category(result)
    certainty_and_attribution(result)
    if args.genres:
        print()
        for genre in sorted({r.genre for r in chosen}):
            report(f"  {genre}", score([r for r in chosen if r.genre == genre]))
    for row, decided in result.misses[: args.misses]:
        print(
            f"\n  gold {row.category} (alt {', '.join(row.alt) or '-'})"
            f" got {decided.category.value}"
        )
        print(f"  {row.text[:160]}\n  cues: {'; '.join(decided.category_cues)}")


if __name__ == "__main__":
    main()
