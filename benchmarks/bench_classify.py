"""Classification benchmark: CPU microseconds per sentence on one core, stage by stage.

Classifies real sentences (BioScope abstracts, the example article, the PLOS files, the
labelled data; about 150 characters each) the way ingest does, one document's sentences at a
time (``classify_sentences``), and reports the best of ``--repeat`` runs over the whole set
(the best run is the one least disturbed by other processes on a shared machine), with the
split of that time into the rule scan and the rest of the preparation, the features, the
packed scoring, and the decision. Nothing is written.

CPU time on a shared machine varies by 10 % or more from run to run; instructions do not.
``--once`` classifies the set once inside ``functools.reduce`` and times nothing, so that
callgrind counts exactly that work (every other instruction is left out)::

    valgrind --tool=callgrind --collect-atstart=no --toggle-collect=functools_reduce \
        python -m benchmarks.bench_classify --once

then ``callgrind_annotate callgrind.out.*`` gives the total ("PROGRAM TOTALS"), to divide by
the sentence count printed, and where the instructions went.
"""

from __future__ import annotations

import argparse
import functools
import gc
import json
import time
from collections.abc import Callable
from pathlib import Path

from provenance.extract.classify import MODEL, RULESET_VERSION, classify_sentences, decide
from provenance.extract.features import lower_case, prepare, sentence_features
from provenance.extract.matcher import scan_hits
from provenance.extract.sentences import split_sentences

REPO = Path(__file__).resolve().parent.parent


def documents() -> list[list[str]]:
    """Real sentences, grouped by document."""
    docs: dict[str, list[str]] = {}
    for line in (REPO / "data" / "hedges" / "bioscope_abstracts.jsonl").read_text().splitlines():
        row = json.loads(line)
        docs.setdefault(str(row["doc_id"]), []).append(str(row["text"]))
    for path in sorted((REPO / "data" / "classify").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            docs.setdefault(str(row["doc"]), []).append(str(row["text"]))
    texts = [
        REPO / "corpus" / "magnesium-glutamate.txt",
        *(REPO / "data" / "citations").glob("*.md"),
    ]
    for path in texts:
        text = path.read_text(encoding="utf-8")
        sentences: list[str] = []
        for line in text.splitlines():
            sentences.extend(line[s:e] for s, e in split_sentences(line, 0, len(line)))
        docs[str(path)] = [s for s in sentences if len(s) > 20]
    return list(docs.values())


def best(run: Callable[[], object], repeat: int, count: int) -> float:
    """Best CPU time of ``repeat`` runs, in microseconds per sentence (GC off while timed)."""
    times = []
    for _ in range(repeat):
        gc.collect()
        gc.disable()
        start = time.process_time()
        run()
        times.append(time.process_time() - start)
        gc.enable()
    return min(times) / count * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument(
        "--once", action="store_true", help="classify once inside functools.reduce, for callgrind"
    )
    args = parser.parse_args()
    docs = documents()
    sentences = [s for doc in docs for s in doc]
    count = len(sentences)
    mean = sum(map(len, sentences)) / count
    print(f"classifier {RULESET_VERSION}")
    print(f"{count:,} sentences in {len(docs):,} documents, {mean:.0f} characters on average")
    flags = [[False] * len(doc) for doc in docs]
    if args.once:
        pairs = zip(docs, flags, strict=True)
        functools.reduce(lambda _, doc: classify_sentences(*doc), pairs, None)
        return
    whole = best(
        lambda: [classify_sentences(d, f) for d, f in zip(docs, flags, strict=True)],
        args.repeat,
        count,
    )
    lowered = [lower_case(s) for s in sentences]
    scan = best(lambda: [scan_hits(x) for x in lowered], args.repeat, count)
    prepared = [prepare(s) for s in sentences]
    prep = best(lambda: [prepare(s) for s in sentences], args.repeat, count)
    features = [sentence_features(p, None, None) for p in prepared]
    feat = best(lambda: [sentence_features(p, None, None) for p in prepared], args.repeat, count)
    scores = MODEL.sentence.scores
    score = best(lambda: [scores(f) for f in features], args.repeat, count)
    decision = best(lambda: [decide(p, None, None) for p in prepared], args.repeat, count)
    print(f"classification, whole: {whole:.1f} µs a sentence (CPU, best of {args.repeat})")
    print(f"  rule scan               {scan:5.1f}")
    print(
        f"  rest of the preparation {prep - scan:5.1f}  (lower-casing, words, pairs, source words)"
    )
    print(f"  features                {feat:5.1f}")
    print(f"  packed scoring          {score:5.1f}")
    print(
        f"  rest of the decision    {decision - feat - score:5.1f}"
        "  (category, hedge cues, attribution, cues)"
    )


if __name__ == "__main__":
    main()
