"""Reading sources: exact bytes, their sha256, strict UTF-8, and the format."""

from __future__ import annotations

import codecs
import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from provenance.errors import ProvenanceError
from provenance.models import DocumentFormat

FORMATS_BY_SUFFIX = {
    ".txt": DocumentFormat.text,
    ".text": DocumentFormat.text,
    ".md": DocumentFormat.markdown,
    ".markdown": DocumentFormat.markdown,
    ".html": DocumentFormat.html,
    ".htm": DocumentFormat.html,
}


@dataclass(frozen=True, slots=True)
class SourceText:
    """A source as read: where from, its exact bytes' hash, and its decoded text."""

    source: str
    name: str
    format: DocumentFormat
    sha256: str
    size: int
    text: str


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


def decode(data: bytes, label: str) -> str:
    """Strict UTF-8 (a BOM is dropped); binary or undecodable input is refused."""
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
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ProvenanceError(
            f"{label}: not valid UTF-8 (byte 0x{data[error.start]:02x} at offset {error.start})"
        ) from None
    if not text or text.isspace():  # not text.strip(), which would copy a large text
        raise ProvenanceError(f"{label}: file has no text")
    return text


def read_source(path: Path) -> SourceText:
    """Read one file; errors name the file and say what is wrong with it."""
    fmt = format_for(path)
    if fmt is None:
        raise ProvenanceError(f"{path}: unsupported file type {path.suffix or '(none)'!r}")
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ProvenanceError(f"{path}: cannot read ({error.strerror})") from None
    return SourceText(
        source=display_source(path),
        name=path.stem,
        format=fmt,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        text=decode(data, str(path)),
    )
