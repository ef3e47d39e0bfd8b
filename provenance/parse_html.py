"""HTML: main text only; script, style, nav, header and footer never become claims."""

from __future__ import annotations

from provenance.blocks import ParsedDocument


def parse_html(source: str) -> ParsedDocument:
    """Placeholder until the HTML reader lands."""
    raise NotImplementedError("HTML reading is not implemented yet")
