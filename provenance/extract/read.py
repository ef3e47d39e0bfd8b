"""Reading sources: exact bytes, their sha256, the decoded text, and the format.

A source is a file or a web address (``http://`` / ``https://``, fetched by
:mod:`provenance.extract.fetch`). PDF and DOCX are kept as bytes and parsed from them; the
text formats are decoded:

- UTF-8 first (a BOM is dropped);
- else the encoding the source declares (an HTTP ``charset``, or an HTML page's
  ``<meta charset>``), if the bytes decode with it;
- else Windows-1252, the usual encoding of press kits and older web pages written on Windows.

Which one was used is recorded with the document (``document_sources.encoding``). Bytes that
none of these decodes, and binary files (NUL bytes), are refused with a one-line error.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from provenance.errors import ProvenanceError
from provenance.extract.fetch import DEFAULT_LIMITS, Fetched, FetchLimits, canonical_url, fetch
from provenance.models import DocumentFormat

FORMATS_BY_SUFFIX = {
    ".txt": DocumentFormat.text,
    ".text": DocumentFormat.text,
    ".md": DocumentFormat.markdown,
    ".markdown": DocumentFormat.markdown,
    ".html": DocumentFormat.html,
    ".htm": DocumentFormat.html,
    ".pdf": DocumentFormat.pdf,
    ".docx": DocumentFormat.docx,
}
#: Formats parsed from their bytes rather than from decoded text.
BINARY_FORMATS = frozenset({DocumentFormat.pdf, DocumentFormat.docx})
#: The media types a web address may answer with, and how each is read.
FORMATS_BY_CONTENT_TYPE = {
    "text/html": DocumentFormat.html,
    "application/xhtml+xml": DocumentFormat.html,
    "text/plain": DocumentFormat.text,
    "text/markdown": DocumentFormat.markdown,
    "text/x-markdown": DocumentFormat.markdown,
    "application/pdf": DocumentFormat.pdf,
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (
        DocumentFormat.docx
    ),
}
_META_CHARSET = re.compile(
    rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{1,40})""", re.IGNORECASE
)


@dataclass(frozen=True, slots=True)
class SourceText:
    """A source as read: where from, its exact bytes' hash, and its decoded text."""

    source: str
    name: str
    format: DocumentFormat
    sha256: str
    size: int
    #: The decoded text; empty for a binary format (parsed from ``data``).
    text: str
    #: A binary format's exact bytes.
    data: bytes = b""
    #: The encoding a text format was decoded with.
    encoding: str | None = None
    #: For a web address: what the server said.
    fetched: Fetched | None = None


@dataclass(frozen=True, slots=True)
class FetchedSource:
    """A web address fetched (before anything is written), waiting for its turn."""

    fetched: Fetched
    data: bytes = field(repr=False)
    format: DocumentFormat


#: What ingest reads: a file, or a web address already fetched.
Source = Path | FetchedSource


def display_source(path: Path) -> str:
    """The path as the user gave it, normalised so that ``./a/../b.txt`` is ``b.txt``."""
    return Path(os.path.normpath(path)).as_posix()


def format_for(path: Path) -> DocumentFormat | None:
    return FORMATS_BY_SUFFIX.get(path.suffix.lower())


def find_sources(paths: list[Path], problems: list[str] | None = None) -> list[Path]:
    """Expand folders recursively (sorted, hidden entries skipped) into supported files.

    A folder that cannot be read is refused like a file that cannot be; with ``problems``, it
    is listed there instead and the rest is still found.
    """
    found: list[Path] = []
    for path in paths:
        if not path.exists():
            raise ProvenanceError(f"{path}: no such file or directory")
        if path.is_dir():
            reported = len(problems) if problems is not None else 0
            inside = sorted(_walk(path, problems))
            if not inside and (problems is None or len(problems) == reported):
                supported = ", ".join(sorted(FORMATS_BY_SUFFIX))
                raise ProvenanceError(f"{path}: no supported files in this folder ({supported})")
            found.extend(inside)
        elif format_for(path) is None:
            raise ProvenanceError(
                f"{path}: unsupported file type {path.suffix or '(none)'!r};"
                f" expected one of {', '.join(sorted(FORMATS_BY_SUFFIX))}"
            )
        else:
            found.append(path)
    # ./a.txt, a.txt and /abs/a.txt are one file: ingesting it twice in one run would clash.
    unique: dict[str, Path] = {}
    for path in found:
        unique.setdefault(str(path.resolve()), path)
    return list(unique.values())


def _walk(folder: Path, problems: list[str] | None = None) -> Iterator[Path]:
    def unreadable(error: OSError) -> None:
        # os.walk skips a folder it cannot list unless told otherwise.
        message = f"{error.filename}: cannot read folder ({error.strerror})"
        if problems is None:
            raise ProvenanceError(message)
        problems.append(message)

    for root, dirs, files in os.walk(folder, onerror=unreadable):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            path = Path(root) / name
            if not name.startswith(".") and format_for(path) is not None:
                yield path


#: Byte-order marks of the encodings a text file is found in besides UTF-8 (UTF-32 first: its
#: little-endian mark starts with UTF-16's).
_OTHER_UNICODE_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32 (little-endian)"),
    (codecs.BOM_UTF32_BE, "UTF-32 (big-endian)"),
    (codecs.BOM_UTF16_LE, "UTF-16 (little-endian)"),
    (codecs.BOM_UTF16_BE, "UTF-16 (big-endian)"),
)


def other_unicode_encoding(data: bytes) -> str | None:
    """UTF-16 or UTF-32 by its byte-order mark, or UTF-16 without one (mostly Latin text: a
    NUL in every other byte, always on the same side), else None."""
    for bom, name in _OTHER_UNICODE_BOMS:
        if data.startswith(bom):
            return name
    sample = data[:4096]
    pairs = len(sample) // 2
    if pairs >= 2:
        high_nul = sample[1 : 2 * pairs : 2].count(0)
        low_nul = sample[0 : 2 * pairs : 2].count(0)
        if high_nul >= pairs * 0.4 and low_nul == 0:
            return "UTF-16 (little-endian, no byte-order mark)"
        if low_nul >= pairs * 0.4 and high_nul == 0:
            return "UTF-16 (big-endian, no byte-order mark)"
    return None


def declared_charset(data: bytes) -> str | None:
    """The ``<meta charset>`` (or ``http-equiv`` content type) near an HTML page's start."""
    match = _META_CHARSET.search(data[:4096])
    return match.group(1).decode("ascii").lower() if match else None


def decode(data: bytes, label: str, declared: str | None = None) -> tuple[str, str]:
    """The text and the encoding it was read with (see the module docstring)."""
    if not data:
        raise ProvenanceError(f"{label}: file is empty")
    encoding = other_unicode_encoding(data)
    if encoding is not None:
        raise ProvenanceError(
            f"{label}: file is {encoding}, not UTF-8; convert it first"
            f" (for example: iconv -f {encoding.split()[0]} -t UTF-8)"
        )
    if b"\x00" in data:
        raise ProvenanceError(f"{label}: file looks binary (it contains NUL bytes)")
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        text, encoding = data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as error:
        text, encoding = _fallback(data, declared, error, label)
    if not text or text.isspace():  # not text.strip(), which would copy a large text
        raise ProvenanceError(f"{label}: file has no text")
    return text, encoding


def _fallback(
    data: bytes, declared: str | None, error: UnicodeDecodeError, label: str
) -> tuple[str, str]:
    for encoding in (declared, "windows-1252"):
        if not encoding:
            continue
        try:
            name = codecs.lookup(encoding).name
        except LookupError:
            continue
        if name in ("utf-8", "utf-8-sig"):
            continue
        try:
            return data.decode(name), _iana_name(name)
        except UnicodeDecodeError:
            continue
    raise ProvenanceError(
        f"{label}: neither UTF-8 (byte 0x{data[error.start]:02x} at offset {error.start})"
        " nor Windows-1252"
    ) from None


def _iana_name(codec: str) -> str:
    """Python's codec name as the web spells it ("cp1252" -> "windows-1252")."""
    if re.fullmatch(r"cp125\d", codec):
        return f"windows-{codec[2:]}"
    if codec.startswith("iso8859-"):
        return f"iso-8859-{codec[8:]}"
    return {"latin-1": "iso-8859-1"}.get(codec, codec)


def source_text(
    source: str,
    name: str,
    fmt: DocumentFormat,
    data: bytes,
    *,
    declared: str | None = None,
    fetched: Fetched | None = None,
) -> SourceText:
    """A source's bytes as ingest reads them: kept for a binary format, else decoded."""
    sha256 = hashlib.sha256(data).hexdigest()
    if fmt in BINARY_FORMATS:
        if not data:
            raise ProvenanceError(f"{source}: file is empty")
        return SourceText(source, name, fmt, sha256, len(data), "", data, None, fetched)
    if fmt is DocumentFormat.html and declared is None:
        declared = declared_charset(data)
    text, encoding = decode(data, source, declared)
    if fetched is not None and fmt is DocumentFormat.html:
        fetched = replace(fetched, canonical_url=canonical_url(text, fetched.final_url))
    return SourceText(source, name, fmt, sha256, len(data), text, b"", encoding, fetched)


#: The most text one document may have (characters) unless the caller raises it: extracting a
#: document holds all its claims in memory, so peak memory grows with the largest document.
#: At this limit an ingest stays under 400 MB (measured in benchmarks/README.md).
MAX_DOCUMENT_CHARS = 10_000_000
#: Bytes of memory per character of a document's text, for the message that refuses one.
MEMORY_PER_CHAR = 22


def check_document_size(source: SourceText, max_chars: int = MAX_DOCUMENT_CHARS) -> None:
    """Refuse a document whose text is over ``max_chars`` characters, naming the limit.

    PDF and DOCX are parsed from their bytes: their text is not known yet, so not checked.
    """
    if len(source.text) > max_chars:
        raise ProvenanceError(
            f"{source.source}: {len(source.text):,} characters of text, over the limit of"
            f" {max_chars:,} for one document (extraction takes about {MEMORY_PER_CHAR} bytes"
            " of memory per character); raise the limit with --max-document-mb"
        )


def read_source(item: Source) -> SourceText:
    """Read one file, or a fetched address; errors name the source and what is wrong."""
    if isinstance(item, FetchedSource):
        fetched = item.fetched
        return source_text(
            fetched.url,
            url_name(fetched.final_url),
            item.format,
            item.data,
            declared=fetched.charset,
            fetched=fetched,
        )
    path = item
    fmt = format_for(path)
    if fmt is None:
        raise ProvenanceError(f"{path}: unsupported file type {path.suffix or '(none)'!r}")
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ProvenanceError(f"{path}: cannot read ({error.strerror})") from None
    return source_text(display_source(path), path.stem, fmt, data)


def url_name(url: str) -> str:
    """A short name for an address: its last path segment without extension, or its host."""
    parts = urlsplit(url)
    last = PurePosixPath(parts.path).stem
    return last or parts.hostname or url


def fetch_source(url: str, limits: FetchLimits = DEFAULT_LIMITS) -> FetchedSource:
    """Fetch a web address as a source (its content type must be a format provenance reads)."""
    fetched, data = fetch(url.strip(), frozenset(FORMATS_BY_CONTENT_TYPE), limits)
    return FetchedSource(fetched, data, FORMATS_BY_CONTENT_TYPE[fetched.content_type])
