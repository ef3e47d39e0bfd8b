"""Identity check for changes to classification's mechanics: record every decision, compare.

Records, as JSON lines, every field of every decision on the repository's real text: the
benchmark's documents and the unlabelled corpus classified the way ingest does
(``classify_sentences``; once uncited, once with every fifth statement cited), each statement
on its own (``classify_sentence``), ``explain`` on every 25th with its neighbours, and the
claims (ids, offsets, categories, cues, ...) that extraction makes of every document in
``corpus/`` and ``data/`` that ingest reads. Run it before a change with ``--record FILE`` and
after with ``--compare FILE``: any difference is printed and the exit status is 1.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path

from benchmarks.bench_classify import REPO, documents
from provenance.errors import ProvenanceError
from provenance.extract.classify import (
    RULESET_VERSION,
    classify_sentence,
    classify_sentences,
    explain,
)
from provenance.extract.parse import parse_source
from provenance.extract.pipeline import extract
from provenance.extract.read import format_for, read_source


def corpus_documents() -> list[list[str]]:
    """The benchmark's documents, then the unlabelled corpus's, in file order."""
    docs = documents()
    for path in sorted((REPO / "data" / "unlabelled").glob("*.jsonl")):
        grouped: dict[str, list[str]] = {}
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            if "text" in row and "doc" in row:
                grouped.setdefault(str(row["doc"]), []).append(str(row["text"]))
        docs.extend(grouped.values())
    return docs


def _plain(value: object) -> object:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple) and hasattr(value, "_asdict"):
        return {k: _plain(v) for k, v in value._asdict().items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "model_dump"):
        return _plain(value.model_dump())  # a pydantic model
    if hasattr(value, "value") and not isinstance(value, int | str):
        return value.value  # an enum
    return value


def records() -> Iterator[str]:
    yield json.dumps({"ruleset": RULESET_VERSION})
    docs = corpus_documents()
    for number, doc in enumerate(docs):
        for name, cited in (
            ("uncited", [False] * len(doc)),
            ("cited", [i % 5 == 2 for i in range(len(doc))]),
        ):
            decided = classify_sentences(doc, cited)
            yield json.dumps({"doc": number, "pass": name, "decisions": _plain(decided)})
        yield json.dumps({"doc": number, "alone": _plain([classify_sentence(t) for t in doc])})
    texts = [t for doc in docs for t in doc]
    for index in range(0, len(texts), 25):
        before = texts[index - 1] if index else None
        after = texts[index + 1] if index + 1 < len(texts) else None
        yield json.dumps({"explain": explain(texts[index], before=before, after=after)})
    paths = [REPO / "corpus" / "magnesium-glutamate.txt"]
    paths.extend(sorted(p for p in (REPO / "data").rglob("*") if format_for(p) is not None))
    for path in paths:
        try:
            parsed = parse_source(source := read_source(path))
        except ProvenanceError:  # a test file that ingest refuses (encrypted, damaged)
            continue
        extraction = extract(parsed, source=source.source, document_id="doc", version=1)
        yield json.dumps({"path": str(path.relative_to(REPO)), "claims": _plain(extraction.drafts)})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--record", type=Path, help="write every decision to this file")
    action.add_argument("--compare", type=Path, help="compare every decision with this file")
    args = parser.parse_args()
    digest = hashlib.sha256()
    if args.record is not None:
        count = 0
        with args.record.open("w", encoding="utf-8") as out:
            for line in records():
                out.write(line + "\n")
                digest.update(line.encode())
                count += 1
        print(f"{count:,} records, sha256 {digest.hexdigest()[:16]}, written to {args.record}")
        return
    expected = args.compare.read_text(encoding="utf-8").splitlines()
    differences = 0
    count = 0
    for line in records():
        digest.update(line.encode())
        recorded = expected[count] if count < len(expected) else ""
        count += 1
        if line != recorded:
            differences += 1
            if differences <= 5:
                print(f"record {count} differs:\n  was {recorded[:400]}\n  now {line[:400]}")
    if count != len(expected):
        differences += 1
        print(f"{count:,} records, {len(expected):,} recorded")
    print(f"{count:,} records, sha256 {digest.hexdigest()[:16]}, {differences} differing")
    sys.exit(1 if differences else 0)


if __name__ == "__main__":
    main()
