"""The statements of ``data/unlabelled/`` with the teacher's labels, prepared as the classifier
prepares them (one definition; see ``evaluation/teacher.py`` for how the labels are made).

A document of the unlabelled corpus that shares a statement with a hand-labelled document is
left out: the student would otherwise learn the teacher's view of a sentence that ``dev`` or
``test`` scores it on.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from evaluation.labelled import labelled_statements, prepare_document, statement_key
from evaluation.teacher import UNLABELLED, digest, read_labels, read_unlabelled
from provenance.extract.features import Prepared


@dataclass(frozen=True, slots=True)
class Taught:
    doc: str
    genre: str
    text: str
    category: dict[str, float]
    attribution: dict[str, float]
    prepared: Prepared
    before: Prepared | None
    after: Prepared | None


def load_taught(folder: Path = UNLABELLED) -> list[Taught]:
    """Every unlabelled statement with its teacher labels, in corpus order ([] without labels).

    Raises ValueError when the labels were made for another corpus (a digest differs)."""
    rows = read_unlabelled(folder)
    labels = read_labels(folder)
    if not labels:
        return []
    if len(labels) != len(rows) or any(
        label["sha"] != digest(row["text"]) for row, label in zip(rows, labels, strict=True)
    ):
        raise ValueError("data/unlabelled/teacher.jsonl labels another corpus: run make teacher")
    labelled_texts = labelled_statements()
    by_doc: dict[str, list[int]] = defaultdict(list)
    for index, row in enumerate(rows):
        by_doc[row["doc"]].append(index)
    out: list[Taught] = []
    for doc, indexes in by_doc.items():
        texts = [rows[i]["text"] for i in indexes]
        if any(statement_key(text) in labelled_texts for text in texts):
            continue
        for position, (index, (sentence, before, after)) in enumerate(
            zip(indexes, prepare_document(texts), strict=True)
        ):
            out.append(
                Taught(
                    doc=doc,
                    genre=rows[index]["genre"],
                    text=texts[position],
                    category=labels[index]["category"],
                    attribution=labels[index]["attribution"],
                    prepared=sentence,
                    before=before,
                    after=after,
                )
            )
    return out
