"""Measure document structure on real documents: are statements claims, and only statements?

Every document in ``data/documents/`` (news releases, news stories, consumer health pages,
Wikipedia articles, scientific articles, web pages and blogs, as users bring them: raw HTML
with its navigation, Markdown, plain text) has a hand-labelled ``<name>.gold.json`` beside it:
every statement sentence of its body, and every unit that is not a statement (title, heading,
dateline, byline, caption, contents, contact, boilerplate, source line, table, reference,
see-also, question, code, formula), in reading order (``sequence``).

Each document is ingested with provenance's public API into a temporary database; its claims
are then matched to the gold units inside the stored text:

- each gold unit is located in the stored text (whitespace, quotes and Markdown markup
  normalised), in reading order;
- a statement is *found* if one claim's text equals it, or a claim covers at least 90 % of
  it without spanning into another gold unit;
- a non-statement is *stored as a claim* if a claim overlaps at least half of it (or 30
  characters of it). A unit that cannot be located in the stored text was left out of it.

It prints, for the dev and test splits separately and by genre, the share of non-statement
units stored as claims and the share of statements found; ``--verbose`` adds the worst
offenders (of the dev split, unless ``--split test``). The bars of issue 11: non-statements
stored as claims <= 3 %, statements found >= 98 %. Tune on ``dev`` only; ``test`` is reported,
never tuned on.

Usage: ``python evaluation/structure.py [--split dev|test] [--verbose] [--json] [DIR]``
"""

from __future__ import annotations

import argparse
import bisect
import json
import re
import sys
import tempfile
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import provenance

DATA = Path(__file__).resolve().parent.parent / "data" / "documents"
#: A claim must cover this share of a statement to find it.
COVERAGE = 0.9
#: A claim overlapping a non-statement by this share (or this many characters) stores it.
SUBSTANTIAL_SHARE = 0.5
SUBSTANTIAL_CHARS = 30
#: Characters a claim may share with a neighbouring unit and still not span into it.
SPAN_TOLERANCE = 2

_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "\u00a0": " "})
#: Markdown markup that is not visible text: images, link targets, emphasis, code ticks.
_MARKUP = re.compile(
    r"!\[[^\]]*\]\([^)]*\)|\]\([^)\s]*\)|(?<![\w\\])\[(?=[^\]]*\]\()|\*\*|`|(?<!\w)\*|\*(?!\w)"
)


@dataclass
class Normalised:
    """A text with markup removed, whitespace collapsed and quotes straightened.

    ``offsets[i]`` is the offset in the original text of character ``i``.
    """

    text: str
    offsets: list[int]


def normalise(text: str, markdown: bool = False) -> Normalised:
    keep = [True] * len(text)
    if markdown:
        for match in _MARKUP.finditer(text):
            for i in range(match.start(), match.end()):
                keep[i] = False
    chars: list[str] = []
    offsets: list[int] = []
    for i, char in enumerate(text.translate(_QUOTES)):
        if not keep[i]:
            continue
        if char.isspace():
            if not chars or chars[-1] == " ":
                continue
            char = " "
        chars.append(char)
        offsets.append(i)
    while chars and chars[-1] == " ":
        chars.pop()
        offsets.pop()
    return Normalised("".join(chars), offsets)


def unit_text(text: str) -> str:
    """A gold unit as it is searched for: normalised, without Markdown markup."""
    return normalise(text, markdown=True).text


@dataclass
class Unit:
    text: str
    kind: str  # "statement" or a non-statement kind
    start: int = -1  # offsets into the stored text; -1: not located
    end: int = -1
    claimed: bool = False  # statement found / non-statement stored as claim


@dataclass
class DocumentResult:
    name: str
    genre: str
    split: str
    statements: int = 0
    found: int = 0
    non_statements: int = 0
    stored_as_claims: int = 0
    unlocated_statements: int = 0
    missed: list[str] = field(default_factory=list)
    noise: list[str] = field(default_factory=list)


#: A unit shorter than this ("Home", "Abstract") is only looked for where a line starts: inside
#: a sentence the same word is something else.
SHORT_UNIT = 25
_LINE_PREFIX = re.compile(r"[\s*_#>|-]*")


def _at_line_start(stored: str, offset: int) -> bool:
    line_start = stored.rfind("\n", 0, offset) + 1
    return _LINE_PREFIX.fullmatch(stored, line_start, offset) is not None


def _find(norm: Normalised, stored: str, needle: str, start: int) -> int:
    at = norm.text.find(needle, start)
    if len(needle) >= SHORT_UNIT:
        return at
    while at >= 0 and not _at_line_start(stored, norm.offsets[at]):
        at = norm.text.find(needle, at + 1)
    return at


def locate(units: list[Unit], stored: str, markdown: bool) -> None:
    """Find each unit in the stored text, in reading order (a long unit: anywhere after)."""
    norm = normalise(stored, markdown)
    cursor = 0
    taken: list[tuple[int, int]] = []
    for unit in units:
        needle = unit_text(unit.text)
        if not needle:
            continue
        at = _find(norm, stored, needle, cursor)
        if at < 0 and len(needle) >= SHORT_UNIT:
            at = norm.text.find(needle)
            while at >= 0 and any(a <= at < b for a, b in taken):
                at = norm.text.find(needle, at + 1)
        if at < 0:
            continue
        unit.start = norm.offsets[at]
        unit.end = norm.offsets[at + len(needle) - 1] + 1
        taken.append((at, at + len(needle)))
        cursor = max(cursor, at + len(needle))


def _overlap(a_start: int, a_end: int, b_start: int, b_end: int) -> int:
    return max(0, min(a_end, b_end) - max(a_start, b_start))


def _nonspace(text: str, start: int, end: int) -> int:
    return sum(1 for char in text[start:end] if not char.isspace())


def score(
    units: list[Unit], claims: list[tuple[int, int, str]], stored: str, markdown: bool
) -> None:
    """Mark each unit claimed or not, from claim spans into the stored text."""
    located = sorted((u for u in units if u.start >= 0), key=lambda u: u.start)
    starts = [u.start for u in located]
    claim_texts = {unit_text(text) for _, _, text in claims}
    for claim_start, claim_end, _ in claims:
        # Units that can overlap this claim: those starting before its end.
        hi = bisect.bisect_left(starts, claim_end)
        near = [u for u in located[:hi] if u.end > claim_start]
        for unit in near:
            shared = _nonspace(stored, max(unit.start, claim_start), min(unit.end, claim_end))
            size = _nonspace(stored, unit.start, unit.end) or 1
            if unit.kind == "statement":
                spans_other = any(
                    other is not unit
                    and _nonspace(stored, max(other.start, claim_start), min(other.end, claim_end))
                    > SPAN_TOLERANCE
                    for other in near
                )
                if shared / size >= COVERAGE and not spans_other:
                    unit.claimed = True
            elif shared / size >= SUBSTANTIAL_SHARE or shared >= SUBSTANTIAL_CHARS:
                unit.claimed = True
    for unit in units:
        if unit.start < 0 and unit_text(unit.text) in claim_texts:
            unit.claimed = True


def gold_units(gold: dict[str, Any]) -> list[Unit]:
    units: list[Unit] = []
    for which, index in gold["sequence"]:
        if which == "S":
            units.append(Unit(gold["statements"][index], "statement"))
        else:
            entry = gold["non_statements"][index]
            units.append(Unit(entry["text"], entry["kind"]))
    return units


def evaluate(directory: Path, split: str | None = None) -> list[DocumentResult]:
    golds = sorted(directory.glob("*.gold.json"))
    chosen = []
    for gold_path in golds:
        gold = json.loads(gold_path.read_text("utf-8"))
        if split and gold["split"] != split:
            continue
        stem = gold_path.name.removesuffix(".gold.json")
        source = next(p for p in directory.glob(stem + ".*") if p.stem == stem)
        chosen.append((gold_path, gold, source))
    results: list[DocumentResult] = []
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "structure.db"
        provenance.ingest([str(source) for _, _, source in chosen], db_path, jobs=1)
        db = provenance.open_database(db_path)
        texts = {
            row["source"]: row["text"] for row in db.query("select source, text from documents")
        }
        by_document: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
        for claim in provenance.iter_claims(db):
            by_document[claim.document].append((claim.start, claim.end, claim.text))
        db.close()
        for _, gold, source in chosen:
            key = next(k for k in texts if Path(k).name == source.name)
            stored = texts[key]
            markdown = source.suffix == ".md"
            units = gold_units(gold)
            locate(units, stored, markdown)
            score(units, by_document.get(key, []), stored, markdown)
            result = DocumentResult(source.name, gold["genre"], gold["split"])
            for unit in units:
                if unit.kind == "statement":
                    result.statements += 1
                    result.found += unit.claimed
                    result.unlocated_statements += unit.start < 0
                    if not unit.claimed:
                        result.missed.append(unit.text)
                else:
                    result.non_statements += 1
                    result.stored_as_claims += unit.claimed
                    if unit.claimed:
                        result.noise.append(f"[{unit.kind}] {unit.text}")
            results.append(result)
    return results


def _share(part: int, whole: int) -> str:
    return f"{part}/{whole} = {part / whole:.1%}" if whole else "-"


def report(results: list[DocumentResult], verbose: bool, offenders_of: str = "dev") -> str:
    lines: list[str] = []
    for split in ("dev", "test"):
        chosen = [r for r in results if r.split == split]
        if not chosen:
            continue
        lines.append(f"== {split}: {len(chosen)} documents")
        groups: dict[str, list[DocumentResult]] = defaultdict(list)
        for result in chosen:
            groups[result.genre].append(result)
        rows = [("all", chosen), *sorted(groups.items())]
        lines.append(
            f"{'genre':<16} {'docs':>4}  {'non-statements as claims':<26} statements found"
        )
        for genre, group in rows:
            noise = sum(r.stored_as_claims for r in group)
            non = sum(r.non_statements for r in group)
            found = sum(r.found for r in group)
            statements = sum(r.statements for r in group)
            lines.append(
                f"{genre:<16} {len(group):>4}  {_share(noise, non):<26} {_share(found, statements)}"
            )
        if verbose and split == offenders_of:
            worst = sorted(chosen, key=lambda r: r.stored_as_claims + len(r.missed), reverse=True)
            for result in worst:
                if not result.noise and not result.missed:
                    continue
                lines.append(f"-- {result.name} ({result.genre})")
                lines.extend(f"   noise  {text[:110]}" for text in result.noise[:12])
                if len(result.noise) > 12:
                    lines.append(f"   noise  … {len(result.noise) - 12} more")
                lines.extend(f"   missed {text[:110]}" for text in result.missed[:12])
                if len(result.missed) > 12:
                    lines.append(f"   missed … {len(result.missed) - 12} more")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("directory", nargs="?", type=Path, default=DATA)
    parser.add_argument("--split", choices=("dev", "test"))
    parser.add_argument("--verbose", action="store_true", help="list the worst offenders")
    parser.add_argument("--json", action="store_true", help="print every document's figures")
    args = parser.parse_args(argv)
    results = evaluate(args.directory, args.split)
    if args.json:
        print(json.dumps([asdict(r) for r in results], indent=1, ensure_ascii=False))
    else:
        print(report(results, args.verbose, args.split or "dev"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
