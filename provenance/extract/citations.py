"""Citation markers: numeric, superscript, author-year, DOI, PMID, PMCID, arXiv, URL.

Every marker of a sentence is found by one pass of one combined pattern, so the markers of a
sentence never overlap and come out in order. Every repetition in the pattern is bounded and
every alternative starts on a specific character, so a pathological line (50 MB of digits,
brackets or capitalised words) is scanned in linear time. Sentences that hold none of the
characters a marker can start with are skipped by a cheaper search first.

Decisions that are not obvious from the patterns:

- A bracketed list of reference numbers is a numeric citation (``[1]``, ``[1–3]``,
  ``[1, 4]``, ``[1,3-5]``, Markdown footnote references ``[^1]``); parenthesised numbers are
  not (``(2–5 mg)``, ``(1)`` list numbering), nor are brackets holding a 0, a falling range,
  words (``[sic]``) or a number at the start of a line after a finished sentence (list
  numbering such as ``[1] First…``).
- Superscript digits (``¹²``, ``¹⁻³``, ``¹,²``, HTML ``<sup>1</sup>``, Pandoc ``^1^``) are a
  citation only right after punctuation or a word of three letters or more and not before a
  letter or digit: ``m²``, ``R²``, ``10⁻³`` and ``¹³C`` are not citations. A run of superscript
  digits is one number (``¹²`` is reference 12).
- Author-year needs a capitalised surname (initials may follow: ``Lema SC, Dickey JT``) and a
  year from 1500 to 2099 (or ``n.d.``, ``in press``, ``unpublished data``…) in parentheses or
  brackets, or a surname right before a parenthesised year (narrative: ``Smith et al. (2020)``,
  never an acronym as in ``BMI (1975)``, nor one name after "in", "from"…: ``in Denmark (2020)``).
- The acronyms of organisations that publish guidelines and reports (``WHO``, ``CDC``,
  ``NICE``…, rules/citations.json) are the exception: ``WHO (2020) recommends`` and
  ``according to the CDC (2019)`` are citations (of ``WHO 2020``, ``CDC 2019``), also after
  "in" (``as set out in NICE (2018)``). Any other acronym before a year stays a measure or a
  place (``HbA1c (2019)``, ``IgG (2019)``, ``in the USA (2020)``, ``USA and UK (2020)``),
  by the same test as in parentheses (next point).
- In parentheses or brackets as before a narrative year, a name written mostly in capitals
  (more capitals than lower-case letters: ``BMI``, ``USA``, ``IgG``, ``N``; not ``McDonald``,
  ``LeBlanc``, ``Ng``) is an author only if it is a listed organisation (``(WHO, 2020)``), if
  "et al." follows it (``(SMITH et al., 2020)``, ``(UNRWA et al., 2019)``: measures and
  places never take "et al.") or if another name of the same parentheses is an author:
  ``(NICE 2018; Smith et al., 2020)``, ``(UNRWA 2019; Lee 2021)`` and ``(UNRWA and WHO,
  2019)`` are citations of every work they name. So ``(BMI 1975)``, ``(USA, 2020)``, ``(USA
  and UK, 2020)`` are not citations; names with digits never were (``(HbA1c 2019)``,
  ``(COVID-19, 2020)``). A surname in capitals alone before a year, ``(SMITH, 2020)``, is
  lost with them: the styles that write surnames in capitals (ABNT: ``(SILVA, 2019)``; small
  capitals flattened to text) are rare in the English biomedical writing this tool reads (the
  PLOS gold data cites by number only), while measures, countries and trial names in
  parentheses with a year are common, and a false citation costs more than a missed one: it
  hides a claim from the audit of unsupported statements. An unlisted organisation alone,
  ``(UNRWA 2019)``, is lost the same way; the remedy is to list it. The list holds the UN
  agencies, national health agencies and the guideline bodies of medical societies that
  health writing cites by acronym (``UNAIDS``, ``NCHS``, ``ESC``, ``GOLD``…); acronyms that
  are as often a measure or a diagnosis (``ACS``, ``ACR``) and ``UN``, whose full name
  begins other full names, are left out.
- The full names listed with the acronyms are one author although longer than one word
  before a narrative year (``World Health Organization (2020)``, not ``Organization``) and
  although they hold small words (``(Centers for Disease Control and Prevention, 2019)``).
  Months, ``Table``, ``Figure`` and similar words (rules/citations.json) are never surnames,
  so ``(January 2020)`` and ``(in 2020)`` are not citations.
- A link to a web address is a URL citation: a bare ``http(s)://`` or ``www.`` address, a
  Markdown link ``[text](https://…)`` (the whole link is the marker; an image ``![alt](…)``
  is not a link) or an HTML ``<a href>`` (its address is the marker). Links to DOIs, PubMed,
  PMC or arXiv are cited as such.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Any

from provenance.extract.blocks import FROM_SUPERSCRIPT
from provenance.models import Citation, CitationKind

MAX_RANGE = 200
"""A range of reference numbers wider than this is not a citation (``[1-1000]``)."""


@cache
def rules() -> dict[str, Any]:
    """The word lists the citation and reference rules are built from."""
    data = (
        resources.files("provenance.extract")
        .joinpath("rules")
        .joinpath("citations.json")
        .read_text("utf-8")
    )
    loaded: dict[str, Any] = json.loads(data)
    return loaded


def _words(key: str) -> str:
    return _alternatives(rules()[key])


def _alternatives(words: list[str]) -> str:
    words = sorted(words, key=len, reverse=True)
    return "|".join(re.escape(word).replace(r"\ ", r"\s+") for word in words)


def organisation_names() -> dict[str, list[str]]:
    """The acronym of each organisation that is cited as an author, with its full names."""
    names: dict[str, list[str]] = rules()["organisation_authors"]
    return names


# Building blocks. Every repetition is bounded (see the module docstring).
_UPPER = r"[A-Z\u00C0-\u00D6\u00D8-\u00DE\u0100-\u017F]"
_LETTER = r"[^\W\d_]"
_NOT_AFTER_LETTER = r"(?<![^\W\d_].)"  # placed after the first character it guards
_NAME_TAIL = rf"{_LETTER}{{0,30}}(?:['’\-]{_LETTER}{{1,30}}){{0,3}}"
_PARTICLE = rf"(?:(?:{_words('name_particles')})\s+){{0,3}}"
_NOT_AUTHOR = rf"(?!(?:{_words('not_author_words')})(?![\w'’\-]))"
# "Centers for Disease Control and Prevention": a full name from the list, whose small words
# would otherwise end the surname.
_ORGANISATION = (
    rf"(?:{_alternatives([n for ns in organisation_names().values() for n in ns])})"
    r"(?![\w'’\-])"
)
# A surname: particles, then a capitalised word that is not a month, "Table", "In"…
_SURNAME = rf"{_PARTICLE}(?={_UPPER}){_NOT_AUTHOR}{_UPPER}{_NAME_TAIL}"
# In parentheses a surname may have up to three words ("Davey Smith"), before a narrative
# "(2020)" only one ("Recently Smith (2020)" is Smith); an organisation's full name is one
# surname in both (an unlisted one's may hold "for", "of", "on": "National Center for …").
_OF = rf"(?:\s+(?:for|of|on)\s+(?:the\s+)?{_UPPER}{_NAME_TAIL}(?:\s+{_UPPER}{_NAME_TAIL}){{0,3}})?"
_SURNAME_WIDE = rf"(?:{_ORGANISATION}|{_SURNAME}(?:\s+{_UPPER}{_NAME_TAIL}){{0,2}}{_OF})"
_SURNAME_NARRATIVE = rf"(?:{_ORGANISATION}|{_SURNAME})"
_YEAR = rf"(?:(?:1[5-9]\d\d|20\d\d)[a-z]?(?![\w])|n\.\s?d\.|{_words('undated')})"
_YEARS = rf"{_YEAR}(?:\s*,\s*(?:{_YEAR}|[a-z](?![\w.])))" + r"{0,10}"
_LOCATOR = r"(?:\s*[,:]\s*(?:pp?\.|ch\.|chap\.|sec\.|fig\.)?\s*\d{1,5}(?:\s*[-–]\s*\d{1,5})?)?"
_ET_AL = r"\s+et\s+al\.?"
_INITIALS_END = r"(?:(?<=\s[A-Z])|(?<=\s[A-Z]{2})|(?<=\s[A-Z]{3}))(?![\w'’\-])"  # "Lema SC"


def _authors(surname: str) -> str:
    return (
        rf"{surname}(?:{_ET_AL}|(?:\s*,\s*{surname}){{0,6}}\s*,?\s*(?:and|&)\s+{surname}"
        rf"(?:{_ET_AL})?|{_INITIALS_END}(?:\s*,\s*{surname}{_INITIALS_END}){{1,6}})?"
    )


_PREFIX = rf"(?:(?:{_words('citation_prefixes')})[,:]?\s+)?"
_ONE_WORK = rf"{_authors(_SURNAME_WIDE)},?\s+{_YEARS}{_LOCATOR}"
# Works are separated by ";" or ","; a part with only a year is the previous author's.
_WORKS = rf"{_PREFIX}{_ONE_WORK}(?:\s*[;,]\s*(?:{_PREFIX}{_ONE_WORK}|{_YEARS}{_LOCATOR})){{0,15}}"
_NUMBERS = r"\d{1,3}(?:\s*(?:[-–—−]|,|;)\s*\d{1,3}){0,60}"
_SUPERSCRIPTS = r"[⁰¹²³⁴⁵⁶⁷⁸⁹]{1,3}(?:(?:[⁻–\-]|[,˒]\s?)[⁰¹²³⁴⁵⁶⁷⁸⁹]{1,3}){0,30}"
#: A web address this close after "Supplemental Material" (citations.json) is the paper's own.
SUPPLEMENT_WINDOW = 40
_SUPPLEMENT = re.compile(rf"\b(?:{_words('supplement_phrases')})\b", re.IGNORECASE)
_URL_BODY = r"[^\s<>\"'`{}|\\^\[\]]{1,2000}"

_MARKERS = re.compile(
    "|".join(
        [
            # ![alt](address): an image, skipped whole so that its address is no citation.
            r"(?P<image>!\[[^\[\]\n]{0,500}\]\(\s*[^\s()]{0,2000}(?:\s+\"[^\"\n]{0,300}\")?\s*\))",
            # [text](https://…): the link is the citation.
            r"(?P<mdlink>\[[^\[\]\n]{1,500}\]\(\s*<?(?P<mdurl>https?://[^\s<>()]{1,2000}"
            r"(?:\([^\s<>()]{0,200}\)[^\s<>()]{0,500}){0,5})>?(?:\s+\"[^\"\n]{0,300}\")?\s*\))",
            rf"(?P<numeric>\[\s*(?:refs?\.?\s*)?(?P<numbers>{_NUMBERS})\s*\])",
            r"(?P<footnote>\[\^(?P<note>\d{1,4})\])",
            rf"(?P<paren>\(\s*{_WORKS}\s*\))",
            rf"(?P<bracket>\[\s*{_WORKS}\s*\])",
            # The year of a narrative citation; its authors are looked for before it.
            rf"(?P<year>\(\s*{_YEARS}{_LOCATOR}\s*\))",
            r"(?P<doi>(?:[dD][oO][iI]\s*:?\s*|https?://(?:dx\.)?doi\.org/)"
            r"(?P<doi_id>10\.\d{4,9}/[^\s\"<>]{1,300}))",
            r"(?P<bare_doi>1(?<![\w./-]1)0\.\d{4,9}/[^\s\"<>]{1,300})",
            r"(?P<pmid>[Pp][Mm][Ii][Dd]\s*:?\s*(?P<pmid_id>\d{1,9})(?!\d))",
            r"(?P<pmcid>(?:[Pp][Mm][Cc][Ii][Dd]\s*:?\s*)?(?P<pmcid_id>PMC\d{4,9})(?!\d))",
            r"(?P<arxiv>[aA][rR][xX][iI][vV]\s*:?\s*(?P<arxiv_id>\d{4}\.\d{4,5}(?:v\d{1,3})?"
            r"|[a-z\-]{2,20}(?:\.[A-Z]{2})?/\d{7}(?:v\d{1,3})?)(?!\d))",
            rf"(?P<url>(?:https?://|w{_NOT_AFTER_LETTER}ww\.){_URL_BODY})",
            rf"(?P<sup><[sS][uU][pP]>\s*(?:<a\b[^<>]{{0,500}}>\s*)?\[?\s*(?P<sup_numbers>"
            rf"{_NUMBERS})\s*\]?\s*(?:</a>\s*)?</[sS][uU][pP]>)",
            rf"(?P<caret>\^\[?(?P<caret_numbers>{_NUMBERS})\]?\^)",
            rf"(?P<superscript>{_SUPERSCRIPTS})",
        ]
    )
)
# Where a marker can start. Every alternative opens with a literal character, which lets the
# regular expression engine jump between candidates instead of trying every position.
_TRIGGER_STARTS = (
    # A bracket or parenthesis only where a marker could follow it, so that runs of them in
    # formulas or junk are passed over by the engine rather than tried one by one.
    r"!\[",
    r"\[(?=[^\[\]\n])",
    r"\((?=\s{0,3}(?:[^\W\d_]|1[5-9]\d\d|20\d\d))",
    *("<sup", "<SUP", r"\^", *"⁰¹²³⁴⁵⁶⁷⁸⁹", r"10\.", "doi", "DOI", "Doi"),
    *("http", "HTTP", r"www\.", r"WWW\.", "PMID", "pmid", "PMC", "arXiv", "arxiv", "ARXIV"),
)
_TRIGGER = re.compile("|".join(_TRIGGER_STARTS))
_ONE_WORK_PARTS = re.compile(rf"(?P<authors>{_authors(_SURNAME_WIDE)}),?\s+(?P<years>{_YEARS})")
_NARRATIVE_AUTHORS = re.compile(rf"(?<![\w'’.\-])(?P<authors>{_authors(_SURNAME_NARRATIVE)})\s+$")
_PLACE_BEFORE = re.compile(
    r"(?<![\w])(?:[Ii]n|[Ff]rom|[Aa]cross|[Tt]hroughout|[Aa]t|[Ww]ithin)\s+(?:the\s+)?"
    r"(?:[A-Z][\w'’\-]{0,30}\s+){0,2}$"
)
NARRATIVE_LOOKBACK = 200
"""How far before a parenthesised year the authors of a narrative citation may start."""
_SURNAME_WIDE_AT = re.compile(_SURNAME_WIDE)
_ORGANISATIONS = frozenset(
    [*organisation_names(), *(n for ns in organisation_names().values() for n in ns)]
)
"""Organisations that write guidelines and reports (``WHO``, ``World Health Organization``):
authors of a narrative citation although written in capitals or after "in"."""
_SURNAME_NARRATIVE_AT = re.compile(_SURNAME_NARRATIVE)
_ET_AL_AT = re.compile(r"(?<![\w])et\s+al\b")
_YEAR_OR_LETTER = re.compile(rf"{_YEAR}|(?<![\w])[a-z](?![\w.])")
_NUMBER_RUN = re.compile(r"\d+|[-–—−]")
_URL_IDENTIFIERS = (
    (CitationKind.doi, re.compile(r"https?://(?:dx\.)?doi\.org/(10\.\d{4,9}/\S+)", re.I)),
    (
        CitationKind.pmid,
        re.compile(
            r"https?://(?:www\.)?(?:pubmed\.ncbi\.nlm\.nih\.gov|ncbi\.nlm\.nih\.gov/pubmed)/"
            r"(\d{1,9})(?!\d)",
            re.I,
        ),
    ),
    (
        CitationKind.pmcid,
        re.compile(
            r"https?://(?:www\.)?(?:ncbi\.nlm\.nih\.gov/pmc/articles|pmc\.ncbi\.nlm\.nih\.gov/"
            r"articles)/(PMC\d{4,9})(?!\d)",
            re.I,
        ),
    ),
    (
        CitationKind.arxiv,
        re.compile(r"https?://(?:www\.)?arxiv\.org/(?:abs|pdf)/([\w./\-]+?)(?:\.pdf)?/?$", re.I),
    ),
)
_TRAILING = ".,;:!?'\"’”"


@dataclass(frozen=True, slots=True)
class _Found:
    kind: CitationKind
    start: int
    end: int
    targets: list[str]


def find_citations(text: str, start: int, end: int) -> list[Citation]:
    """Citation markers inside ``text[start:end]``, with offsets into ``text``.

    The result is sorted by offset and its markers do not overlap.
    """
    return [
        Citation(
            kind=found.kind,
            marker=text[found.start : found.end],
            start=found.start,
            end=found.end,
            targets=found.targets,
        )
        for found in _scan(text, start, end)
    ]


def _scan(text: str, start: int, end: int) -> list[_Found]:
    found: list[_Found] = []
    trigger = _TRIGGER.search(text, start, end)
    last_end = start
    while trigger is not None:
        match = _MARKERS.match(text, trigger.start(), end)
        if match is not None and match.lastgroup == "image":
            trigger = _TRIGGER.search(text, match.end(), end)
            continue
        marker = None if match is None else _interpret(text, match, last_end)
        if marker is None:
            trigger = _TRIGGER.search(text, trigger.start() + 1, end)
            continue
        found.append(marker)
        last_end = marker.end
        trigger = _TRIGGER.search(text, last_end, end)
    return found


def _interpret(text: str, match: re.Match[str], floor: int) -> _Found | None:
    """The citation ``match`` stands for, or None; a marker never starts before ``floor``."""
    group = match.lastgroup
    begin, finish = match.span()
    if group == "numeric":
        if _starts_list_item(text, begin):
            return None
        return _numbered(CitationKind.numeric, begin, finish, match.group("numbers"))
    if group == "footnote":
        if text.startswith(":", finish):
            return None  # the definition of a footnote, not a reference to it
        return _Found(CitationKind.numeric, begin, finish, [str(int(match.group("note")))])
    if group in ("paren", "bracket"):
        targets, admitted = _works(match.group(0))
        if not admitted:
            return None  # "(BMI 1975)", "(USA, 2020)": no author, only acronyms before years
        return _Found(CitationKind.author_year, begin, finish, list(targets))
    if group == "year":
        return _narrative(text, match, floor)
    if group in ("doi", "bare_doi", "url"):
        finish = begin + len(_trim_trailing(match.group(0)))
        if group == "url":
            if _SUPPLEMENT.search(text, max(floor, begin - SUPPLEMENT_WINDOW), begin):
                return None  # the paper's own supplement ("Supplemental Material (http://…)")
            return _url(begin, finish, text[begin:finish])
        doi_start = match.start("doi_id") if group == "doi" else begin
        return _Found(CitationKind.doi, begin, finish, [text[doi_start:finish]])
    if group == "mdlink":
        return _url(begin, finish, _trim_trailing(match.group("mdurl")))
    if group in ("pmid", "pmcid", "arxiv"):
        kind = CitationKind(group)
        return _Found(kind, begin, finish, [match.group(f"{group}_id")])
    if group == "superscript":
        if not _superscript_context(text, begin, finish):
            return None
        numbers = match.group(0).translate(FROM_SUPERSCRIPT).replace("˒", ",")
        return _numbered(CitationKind.superscript, begin, finish, numbers)
    if group in ("sup", "caret"):
        numbers = match.group(f"{group}_numbers")
        return _numbered(CitationKind.superscript, begin, finish, numbers)
    return None


def _narrative(text: str, match: re.Match[str], floor: int) -> _Found | None:
    """``Smith et al. (2020)``: a parenthesised year with the authors right before it."""
    window_start = max(floor, match.start() - NARRATIVE_LOOKBACK)
    authors = _NARRATIVE_AUTHORS.search(text, window_start, match.start())
    if authors is None:
        return None
    names = authors.group("authors")
    surname = _SURNAME_NARRATIVE_AT.match(names)
    if surname is None:
        return None
    organisation = " ".join(surname.group(0).split()) in _ORGANISATIONS
    if not _authors_admitted(names, _SURNAME_NARRATIVE_AT):
        return None  # "BMI (1975)", "IgG (2019)": an acronym before a year is no author
    alone = surname.end() == len(names.rstrip())
    before = text[max(0, authors.start() - 80) : authors.start()]
    if alone and not organisation and _PLACE_BEFORE.search(before):
        return None  # "in Denmark (2020)": a single name after "in" is mostly a place
    targets = _year_targets(surname.group(0), match.group(0)[1:-1])
    return _Found(CitationKind.author_year, authors.start(), match.end(), targets)


def expand_numbers(numbers: str) -> list[str] | None:
    """``"1,3-5"`` → ``["1", "3", "4", "5"]``; None if it cannot be a list of references."""
    targets: list[str] = []
    previous: int | None = None
    in_range = False
    for token in _NUMBER_RUN.findall(numbers):
        if not token.isdigit():
            in_range = True
            continue
        number = int(token)
        if number == 0 or token.startswith("0"):
            return None
        if in_range:
            if previous is None or number < previous or number - previous > MAX_RANGE:
                return None
            targets.extend(str(n) for n in range(previous + 1, number + 1))
        else:
            targets.append(str(number))
        previous = number
        in_range = False
    return targets or None


def _numbered(kind: CitationKind, begin: int, finish: int, numbers: str) -> _Found | None:
    targets = expand_numbers(numbers)
    if targets is None:
        return None
    return _Found(kind, begin, finish, targets)


def _starts_list_item(text: str, begin: int) -> bool:
    """A bracketed number opening a line after a finished sentence numbers a list item."""
    position = begin - 1
    while position >= 0 and text[position] in " \t":
        position -= 1
    if position >= 0 and text[position] != "\n":
        return False
    while position >= 0 and text[position].isspace():
        position -= 1
    return position < 0 or text[position] in ".!?:"


def _superscript_context(text: str, begin: int, finish: int) -> bool:
    """Superscript digits cite only after punctuation or a word, never inside a number or unit."""
    if finish < len(text) and (text[finish].isalnum()):
        return False
    if begin == 0:
        return False
    previous = text[begin - 1]
    if previous in ".,;:)]\"'”’":
        return True
    if not previous.isalpha():
        return False
    letters = 0
    position = begin - 1
    while position >= 0 and text[position].isalpha() and letters < 3:
        letters += 1
        position -= 1
    return letters >= 3


def _trim_trailing(marker: str) -> str:
    """Drop sentence punctuation and unbalanced closing brackets from the end of an address."""
    surplus = {
        ")": marker.count(")") - marker.count("("),
        "]": marker.count("]") - marker.count("["),
    }
    end = len(marker)
    while end:
        last = marker[end - 1]
        if surplus.get(last, 0) > 0:
            surplus[last] -= 1
        elif last not in _TRAILING:
            break
        end -= 1
    return marker[:end]


def _url(begin: int, finish: int, url: str) -> _Found:
    for kind, pattern in _URL_IDENTIFIERS:
        found = pattern.match(url)
        if found:
            return _Found(kind, begin, finish, [found.group(1)])
    return _Found(CitationKind.url, begin, finish, [url])


@lru_cache(maxsize=4096)
def _works(marker: str) -> tuple[tuple[str, ...], bool]:
    """``(Smith et al., 2020; 2021; Lee 2021a, b)`` → Smith 2020, Smith 2021, Lee 2021a, Lee
    2021b: a year without an author belongs to the author before it.

    Also whether the marker is a citation at all: some work in it must have an author
    (:func:`_authors_admitted`); ``(BMI 1975)`` has none."""
    targets: list[str] = []
    admitted = False
    surname = ""
    after_previous = 0
    for work in _ONE_WORK_PARTS.finditer(marker):
        if surname:
            targets.extend(_year_targets(surname, marker[after_previous : work.start()]))
        admitted = admitted or _authors_admitted(work.group("authors"), _SURNAME_WIDE_AT)
        found = _SURNAME_WIDE_AT.match(work.group("authors"))
        surname = found.group(0) if found is not None else ""
        if surname:
            targets.extend(_year_targets(surname, work.group("years")))
        after_previous = work.end()
    if surname:
        targets.extend(_year_targets(surname, marker[after_previous:]))
    return tuple(targets), admitted


def _authors_admitted(authors: str, surname: re.Pattern[str]) -> bool:
    """Whether ``authors`` (``Smith and Lee``, ``WHO``, ``SMITH et al.``) name an author.

    A name written mostly in capitals (:func:`_acronym`) counts only if it is a listed
    organisation, or if "et al." follows; one other name that counts is enough."""
    if _ET_AL_AT.search(authors):
        return True
    for name in surname.finditer(authors):
        words = " ".join(name.group(0).split())
        if words in _ORGANISATIONS or not _acronym(words):
            return True
    return False


def _acronym(name: str) -> bool:
    """More capitals than lower-case letters in the capitalised words of ``name``: ``BMI``,
    ``USA``, ``SMITH``, ``IgG``, ``SNPs``, ``N``, but not ``McDonald``, ``LeBlanc``, ``Ng``,
    ``UK Biobank`` nor the particles of ``van der Berg``."""
    upper = lower = 0
    for word in name.split():
        if word[0].isupper():
            upper += sum(char.isupper() for char in word)
            lower += sum(char.islower() for char in word)
    return upper > lower


def _year_targets(surname: str, years: str) -> list[str]:
    surname = " ".join(surname.split())
    targets: list[str] = []
    last_year = ""
    for token in _YEAR_OR_LETTER.findall(years):
        token = " ".join(token.split())
        if len(token) > 1:
            last_year = token
            targets.append(f"{surname} {token}")
        elif last_year:
            targets.append(f"{surname} {last_year[:4]}{token}")
    return targets


def first_identifiers(text: str, start: int, end: int) -> dict[CitationKind, str]:
    """The first marker of each kind in ``text[start:end]`` (its first target), in one scan."""
    firsts: dict[CitationKind, str] = {}
    for found in _scan(text, start, end):
        firsts.setdefault(found.kind, found.targets[0])
    return firsts
