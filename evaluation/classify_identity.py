"""Check that the claim classifier's output is unchanged (for speed work on provenance/extract/).

Usage: python evaluation/classify_identity.py --save /tmp/classify_before.json
       python evaluation/classify_identity.py --check /tmp/classify_before.json

Inputs: every BioScope abstract sentence, the sentences of corpus/magnesium-glutamate.txt and
of the three data/citations/*.md files (split per line with ``split_sentences``); each also
upper-cased, and seeded random slices of them (odd starts and ends, half words, lone cue
stems), so that boundaries and case handling are exercised too. Every field of every
``Classification`` is compared exactly, cue lists in order; ``cited`` is tried both ways.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

from provenance.extract.classify import Classification, classify_sentence
from provenance.extract.sentences import split_sentences

REPO = Path(__file__).resolve().parent.parent
BIOSCOPE = REPO / "data" / "hedges" / "bioscope_abstracts.jsonl"
CORPUS = REPO / "corpus" / "magnesium-glutamate.txt"
CITATIONS = sorted((REPO / "data" / "citations").glob("*.md"))


def per_line_sentences(path: Path) -> list[str]:
    texts: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        texts.extend(line[s:e] for s, e in split_sentences(line, 0, len(line)))
    return texts


def base_texts() -> list[str]:
    texts = [
        str(json.loads(line)["text"])
        for line in BIOSCOPE.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    for path in [CORPUS, *CITATIONS]:
        texts.extend(per_line_sentences(path))
    return texts


def all_texts() -> list[str]:
    base = base_texts()
    rng = random.Random(20261124)
    slices = []
    for text in base:
        if len(text) > 2:
            start = rng.randrange(len(text))
            slices.append(text[start : start + rng.randrange(1, 120)])
    extras = ["", " ", "İstanbul may suggest ß", "MAY 2020", "x" * 50]
    return base + [t.upper() for t in base] + slices + extras


def as_json(decided: Classification) -> list[object]:
    return [
        decided.category.value,
        decided.category_cues,
        decided.certainty.value,
        decided.hedge_cues,
        decided.attribution.value,
        decided.attribution_cues,
    ]


def results(texts: list[str]) -> list[list[object]]:
    out = []
    for index, text in enumerate(texts):
        out.append(as_json(classify_sentence(text, cited=index % 7 == 3)))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--save", type=Path, help="write the current results here")
    group.add_argument("--check", type=Path, help="compare with results saved earlier")
    args = parser.parse_args()
    texts = all_texts()
    start = time.process_time()
    found = results(texts)
    elapsed = time.process_time() - start
    print(f"{len(texts):,} texts classified in {elapsed:.2f} s CPU")
    if args.save is not None:
        args.save.write_text(json.dumps({"texts": texts, "results": found}), encoding="utf-8")
        print(f"saved to {args.save}")
        return 0
    saved = json.loads(args.check.read_text(encoding="utf-8"))
    if saved["texts"] != texts:
        print("the inputs differ from the saved ones")
        return 2
    differences = [
        i for i, (a, b) in enumerate(zip(saved["results"], found, strict=True)) if a != b
    ]
    for index in differences[:20]:
        print(f"DIFF {texts[index]!r}\n  was {saved['results'][index]}\n  now {found[index]}")
    print(f"{len(differences)} of {len(texts):,} differ")
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
