"""Score the hedge rules on BioScope abstracts and measure the classifier's speed.

Usage: python evaluation/hedges.py [--data data/hedges/bioscope_abstracts.jsonl]
                                   [--repeat 20] [--errors]

Gold: a sentence is ``uncertain`` when BioScope marks a speculation cue in it; predicted:
``classify_sentence(text).certainty == hedged``. Reported:
- raw precision / recall / F1 on all sentences;
- the same on the first and second half of the documents (by order of ``doc_id`` in the
  file): the rules were tuned looking at the first half only, so the second half is the
  held-out figure;
- "narrow" F1: BioScope's broad cues (or, either, if, can, would, whether…) are not hedges by
  design here, so gold sentences whose only cues are broad ones are dropped from the gold
  positives before scoring;
- speed: the whole classifier (category, hedges, attribution) over the file repeated, in
  sentences per second of CPU time.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from provenance.extract.classify import RULESET_VERSION, classify_sentence, hedge_cues
from provenance.models import Certainty

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "data" / "hedges" / "bioscope_abstracts.jsonl"
# BioScope speculation cues that the project's narrower `hedged` does not count.
BROAD_CUES = frozenset(
    {"or", "either", "if", "can", "would", "and/or", "whether", "or not", "either or", "if not"}
)


@dataclass(frozen=True, slots=True)
class Sentence:
    doc_id: str
    text: str
    uncertain: bool
    cues: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Scores:
    true_positive: int
    false_positive: int
    false_negative: int
    sentences: int

    @property
    def precision(self) -> float:
        found = self.true_positive + self.false_positive
        return self.true_positive / found if found else 0.0

    @property
    def recall(self) -> float:
        gold = self.true_positive + self.false_negative
        return self.true_positive / gold if gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def line(self, name: str) -> str:
        return (
            f"{name:28} n={self.sentences:5}  P={self.precision:.3f}  R={self.recall:.3f}  "
            f"F1={self.f1:.3f}  (tp={self.true_positive} fp={self.false_positive} "
            f"fn={self.false_negative})"
        )


def load(path: Path = DATA) -> list[Sentence]:
    sentences = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        cues = tuple(str(c["text"]).lower() for c in row.get("cues", []))
        sentences.append(Sentence(row["doc_id"], row["text"], bool(row["uncertain"]), cues))
    return sentences


def halves(sentences: list[Sentence]) -> tuple[list[Sentence], list[Sentence]]:
    """Split by document, in file order: the first half of the documents, then the rest."""
    documents = list(dict.fromkeys(s.doc_id for s in sentences))
    first = set(documents[: len(documents) // 2])
    return (
        [s for s in sentences if s.doc_id in first],
        [s for s in sentences if s.doc_id not in first],
    )


def is_hedged(text: str) -> bool:
    return classify_sentence(text).certainty is Certainty.hedged


def narrow_gold(sentence: Sentence) -> bool:
    """Uncertain by at least one cue that the project also counts as a hedge."""
    return any(cue not in BROAD_CUES for cue in sentence.cues)


def evaluate(sentences: list[Sentence], *, narrow: bool = False) -> Scores:
    tp = fp = fn = 0
    for sentence in sentences:
        gold = narrow_gold(sentence) if narrow else sentence.uncertain
        predicted = is_hedged(sentence.text)
        tp += gold and predicted
        fp += predicted and not gold
        fn += gold and not predicted
    return Scores(tp, fp, fn, len(sentences))


def error_summary(sentences: list[Sentence]) -> tuple[Counter[str], Counter[str]]:
    """Which gold cues we missed, and which of our cues fired on certain sentences."""
    missed: Counter[str] = Counter()
    spurious: Counter[str] = Counter()
    for sentence in sentences:
        found = hedge_cues(sentence.text)
        if sentence.uncertain and not found:
            missed.update(set(sentence.cues))
        elif found and not sentence.uncertain:
            spurious.update({cue.lower() for cue in found})
    return missed, spurious


def speed(sentences: list[Sentence], repeat: int) -> tuple[float, float]:
    """Sentences and megabytes per second of CPU time of the whole classifier (CPU time, so
    that other work on the machine does not count)."""
    texts = [s.text for s in sentences] * repeat
    size = sum(len(t.encode("utf-8")) for t in texts)
    start = time.process_time()
    for text in texts:
        classify_sentence(text)
    elapsed = time.process_time() - start
    return len(texts) / elapsed, size / elapsed / 1e6


def print_misses(sentences: list[Sentence], indent: str = "") -> None:
    """Each sentence the hedge decision gets wrong: FN (a missed hedge) or FP, with the cues."""
    for s in sentences:
        found = hedge_cues(s.text)
        if bool(found) != s.uncertain:
            kind = "FN" if s.uncertain else "FP"
            print(f"{indent}{kind} gold={list(s.cues)} ours={found} :: {s.text}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--repeat", type=int, default=20, help="copies of the file to time")
    parser.add_argument("--errors", action="store_true", help="list the wrong sentences")
    args = parser.parse_args()
    sentences = load(args.data)
    tune, held_out = halves(sentences)
    print(f"rule set {RULESET_VERSION}")
    print(evaluate(sentences).line("all (raw BioScope gold)"))
    print(evaluate(tune).line("first half (tuned on)"))
    print(evaluate(held_out).line("second half (held out)"))
    print(evaluate(sentences, narrow=True).line("all, narrow gold"))
    print(evaluate(held_out, narrow=True).line("second half, narrow gold"))
    broad_only = [s for s in sentences if s.uncertain and not narrow_gold(s)]
    print(f"gold-uncertain sentences whose only cues are broad ones: {len(broad_only)}")
    missed, spurious = error_summary(sentences)
    print("missed gold cues:  " + ", ".join(f"{c} {n}" for c, n in missed.most_common(25)))
    print("cues on certain:   " + ", ".join(f"{c} {n}" for c, n in spurious.most_common(25)))
    if args.errors:
        print_misses(sentences)
    per_second, megabytes = speed(sentences, args.repeat)
    print(
        f"speed: {per_second:,.0f} sentences/s, {megabytes:.2f} MB/s of CPU time "
        f"({len(sentences) * args.repeat:,} sentences)"
    )


if __name__ == "__main__":
    main()
