"""The structure rules (rules/structure.rules): read, compiled, versioned.

The file holds ``version = N`` and then ``[section]`` headers, each followed by regular
expressions (Python syntax, one a line, ``#`` starts a comment). Sections named "… whole",
"… heading" and "… entry" must match a block's whole text, "… signals" anywhere in it, the
others at its start; all are matched case-insensitively (``(?-i:…)`` where case matters). The
rule set's version is the file's ``version`` and a digest of its text, so that any change to
the rules makes the next ingest read unchanged documents again.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from provenance.models import BlockKind

_SECTION = re.compile(r"\[(?P<name>[\w ]+)\]")


#: The sections a long block's start is read with, and the kind each one shows.
_START_SECTIONS = {
    "boilerplate start": BlockKind.boilerplate,
    "hatnote start": BlockKind.reference,
    "caption start": BlockKind.caption,
}


@dataclass(frozen=True, slots=True)
class StructureRules:
    """The compiled rules: one pattern per section, and the file's version."""

    version: str
    patterns: dict[str, re.Pattern[str]]
    #: The start sections in one pattern (a long block is read with one match).
    starts: re.Pattern[str] | None = None

    def start_kind(self, text: str) -> BlockKind | None:
        """The kind the start of ``text`` shows by the start sections, if any."""
        found = self.starts.match(text) if self.starts is not None else None
        if found is None or found.lastgroup is None:
            return None
        return _START_SECTIONS[found.lastgroup.replace("_", " ")]

    def matches(self, section: str, text: str) -> bool:
        pattern = self.patterns.get(section)
        if pattern is None:
            return False
        if section.endswith(("whole", "heading", "entry")):
            return pattern.fullmatch(text) is not None
        if section.endswith("signals"):
            return pattern.search(text) is not None
        return pattern.match(text) is not None

    def prefix(self, section: str, text: str) -> int:
        """Length of the section's match at the start of ``text`` (0: none)."""
        found = self.patterns[section].match(text)
        return found.end() if found else 0


def parse_rules(source: str) -> StructureRules:
    """Read rules/structure.rules: ``version = N``, then ``[section]`` and one regex a line."""
    version = ""
    sections: dict[str, list[str]] = {}
    current: str | None = None
    for raw in source.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        header = _SECTION.fullmatch(line)
        if header:
            current = header.group("name")
            sections[current] = []
        elif current is None:
            key, _, value = line.partition("=")
            if key.strip() != "version":
                raise ValueError(f"structure rule outside a section: {line!r}")
            version = value.strip()
        else:
            sections[current].append(line)
    digest = hashlib.sha256(source.encode()).hexdigest()[:8]
    patterns = {
        name: re.compile("|".join(f"(?:{p})" for p in lines), re.IGNORECASE)
        for name, lines in sections.items()
        if lines
    }
    starts = "|".join(
        f"(?P<{name.replace(' ', '_')}>{'|'.join(f'(?:{p})' for p in sections[name])})"
        for name in _START_SECTIONS
        if sections.get(name)
    )
    return StructureRules(
        version=f"{version}-{digest}",
        patterns=patterns,
        starts=re.compile(starts, re.IGNORECASE) if starts else None,
    )


@cache
def rules() -> StructureRules:
    """The packaged structure rules, read once."""
    path = resources.files("provenance.extract") / "rules" / "structure.rules"
    return parse_rules(path.read_text(encoding="utf-8"))
