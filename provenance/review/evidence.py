"""Evidence references a reviewer cites: doi:, pmid:, pmcid:, isbn:, url: or free text.

Each typed reference is validated and written in one normal form (``doi:10.1000/xyz``), so the
same source cited twice is the same string. Anything without a known prefix is free text.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from provenance.errors import ProvenanceError

REFERENCE_KINDS = ("doi", "pmid", "pmcid", "isbn", "url")

_PREFIX = re.compile(r"^(doi|pmid|pmcid|isbn|url)\s*:\s*(.*)$", re.IGNORECASE | re.DOTALL)
_DOI = re.compile(r"^10\.\d{4,9}/\S+$")
_DOI_URL = re.compile(r"^https?://(dx\.)?doi\.org/", re.IGNORECASE)
_PMID = re.compile(r"^\d{1,9}$")
_PMCID = re.compile(r"^(?:PMC)?(\d{1,10})$", re.IGNORECASE)
_ISBN_SEPARATORS = re.compile(r"[\s-]")


#: Where each kind of evidence reference resolves: the IRI prefix its value follows.
EVIDENCE_BASES = {
    "doi": "https://doi.org/",
    "pmid": "https://pubmed.ncbi.nlm.nih.gov/",
    "pmcid": "https://www.ncbi.nlm.nih.gov/pmc/articles/",
    "isbn": "urn:isbn:",
    "url": "",
}


def _isbn_valid(digits: str) -> bool:
    if len(digits) == 10 and re.fullmatch(r"\d{9}[\dX]", digits):
        values = [10 if c == "X" else int(c) for c in digits]
        return sum((10 - i) * v for i, v in enumerate(values)) % 11 == 0
    if len(digits) == 13 and digits.isdigit():
        total = sum((3 if i % 2 else 1) * int(c) for i, c in enumerate(digits))
        return total % 10 == 0
    return False


def _url_valid(value: str) -> bool:
    if any(c.isspace() for c in value):
        return False
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _typed(kind: str, value: str, given: str) -> str:
    if kind == "doi":
        value = _DOI_URL.sub("", value)
        if _DOI.match(value):
            return f"doi:{value}"
        raise ProvenanceError(
            f"{given!r} is not a valid DOI (expected doi:10.<registrant>/<suffix>)"
        )
    if kind == "pmid":
        if _PMID.match(value) and int(value) > 0:
            return f"pmid:{value}"
        raise ProvenanceError(f"{given!r} is not a valid PMID (expected pmid: and 1–9 digits)")
    if kind == "pmcid":
        found = _PMCID.match(value)
        if found:
            return f"pmcid:PMC{found.group(1)}"
        raise ProvenanceError(f"{given!r} is not a valid PMCID (expected pmcid:PMC and digits)")
    if kind == "isbn":
        digits = _ISBN_SEPARATORS.sub("", value).upper()
        if _isbn_valid(digits):
            return f"isbn:{digits}"
        raise ProvenanceError(
            f"{given!r} is not a valid ISBN (10 or 13 digits, checksum must match)"
        )
    if _url_valid(value):
        return f"url:{value}"
    raise ProvenanceError(f"{given!r} is not a valid URL (expected url:http(s)://host/…)")


def normalise_reference(reference: str) -> str:
    """One evidence reference in normal form; a malformed typed reference is a user error.

    ``doi:``, ``pmid:``, ``pmcid:``, ``isbn:`` and ``url:`` prefixes are checked; a bare
    ``https://doi.org/…`` link becomes a DOI and a bare ``http(s)://`` link a URL; any other
    text is kept as free text (trimmed).
    """
    given = reference
    text = reference.strip()
    if not text:
        raise ProvenanceError("an evidence reference is empty")
    prefixed = _PREFIX.match(text)
    if prefixed:
        return _typed(prefixed.group(1).lower(), prefixed.group(2).strip(), given)
    if _DOI_URL.match(text):
        return _typed("doi", text, given)
    if re.match(r"^https?:", text, re.IGNORECASE):
        return _typed("url", text, given)
    return text


def normalise_references(references: list[str]) -> list[str]:
    """Every reference in normal form, duplicates dropped, order kept."""
    seen: dict[str, None] = {}
    for reference in references:
        seen.setdefault(normalise_reference(reference), None)
    return list(seen)


def reference_kind(reference: str) -> str:
    """``doi``, ``pmid``, ``pmcid``, ``isbn``, ``url``, or ``text`` for free text."""
    prefixed = _PREFIX.match(reference)
    return prefixed.group(1).lower() if prefixed else "text"
