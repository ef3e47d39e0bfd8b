"""Check that the claim classifier's output is unchanged (for speed work on provenance/extract/).

Usage (from the repository root):
       python -m evaluation.classify_identity --save /tmp/classify_before.jsonl
       python -m evaluation.classify_identity --check /tmp/classify_before.jsonl

Inputs, every field of every decision compared exactly (cue lists in order):

- each statement on its own (``classify_sentence``): every BioScope abstract sentence, the
  sentences of corpus/magnesium-glutamate.txt and of the three data/citations/*.md files (split
  per line with ``split_sentences``); each also upper-cased, and seeded random slices of them
  (odd starts and ends, half words, lone cue stems), so that boundaries and case handling are
  exercised too; ``cited`` on every seventh;
- documents classified the way ingest does (``classify_sentences``, each statement among its
  neighbours): the benchmark's documents (``benchmarks/bench_classify.py``) and the unlabelled
  corpus's, once uncited and once with every fifth statement cited;
- ``explain`` on every 25th of those statements, with its neighbours;
- the claims (ids, offsets, categories, cues, ...) that extraction makes of every document of
  corpus/ and data/ that ingest reads.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from benchmarks.bench_classify import documents
from evaluation.teacher import read_unlabelled
from provenance.errors import ProvenanceError
from provenance.extract.classify import (
    Classification,
    classify_sentence,
    classify_sentences,
    explain,
)
from provenance.extract.parse import parse_source
from provenance.extract.pipeline import extract
from provenance.extract.read import format_for, read_source
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


def all_documents() -> list[list[str]]:
    """The benchmark's documents, then the unlabelled corpus's, each in reading order."""
    docs = documents()
    grouped: dict[str, list[str]] = {}
    for row in read_unlabelled():
        grouped.setdefault(row["doc"], []).append(row["text"])
    return docs + list(grouped.values())


def as_json(decided: Classification) -> list[object]:
    return [
        decided.category.value,
        decided.category_cues,
        decided.certainty.value,
        decided.hedge_cues,
        decided.attribution.value,
        decided.attribution_cues,
    ]


def _plain(value: object) -> object:
    """A claim draft (named tuple, enums, citation models) as JSON-ready values."""
    if hasattr(value, "_asdict"):
        return {k: _plain(v) for k, v in value._asdict().items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _plain(dataclasses.asdict(value))
    if hasattr(value, "model_dump"):
        return _plain(value.model_dump())
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "value") and not isinstance(value, int | str):
        return value.value
    return value


def records() -> Iterator[tuple[str, object]]:
    """(what, its result) for every input, in a fixed order."""
    for index, text in enumerate(all_texts()):
        yield f"alone {text!r}", as_json(classify_sentence(text, cited=index % 7 == 3))
    docs = all_documents()
    for number, doc in enumerate(docs):
        for name, cited in (
            ("uncited", [False] * len(doc)),
            ("cited", [i % 5 == 2 for i in range(len(doc))]),
        ):
            decided = classify_sentences(doc, cited)
            for text, one in zip(doc, decided, strict=True):
                yield f"document {number} {name} {text!r}", as_json(one)
    texts = [text for doc in docs for text in doc]
    for index in range(0, len(texts), 25):
        before = texts[index - 1] if index else None
        after = texts[index + 1] if index + 1 < len(texts) else None
        yield f"explain {texts[index]!r}", explain(texts[index], before=before, after=after)
    paths = [CORPUS, *sorted(p for p in (REPO / "data").rglob("*") if format_for(p) is not None)]
    for path in paths:
        try:
            parsed = parse_source(read_source(path))
        except ProvenanceError:  # a test file that ingest refuses (encrypted, damaged)
            continue
        name = str(path.relative_to(REPO))  # the claim ids do not depend on the checkout
        for draft in extract(parsed, source=name, document_id="doc", version=1).drafts:
            yield f"claim of {name} {draft.start}", _plain(draft)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--save", type=Path, help="write the current results here")
    group.add_argument("--check", type=Path, help="compare with results saved earlier")
    args = parser.parse_args()
    start = time.process_time()
    found = [json.dumps([what, result], ensure_ascii=False) for what, result in records()]
    print(f"{len(found):,} results in {time.process_time() - start:.1f} s CPU")
    if args.save is not None:
        args.save.write_text("\n".join(found) + "\n", encoding="utf-8")
        print(f"saved to {args.save}")
        return 0
    saved = args.check.read_text(encoding="utf-8").splitlines()
    if len(saved) != len(found):
        print(f"{len(saved):,} results saved, {len(found):,} now: the inputs differ")
        return 2
    differences = [i for i, (a, b) in enumerate(zip(saved, found, strict=True)) if a != b]
    for index in differences[:20]:
        print(f"DIFF\n  was {saved[index][:600]}\n  now {found[index][:600]}")
    print(f"{len(differences)} of {len(found):,} differ")
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
