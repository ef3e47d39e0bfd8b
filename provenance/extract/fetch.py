"""Web addresses: fetched once, kept exactly as received, with what the server said about them.

The client is httpx (already installed with Datasette): timeouts on connecting and on each
read, redirects followed (at most ``MAX_REDIRECTS``) and recorded, a size limit enforced
while the body streams in (a ``Content-Length`` over it is refused before reading), a user
agent naming the tool, and the content type checked against the formats provenance reads.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from provenance.errors import ProvenanceError
from provenance.timestamps import SECONDS_FORMAT, utc_timestamp
from provenance.version import __version__

if TYPE_CHECKING:
    import httpx

#: Seconds to wait for a connection, and between two pieces of the body.
TIMEOUT_SECONDS = 20.0
#: The largest body fetched (bytes).
MAX_BYTES = 50 * 1024 * 1024
MAX_REDIRECTS = 10
#: The longest a whole fetch may take (a server can drip bytes under the read timeout).
TOTAL_SECONDS = 120.0
USER_AGENT = (
    f"provenance/{__version__} (claim-provenance tool; +https://pypi.org/project/provenance/)"
)

_URL = re.compile(r"^https?://", re.IGNORECASE)


def is_url(value: str) -> bool:
    return bool(_URL.match(value))


@dataclass(frozen=True, slots=True)
class Fetched:
    """One response: its exact bytes and what the server said about them."""

    url: str
    final_url: str
    #: Every address the request went through before the final one, in order.
    redirects: list[str]
    status: int
    content_type: str
    charset: str | None
    etag: str | None
    last_modified: str | None
    fetched_at: str
    #: The page's ``<link rel="canonical">``, for HTML (set once the text is decoded).
    canonical_url: str | None = None


@dataclass(frozen=True, slots=True)
class FetchLimits:
    timeout: float = TIMEOUT_SECONDS
    max_bytes: int = MAX_BYTES
    total_seconds: float = TOTAL_SECONDS


DEFAULT_LIMITS = FetchLimits()


def fetch(
    url: str, accepted: frozenset[str], limits: FetchLimits = DEFAULT_LIMITS
) -> tuple[Fetched, bytes]:
    """GET ``url``: what the server said, and the exact bytes of the body.

    Any failure is a one-line :class:`ProvenanceError` naming the address.
    """
    # Imported here: with its TLS stack it weighs 15 MB, which ingesting files never needs.
    import httpx

    timeout = limits.timeout
    try:
        with (
            httpx.Client(
                follow_redirects=True,
                max_redirects=MAX_REDIRECTS,
                timeout=httpx.Timeout(timeout),
                headers={"User-Agent": USER_AGENT, "Accept": ", ".join(sorted(accepted))},
            ) as client,
            client.stream("GET", url) as response,
        ):
            return _receive(url, response, limits, accepted)
    except httpx.TooManyRedirects:
        raise ProvenanceError(f"{url}: more than {MAX_REDIRECTS} redirects") from None
    except httpx.TimeoutException:
        raise ProvenanceError(f"{url}: timed out after {timeout:g} s") from None
    except httpx.InvalidURL as error:
        raise ProvenanceError(f"{url}: not a valid address ({error})") from None
    except httpx.HTTPError as error:
        reason = str(error) or type(error).__name__
        raise ProvenanceError(f"{url}: cannot fetch ({reason})") from None


def _receive(
    url: str, response: httpx.Response, limits: FetchLimits, accepted: frozenset[str]
) -> tuple[Fetched, bytes]:
    max_bytes = limits.max_bytes
    deadline = time.monotonic() + limits.total_seconds
    if response.status_code >= 400:
        raise ProvenanceError(
            f"{url}: HTTP {response.status_code} {response.reason_phrase}".rstrip()
        )
    media_type, charset = _content_type(response.headers.get("content-type", ""))
    if media_type not in accepted:
        expected = ", ".join(sorted(accepted))
        raise ProvenanceError(
            f"{url}: unsupported content type {media_type or 'none'!r}; expected one of {expected}"
        )
    declared = response.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise ProvenanceError(
            f"{url}: too large ({int(declared):,} bytes; the limit is {max_bytes:,})"
        )
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise ProvenanceError(f"{url}: too large (over {max_bytes:,} bytes)")
        if time.monotonic() > deadline:
            raise ProvenanceError(f"{url}: timed out after {limits.total_seconds:g} s in all")
        chunks.append(chunk)
    data = b"".join(chunks)
    if not data:
        raise ProvenanceError(f"{url}: empty response")
    fetched = Fetched(
        url=url,
        final_url=str(response.url),
        redirects=[str(step.url) for step in response.history],
        status=response.status_code,
        content_type=media_type,
        charset=charset,
        etag=response.headers.get("etag"),
        last_modified=response.headers.get("last-modified"),
        fetched_at=utc_timestamp(SECONDS_FORMAT),
    )
    return fetched, data


def _content_type(header: str) -> tuple[str, str | None]:
    media_type, _, parameters = header.partition(";")
    charset = None
    for parameter in parameters.split(";"):
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip("\"'").lower()
    return media_type.strip().lower(), charset


class _CanonicalFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.href: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "link" and self.href is None:
            values = dict(attrs)
            rel = (values.get("rel") or "").lower().split()
            if "canonical" in rel and values.get("href"):
                self.href = values["href"]


def canonical_url(html: str, base: str) -> str | None:
    """The page's ``<link rel="canonical">``, made absolute against ``base``."""
    head = html[: html.lower().find("</head>") + 7] if "</head>" in html.lower() else html[:65536]
    finder = _CanonicalFinder()
    finder.feed(head)
    if finder.href is None:
        return None
    absolute = urljoin(base, finder.href.strip())
    return absolute if urlsplit(absolute).scheme in ("http", "https") else None
