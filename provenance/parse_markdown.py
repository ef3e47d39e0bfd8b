"""Markdown: parsed with markdown-it-py; offsets refer to the Markdown source."""

from __future__ import annotations

from provenance.blocks import ParsedDocument
from provenance.parse_text import parse_plain_text


def parse_markdown(text: str) -> ParsedDocument:
    """Placeholder until the Markdown parser lands: treat as plain text."""
    return parse_plain_text(text)
