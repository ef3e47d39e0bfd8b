"""Sentence splitting with exact character offsets."""

from __future__ import annotations

import re

from provenance.blocks import trimmed_span

_BOUNDARY = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s+[A-Z0-9\"“‘(\[])")


def split_sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split ``text[start:end]`` into sentence spans ``[s, e)`` trimmed of whitespace.

    Every non-whitespace character of the range belongs to exactly one span.
    """
    spans: list[tuple[int, int]] = []
    cursor = start
    for match in _BOUNDARY.finditer(text, start, end):
        s, e = trimmed_span(text, cursor, match.end())
        if s < e:
            spans.append((s, e))
        cursor = match.end()
    s, e = trimmed_span(text, cursor, end)
    if s < e:
        spans.append((s, e))
    return spans
