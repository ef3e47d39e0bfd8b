"""The learned classifier's weights, read by plain Python: no numpy or scikit-learn at run time.

``rules/classifier.json`` is written by ``python -m evaluation.train`` (``make model``) from the
labelled sentences in ``data/classify/``. It holds three linear models over the features of
``features.py``: the category (14 classes) and the attribution (none, vague, named) of a
sentence, which share their features, and a hedge-cue model (is this cue, in this context, a
hedge). Weights are integers (the learned weight times ``scale``).

Speed: every feature's weights for all 17 classes are packed into ONE Python integer, 32 bits
a class, so scoring a sentence is one dictionary lookup and one integer addition per feature
(``sum(map(get, features))``, C loops), and the 17 sums are read back at once with ``struct``
(an offset of 2**31 a class keeps every field non-negative while they are added; flipping
each field's top bit then takes it off, and the fields read as signed are the scores).
Each feature's weight is clipped to ±2**15, so a field cannot overflow below 65,536 features
(a 20,000-character statement has about 7,000).
"""

from __future__ import annotations

import hashlib
import json
import re
import struct
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from math import exp
from typing import Any

from provenance.errors import ProvenanceError
from provenance.models import Attribution, Category

MODEL_FILE = "classifier.json"
FIELD_BITS = 32
WEIGHT_LIMIT = 2**15 - 1
_HALF = 1 << (FIELD_BITS - 1)


@dataclass(frozen=True, slots=True)
class SentenceModel:
    """Category and attribution weights, packed (see the module docstring)."""

    categories: tuple[Category, ...]
    attributions: tuple[Attribution, ...]
    scale: float
    start: int  # the packed biases plus the offset that keeps fields non-negative
    get: object  # dict.get of feature -> packed weights (typed loosely: it is the hot path)
    unpack: struct.Struct  # the fields as signed integers
    flip: int  # each field's top bit
    #: Per category: the features that weigh most for it, with a sort key (weight first).
    indicative: dict[Category, dict[str, int]]

    def scores(self, features: list[str]) -> tuple[int, ...]:
        """Every class's score (scaled integers), categories first."""
        total = self.start + sum(filter(None, map(self.get, features)))  # type: ignore[call-overload]
        signed = (total ^ self.flip).to_bytes(self.unpack.size, "little")
        scores: tuple[int, ...] = self.unpack.unpack(signed)
        return scores

    def probability(self, scores: tuple[int, ...], chosen: int) -> float:
        """The softmax probability of ``chosen`` among the category scores."""
        best = scores[chosen]
        inverse = 1.0 / self.scale
        head = scores[: len(self.categories)]
        return 1.0 / sum([exp((score - best) * inverse) for score in head])

    def weight(self, feature: str, index: int) -> float:
        """One feature's weight for one class (for explanations)."""
        packed = self.get(feature)  # type: ignore[operator]
        if not packed:
            return 0.0
        field = (packed + _HALF * _field_offsets(index + 1)) >> (FIELD_BITS * index)
        return float((field & ((1 << FIELD_BITS) - 1)) - _HALF) / self.scale


def _field_offsets(count: int) -> int:
    return sum(1 << (FIELD_BITS * k) for k in range(count))


@dataclass(frozen=True, slots=True)
class HedgeModel:
    bias: int
    weights: dict[str, int]
    scale: float

    def score(self, features: list[str]) -> int:
        return self.bias + sum(filter(None, map(self.weights.get, features)))


@dataclass(frozen=True, slots=True)
class Model:
    version: str  # a digest of the weights file: a new model reclassifies on the next ingest
    rules: str  # the digest of the rules it was trained against (``features.rules_digest``)
    sentence: SentenceModel
    hedge: HedgeModel


class Packer:
    """Several classes' integer weights as one integer, 32 bits a class (signed fields): the
    sum of each weight times 2**(32 k). Computed in C: the weights' bytes as signed 32-bit
    fields, read as one unsigned integer U, hold each negative weight w as w + 2**32, so the
    sum is U less 2**32 times the fields' sign bits, each moved up to the next field."""

    def __init__(self, size: int) -> None:
        self.fields = struct.Struct(f"<{size}i")
        self.low_bits = _field_offsets(size)

    def __call__(self, weights: list[int]) -> int:
        unsigned = int.from_bytes(self.fields.pack(*weights), "little")
        return unsigned - (((unsigned >> (FIELD_BITS - 1)) & self.low_bits) << FIELD_BITS)


_DECODE = json.JSONDecoder().raw_decode


_SPACE = re.compile(r"[ \t\n\r]*")  # JSON's whitespace


def _skip(text: str, index: int) -> int:
    """Past the JSON whitespace at ``text[index]``."""
    return _SPACE.match(text, index).end()  # type: ignore[union-attr]  # it matches anywhere


def _read_object(text: str, index: int, read: Callable[[str, int], int]) -> int:
    """Read the JSON object at ``text[index]`` (after whitespace) member by member: ``read``
    reads each member's value from where it starts and returns where it ends. Returns where
    the object ends. Keys and values are read by the json module's own scanner."""
    index = _skip(text, index)
    if text[index : index + 1] != "{":
        raise ValueError(f"expected an object at {index}")
    index = _skip(text, index + 1)
    if text[index : index + 1] == "}":
        return index + 1
    while True:
        if text[index : index + 1] != '"':
            raise ValueError(f"expected a key at {index}")
        key, index = _DECODE(text, index)
        index = _skip(text, index)
        if text[index : index + 1] != ":":
            raise ValueError(f"expected ':' at {index}")
        index = _skip(text, read(key, _skip(text, index + 1)))
        if text[index : index + 1] == "}":
            return index + 1
        if text[index : index + 1] != ",":
            raise ValueError(f"expected ',' or '}}' at {index}")
        index = _skip(text, index + 1)


def _read_spec(data: bytes) -> tuple[dict[str, Any], dict[str, int]]:
    """The model file's members as ``json.loads`` reads them, except ``features``: packed one
    feature at a time as they are read (``Packer``; zero for a feature without weights), and
    in its place in the members the packers used, by length. So the file's 19,600 lists of 17
    integers never all exist at once (13 MB while ``json.loads`` built them, which the process
    then kept)."""
    text = data.decode(json.detect_encoding(data), "surrogatepass")
    spec: dict[str, Any] = {}
    packed: dict[str, int] = {}
    packers: dict[int, Packer] = {}

    def weights(key: str, index: int) -> int:
        ws, end = _DECODE(text, index)
        if not isinstance(ws, list):
            raise ValueError(f"the weights of {key!r} are not a list")
        if ws and (max(ws) > WEIGHT_LIMIT or min(ws) < -WEIGHT_LIMIT):
            raise ValueError("a weight beyond the limit")
        packer = packers.get(len(ws))
        if packer is None:
            packer = packers[len(ws)] = Packer(len(ws))
        packed[key] = packer(ws)
        return end

    def member(key: str, index: int) -> int:
        if key == "features":
            spec[key] = packers  # by the weights' lengths: each must be the classes' count
            return _read_object(text, index, weights)
        value, end = _DECODE(text, index)
        spec[key] = value
        return end

    end = _read_object(text, 0, member)
    if _skip(text, end) != len(text):
        raise ValueError(f"extra data at {end}")
    return spec, packed


def parse_model(data: bytes) -> Model:
    try:
        spec, packed = _read_spec(data)
        categories = tuple(Category(c) for c in spec["category"]["classes"])
        attributions = tuple(Attribution(a) for a in spec["attribution"]["classes"])
        scale = float(spec["scale"])
        size = len(categories) + len(attributions)
        bias = [*spec["category"]["bias"], *spec["attribution"]["bias"]]
        if any(length != size for length in spec["features"]) or len(bias) != size:
            raise ValueError("weights of the wrong length")
        # Features without weights are left out (in place: the order of the others is kept).
        for feature in [f for f, p in packed.items() if not p]:
            del packed[feature]
        # Ranked by weight, ties by the file's order (weight, then name): unique sort keys, so
        # the features an explanation names never depend on anything else.
        indicative = {
            Category(c): {f: (int(w) << 24) - rank for rank, (f, w) in enumerate(pairs)}
            for c, pairs in spec["indicative"].items()
        }
        hedge = HedgeModel(int(spec["hedge"]["bias"]), dict(spec["hedge"]["weights"]), scale)
        rules = spec["rules"]
        if not isinstance(rules, str):
            raise TypeError("the rules' digest is not a string")
    except (KeyError, TypeError, ValueError, struct.error) as error:
        raise ProvenanceError(f"rules/{MODEL_FILE}: not a classifier model ({error})") from None
    sentence = SentenceModel(
        categories,
        attributions,
        scale,
        Packer(size)(bias) + _HALF * _field_offsets(size),
        packed.get,
        struct.Struct(f"<{size}i"),
        _HALF * _field_offsets(size),
        indicative,
    )
    return Model(hashlib.sha256(data).hexdigest()[:12], rules, sentence, hedge)


def load_model() -> Model:
    data = resources.files("provenance.extract").joinpath("rules").joinpath(MODEL_FILE).read_bytes()
    return parse_model(data)
