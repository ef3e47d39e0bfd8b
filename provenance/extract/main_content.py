"""Main content of a raw web page: what trafilatura keeps of it.

A page saved with its navigation, sharing buttons, related stories and footer holds far more
furniture than article. trafilatura measured best of three extractors on such pages here
(NOTES.md: every article sentence kept, with 6 and 0 boilerplate units, where readability-lxml
kept hatnotes and bylines and justext lost a third of a Wikipedia article). Its output is not
the stored text (offsets must point into text the HTML parser built from the page itself): it
only decides which of the parser's blocks are boilerplate. A block is main content when its
letters and digits appear in the extracted text; a short block (a menu entry, a tag) only when
the extractor kept it as a line of its own, since its words are found inside any article.

The extractor and its version are recorded in each ingest run (``runs.extractors``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_PAGE_CHARS = 5_000_000
"""Larger pages are read without the extractor (its cost grows faster than the page's)."""
SHORT_BLOCK_KEY = 40
"""A block with fewer letters and digits than this must be a whole line of the extraction."""

SHARED_SHINGLES = 0.6
"""A long block is main content if this share of its four-word runs is in the extraction."""
SHINGLE = 4

_NOT_WORD = re.compile(r"\W+")
_WORDS = re.compile(r"\w+")


def _shingles(text: str) -> frozenset[tuple[str, ...]]:
    words = _WORDS.findall(text.casefold())
    return frozenset(tuple(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1))


def _key(text: str) -> str:
    return _NOT_WORD.sub("", text).casefold()


@dataclass(frozen=True, slots=True)
class MainContent:
    """The extracted main content, reduced to letters and digits (whole and line by line)."""

    text: str
    lines: frozenset[str]
    shingles: frozenset[tuple[str, ...]]

    def holds(self, text: str) -> bool:
        """Whether a block's text is part of the main content."""
        key = _key(text)
        if not key:
            return True
        if key in self.lines:
            return True
        if len(key) < SHORT_BLOCK_KEY:
            return False
        if key in self.text:
            return True
        # The same paragraph with a small difference ("As of 2015[update]" on one side).
        own = _shingles(text)
        return bool(own) and len(own & self.shingles) >= SHARED_SHINGLES * len(own)


def main_content(source: str) -> MainContent | None:
    """What trafilatura keeps of the page (None when it keeps nothing: then nothing is
    called boilerplate for it)."""
    if len(source) > MAX_PAGE_CHARS:
        return None
    import trafilatura

    extracted = trafilatura.extract(
        source, include_tables=True, include_comments=False, deduplicate=False
    )
    if not extracted:
        return None
    lines = frozenset(_key(line.lstrip("-*#| ")) for line in extracted.splitlines())
    return MainContent(_key(extracted), lines, _shingles(extracted))
