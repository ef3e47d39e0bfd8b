"""Stable identifiers: derived from content, never from offsets or row order."""

from __future__ import annotations

import hashlib
import unicodedata

#: Typographic quotes and dashes, and what they count as. Applied with str.replace: for a
#: table this small, str.translate costs 25 times more (it looks up every character).
_QUOTES = (("‘", "'"), ("’", "'"), ("“", '"'), ("”", '"'), ("–", "-"), ("—", "-"))


def normalise_text(text: str) -> str:
    """Case, width, quote and whitespace differences do not make a different statement."""
    if not text.isascii():  # NFKC and the quote table change nothing in ASCII text
        text = unicodedata.normalize("NFKC", text)
        for typographic, plain in _QUOTES:
            if typographic in text:
                text = text.replace(typographic, plain)
    return " ".join(text.casefold().split())


def _digest(*parts: str, length: int = 16) -> str:
    joined = "\x1f".join(parts).encode("utf-8")
    return hashlib.sha256(joined).hexdigest()[:length]


def claim_key(normalised: str) -> str:
    """Groups the same statement wherever it appears."""
    return _digest("claim-key", normalised)


def claim_id(source: str, normalised: str, occurrence: int) -> str:
    """Stable across re-ingests of an unchanged statement in the same document."""
    return _digest("claim", source, normalised, str(occurrence))


def document_id(source: str, version: int) -> str:
    """Identifies one version of a document."""
    return _digest("document", source, str(version), length=12)


def part_id(kind: str, document: str, start: int) -> str:
    """Sections and references are identified by their document version and position."""
    return _digest(kind, document, str(start), length=16)
