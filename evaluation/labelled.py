"""The hand-labelled sentences of ``data/classify/``, prepared and split (one definition).

Split by article, deterministically, per genre: an article is the part of ``doc`` after the
genre (an eLife or Trials article's abstract and full text are one article, so they land in
the same split). In each genre, articles are ordered by the SHA-256 of their id; the first
15 % (at least one) are ``dev``, the next 15 % (at least one) ``test``, the rest ``train``.
An article labelled in two genres takes the genre that sorts first. Tune on ``dev`` only;
``test`` is looked at once, by ``evaluation/classify.py``.

Files named in ``TRAIN_ONLY_FILES`` hold documents labelled after the split was fixed: their
articles (those found in no other file) are all ``train`` and are left out of the ordering
above, so adding them moves no existing article between splits (``dev`` and ``test`` stay
exactly as they were, and figures measured on them stay comparable). Without this, a new
article would take a place in its genre's hash order and push others across the 15 % marks.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from provenance.extract.features import Prepared, prepare

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "data" / "classify"
SHARE = 0.15
#: Labelled files whose articles are train-only (see the module docstring).
TRAIN_ONLY_FILES = frozenset({"rel3.jsonl"})


@dataclass(frozen=True, slots=True)
class Labelled:
    doc: str
    genre: str
    text: str
    category: str
    alt: tuple[str, ...]
    certainty: str
    hedge_cues: tuple[str, ...]
    attribution: str
    split: str
    prepared: Prepared
    before: Prepared | None
    after: Prepared | None

    def category_ok(self, predicted: str) -> bool:
        """The gold category or one of its acceptable alternatives."""
        return predicted == self.category or predicted in self.alt


def article(doc: str) -> str:
    return doc.partition("/")[2] or doc


def split_articles(genre_of: dict[str, str]) -> dict[str, str]:
    """Article id -> split (see the module docstring)."""
    by_genre: dict[str, list[str]] = defaultdict(list)
    for name, genre in genre_of.items():
        by_genre[genre].append(name)
    split: dict[str, str] = {}
    for names in by_genre.values():
        names.sort(key=lambda name: hashlib.sha256(name.encode("utf-8")).hexdigest())
        share = max(1, round(SHARE * len(names))) if len(names) >= 3 else 0
        for index, name in enumerate(names):
            split[name] = "dev" if index < share else "test" if index < 2 * share else "train"
    return split


def _file_rows(path: Path) -> list[dict[str, object]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def read_rows(folder: Path = DATA) -> list[dict[str, object]]:
    return [row for path in sorted(folder.glob("*.jsonl")) for row in _file_rows(path)]


def statement_key(text: str) -> str:
    """What makes two statements of different data sets the same one: their words, whatever
    the whitespace between them (one definition for every overlap check)."""
    return " ".join(text.split())


def labelled_statements(folder: Path = DATA) -> set[str]:
    """The ``statement_key`` of every labelled sentence: a document of another data set that
    shares one is scored here, so it must be neither taught nor tuned on elsewhere."""
    return {statement_key(str(row["text"])) for row in read_rows(folder)}


def article_splits(folder: Path = DATA) -> dict[str, str]:
    """Article id -> split for every article labelled in ``folder`` (see the module
    docstring): train-only articles are ``train``, the others split by ``split_articles``."""
    genre_of: dict[str, str] = {}
    train_only: set[str] = set()
    elsewhere: set[str] = set()
    for path in sorted(folder.glob("*.jsonl")):
        for row in _file_rows(path):
            name = article(str(row["doc"]))
            genre_of[name] = min(genre_of.get(name, str(row["genre"])), str(row["genre"]))
            (train_only if path.name in TRAIN_ONLY_FILES else elsewhere).add(name)
    only = train_only - elsewhere
    split = split_articles({name: g for name, g in genre_of.items() if name not in only})
    split.update((name, "train") for name in only)
    return split


def prepare_document(
    texts: list[str],
) -> list[tuple[Prepared, Prepared | None, Prepared | None]]:
    """A document's sentences prepared as the classifier prepares them, each with the ones
    before and after it (None at the document's edges)."""
    from provenance.extract.citations import find_citations

    prepared = [prepare(text, bool(find_citations(text, 0, len(text)))) for text in texts]
    last = len(prepared) - 1
    return [
        (sentence, prepared[k - 1] if k else None, prepared[k + 1] if k < last else None)
        for k, sentence in enumerate(prepared)
    ]


def load(folder: Path = DATA) -> list[Labelled]:
    """Every labelled sentence, prepared as the classifier prepares it, with its neighbours
    (the sentences before and after it in its document) and its split."""
    rows = read_rows(folder)
    split = article_splits(folder)
    by_doc: dict[str, list[dict[str, object]]] = defaultdict(list)
    for row in rows:
        by_doc[str(row["doc"])].append(row)
    out: list[Labelled] = []
    for doc, doc_rows in by_doc.items():
        texts = [str(row["text"]) for row in doc_rows]
        for index, (row, (sentence, before, after)) in enumerate(
            zip(doc_rows, prepare_document(texts), strict=True)
        ):
            out.append(
                Labelled(
                    doc=doc,
                    genre=str(row["genre"]),
                    text=texts[index],
                    category=str(row["category"]),
                    alt=tuple(str(a) for a in row.get("alt") or ()),  # type: ignore[attr-defined]
                    certainty=str(row["certainty"]),
                    hedge_cues=tuple(str(c) for c in row.get("hedge_cues") or ()),  # type: ignore[attr-defined]
                    attribution=str(row["attribution"]),
                    split=split[article(doc)],
                    prepared=sentence,
                    before=before,
                    after=after,
                )
            )
    return out


def of_split(rows: list[Labelled], *names: str) -> Iterator[Labelled]:
    return (row for row in rows if row.split in names)
