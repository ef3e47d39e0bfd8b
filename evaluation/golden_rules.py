"""Score the sentence splitter on the English Golden Rules and measure its speed.

Usage: python evaluation/golden_rules.py [--size-mb 20] [--show-article]

Comparison: for cases whose ``expected_are_exact_substrings`` is true, each span's text must
equal the expected sentence exactly. For the others (the expected sentences had their line
breaks replaced by spaces upstream, so they are not substrings of the input) both sides are
compared with every run of whitespace collapsed to one space; nothing else is normalised.

Speed is measured on the example article repeated to about ``--size-mb`` megabytes, split one
line (one block) at a time as ingest does, and as a single block; then on adversarial input
that must stay linear (one long line with no punctuation, a million periods). Both wall-clock
and CPU time are reported: on a shared machine the wall clock mostly measures the neighbours.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from provenance.extract.sentences import split_sentences

REPO = Path(__file__).resolve().parent.parent
GOLDEN = REPO / "data" / "golden_rules_en" / "golden_rules_en.json"
ARTICLE = REPO / "corpus" / "magnesium-glutamate.txt"
PLOS = sorted((REPO / "data" / "citations").glob("*.md"))


def sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in split_sentences(text, 0, len(text))]


def normalise(sentence: str) -> str:
    return " ".join(sentence.split())


def case_passes(case: dict[str, object]) -> tuple[bool, list[str]]:
    text = str(case["input"])
    expected = [str(s) for s in case["expected_sentences"]]  # type: ignore[attr-defined]
    got = sentences(text)
    if case["expected_are_exact_substrings"]:
        return got == expected, got
    return [normalise(s) for s in got] == [normalise(s) for s in expected], got


def score() -> int:
    cases = json.loads(GOLDEN.read_text(encoding="utf-8"))["cases"]
    failures = []
    for case in cases:
        ok, got = case_passes(case)
        if not ok:
            failures.append((case, got))
    passed = len(cases) - len(failures)
    print(f"Golden rules: {passed}/{len(cases)} pass")
    for case, got in failures:
        print(f"  FAIL #{case['id']} {case['rule']}")
        print(f"    input:    {case['input']!r}")
        print(f"    expected: {case['expected_sentences']!r}")
        print(f"    got:      {got!r}")
    return passed


def _blocks(text: str) -> list[tuple[int, int]]:
    """Each non-blank line as one block, the way the example article is segmented."""
    blocks = []
    position = 0
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        if stripped:
            start = position + line.index(stripped[0])
            blocks.append((start, start + len(stripped)))
        position += len(line)
    return blocks


def _timed(label: str, text: str, blocks: list[tuple[int, int]]) -> None:
    started, started_cpu = time.perf_counter(), time.process_time()
    count = 0
    for start, end in blocks:
        count += len(split_sentences(text, start, end))
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - started_cpu
    megabytes = len(text.encode("utf-8")) / 1e6
    print(
        f"  {label}: {megabytes:.1f} MB, {count} sentences, "
        f"{megabytes / elapsed:.1f} MB/s wall ({elapsed:.2f} s), "
        f"{megabytes / cpu:.1f} MB/s CPU ({cpu:.2f} s)"
    )


def speed(size_mb: float) -> None:
    article = ARTICLE.read_text(encoding="utf-8")
    repeats = max(1, int(size_mb * 1e6 / len(article.encode("utf-8"))))
    text = "\n".join([article.strip()] * repeats)
    print("Speed:")
    _timed("article repeated, one block per line", text, _blocks(text))
    one_block = text.replace("\n", " ")
    _timed("article repeated, one single block", one_block, [(0, len(one_block))])
    for label, adversarial in (
        ("50 MB line, no punctuation", "word " * 10_000_000),
        ("50 MB token, no spaces", "x" * 50_000_000),
        ("1M periods in a row", "." * 1_000_000),
        ("1M spaced periods", ". " * 1_000_000),
        ("1M one-letter sentences", "A. " * 1_000_000),
        ("1M glued periods", "a.Bc" * 1_000_000),
    ):
        _timed(label, adversarial, [(0, len(adversarial))])


def show_article() -> None:
    article = ARTICLE.read_text(encoding="utf-8")
    for start, end in _blocks(article):
        for s, e in split_sentences(article, start, end):
            print(f"{s:6d} | {article[s:e]}")
        print()


def plos_citation_check() -> None:
    """No sentence of the PLOS articles may start with a citation marker: a marker right
    after a period belongs to the sentence before it."""
    orphans = 0
    total = 0
    for path in PLOS:
        text = path.read_text(encoding="utf-8")
        for block in text.split("\n\n"):
            for sentence in sentences(block):
                total += 1
                if sentence.startswith("[") and sentence[1:2].isdigit():
                    orphans += 1
                    print(f"  orphan citation in {path.name}: {sentence[:80]!r}")
    print(f"PLOS articles: {total} sentences, {orphans} start with a citation marker")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=float, default=20.0)
    parser.add_argument("--show-article", action="store_true")
    args = parser.parse_args()
    score()
    plos_citation_check()
    if args.show_article:
        show_article()
    speed(args.size_mb)


if __name__ == "__main__":
    main()
