"""Score the certainty decision on our own hedge development sets, per set and split.

Usage: python -m evaluation.hedge_sets [--split dev|test|all] [--errors]

The sets (``data/hedges/``, labelled by hand; sources and licences in ``data/hedges/README.md``):
- ``articles.jsonl``: sentences of open-access full articles (results and discussion),
  speculation cues as BioScope defines them, without its broad cues (or, either, if, can,
  would, whether): the "narrow" gold of ``evaluation/hedges.py``;
- ``wikipedia.jsonl``: Wikipedia paragraphs, the same speculation cues plus Wikipedia's
  weasel cues (unsupported attributions: "is said to", "is considered", "opinions vary",
  "many feared");
- ``reviews.jsonl``: patient drug reviews, speculation cues ("seems", "I think", "maybe").

A sentence is ``uncertain`` when it holds at least one cue; predicted: the classifier's
certainty is ``hedged``. Each set is split by document (SHA-256 of the document id, the first
half ``dev``, the rest ``test``): tune on ``dev``; ``test`` is for the closing figures.
"""

from __future__ import annotations

import argparse
import hashlib
from pathlib import Path

from evaluation.hedges import Scores, Sentence, evaluate, load, print_misses
from provenance.extract.classify import RULESET_VERSION

REPO = Path(__file__).resolve().parent.parent
SETS = ("articles", "wikipedia", "reviews")


def split_of(sentences: list[Sentence]) -> dict[str, str]:
    """Document id -> ``dev`` or ``test`` (half each, by the hash of the id)."""
    documents = sorted(
        {s.doc_id for s in sentences},
        key=lambda d: hashlib.sha256(d.encode("utf-8")).hexdigest(),
    )
    half = (len(documents) + 1) // 2
    return {d: "dev" if i < half else "test" for i, d in enumerate(documents)}


def of_split(sentences: list[Sentence], split: str) -> list[Sentence]:
    if split == "all":
        return sentences
    chosen = split_of(sentences)
    return [s for s in sentences if chosen[s.doc_id] == split]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="dev", choices=("dev", "test", "all"))
    parser.add_argument("--errors", action="store_true", help="list the wrong sentences")
    args = parser.parse_args()
    print(f"rule set {RULESET_VERSION}; split {args.split}")
    total = Scores(0, 0, 0, 0)
    for name in SETS:
        sentences = of_split(load(REPO / "data" / "hedges" / f"{name}.jsonl"), args.split)
        result = evaluate(sentences)
        total = Scores(
            total.true_positive + result.true_positive,
            total.false_positive + result.false_positive,
            total.false_negative + result.false_negative,
            total.sentences + result.sentences,
        )
        print(result.line(name))
        if args.errors:
            print_misses(sentences, indent="  ")
    print(total.line("all three"))


if __name__ == "__main__":
    main()
