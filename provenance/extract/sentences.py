"""Sentence splitting with exact character offsets.

One compiled regular expression finds the places where a sentence could end (terminal
punctuation followed by whitespace, a period glued to the next capitalised word, a bullet, a
blank line); Python decides only at those places, looking at a bounded window around them.
The cost is linear in the length of the text whatever its content.

A single newline inside a block is a soft wrap (Markdown paragraphs, hard-wrapped text), not
a boundary: blocks are split from each other before this module sees them.

Decisions, in order:

- a period, ``?`` or ``!`` followed by a lower-case word never ends a sentence ("co. at",
  "Yahoo! in", "'This is great.' she said"); a lower-case word with a capital in it (mRNA,
  pH) or one starting with a Greek letter counts as capitalised;
- closing quotes and brackets, ``[1]``/``[1,2]``/``[1–3]`` markers, superscript digits and
  digits glued to a word's period before a capital ("risk.12 Next") right after the
  punctuation stay with the sentence it ends; after such a tail a period always ends it;
- after a period the preceding word is looked up in ``rules/abbreviations.txt``: titles and
  connectives (Dr., e.g., vs.) never end a sentence, page-like abbreviations (p., No.) do not
  before a number, and ambiguous ones (Co., U.S., single letters, et al.) end a sentence only
  when a common sentence opener follows ("the U.S. How", not "the U.S. Government");
- street suffixes (Rd., Ave.) end a sentence before a capital unless a place and its state
  ("Ann Arbor, MI") or a suite follows; a camel-case name ending in an ambiguous entry
  ("StataCorp.") is treated as that entry; after an ambiguous entry a quotation opening on a
  capital ('Ph.D. "We') starts a new sentence;
- ellipses: ``. . .`` never ends a sentence, ``...``/``…`` does before a capital, four dots
  do, and "word. . . . Next" ends after the first period;
- a piece with no letter or digit (a lone ``"`` left after a cut) joins its neighbour;
- a block that opens with a list marker (``1.``, ``1)``, ``1.)``, ``a.``, ``• 9.``) is split
  before each following marker that continues its numbering (a lettered list starts at a).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

_TERMINALS = ".!?‽…"
_BULLETS = "•‣⁃◦▪●"
_CLOSERS = "\"'”’»)]}*_"
_OPENERS_PUNCT = "([{\"'“‘«"
# What comes after the whitespace that follows a mark: these continue the sentence.
_CONTINUING = ",;:)]}%–—-"
_SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_TOKEN_WINDOW = 16
# No abbreviation in the lexicon is a plain word this long (checked when it is read).
_PLAIN_WORD = 7
_URL_WINDOW = 64

_CANDIDATE = re.compile(
    rf"""
    (?P<first>[{_TERMINALS}\[{_BULLETS}\n])
    (?:
        # "[...]" and "[…]" mark an omission inside a quotation, never an end.
        (?<=\[)(?P<omission>(?:\.\ ?){{2}}\.\]|…\])
      |
        # A run of terminal punctuation, possibly spaced (". . ."), taken whole.
        (?<=[{_TERMINALS}])(?<![{_TERMINALS}][{_TERMINALS}])(?<![{_TERMINALS}]\ [{_TERMINALS}])
        # Fast path: a period after a plain word longer than any abbreviation.
        (?:(?<=[a-z]{{{_PLAIN_WORD}}}\.)(?P<plain>))?
        (?P<rest>[{_TERMINALS}]*(?:\ [{_TERMINALS}]+)*)
        (?P<tail>(?:
            [{re.escape(_CLOSERS)}]
          | \ ?\[(?:[A-Za-z]{{1,5}}\ ?)?\d{{1,4}}(?:\ ?[,–-]\ ?\d{{1,4}}){{0,30}}\]
          | \[[a-z]\]
          # 'asked "why now?" [28]. Next': a period after the marker is the sentence's.
          | (?<=\d\])\.
          | [{_SUPERSCRIPTS}]{{1,8}}(?:[,⁻–-][{_SUPERSCRIPTS}]{{1,8}}){{0,30}}
          | (?<=[a-z][a-z]\.)\d{{1,3}}(?:[,–-]\d{{1,3}}){{0,30}}(?=\s+[A-Z])
        )*)
        (?=\s+(?:(?P<upper>[A-Z])|(?P<next>\S))|\s*\Z)
      |
        # "Tuesday.Mr. Smith": a period glued to a capitalised word.
        (?<=[a-z0-9)]\.)(?P<glued>)(?=[A-Z][a-z])
      |
        (?<=\s[{_BULLETS}])(?P<bullet>)
      |
        (?<=\n)(?P<blank>[^\S\n]*\n)
    )
    """,
    re.VERBOSE,
)

_LIST_LABEL = r"(?P<label>\d{1,3}|[A-Za-z])(?P<delim>\.\)|[.)])(?=\s)"
_LIST_START = re.compile(rf"\s*(?:[{_BULLETS}]\s*)?{_LIST_LABEL}")
_LIST_MARKER = re.compile(rf"(?<!\S)(?:[{_BULLETS}]\s*)?{_LIST_LABEL}")
# A lettered list starts at "a"; "J. K. Rowling" is not one.
_NOT_FIRST_LABELS = frozenset("bcdefghijklmnopqrstuvwxyzBCDEFGHIJKLMNOPQRSTUVWXYZ")
_MIXED_CASE = re.compile(r"[a-z]{1,5}[A-Z]")
_NEXT_WORD = re.compile(r"[A-Za-z]{1,20}")
_IDENTIFIER = re.compile(r"\(?[A-Za-z]{0,8}\d")
_INITIALISM = re.compile(r"(?:[A-Za-z]\.)+[A-Za-z]")
_WEB_TOKEN = re.compile(r"@|://|www\.", re.IGNORECASE)
_NON_SPACE = re.compile(r"\S")
# The last capitalised part of a camel-case word: "StataCorp" -> "Corp".
_CAMEL_TAIL = re.compile(r"(?<=[a-z])[A-Z][a-z]{1,5}\Z")
# A span without a letter or digit is punctuation left over from a cut, never a sentence.
_NO_WORD = re.compile(r"[^\w]+")
_QUOTED_CAPITAL = re.compile(r"[\"“‘']\s?[A-Z]")
# What follows a street address: a place and its state ("Ann Arbor, MI"), a suite, a number.
_PLACE_AFTER = re.compile(
    r"(?:[A-Z][a-z]{1,20}\s){0,2}[A-Z][a-z]{1,20},\s?[A-Z]|(?:Suite|Ste|Apt|Unit|Room|Floor)\b"
)

_LOWER, _UPPER, _DIGIT, _OPEN = range(4)


@dataclass(frozen=True, slots=True)
class Lexicon:
    """The abbreviation rules: each abbreviation (lower-cased, without its final period)
    mapped to its section, and the words that commonly open a sentence."""

    abbreviations: dict[str, str]
    sentence_openers: frozenset[str]


_SECTIONS = ("never_final", "before_number", "ambiguous", "address")


def parse_lexicon(source: str) -> Lexicon:
    """Read the ``[section]``-per-class format of ``rules/abbreviations.txt``."""
    abbreviations: dict[str, str] = {}
    openers: set[str] = set()
    section: str | None = None
    for raw in source.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
            if section not in (*_SECTIONS, "sentence_openers"):
                raise ValueError(f"unknown abbreviation section: {line!r}")
        elif section is None:
            raise ValueError(f"abbreviation entry outside a section: {line!r}")
        elif section == "sentence_openers":
            openers.add(line)
        else:
            key = line.split()[-1].removesuffix(".").lower()
            if key.isalpha() and len(key) >= _PLAIN_WORD:
                raise ValueError(f"abbreviation longer than {_PLAIN_WORD - 1} letters: {line!r}")
            abbreviations[key] = section
    return Lexicon(abbreviations=abbreviations, sentence_openers=frozenset(openers))


@cache
def lexicon() -> Lexicon:
    """The packaged abbreviation lexicon, read once."""
    path = resources.files("provenance.extract") / "rules" / "abbreviations.txt"
    return parse_lexicon(path.read_text(encoding="utf-8"))


def split_sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split ``text[start:end]`` into sentence spans ``[s, e)`` trimmed of whitespace.

    The spans are offsets into ``text``, in order and not overlapping, and every
    non-whitespace character of the range belongs to exactly one span.
    """
    block = text[start:end]
    spans: list[tuple[int, int]] = []
    previous = 0
    for cut in [*_cuts(block, lexicon()), len(block)]:
        s, e = previous, cut
        previous = cut
        if s < e and block[s].isspace():
            found = _NON_SPACE.search(block, s, e)
            if found is None:
                continue
            s = found.start()
        if s < e and block[e - 1].isspace():
            e = s + len(block[s:e].rstrip())
        if s < e:
            if spans and _NO_WORD.fullmatch(block, s, e):
                # A lone closing quote or bracket ('We are done. "') is its neighbour's.
                spans[-1] = (spans[-1][0], start + e)
            else:
                spans.append((start + s, start + e))
    if len(spans) > 1 and _NO_WORD.fullmatch(text, *spans[0]):
        spans[:2] = [(spans[0][0], spans[1][1])]
    return spans


def _cuts(block: str, lex: Lexicon) -> list[int]:
    """Offsets into ``block`` where one sentence ends and the next may begin."""
    list_start = _LIST_START.match(block)
    list_cuts, list_delimiters = _list_markers(block, list_start) if list_start else ([], set())
    cuts: list[int] = []
    floor = 0  # where the current sentence began: tokens never reach back past it
    cut: int | None
    for match in _CANDIDATE.finditer(block):
        first, plain, rest, tail, upper, nxt = match.group(
            "first", "plain", "rest", "tail", "upper", "next"
        )
        if rest is not None:
            if upper is not None:
                if plain is not None and not rest:
                    cuts.append(match.end())
                    floor = match.end()
                    continue
                nxt = upper
            elif nxt is None:
                continue
            position = match.start()
            if list_delimiters and position in list_delimiters:
                continue
            next_at = match.start("upper" if upper is not None else "next")
            kind = _UPPER if nxt.isupper() else _start_kind(block, next_at, nxt)
            if kind == _LOWER:
                continue
            if rest or first != ".":
                cut = _run_cut(match, first + rest, kind, block)
            elif tail or _period_ends(block, position, floor, kind, next_at, lex):
                # A closing bracket or citation marker after the period ("the U.S.[4]"):
                # whatever the word was, the sentence ends there.
                cut = match.end()
            else:
                continue
        elif match.group("glued") is not None:
            cut = _glued_cut(block, match.start(), floor, lex)
        elif match.group("bullet") is not None or match.group("blank") is not None:
            cut = match.start()
        else:
            continue
        if cut is not None:
            cuts.append(cut)
            floor = cut
    if list_cuts:
        return sorted({*cuts, *list_cuts})
    return cuts


def _run_cut(match: re.Match[str], run: str, kind: int, block: str) -> int | None:
    """Where a run of terminal punctuation other than a lone period ends its sentence
    (the next word is not lower-case)."""
    if len(run) == 1:  # "?", "!", "…"
        return match.end() if run != "…" or kind == _UPPER else None
    dots = run.count(".")
    if dots == 0:  # "!!", "?!", "??"
        return match.end()
    if " " in run:
        if dots < 4:  # ". . ." leaves words out in mid-sentence
            return None
        position = match.start()
        attached = position > 0 and not block[position - 1].isspace()
        if attached and kind == _UPPER and not match.group("tail"):
            return position + 1  # "compounds. . . . The practice": the period ends it
        return match.end()
    if run == "...":
        return match.end() if kind == _UPPER else None
    return match.end()


def _period_ends(
    block: str, position: int, floor: int, kind: int, next_at: int, lex: Lexicon
) -> bool:
    """Whether the lone period at ``position`` ends a sentence, the next word not being
    lower-case."""
    low = max(floor, position - _TOKEN_WINDOW)
    window = block[low:position]
    if not window or window[-1].isspace():
        return True
    parts = window.rsplit(None, 1)
    if len(parts) == 1 and low > floor and not block[low - 1].isspace():
        return True  # longer than any abbreviation
    token = parts[-1].lstrip(_OPENERS_PUNCT)
    if not token or token[-1] in _CLOSERS:
        return True
    section = lex.abbreviations.get(token.lower())
    if section is None:
        camel = _CAMEL_TAIL.search(token)
        if camel is not None and lex.abbreviations.get(camel.group().lower()) == "ambiguous":
            section = "ambiguous"  # "StataCorp." is "Corp."
        elif not ((len(token) == 1 and token.isalpha()) or _is_initialism(token)):
            return True
        else:
            section = "ambiguous"
    if section == "never_final":
        return False
    if section == "before_number":
        # "No. 5", "tel. (301) 402-1663", "accession no. DQ677879": a number or an identifier.
        return kind != _DIGIT and _IDENTIFIER.match(block, next_at) is None
    if kind == _OPEN and _QUOTED_CAPITAL.match(block, next_at):
        return True  # 'said John Smith, Ph.D. "We were surprised," he added.'
    word = _NEXT_WORD.match(block, next_at)
    if word is None:
        return False
    if section == "address":
        # "100 Main Rd. Ann Arbor, MI" goes on; "on Main Rd. Researchers found" ends.
        return _PLACE_AFTER.match(block, next_at) is None
    return word.group() in lex.sentence_openers


def _glued_cut(block: str, position: int, floor: int, lex: Lexicon) -> int | None:
    """A period glued to a capitalised word ends a sentence unless it is inside an email
    address or URL, or follows an abbreviation."""
    left = block[max(floor, position - _URL_WINDOW) : position].rsplit(None, 1)
    right = block[position : position + _URL_WINDOW].split(None, 1)
    token = (left[-1] if left else "") + (right[0] if right else "")
    if _WEB_TOKEN.search(token):
        return None
    if _period_ends(block, position, floor, _UPPER, position + 1, lex):
        return position + 1
    return None


def _is_initialism(token: str) -> bool:
    return "." in token and _INITIALISM.fullmatch(token) is not None


def _start_kind(block: str, at: int, char: str) -> int:
    """How the text after a punctuation mark starts: lower-case, capital, digit or bracket."""
    if char.islower():
        if "α" <= char <= "ω" or _MIXED_CASE.match(block, at):
            return _UPPER
        return _LOWER
    if char in _CONTINUING:
        return _LOWER
    if char.isdigit():
        return _DIGIT
    if char in _OPENERS_PUNCT:
        return _OPEN
    return _UPPER


def _list_markers(block: str, first: re.Match[str]) -> tuple[list[int], set[int]]:
    """For a block that opens with the list marker ``first``: where each following marker of
    the same numbering starts, and the positions of all markers' delimiters (never sentence
    ends)."""
    if first.group("label") in _NOT_FIRST_LABELS:
        return [], set()
    delimiters = {first.start("delim")}
    style = (_label_kind(first.group("label")), first.group("delim"))
    expected = _label_value(first.group("label")) + 1
    cuts: list[int] = []
    for marker in _LIST_MARKER.finditer(block, first.end()):
        label = marker.group("label")
        if (_label_kind(label), marker.group("delim")) != style:
            continue
        if _label_value(label) != expected:
            continue
        cuts.append(marker.start())
        delimiters.add(marker.start("delim"))
        expected += 1
    return cuts, delimiters


def _label_kind(label: str) -> str:
    if label.isdigit():
        return "number"
    return "lower" if label.islower() else "upper"


def _label_value(label: str) -> int:
    return int(label) if label.isdigit() else ord(label)
