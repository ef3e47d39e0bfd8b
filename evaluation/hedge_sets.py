"""Score the certainty decision on our own hedge development sets, per set and split.

Usage: python -m evaluation.hedge_sets [--split dev|test|all] [--errors]

The sets (``data/hedges/``, labelled by hand; sources and licences in ``data/hedges/README.md``):
- ``articles.jsonl``: sentences of open-access full articles (results and discussion),
  speculation cues as BioScope defines them, without its broad cues (or, either, if, can,
  would, whether): the "narrow" gold of ``evaluation/hedges.py``;
- ``wikipedia.jsonl``: Wikipedia paragraphs, the same speculation cues plus Wikipedia's
  weasel cues (unsupported attributions: "is said to", "is considered", "opinions vary",
  "many feared");
- ``reviews.jsonl``: patient drug reviews and reviews of local businesses, speculation cues
  ("seems", "I think", "maybe").

A sentence is ``uncertain`` when it holds at least one cue; predicted: the classifier's
certainty is ``hedged``. Each set is split by document (SHA-256 of the document id, the first
half ``dev``, the rest ``test``): tune on ``dev``; ``test`` is for the closing figures. The
documents of each labelling round (``ROUNDS``) are split among themselves, so documents added
later never move an earlier one between dev and test. A document that shares a statement with
``data/classify/`` is scored there and left out here (after the split, which it keeps): one
round-1 article, ``article/e0118659``, is in ``data/classify``'s test split, so tuning on this
set's ``dev`` would have tuned on it.
"""

from __future__ import annotations

import argparse
import hashlib
from pathlib import Path

from evaluation.hedges import Scores, Sentence, evaluate, load, print_misses
from evaluation.labelled import labelled_statements, statement_key
from provenance.extract.classify import RULESET_VERSION

REPO = Path(__file__).resolve().parent.parent
SETS = ("articles", "wikipedia", "reviews")


#: Per set, how many documents (in file order) each finished labelling round added; the
#: documents after the last round are one more round. The first round (session 17) was split on
#: its own before the second (session 18) was labelled, and keeps that split.
ROUNDS: dict[str, tuple[int, ...]] = {"articles": (9,), "wikipedia": (11,), "reviews": (38,)}


def split_of(sentences: list[Sentence], rounds: tuple[int, ...] = ()) -> dict[str, str]:
    """Document id -> ``dev`` or ``test``: each round's documents (``rounds``: how many each
    round added, in file order; the rest are the last round) half each, by the hash of the id."""
    documents = list(dict.fromkeys(s.doc_id for s in sentences))
    chosen: dict[str, str] = {}
    start = 0
    for size in (*rounds, len(documents)):
        batch = sorted(
            documents[start : start + size],
            key=lambda d: hashlib.sha256(d.encode("utf-8")).hexdigest(),
        )
        half = (len(batch) + 1) // 2
        chosen.update((d, "dev" if i < half else "test") for i, d in enumerate(batch))
        start += size
    return chosen


def of_split(sentences: list[Sentence], split: str, rounds: tuple[int, ...] = ()) -> list[Sentence]:
    if split == "all":
        return sentences
    chosen = split_of(sentences, rounds)
    return [s for s in sentences if chosen[s.doc_id] == split]


def scored_elsewhere(sentences: list[Sentence]) -> set[str]:
    """The documents of ``sentences`` that share a statement with ``data/classify/``."""
    labelled = labelled_statements()
    return {s.doc_id for s in sentences if statement_key(s.text) in labelled}


def load_set(name: str, split: str) -> list[Sentence]:
    """One hedge set's sentences of a split (``dev``, ``test`` or ``all``), without the
    documents scored in ``data/classify/``."""
    sentences = load(REPO / "data" / "hedges" / f"{name}.jsonl")
    elsewhere = scored_elsewhere(sentences)
    return [s for s in of_split(sentences, split, ROUNDS[name]) if s.doc_id not in elsewhere]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="dev", choices=("dev", "test", "all"))
    parser.add_argument("--errors", action="store_true", help="list the wrong sentences")
    args = parser.parse_args()
    print(f"rule set {RULESET_VERSION}; split {args.split}")
    total = Scores(0, 0, 0, 0)
    for name in SETS:
        sentences = load_set(name, args.split)
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
