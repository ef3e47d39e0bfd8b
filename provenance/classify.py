"""Rule-based classification of one statement: category, certainty, attribution."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from provenance.models import Attribution, Category, Certainty

RULESET_VERSION = "0.1.0"

_HEDGE = re.compile(
    r"\b(may|might|could|possibly|potentially|suggest\w*|likely|promising|appear\w*|implicated)\b",
    re.IGNORECASE,
)
_VAGUE = re.compile(
    r"\b(research has (?:indicated|shown)|has been shown to|studies (?:suggest|show)|experts say|"
    r"have been linked to)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Classification:
    category: Category
    category_cues: list[str] = field(default_factory=list)
    certainty: Certainty = Certainty.asserted
    hedge_cues: list[str] = field(default_factory=list)
    attribution: Attribution = Attribution.none
    attribution_cues: list[str] = field(default_factory=list)


def classify_sentence(text: str, *, cited: bool = False) -> Classification:
    """Classify one statement. ``cited`` says whether a citation marker was found in it."""
    hedges = [m.group(0) for m in _HEDGE.finditer(text)]
    vague = [m.group(0) for m in _VAGUE.finditer(text)]
    if cited:
        attribution = Attribution.cited
    elif vague:
        attribution = Attribution.vague
    else:
        attribution = Attribution.none
    return Classification(
        category=Category.definition,
        category_cues=[],
        certainty=Certainty.hedged if hedges else Certainty.asserted,
        hedge_cues=hedges,
        attribution=attribution,
        attribution_cues=vague,
    )
