"""The distillation data: the teacher's committed labels and how the student reads them.

The teacher itself (PyTorch) is not run here; what the shipped model is rebuilt from is.
"""

from __future__ import annotations

import json
import shutil
from itertools import pairwise
from pathlib import Path

import pytest

from evaluation.labelled import labelled_statements, statement_key
from evaluation.teacher import LABELS, UNLABELLED, digest, read_unlabelled
from evaluation.train import soft_rows
from evaluation.unlabelled import Taught, load_taught
from provenance.models import Attribution, Category


@pytest.fixture(scope="module")
def taught() -> list[Taught]:
    return load_taught()


def test_the_committed_labels_belong_to_the_committed_corpus() -> None:
    rows = read_unlabelled()
    labels = [json.loads(line) for line in LABELS.read_text(encoding="utf-8").splitlines()]
    assert len(rows) >= 30_000
    assert [label["sha"] for label in labels] == [digest(row["text"]) for row in rows]
    categories = {c.value for c in Category}
    attributions = {Attribution.none.value, Attribution.vague.value, Attribution.named.value}
    for label in labels[::97]:
        assert set(label["category"]) <= categories and label["category"]
        assert set(label["attribution"]) <= attributions and label["attribution"]
        probabilities = list(label["category"].values())
        # The most likely first; those under 0.05 left out, so the rest sums to under 1.
        assert probabilities == sorted(probabilities, reverse=True)
        assert min(probabilities) >= 0.05 and 0.5 <= sum(probabilities) <= 1.01


def test_no_labelled_sentence_is_taught(taught: list[Taught]) -> None:
    # A document sharing a sentence with a hand-labelled one is left out, so the student
    # never learns the teacher's view of a sentence that dev or test scores.
    assert len(taught) >= 30_000
    labelled = labelled_statements()
    assert not any(statement_key(t.text) in labelled for t in taught)
    assert len({t.genre for t in taught}) >= 6


def test_neighbours_stay_within_their_document(taught: list[Taught]) -> None:
    firsts = [t for k, t in enumerate(taught) if k == 0 or taught[k - 1].doc != t.doc]
    assert firsts and all(t.before is None for t in firsts)
    assert all(b.before is a.prepared for a, b in pairwise(taught) if a.doc == b.doc)


def test_stale_labels_are_refused(tmp_path: Path) -> None:
    folder = tmp_path / "unlabelled"
    folder.mkdir()
    for path in sorted(UNLABELLED.glob("*.jsonl"))[:1]:
        shutil.copyfile(path, folder / path.name)
    first = read_unlabelled(folder)
    labels = [
        {"sha": digest(row["text"]), "category": {"definition": 1.0}, "attribution": {}}
        for row in first
    ]
    labels[3]["sha"] = digest(first[3]["text"] + " edited")
    (folder / LABELS.name).write_text(
        "\n".join(json.dumps(label) for label in labels) + "\n", encoding="utf-8"
    )
    with pytest.raises(ValueError, match="make teacher"):
        load_taught(folder)
    (folder / LABELS.name).unlink()
    assert load_taught(folder) == []


def test_soft_rows_weigh_each_category_the_teacher_gives(taught: list[Taught]) -> None:
    first = taught[:200]
    rows = soft_rows(first, "category")
    for index, name, weight in rows:
        probability = first[index].category[name]
        assert probability >= 0.1 and weight == pytest.approx(0.5 * probability)
    assert {index for index, _, _ in rows} == set(range(len(first)))
